#!/usr/bin/env python3
"""Differential test of the core's HTTP/1.1 request parser against h11 and httptools (llhttp).

The same seeded byte streams (requests built from a grammar, mutations of them, the classic smuggling
shapes) go to h11 (strict RFC 9112, sans-I/O), to httptools (llhttp, Node's parser) and to
`http-parser-probe` (RequestParser, fed in random pieces). The probe must make the decision of the
stricter reference (either rejects: reject) and, on accept, yield the same method, target, version,
header fields and body, request by request (pipelined cases are compared up to the first error).

Every deliberate difference is a row of ALLOWED below: a predicate and the RFC clause that decides it.
Anything else is a disagreement: the first ones are printed with their bytes and the exit status is 1.

    differential.py --probe PATH [--seed N] [--cases N] [--show N]
"""

import argparse
import itertools
import json
import random
import re
import struct
import subprocess
import sys
from dataclasses import dataclass, field

import h11
import httptools


@dataclass
class Req:
    method: bytes
    target: bytes
    minor: int  # 0 for HTTP/1.0, 1 for 1.1 and every later 1.y (compared as the emulator answers)
    headers: list  # [(name, value)] bytes, names as sent
    body: bytes
    keep_alive: object = None  # bool where the parser tells (httptools, probe), None for h11
    version: str = ""  # as the reference read it ("1.1", "1.2", "2.0")


@dataclass
class Outcome:
    requests: list
    end: str  # "ok" (nothing pending), "incomplete" (a request still arriving) or "error"
    detail: str = ""
    status: int = 0
    cut: bool = False  # the stream was cut after a request that ends the connection


# --- the references ---------------------------------------------------------------------------------

def minor_of(version):
    major, _, minor = version.partition(".")
    return 0 if (major, minor) == ("1", "0") else 1


def run_h11(data, skip_empty_lines=False):
    """h11 as a server; `skip_empty_lines` drops CRLFs before a request line, as RFC 9112 §2.2 says a
    server SHOULD (h11 0.16 refuses them; its private receive buffer is the only way in)."""
    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=1 << 20)
    if data:  # receive_data(b"") is h11's end of stream
        conn.receive_data(data)
    requests, current = [], None
    try:
        while True:
            if skip_empty_lines and conn.their_state is h11.IDLE:
                while bytes(conn._receive_buffer._data[:2]) == b"\r\n":
                    conn._receive_buffer._extract(2)
            event = conn.next_event()
            if event is h11.NEED_DATA or event is h11.PAUSED:
                break
            if isinstance(event, h11.Request):
                version = event.http_version.decode()
                current = Req(event.method, event.target, minor_of(version),
                              [(n, v) for n, v in event.headers.raw_items()], b"", version=version)
            elif isinstance(event, h11.Data):
                current.body += bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                requests.append(current)
                if ends_connection(current):
                    return Outcome(requests, "ok", cut=True)
                conn.send(h11.Response(status_code=200, headers=[(b"content-length", b"0")]))
                conn.send(h11.EndOfMessage())
                if conn.their_state is not h11.DONE or conn.our_state is not h11.DONE:
                    return Outcome(requests, "ok", "h11 keeps no connection open", cut=True)
                conn.start_next_cycle()
            elif isinstance(event, h11.ConnectionClosed):
                break
    except h11.RemoteProtocolError as error:
        return Outcome(requests, "error", str(error))
    pending = conn.their_state is not h11.IDLE or bool(conn.trailing_data[0])
    return Outcome(requests, "incomplete" if pending else "ok")


class _Collector:
    def __init__(self):
        self.parser = None
        self.requests = []
        self.current = None

    def on_message_begin(self):
        self.current = Req(b"", b"", 1, [], b"")

    def on_url(self, url):
        self.current.target += url

    def on_header(self, name, value):
        if self.current.keep_alive is None:  # after the head, llhttp reports trailer fields here too
            self.current.headers.append((name, value))

    def on_headers_complete(self):
        self.current.method = bytes(self.parser.get_method())
        self.current.version = self.parser.get_http_version()
        self.current.minor = minor_of(self.current.version)
        self.current.keep_alive = self.parser.should_keep_alive()

    def on_body(self, body):
        self.current.body += body

    def on_message_complete(self):
        self.requests.append(self.current)
        self.current = None


