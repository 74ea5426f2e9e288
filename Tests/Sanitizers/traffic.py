#!/usr/bin/env python3
"""Mixed traffic of every answer kind against 127.0.0.1:PORT: traffic.py PORT ROUNDS [--tls CAFILE].

Each round sends, on raw sockets: 200 listings (one and several pages), HEAD, 304, OPTIONS, 401, 403,
400 (bad parameter, bad encoding, smuggling shapes), 404, 414, libevent's 400 and 413, a pipelined
batch, a client reset mid-answer and the health route; then the organisation, version and account routes,
deletes and restores (undone by a reset each round) and their refusals. Prints a tally of statuses; exits 1 on a 5xx
or an unexpected status.

With --tls CAFILE (an emulator started with --tls, SPEC §23) every case goes over TLS, verified against
CAFILE for 127.0.0.1, and each round adds the TLS abuse cases, tallied as their own kinds: garbage
instead of a ClientHello (ends with no answer), plain HTTP to the HTTPS port (a plain-text 400), a client
gone mid-record after the handshake, a handshake dropped after part of the ClientHello, and a TLS 1.2
client that sends a request and closes without reading."""
import socket, struct, sys

port, rounds = int(sys.argv[1]), int(sys.argv[2])
CAFILE = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--tls" else None
if len(sys.argv) > 3 and CAFILE is None:
    sys.exit("usage: traffic.py PORT ROUNDS [--tls CAFILE]")
if CAFILE:
    import os, ssl
    TLS = ssl.create_default_context(cafile=CAFILE)
    TLS12 = ssl.create_default_context(cafile=CAFILE)
    TLS12.maximum_version = ssl.TLSVersion.TLSv1_2

def connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    return TLS.wrap_socket(s, server_hostname="127.0.0.1") if CAFILE else s
AUTH = "Authorization: token ghp_octocatRead\r\n"
LIST = "/users/octocat/packages?package_type=container"
ORG = "/orgs/octo-org/packages"
ADMIN = "Authorization: token ghp_octocatAdmin\r\n"

