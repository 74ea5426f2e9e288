#!/usr/bin/env python3
"""The emulator's HTTPS (SPEC §23) beside nginx serving the very same bytes over the very same TLS. Prints numbers; asserts nothing.

    python3 Tests/Benchmarks/tls_bench.py [--bin PATH] [--rounds 3] [--seconds 10] [--workers 1,2] [--quick]

Makes a CA and a server certificate (P-256 keys, ECDSA-SHA256, for 127.0.0.1 and localhost) with the
openssl CLI in a temporary directory; starts the emulator with `--tls --tls-cert CERT --tls-key KEY
--port 0 --threads W` on 127.0.0.1, fetches bench.py's listing page from it once over HTTPS (verified
against the CA), and starts nginx with `ssl_certificate`/`ssl_certificate_key` of the same two files,
`ssl_protocols TLSv1.2 TLSv1.3`, the server's cipher order (as the emulator), keep-alive as bench.py's
nginx, W workers, serving the body from a file with the emulator's Content-Type. Then, for every W:
1. keep-alive: wrk -t2 -c64 --latency over TLS (requests per second, p50/p99, the servers' CPU per
   request read from /proc);
2. new connections: the same with `-H "Connection: close"`, so every request is a new TCP connection
   and a new TLS handshake (wrk keeps its last TLS session and offers it again: with TLS 1.3 tickets
   those handshakes are PSK resumptions with a fresh X25519 exchange, not full ones with a certificate
   signature; a probe below says which kind wrk's handshakes were, from nginx's $ssl_session_reused);
in rounds that interleave the two servers (the order alternating), medians, and the ratio emulator/nginx
(the aim is >= 0.8x). Both servers get the same request bytes (bench.py's Authorization header too).
Before the rounds, per server: the negotiated protocol, cipher suite and key exchange group (openssl
s_client), whether a second connection resumes the first one's session (python's ssl), and the bytes of
one whole answer; after them, `openssl s_time -new` against each: full handshakes (ECDHE and the
certificate's ECDSA signature) per second of one sequential client, and the server's CPU per handshake
(cheap; the rate is bound by the client). The last line is a SUMMARY. The emulator is the release
binary (--bin PATH or $EMULATOR_BIN, else built as bench.py builds it, into .build-bench). Needs wrk,
nginx and openssl; installs them (`apt-get install -y wrk nginx-light openssl`) if root and missing.
Every process it starts listens on 127.0.0.1, is bounded in time and is stopped by its PID; temporary
files go at the end.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

# bench.py's page and token, its CPU accounting; registry_bench.py's process bookkeeping and tools.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import PATH, TOKEN, children, cpu_seconds, nginx_conf  # noqa: E402
from registry_bench import (STARTED, build, free_port, install_tools, log, platform, stop_all,  # noqa: E402
                            stop_process, version, wait_port, wrk_numbers)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AUTH = f"token {TOKEN}"
OPENSSL_TIMEOUT = 30


# ---------------------------------------------------------------------------------------------- tools

def ensure_tools():
    install_tools("tls_bench.py", (("wrk", "wrk"), ("nginx", "nginx-light"), ("openssl", "openssl")))


def openssl(*arguments, stdin=None):
    return subprocess.run(["openssl", *arguments], input=stdin, capture_output=True, text=True, check=True,
                          timeout=OPENSSL_TIMEOUT)


def certificates(directory):
    """A CA and a server certificate signed by it, P-256 keys: (ca.pem, server.pem, server.key)."""
    ca_key, ca, key, csr, cert = (os.path.join(directory, n) for n in
                                  ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem"))
    extensions = os.path.join(directory, "server.ext")
    for path in (ca_key, key):
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path)
    openssl("req", "-x509", "-new", "-key", ca_key, "-sha256", "-days", "2", "-subj", "/CN=tls_bench.py CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-out", ca)
    openssl("req", "-new", "-key", key, "-subj", "/CN=127.0.0.1", "-out", csr)
    with open(extensions, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-sha256", "-days", "2",
            "-extfile", extensions, "-out", cert)
    for path in (ca, cert, key):
        os.chmod(path, 0o644 if path != key else 0o600)
    return ca, cert, key


# -------------------------------------------------------------------------------------------- servers

class Emulator:
    """The emulator's release binary over HTTPS on 127.0.0.1 (bench.py's options, and --tls)."""

    name = "emulator"

    def __init__(self, binary, workers, cert, key):
        started = time.monotonic()
        self.process = subprocess.Popen(
            [binary, "--host", "127.0.0.1", "--port", "0", "--fixtures", os.path.join(ROOT, "Fixtures"),
             "--threads", str(workers), "--rate-limit", "1000000000000", "--log-level", "warning",
             "--tls", "--tls-cert", cert, "--tls-key", key],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        STARTED.append(self.process)
        line = self.process.stdout.readline()
        self.ready = time.monotonic() - started
        match = re.match(r"listening on https://127\.0\.0\.1:(\d+)$", line.strip())
        if not match:
            self.stop()
            sys.exit(f"tls_bench.py: no ready line from the emulator: {line!r}")
        self.port = int(match.group(1))
        self.pid = self.process.pid

    def pids(self):
        return [self.pid]

    def stop(self):
        stop_process(self.process)


NGINX_TLS = """
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;"""


class Nginx:
    """nginx over HTTPS with the emulator's certificate, serving one file with the emulator's Content-Type."""

    name = "nginx"

    def __init__(self, body, content_type, workers, cert, key, work, log_format=None):
        self.dir = tempfile.mkdtemp(prefix="nginx.", dir=work)
        os.chmod(self.dir, 0o755)  # nginx's workers run as an unprivileged user
        self.port = free_port()
        self.access_log = os.path.join(self.dir, "access.log")
        logging = (f"log_format probe '{log_format}';\n  access_log {self.access_log} probe;" if log_format
                   else "access_log off;")
        conf = nginx_conf(self.dir, body, "body.json", content_type, workers, self.port, listen_suffix=" ssl",
                          server_extra=NGINX_TLS.format(cert=cert, key=key), log=logging)
        self.process = subprocess.Popen(["nginx", "-c", conf, "-p", self.dir], stderr=subprocess.DEVNULL)
        STARTED.append(self.process)
        wait_port(self.port, self.process, "nginx")
        self.pid = self.process.pid

    def pids(self):
        return [self.pid] + children(self.pid)

    def stop(self):
        stop_process(self.process, signal.SIGQUIT)
        shutil.rmtree(self.dir, ignore_errors=True)


# ------------------------------------------------------------------------------------------ TLS probes

def https_get(port, path, ca):
    """GET over HTTPS, the certificate verified against the CA: (status, Content-Type, body)."""
    context = ssl.create_default_context(cafile=ca)
    request = urllib.request.Request(f"https://127.0.0.1:{port}{path}", headers={"Authorization": AUTH})
    with urllib.request.urlopen(request, timeout=10, context=context) as response:
        return response.status, response.headers.get("Content-Type"), response.read()


def raw_answer(sock, port, path):
    """One request on an open (TLS) socket, the whole answer read by Content-Length: its bytes."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {AUTH}\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        if not piece:
            break
        data += piece
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?im)^content-length:\s*(\d+)", head).group(1))
    while len(rest) < length:
        piece = sock.recv(65536)
        if not piece:
            break
        rest += piece
    return len(head) + 4 + length