def run_httptools(data, lenient_version=False):
    collector = _Collector()
    parser = httptools.HttpRequestParser(collector)
    if lenient_version:
        parser.set_dangerous_leniencies(lenient_version=True)
    collector.parser = parser
    error = None
    try:
        parser.feed_data(data)
    except httptools.HttpParserUpgrade:
        return Outcome(collector.requests, "ok", "upgrade", cut=True)
    except httptools.HttpParserError as raised:
        error = f"{type(raised).__name__}: {raised}"
    # llhttp refuses bytes after a request that closes the connection; they are not compared.
    for index, request in enumerate(collector.requests):
        if ends_connection(request):
            return Outcome(collector.requests[:index + 1], "ok", cut=True)
    if error:
        return Outcome(collector.requests, "error", error)
    # llhttp reports nothing pending between requests; a message it started is still arriving.
    return Outcome(collector.requests, "incomplete" if collector.current is not None else "ok")


def run_probe(probe, cases):
    payload = b"".join(struct.pack("<IQ", len(data), seed) + data for seed, data in cases)
    result = subprocess.run([probe], input=payload, stdout=subprocess.PIPE, check=True)
    lines = result.stdout.decode().splitlines()
    if len(lines) != len(cases):
        sys.exit(f"the probe answered {len(lines)} of {len(cases)} cases")
    outcomes = []
    for line in lines:
        answer = json.loads(line)
        requests = [Req(bytes.fromhex(r["m"]), bytes.fromhex(r["t"]), r["v"],
                        [(bytes.fromhex(n), bytes.fromhex(v)) for n, v in r["h"]],
                        bytes.fromhex(r["b"]), r["k"]) for r in answer["r"]]
        end = "error" if answer["e"] is not None else ("incomplete" if answer["inc"] else "ok")
        outcome = Outcome(requests, end, bytes.fromhex(answer["m"]).decode(), answer["e"] or 0)
        for index, request in enumerate(requests):
            if ends_connection(request):
                outcome = Outcome(requests[:index + 1], "ok", cut=True)
                break
        outcomes.append(outcome)
    return outcomes


def header_values(request, name):
    return [v for n, v in request.headers if n.lower() == name]


def ends_connection(request):
    """After this request nothing more is read as HTTP/1.1: a close, HTTP/1.0 (h11 never keeps a 1.0
    connection; llhttp and we keep one with `keep-alive`, so what follows is not compared), a CONNECT
    tunnel or an upgrade (RFC 9112 §9.3, §9.6; RFC 9110 §9.3.6, §7.8)."""
    tokens = [t.strip().lower() for v in header_values(request, b"connection") for t in v.split(b",")]
    return (request.minor == 0 or b"close" in tokens or request.method == b"CONNECT"
            or bool(header_values(request, b"upgrade")))


# --- comparing ------------------------------------------------------------------------------------

def utf8_lossy(value):
    """What a Swift String makes of the bytes: invalid UTF-8 becomes U+FFFD (maximal subparts)."""
    return value.decode("utf-8", "replace").encode("utf-8")


def connection_tokens(request):
    return {t.strip().lower() for v in header_values(request, b"connection") for t in v.split(b",")}


def same_request(ours, theirs, loose=frozenset()):
    """Method, target, version, fields (names case-insensitively, values without OWS), body, keep-alive.
    `loose` may hold "lossy" (values as Swift Strings) and "close-wins" (see ALLOWED)."""
    if (ours.method, ours.target, ours.minor, ours.body) != (theirs.method, theirs.target, theirs.minor,
                                                             theirs.body):
        return False
    if len(ours.headers) != len(theirs.headers):
        return False
    for (name, value), (their_name, their_value) in zip(ours.headers, theirs.headers):
        their_value = their_value.strip(b" \t")
        if "lossy" in loose:
            their_value = utf8_lossy(their_value)
        if name.lower() == b"transfer-encoding":  # h11 lowercases this value (codings are case-insensitive)
            value, their_value = value.lower(), their_value.lower()
        if name.lower() != their_name.lower() or value != their_value:
            return False
    if theirs.keep_alive is not None and ours.keep_alive != theirs.keep_alive:
        tokens = connection_tokens(ours)
        if not ("close-wins" in loose and b"close" in tokens and b"keep-alive" in tokens):
            return False
    return True