def req(target, headers="", method="GET", body=""):
    return (f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n{body}").encode()

CASES = [
    (req(LIST, AUTH), {200}),
    (req(LIST + "&per_page=2&page=2", AUTH), {200}),
    (req(LIST, AUTH, method="HEAD"), {200}),
    (req(LIST, AUTH + 'If-None-Match: *\r\n'), {304}),
    (req("/anything", method="OPTIONS"), {204}),
    (req(LIST), {401}),
    (req(LIST, "Authorization: token nope\r\n"), {401}),
    (req(LIST, "Authorization: token ghp_octocatNoScopes\r\n"), {403}),
    (req("/users/octocat/packages?package_type=pypi", AUTH), {400}),
    (req("/users/%zz/packages?package_type=npm", AUTH), {400}),
    (req(LIST, AUTH + "Content-Length: 0\r\nContent-Length: 5\r\n"), {400}),
    (req(LIST, AUTH + "Transfer-Encoding: gzip\r\n"), {400}),
    (req("/users/nobody-here/packages?package_type=npm", AUTH), {404}),
    (req("/nowhere"), {404}),
    (req(LIST + "&x=" + "a" * 9000, AUTH), {414}),
    (b"GARBAGE\r\n\r\n", {400}),
    (req(LIST, AUTH + "Content-Length: 2000000\r\n"), {413}),
    (req("/_emulator/health"), {200}),
    (req(LIST, AUTH + "Content-Length: 5\r\n", body="hello"), {200}),
    # The other routes: organisations, single packages, versions (declared and generated), account routes,
    # writes (each undone by the reset at the end of the round) and their refusals.
    (req(ORG + "?package_type=container", AUTH), {200}),
    (req(ORG + "/container/octo-repo%2Fweb", AUTH), {200}),
    (req(ORG + "/container/octo-repo%2Fweb/versions?per_page=2&page=2", AUTH), {200}),
    (req(ORG + "/container/octo-sdk/versions/40300045", AUTH), {200}),
    (req("/api/v3" + ORG + "/container/octo-sdk/versions?per_page=7&page=3", AUTH), {200}),
    (req(ORG + "/container/octo-sdk", "Authorization: token ghp_monalisaReadRepo\r\n"), {404}),
    (req("/orgs/octo-org/docker/conflicts"), {200}),
    (req("/user", AUTH), {200}),
    (req("/rate_limit", AUTH), {200}),
    (req(ORG + "/container/octo-repo%2Fweb/versions/9002", ADMIN, method="DELETE"), {204}),
    (req(ORG + "/container/octo-repo%2Fweb/versions/9002/restore", ADMIN, method="POST"), {204}),
    (req(ORG + "/container/octo-base/versions/9102", ADMIN, method="DELETE"), {400}),
    (req(ORG + "/container/octo-sdk", ADMIN, method="DELETE"), {204}),
    (req(ORG + "/container/octo-sdk/restore", ADMIN, method="POST"), {204}),
    (req("/_emulator/fixtures/export"), {200}),
    (req("/_emulator/reset", method="POST"), {200}),
]

def exchange(data):
    s = connect()
    try:
        s.sendall(data)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
        return out
    finally:
        s.close()

def read_to_end(s):
    """Everything the server sends until it closes; a reset ends it as well."""
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except ConnectionResetError:
        pass
    return out

def client_hello():
    """The first flight of a real TLS client, as bytes."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    session = TLS.wrap_bio(incoming, outgoing, server_hostname="127.0.0.1")
    try:
        session.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()

def tls_abuse(tally):
    """One of each TLS abuse case (SPEC §23 over §12); answers the count of unexpected outcomes."""
    bad = 0
    def count(kind, ok, detail=b""):
        nonlocal bad
        tally[kind] = tally.get(kind, 0) + 1
        if not ok:
            bad += 1
            print("unexpected", kind, detail[:80], file=sys.stderr)
    # (a) Garbage instead of a ClientHello: not a request line, so OpenSSL refuses it; nothing comes back.
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(b"\x00\xff" + b"A" * 200)
    answer = read_to_end(s)
    s.close()
    count("tls-garbage-closed" if not answer else "tls-garbage-answered", not answer, answer)
    # (b) Plain HTTP to the HTTPS port: a plain-text 400.
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(req(LIST, AUTH))
    answer = read_to_end(s)
    s.close()
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.") else 0
    plain = b"content-type: text/plain" in answer.split(b"\r\n\r\n", 1)[0].lower()
    count(f"plain-http-{status}", status == 400 and plain, answer)
    # (c) Gone mid-record: the handshake done, then an application-data record cut short on the raw
    # socket. The write side is shut so the server sees the cut record, then the end; the client reads
    # to the end (TLS 1.3 session tickets, an alert) so its close is no reset that could discard them.
    s = connect()
    raw = socket.socket(fileno=os.dup(s.fileno()))  # the same TCP connection, bypassing the TLS layer
    raw.settimeout(30)
    raw.sendall(b"\x17\x03\x03\x40\x00" + b"Z" * 100)
    raw.shutdown(socket.SHUT_WR)
    try:
        read_to_end(raw)
        ended = True
    except socket.timeout:  # the server kept the connection
        ended = False
    raw.close()
    s.close()
    count("tls-cut-record-closed" if ended else "tls-cut-record-kept", ended)
    # (d) A handshake dropped midway: the first 100 bytes of a real ClientHello, then closed.
    hello = client_hello()
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(hello[:100])
    s.close()
    count("tls-hello-cut", len(hello) > 100, b"ClientHello of %d bytes" % len(hello))
    # (e) A TLS 1.2 client that sends a request and closes without reading the answer.
    s = TLS12.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30), server_hostname="127.0.0.1")
    version = s.version()
    s.sendall(req(LIST + "&per_page=100", AUTH))
    s.close()
    count("tls12-unread", version == "TLSv1.2", version.encode())
    return bad

tally, bad = {}, 0
for _ in range(rounds):
    for data, expected in CASES:
        answer = exchange(data)
        status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.") else 0
        tally[status] = tally.get(status, 0) + 1
        if status not in expected:
            bad += 1
            print("unexpected", status, data[:60], file=sys.stderr)
    # Pipelined keep-alive batch.
    s = connect()
    batch = (f"GET {LIST} HTTP/1.1\r\nHost: x\r\n{AUTH}\r\n" * 5 + "GET /_emulator/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").encode()
    s.sendall(batch)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    count = data.count(b"HTTP/1.1 200 OK")
    tally["pipelined-200"] = tally.get("pipelined-200", 0) + count
    if count != 6:
        bad += 1
        print("pipelined batch answered", count, "of 6", file=sys.stderr)
    # A client that resets mid-answer.
    s = connect()
    s.sendall((f"GET {LIST}&per_page=100 HTTP/1.1\r\nHost: x\r\n{AUTH}\r\n" * 20).encode())
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    if CAFILE:
        bad += tls_abuse(tally)

print("statuses:", dict(sorted(tally.items(), key=lambda kv: str(kv[0]))))
print("unexpected:", bad)
sys.exit(1 if bad or any(isinstance(k, int) and k >= 500 for k in tally) else 0)