def describe(server, path, ca):
    """What a client gets from `server`: protocol, cipher, group, resumption, answer size."""
    context = ssl.create_default_context(cafile=ca)
    with socket.create_connection(("127.0.0.1", server.port), 10) as plain:
        with context.wrap_socket(plain, server_hostname="127.0.0.1") as tls:
            answer = raw_answer(tls, server.port, path)
            protocol, cipher = tls.version(), tls.cipher()[0]
            session = tls.session
    with socket.create_connection(("127.0.0.1", server.port), 10) as plain:
        with context.wrap_socket(plain, server_hostname="127.0.0.1", session=session) as tls:
            raw_answer(tls, server.port, path)
            reused = tls.session_reused
    brief = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{server.port}", "-brief",
                            "-CAfile", ca], input="", capture_output=True, text=True, timeout=OPENSSL_TIMEOUT)
    text = brief.stdout + brief.stderr
    group = re.search(r"(?:Negotiated TLS1\.3 group|Server Temp Key):\s*(.+)", text)
    signature = re.search(r"^Signature type:\s*(.+)", text, re.M)
    digest = re.search(r"^Hash used:\s*(.+)", text, re.M)
    verified = "Verification: OK" in text
    return {"protocol": protocol, "cipher": cipher, "group": group.group(1).strip() if group else "?",
            "signature": (signature.group(1).strip() + ("-" + digest.group(1).strip() if digest else "")
                          if signature else "?"), "verified": verified,
            "resumed": reused, "answer": answer}