def expected(references):
    """The stricter reading: an error as soon as either reference fails, the requests before it."""
    failed = [o for o in references.values() if o.end == "error"]
    if failed:
        count = min(len(o.requests) for o in failed)
        return count, "error"
    counts = {len(o.requests) for o in references.values()}
    ends = {o.end for o in references.values()}
    if len(counts) == 1 and len(ends) == 1:
        return counts.pop(), ends.pop()
    return None, None  # the references disagree with each other


def same_requests(probe, references, loose):
    return all(same_request(ours, o.requests[i], loose) for o in references.values()
               for i, ours in enumerate(probe.requests) if i < len(o.requests))


def agrees(probe, references, loose=frozenset()):
    if not references:
        return False
    count, end = expected(references)
    if count is None or len(probe.requests) != count or probe.end != end:
        return False
    return same_requests(probe, references, loose)


# --- deliberate differences -------------------------------------------------------------------------
# Each row of ALLOWED: a short name, the reason with the RFC clause that decides it, when it applies, and
# what it changes before the probe is compared again:
#   "rewrite":  the references read the bytes rewritten to what the RFC says they mean, and the probe
#               (on the original bytes) must agree with them exactly;
#   "lenient":  a reference runs with an RFC-endorsed leniency it has an option (or a hook) for;
#   "drop":     a reference's verdict is set aside (when the row still applies to the references as the
#               rows above changed them); the probe must agree exactly with the other one;
#   "stricter": the probe refuses, with the message named, a request the references accept; every
#               request before it must be the same;
#   "complete": the probe still waits for a line that a reference already refused byte by byte; with
#               CRLF CRLF appended the probe must refuse it too (second run), after the same requests;
#   "loose":    one part of the comparison is relaxed as the row says.
# A disagreement is explained by the fewest rows that, applied together, make the probe agree.

OBS_TEXT = re.compile(rb"[\x80-\xff]")
CHUNK_LINE = re.compile(rb"[0-9a-fA-F]+[ \t]*;[^\r\n]*")


def without_chunk_bws(data):
    """Chunk-size lines with the BWS around `;` and `=` removed: the same message (RFC 9112 §7.1.1)."""
    parts = data.split(b"\r\n")
    return b"\r\n".join(re.sub(rb"[ \t]*([;=])[ \t]*", rb"\1", p) if CHUNK_LINE.fullmatch(p) else p
                        for p in parts)


def without_te_ows(data):
    """`Transfer-Encoding: chunked` without trailing OWS, which is not part of the value (RFC 9112 §5.1)."""
    return re.sub(rb"(?i)(\ntransfer-encoding:[ \t]*chunked)[ \t]+\r\n", rb"\1\r\n", data)


def probe_refused(*messages):
    return lambda case: case.probe.end == "error" and case.probe.detail.startswith(messages)


def detail(name, text):
    return lambda case: name in case.references and text in case.references[name].detail


def probe_ahead(case):
    """The probe refused a request whose head a reference is still waiting for."""
    count = len(case.probe.requests)
    return case.probe.end == "error" and any(o.end == "incomplete" and len(o.requests) == count
                                             for o in case.references.values())


@dataclass
class Rule:
    name: str
    reason: str
    how: str
    applies: object
    rewrite: object = None  # bytes -> bytes, for "rewrite"
    options: dict = field(default_factory=dict)  # {"h11": {...}, "httptools": {...}} for "lenient"
    drop: str = ""


ALLOWED = [
    Rule("version", "RFC 9110 §2.5: HTTP/1.y with y > 1 is answered as HTTP/1.1 (llhttp refuses it: run with "
         "lenient_version)", "lenient", lambda c: re.search(rb"HTTP/1\.[2-9]\r\n", c.data) is not None,
         options={"httptools": {"lenient_version": True}}),
    Rule("empty-lines", "RFC 9112 §2.2: empty lines before a request line SHOULD be ignored (h11 refuses "
         "them: run skipping them)", "lenient", detail("h11", "no request line received"),
         options={"h11": {"skip_empty_lines": True}}),
    Rule("te-ows", "RFC 9112 §5.1: OWS after `chunked` is not part of the Transfer-Encoding value (llhttp "
         "refuses it: run on the bytes without it)", "rewrite",
         lambda c: without_te_ows(c.data) != c.data, rewrite=without_te_ows),
    Rule("chunk-bws", "RFC 9112 §7.1.1: BWS before `;` and around `=` in chunk extensions (h11 or llhttp "
         "refuse it: run on the bytes without it)", "rewrite",
         lambda c: without_chunk_bws(c.data) != c.data, rewrite=without_chunk_bws),
    Rule("early", "RFC 9112 §2.2: a line is judged as soon as its CRLF arrives (h11 and llhttp wait for the "
         "whole head before refusing some lines: run with CRLF CRLF appended)", "rewrite", probe_ahead,
         rewrite=lambda d: d + b"\r\n\r\n"),
    Rule("method", "RFC 9110 §9.1, §16.1: a method is any token, case-sensitive and extensible (llhttp knows "
         "only registered ones)", "drop", detail("httptools", "InvalidMethod"), drop="httptools"),
    Rule("trailer-cl", "RFC 9112 §7.1.2, RFC 9110 §6.5.1: trailer fields MAY be discarded; a Content-Length "
         "there frames nothing (llhttp refuses it)", "drop",
         lambda c: detail("httptools", "Content-Length can't be present")(c)
         and re.search(rb"\r\n0(;[^\r\n]*)?\r\n(?:[^\r\n]*\r\n)*?(?i:content-length):", c.data) is not None,
         drop="httptools"),
    Rule("scheme", "RFC 3986 §3.1 (RFC 9112 §3.2.2): a scheme is ALPHA *( ALPHA / DIGIT / \"+\" / \"-\" / "
         "\".\" ) (llhttp takes letters only)", "drop",
         lambda c: detail("httptools", "url schema")(c)
         and re.search(rb"(?:^|\n)[!-~]+ [A-Za-z][A-Za-z0-9+.-]*://", c.data) is not None, drop="httptools"),
    Rule("major", "RFC 9110 §2.5, §15.6.6: a major version other than 1 is not served (h11 and llhttp read "
         "HTTP/2.0 and HTTP/0.9 in 1.1 syntax); refused", "stricter", probe_refused("Malformed request line: "
                                                                                   "only HTTP/1.x")),
    Rule("target-form", "RFC 9112 §3.2, §3: a request-target in none of the four forms makes the request line "
         "invalid, which SHOULD be answered 400 (h11 takes any visible ASCII); refused", "stricter",
         probe_refused("Malformed request line: the target is not a path")),
    Rule("two-cl", "RFC 9110 §8.6: for repeated (equal) Content-Length values a recipient MAY reject the "
         "message as invalid (h11 merges them); refused", "stricter",
         probe_refused("Conflicting or invalid Content-Length")),
    Rule("chunk-ext", "RFC 9112 §7.1.1: chunk-ext = *( BWS \";\" BWS token [ BWS \"=\" BWS ( token / "
         "quoted-string ) ] ); anything else is refused (llhttp too; h11 takes `;.*`)", "stricter",
         probe_refused("Invalid chunked body: a malformed chunk extension",
                       "Invalid chunked body: a control byte in a chunk extension")),
    Rule("te-1.0", "RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 request MUST be treated as faulty "
         "framing; refused", "stricter", probe_refused("Transfer-Encoding in an HTTP/1.0")),
    Rule("bare-lf", "RFC 9112 §2.2: a bare LF as a line end MAY be accepted; refused (SPEC §12)",
         "stricter", probe_refused("A bare LF")),
    Rule("bare-cr", "RFC 9112 §2.2: a bare CR MUST be considered invalid or replaced by SP; refused (h11 "
         "takes it inside chunk extensions)", "stricter", probe_refused("A bare CR")),
    Rule("obs-fold", "RFC 9112 §5.2: obs-fold in a request MUST be refused or replaced by SP; refused",
         "stricter", probe_refused("Obsolete line folding")),
    Rule("two-hosts", "RFC 9112 §3.2: a request with more than one Host field MUST be answered 400",
         "stricter", probe_refused("More than one Host header")),
    Rule("ctl", "RFC 9110 §5.5: a field value holding a CTL other than HTAB (or DEL) is invalid; refused",
         "stricter", probe_refused("Invalid character in a header value")),
    Rule("partial-line", "RFC 9112 §2.2: a line is judged when its CRLF arrives (llhttp and h11 refuse some "
         "partial lines byte by byte; with CRLF CRLF appended the probe refuses too)", "complete",
         lambda c: c.probe.end == "incomplete"),
    Rule("close-wins", "RFC 9112 §9.3: `close` ends the connection even beside `keep-alive` in HTTP/1.0 "
         "(llhttp keeps it open)", "loose",
         lambda c: any({b"close", b"keep-alive"} <= connection_tokens(r) for r in c.probe.requests)),
    Rule("obs-text", "RFC 9110 §5.5: obs-text in a field value is opaque data; the parser hands values over "
         "as Swift Strings (invalid UTF-8 becomes U+FFFD) and the core reads only ASCII grammars from them",
         "loose", lambda c: any(OBS_TEXT.search(v) for o in c.references.values()
                                for r in o.requests for _, v in r.headers)),
]
LOOSE = {"close-wins": "close-wins", "obs-text": "lossy"}