def s_time(server, seconds):
    """`openssl s_time -new` (no request): full handshakes per second of one sequential client, measured
    by the wall clock here (s_time counts whole seconds), and the server's CPU per handshake."""
    before, started = cpu_seconds(server.pids()), time.monotonic()
    output = subprocess.run(["openssl", "s_time", "-connect", f"127.0.0.1:{server.port}", "-new", "-time",
                             str(seconds)], capture_output=True, text=True, timeout=seconds + OPENSSL_TIMEOUT).stdout
    elapsed, used = time.monotonic() - started, cpu_seconds(server.pids()) - before
    match = re.search(r"(\d+) connections in [\d.]+s", output)
    count = int(match.group(1)) if match else 0
    return {"rate": count / elapsed, "cpu_us": used * 1e6 / max(1, count), "count": count}


def wrk_handshakes(body, content_type, workers, cert, key, work, seconds):
    """What wrk's Connection: close handshakes are: nginx logs each request's $ssl_session_reused."""
    nginx = Nginx(body, content_type, workers, cert, key, work,
                  log_format="$ssl_session_reused $ssl_protocol $ssl_cipher $ssl_curve")
    try:
        wrk(nginx.port, "/x", 4, seconds, close=True)
    finally:
        log_path = nginx.access_log
        stop_process(nginx.process, signal.SIGQUIT)
        try:
            with open(log_path) as f:
                lines = f.read().split("\n")
        finally:
            shutil.rmtree(nginx.dir, ignore_errors=True)
    kinds = {}
    for line in filter(None, lines):
        kinds[line] = kinds.get(line, 0) + 1
    return kinds


# ------------------------------------------------------------------------------------------------ wrk