@dataclass
class Case:
    data: bytes
    probe: Outcome
    references: dict
    completed: object = None  # the probe's outcome on data + CRLF CRLF


def adjusted(case, rules):
    """The references as the rewrite and lenient rows read the case, then less the dropped ones (each
    drop row must still apply to what the others made of the case)."""
    data = case.data
    options = {"h11": {}, "httptools": {}}
    for rule in rules:
        if rule.rewrite:
            data = rule.rewrite(data)
        for name, values in rule.options.items():
            options[name].update(values)
    if data == case.data and not any(options.values()):
        references = dict(case.references)
    else:
        references = {"h11": run_h11(data, **options["h11"]),
                      "httptools": run_httptools(data, **options["httptools"])}
    view = Case(case.data, case.probe, references, case.completed)
    for rule in rules:
        if rule.drop:
            if not rule.applies(view):
                return None
            references.pop(rule.drop, None)
    return references


def stricter_ok(probe, references, loose):
    count = len(probe.requests)
    further = [o for o in references.values()
               if len(o.requests) > count or (len(o.requests) == count and o.end != "error")]
    return bool(further) and same_requests(probe, references, loose)


def complete_ok(case, references, loose):
    count, end = expected(references)
    return (end == "error" and count == len(case.probe.requests) and case.completed is not None
            and case.completed.end == "error" and len(case.completed.requests) == count
            and same_requests(case.probe, references, loose))


def judge(case, rules):
    references = adjusted(case, rules)
    if not references:
        return False
    hows = {rule.how for rule in rules}
    loose = frozenset(LOOSE[rule.name] for rule in rules if rule.how == "loose")
    if agrees(case.probe, references, loose):
        return True
    if "stricter" in hows and stricter_ok(case.probe, references, loose):
        return True
    return "complete" in hows and complete_ok(case, references, loose)


def explain(case):
    """The names of the fewest rows that explain a disagreement, or None."""
    applicable = [rule for rule in ALLOWED if rule.applies(case)]
    # A row may apply only once others have changed the references: grow the set to a fixed point.
    while True:
        changed = adjusted(case, [rule for rule in applicable if rule.how in ("rewrite", "lenient")])
        view = Case(case.data, case.probe, changed, case.completed)
        more = [rule for rule in ALLOWED if rule not in applicable and rule.applies(view)]
        if not more:
            break
        applicable += more
    for size in range(1, len(applicable) + 1):
        for rules in itertools.combinations(applicable, size):
            if judge(case, list(rules)):
                return " + ".join(rule.name for rule in rules)
    return None


# --- generating cases -----------------------------------------------------------------------------

METHODS = [b"GET"] * 8 + [b"HEAD", b"POST", b"POST", b"PUT", b"DELETE", b"PATCH", b"OPTIONS", b"PROPFIND",
                          b"PURGE", b"M-SEARCH"]
EXTENSION_METHODS = [b"BREW", b"get", b"X-Custom"]  # tokens llhttp does not know (RFC 9110 §16.1)
SEGMENT = b"abcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@"
NAMES = [b"User-Agent", b"Accept", b"Authorization", b"X-GitHub-Api-Version", b"If-None-Match",
         b"Accept-Encoding", b"X-Request-Id", b"Cookie", b"Cache-Control", b"x-lower", b"X-Empty",
         b"Content-Type", b"Via", b"Forwarded", b"Expect", b"Connection"]
VALUES = [b"curl/8.5.0", b"application/vnd.github+json", b"Bearer ghp_abc123", b"2022-11-28",
          b"\"abc\", W/\"def\"", b"gzip, deflate", b"a=b; c=d", b"no-cache", b"", b"1.1 proxy",
          b"for=192.0.2.1;proto=http", b"text/plain; charset=utf-8", b"100-continue", b"keep-alive",
          b"x y  z", b"(comment) \"quoted\\\" string\""]


def target(rng):
    kind = rng.random()
    if kind < 0.05:
        return b"*"
    if kind < 0.12:
        return b"http://api.example.test:8080/users/octocat?page=2"
    path = b"".join(b"/" + bytes(rng.choice(SEGMENT) for _ in range(rng.randint(0, 8)))
                    for _ in range(rng.randint(1, 4)))
    if rng.random() < 0.2:
        # Registry routes: the probe's parser streams their bodies (SPEC §21); reassembled, they must
        # read the same.
        path = b"/v2" + path
    if rng.random() < 0.4:
        path += b"?" + b"&".join(b"%s=%s" % (rng.choice([b"page", b"per_page", b"package_type", b"q"]),
                                              rng.choice([b"1", b"100", b"npm", b"%41%7a", b"a+b", b""]))
                                   for _ in range(rng.randint(1, 3)))
    return path


def chunked(rng, body, trailers):
    out, at = b"", 0
    while at < len(body):
        size = rng.randint(1, max(1, len(body) - at))
        size_text = b"%x" % size if rng.random() < 0.7 else b"%X" % size
        if rng.random() < 0.2:
            size_text = b"0" * rng.randint(1, 3) + size_text
        ext = b""
        if rng.random() < 0.3:
            ext = rng.choice([b";a=b", b";name", b";q=\"quoted value\"", b";a=1;b", b" ;a=b", b";a =b"])
        out += size_text + ext + b"\r\n" + body[at:at + size] + b"\r\n"
        at += size
    out += b"0" + (b";last" if rng.random() < 0.1 else b"") + b"\r\n"
    for name, value in trailers:
        out += name + b": " + value + b"\r\n"
    return out + b"\r\n"


def request(rng, version=None):
    version = version or rng.choices([b"HTTP/1.1", b"HTTP/1.0", b"HTTP/1.2"], [84, 15, 1])[0]
    method = rng.choice(EXTENSION_METHODS if rng.random() < 0.03 else METHODS)
    headers = []
    if version != b"HTTP/1.0" or rng.random() < 0.5:
        headers.append((rng.choice([b"Host", b"host", b"HOST"]),
                        rng.choice([b"api.example.test", b"127.0.0.1:8080", b"[::1]:80", b"localhost"])))
    for _ in range(rng.randint(0, 5)):
        name = rng.choice(NAMES)
        if name == b"Connection":
            value = rng.choice([b"keep-alive", b"close", b"Keep-Alive, TE", b"upgrade-insecure"])
        elif name == b"Expect":
            value = b"100-continue"
        else:
            value = rng.choice(VALUES)
        headers.append((name, value))
    body, framing = b"", rng.random()
    if method in (b"POST", b"PUT", b"PATCH") or rng.random() < 0.15:
        body = bytes(rng.randrange(256) for _ in range(rng.randint(0, 40)))
    suffix = b""
    if framing < 0.3 and version != b"HTTP/1.0" and body:
        headers.append((rng.choice([b"Transfer-Encoding", b"transfer-encoding"]),
                        rng.choice([b"chunked", b"Chunked", b"CHUNKED"])))
        trailers = [(b"X-Trailer", b"done")] if rng.random() < 0.3 else []
        suffix = chunked(rng, body, trailers)
    elif body or rng.random() < 0.2:
        headers.append((rng.choice([b"Content-Length", b"content-length"]), b"%d" % len(body)))
        suffix = body
    rng.shuffle(headers)
    lines = [method + b" " + target(rng) + b" " + version]
    for name, value in headers:
        ows = rng.choice([b"", b" ", b" ", b"\t", b"  "])
        trailing = rng.choice([b"", b"", b"", b" ", b"\t"])
        lines.append(name + b":" + ows + value + trailing)
    return b"\r\n".join(lines) + b"\r\n\r\n" + suffix