def wrk(port, path, connections, seconds, close=False):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Authorization: {AUTH}"]
    if close:
        command += ["-H", "Connection: close"]
    output = subprocess.run(command + [f"https://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                            check=True, timeout=seconds + 60).stdout
    return wrk_numbers(output)


def measure(server, path, connections, seconds, close):
    before = cpu_seconds(server.pids())
    result = wrk(server.port, path, connections, seconds, close)
    result["cpu_us"] = (cpu_seconds(server.pids()) - before) * 1e6 / max(1, result["requests"])
    return result


# ------------------------------------------------------------------------------------------- compare

def compare(binary, workers, rounds, seconds, connections, cert, key, ca, work, s_time_seconds):
    emulator = Emulator(binary, workers, cert, key)
    nginx = None
    try:
        status, content_type, body = https_get(emulator.port, PATH, ca)
        assert status == 200, status
        nginx = Nginx(body, content_type, workers, cert, key, work)
        _, served_type, served = https_get(nginx.port, "/x", ca)
        same = served == body and served_type == content_type
        log(f"== workers {workers}: {len(body)}-byte body, {content_type}; emulator :{emulator.port} "
            f"(--threads {workers}) vs nginx :{nginx.port} ({workers} workers"
            f"{', same bytes' if same else ', DIFFERENT BYTES'}); wrk -t2 -c{connections} -d{seconds}s over "
            f"https, {rounds} round(s) interleaved")
        servers = {"emulator": (emulator, PATH), "nginx": (nginx, "/x")}
        tls = {}
        for side, (server, path) in servers.items():
            d = describe(server, path, ca)
            tls[side] = d
            log(f"   {side:<8} {d['protocol']} {d['cipher']} group {d['group']}, signature {d['signature']}, "
                f"certificate {'verified' if d['verified'] else 'NOT VERIFIED'} by the CA; second connection "
                f"{'resumes' if d['resumed'] else 'does NOT resume'} the first's session; one answer "
                f"{d['answer']} B")
        results = {mode: {side: [] for side in servers} for mode in ("keep-alive", "close")}
        for run in range(rounds):
            order = ("emulator", "nginx") if run % 2 == 0 else ("nginx", "emulator")
            for mode in results:
                for side in order:
                    server, path = servers[side]
                    r = measure(server, path, connections, seconds, mode == "close")
                    results[mode][side].append(r)
                    log(f"   round {run + 1} {mode:<10} {side:<8} {r['rps']:>9.0f} rps  p50 {r['p50']:.2f} ms  "
                        f"p99 {r['p99']:.2f} ms  {r['cpu_us']:6.1f} µs cpu/req  errors {r['errors']}")
        rows = {}
        for mode, sides in results.items():
            row = {"workers": workers, "mode": mode}
            for side, rs in sides.items():
                row[side] = {k: statistics.median(r[k] for r in rs) for k in ("rps", "p50", "p99", "cpu_us")}
                row[side]["errors"] = sum(r["errors"] for r in rs)
                row[side]["spread"] = (min(r["rps"] for r in rs), max(r["rps"] for r in rs))
            row["ratio"] = row["emulator"]["rps"] / row["nginx"]["rps"]
            rows[mode] = row
            e, n = row["emulator"], row["nginx"]
            what = "requests" if mode == "keep-alive" else "new TLS connections"
            log(f"   {mode} median ({what}/s): emulator {e['rps']:.0f} (range {e['spread'][0]:.0f}-"
                f"{e['spread'][1]:.0f}) p50 {e['p50']:.2f} ms p99 {e['p99']:.2f} ms {e['cpu_us']:.1f} µs cpu/req "
                f"errors {e['errors']} | nginx {n['rps']:.0f} (range {n['spread'][0]:.0f}-{n['spread'][1]:.0f}) "
                f"p50 {n['p50']:.2f} ms p99 {n['p99']:.2f} ms {n['cpu_us']:.1f} µs cpu/req errors {n['errors']} "
                f"| ratio emulator/nginx {row['ratio']:.2f} (aim >= 0.8)")
        handshakes = {}
        if s_time_seconds:
            for side, (server, _) in servers.items():
                handshakes[side] = s_time(server, s_time_seconds)
            e, n = handshakes["emulator"], handshakes["nginx"]
            log(f"   openssl s_time -new (one sequential client, {s_time_seconds} s, full handshakes, no request): "
                f"emulator {e['rate']:.0f}/s {e['cpu_us']:.0f} µs server cpu/handshake | nginx {n['rate']:.0f}/s "
                f"{n['cpu_us']:.0f} µs server cpu/handshake | ratio {e['rate'] / n['rate']:.2f}")
        return {"rows": rows, "tls": tls, "s_time": handshakes, "body": body, "content_type": content_type}
    finally:
        emulator.stop()
        if nginx:
            nginx.stop()


# ------------------------------------------------------------------------------------------------ main

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", default=os.environ.get("EMULATOR_BIN"),
                        help="the emulator's release binary (default: $EMULATOR_BIN, else build it into .build-bench)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds per side and mode (default 3)")
    parser.add_argument("--seconds", type=int, help="wrk duration (default 10, --quick 3)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", help="emulator --threads = nginx workers, comma-separated (default 1,2; "
                                          "--quick: the number of cores)")
    parser.add_argument("--s-time", type=int, default=3, help="seconds of each openssl s_time run (0: none)")
    parser.add_argument("--tmp", help="where the certificates and nginx's files go (default: $TMPDIR)")
    parser.add_argument("--quick", action="store_true", help="3 rounds of 3 s, one worker count, s_time 1 s")
    args = parser.parse_args()
    args.rounds = args.rounds or 3
    args.seconds = args.seconds or (3 if args.quick else 10)
    args.workers = args.workers or (str(os.cpu_count()) if args.quick else "1,2")
    if args.quick and args.s_time == 3:
        args.s_time = 1

    # SIGTERM/SIGHUP end the run like Ctrl-C, so the finally blocks stop every server.
    def interrupted(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)

    ensure_tools()
    binary = os.path.abspath(args.bin) if args.bin else build()
    work = tempfile.mkdtemp(prefix="tls-bench.", dir=args.tmp)
    os.chmod(work, 0o755)  # nginx's workers read the body below it
    began = time.monotonic()
    try:
        log(f"== machine: {os.cpu_count()} cores; {platform()}; {version(['nginx', '-v'])}; "
            f"{version(['wrk', '-v'])}; {version(['openssl', 'version'])}")
        log(f"== emulator: {binary}")
        ca, cert, key = certificates(work)
        log(f"== certificate: P-256 ECDSA-SHA256 for IP:127.0.0.1, DNS:localhost, signed by a P-256 CA "
            f"({cert}); both servers load these very files")
        outcomes = []
        for workers in [int(w) for w in args.workers.split(",")]:
            outcomes.append(compare(binary, workers, args.rounds, args.seconds, args.connections, cert, key, ca,
                                    work, args.s_time))
        last = outcomes[-1]
        kinds = wrk_handshakes(last["body"], last["content_type"], 1, cert, key, work, 1)
        total = sum(kinds.values())
        log(f"== wrk's Connection: close handshakes (nginx's log of $ssl_session_reused $ssl_protocol $ssl_cipher "
            f"$ssl_curve, wrk -c4 1 s): "
            + ", ".join(f"{count} x '{kind}'" for kind, count in sorted(kinds.items(), key=lambda kv: -kv[1]))
            + " ('r' = resumed)")
        resumed = sum(count for kind, count in kinds.items() if kind.startswith("r "))
        first = outcomes[0]
        ka, close = first["rows"]["keep-alive"], first["rows"]["close"]
        t = first["tls"]["emulator"]
        st = first["s_time"]
        log(f"SUMMARY TLS keep-alive c{args.connections} {ka['ratio']:.2f}x nginx (w{ka['workers']}; "
            f"{ka['emulator']['rps']:.0f} vs {ka['nginx']['rps']:.0f} rps; p99 {ka['emulator']['p99']:.2f} vs "
            f"{ka['nginx']['p99']:.2f} ms; cpu {ka['emulator']['cpu_us']:.1f} vs {ka['nginx']['cpu_us']:.1f} us/req) | "
            f"new connections c{args.connections} {close['ratio']:.2f}x ({close['emulator']['rps']:.0f} vs "
            f"{close['nginx']['rps']:.0f} conn/s; p99 {close['emulator']['p99']:.2f} vs {close['nginx']['p99']:.2f} ms; "
            f"cpu {close['emulator']['cpu_us']:.1f} vs {close['nginx']['cpu_us']:.1f} us/conn) | "
            + " ".join(f"w{o['rows'][m]['workers']}{'k' if m == 'keep-alive' else 'x'} {o['rows'][m]['ratio']:.2f}x"
                       for o in outcomes for m in ("keep-alive", "close"))
            + f" | {t['protocol']} {t['cipher']} {t['group']} {t['signature']}; wrk handshakes "
              f"{resumed}/{total} resumed"
            + (f" | s_time full handshakes {st['emulator']['rate'] / st['nginx']['rate']:.2f}x "
               f"({st['emulator']['cpu_us']:.0f} vs {st['nginx']['cpu_us']:.0f} us server cpu)" if st else "")
            + f" | rounds {args.rounds}, wrk {args.seconds} s, {time.monotonic() - began:.0f} s in all")
    finally:
        stop_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