def valid(rng):
    count = 1 if rng.random() < 0.7 else rng.randint(2, 3)
    data = b"".join(request(rng) for _ in range(count))
    if rng.random() < 0.05:
        data = b"\r\n" + data
    return data


SPECIAL = [b" ", b"\t", b"\r", b"\n", b"\x00", b"\x80", b":", b",", b"\r\n", b";", b"\x7f", b"\x01", b"\xff"]
INJECTED = [b"Content-Length: 0", b"Content-Length: 5", b"Content-Length: 3", b"Transfer-Encoding: chunked",
            b"Transfer-Encoding: identity", b"Transfer-Encoding: gzip, chunked", b"Host: other.test",
            b"Content-Length: +5", b"Content-Length: 5, 5", b"Connection: close"]


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        if not data:
            break
        kind = rng.random()
        at = rng.randrange(len(data))
        lines = [m.end() for m in re.finditer(rb"\r\n", bytes(data))]
        if kind < 0.15:
            data[at] ^= 1 << rng.randrange(8)
        elif kind < 0.40:
            data[at:at] = rng.choice(SPECIAL)
        elif kind < 0.52:
            del data[at:at + rng.randint(1, 3)]
        elif kind < 0.64 and len(lines) > 2:
            # Duplicate a header line (Host, Content-Length, Transfer-Encoding among them).
            start = rng.choice(lines[:-1])
            stop = data.find(b"\r\n", start)
            if stop > start:
                data[start:start] = data[start:stop + 2]
        elif kind < 0.78 and lines:
            start = rng.choice(lines[:1] + lines[:3])
            data[start:start] = rng.choice(INJECTED) + b"\r\n"
        elif kind < 0.88:
            stop = min(len(data), at + rng.randint(1, 12))
            data[at:stop] = data[at:stop].swapcase()
        else:
            del data[rng.randrange(len(data) + 1):]
    return bytes(data)


def smuggling():
    """The classic shapes (PortSwigger's CL.TE, TE.CL, TE.TE; RFC 9112 §11.2) and request-line faults."""
    h = b"POST / HTTP/1.1\r\nHost: a\r\n"
    get = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
    cases = [
        h + b"Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
        h + b"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\nGPOST / HTTP/1.1\r\n\r\n0\r\n\r\n",
        h + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n",
        h + b"Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
        h + b"Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
        h + b"Transfer-Encoding: chunked \r\n\r\n0\r\n\r\n",
        h + b"Transfer-Encoding:\tchunked\r\n\r\n0\r\n\r\n",
        h + b" Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        h + b"X: y\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        h + b"Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
        h + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        h + b"Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        h + b"Transfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n",
        h + b"Transfer-Encoding\r\n : chunked\r\n\r\n0\r\n\r\n",
        h + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + get,
        h + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        h + b"Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
        h + b"Content-Length: 5, 5\r\n\r\nhello",
        h + b"Content-Length: +5\r\n\r\nhello",
        h + b"Content-Length: -1\r\n\r\n",
        h + b"Content-Length: 0x5\r\n\r\nhello",
        h + b"Content-Length: 5 \r\n\r\nhello",
        h + b"Content-Length : 5\r\n\r\nhello",
        h + b"Content-Length: 99999999999999999999999\r\n\r\n",
        h + b"Content-Length: 1_0\r\n\r\n0123456789",
        h + b"Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n",
        h + b"Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
        h + b"Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n",
        h + b"Transfer-Encoding: chunked\r\n\r\n5;a\x00b\r\nhello\r\n0\r\n\r\n",
        h + b"Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
        h + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
        h + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n",
        h + b"Transfer-Encoding: chunked\r\n\r\n5;ext=\"a\nb\"\r\nhello\r\n0\r\n\r\n",
        h + b"Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
        h + b"Transfer-Encoding: chunked\r\n\r\n0\r\nX-Trailer: a\r\n b\r\n\r\n",
        h + b"Transfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 5\r\n\r\n",
        b"GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        b"GET / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost:\r\n\r\n",
        b"GET / HTTP/1.1\nHost: a\n\n",
        b"GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x7fb\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\n: empty name\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nNo colon\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nX\x00Y: z\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nX: \xff\xfe\r\n\r\n",
        b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET / HTTP/1.1 \r\nHost: a\r\n\r\n",
        b"GET\t/\tHTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET / http/1.1\r\nHost: a\r\n\r\n",
        b"GET / HTTP/1.2\r\nHost: a\r\n\r\n",
        b"GET / HTTP/1.9\r\nHost: a\r\n\r\n",
        b"GET / HTTP/2.0\r\nHost: a\r\n\r\n",
        b"GET / HTTP/0.9\r\nHost: a\r\n\r\n",
        b"GET / HTTP/11\r\nHost: a\r\n\r\n",
        b"GET /\r\n\r\n",
        b"GET /a\x00b HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /a\x7fb HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n",
        b"\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        b"\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        b"G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
        b"BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n",
        b"CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test:443\r\n\r\n",
        b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
        get + get + get,
        get + b"\r\n" + get,
        get[:-1],
        h + b"Content-Length: 10\r\n\r\nhello",
    ]
    return cases


def generate(seed, count):
    rng = random.Random(seed)
    cases = [(rng.getrandbits(63), data, "smuggling") for data in smuggling()]
    while len(cases) < count:
        data = valid(rng)
        kind = "valid"
        if rng.random() < 0.6:
            data, kind = mutate(rng, data), "mutated"
        cases.append((rng.getrandbits(63), data, kind))
    return cases[:max(count, len(smuggling()))]


# --- the run --------------------------------------------------------------------------------------

def describe(name, outcome):
    lines = [f"  {name:9} {outcome.end} {outcome.detail!r} after {len(outcome.requests)} request(s)"]
    for r in outcome.requests:
        lines.append(f"      {r.method!r} {r.target!r} 1.{r.minor} keepAlive={r.keep_alive} body={r.body!r}")
        lines.append(f"        headers={r.headers!r}")
    return "\n".join(lines)


def main():
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--probe", required=True)
    arguments.add_argument("--seed", type=int, default=12)
    arguments.add_argument("--cases", type=int, default=5000)
    arguments.add_argument("--show", type=int, default=10, help="disagreements printed in full")
    options = arguments.parse_args()

    cases = generate(options.seed, options.cases)
    probes = run_probe(options.probe, [(seed, data) for seed, data, _ in cases])
    agreements, allowed, disagreements, kinds = 0, {}, [], {}
    pending = []
    for (seed, data, kind), probe in zip(cases, probes):
        kinds[kind] = kinds.get(kind, 0) + 1
        case = Case(data, probe, {"h11": run_h11(data), "httptools": run_httptools(data)})
        if agrees(probe, case.references):
            agreements += 1
        else:
            pending.append((seed, kind, case))
    # The second run: what the probe makes of each still-incomplete disagreement once its lines end.
    waiting = [item for item in pending if item[2].probe.end == "incomplete"]
    completed = run_probe(options.probe, [(seed, case.data + b"\r\n\r\n") for seed, _, case in waiting])
    for (_, _, case), outcome in zip(waiting, completed):
        case.completed = outcome
    for seed, kind, case in pending:
        reason = explain(case)
        if reason:
            allowed[reason] = allowed.get(reason, 0) + 1
        else:
            disagreements.append((seed, case.data, kind, case.probe, case.references))

    print(f"seed {options.seed}: {len(cases)} cases ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}), "
          f"{agreements} agreements, {sum(allowed.values())} allowed differences, "
          f"{len(disagreements)} disagreements")
    for name, count in sorted(allowed.items(), key=lambda item: -item[1]):
        print(f"  allowed {count:5}  {name}")
    print("  rows (cases whose explanation uses each):")
    for rule in ALLOWED:
        uses = sum(count for name, count in allowed.items() if rule.name in name.split(" + "))
        if uses:
            print(f"    {rule.name} ({uses}): {rule.reason}")
    for seed, data, kind, probe, references in disagreements[:options.show]:
        print(f"\nDISAGREEMENT ({kind}, piece seed {seed}): {data!r}")
        print(describe("probe", probe))
        for name, outcome in references.items():
            print(describe(name, outcome))
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
