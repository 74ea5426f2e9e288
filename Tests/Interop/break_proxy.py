#!/usr/bin/env python3
"""A deliberately broken middleman, to prove the interop suite can fail (run.sh --break MODE).

    python3 break_proxy.py MODE http://127.0.0.1:UPSTREAM_PORT

Listens on 127.0.0.1, a free port, prints `listening on http://127.0.0.1:PORT` when ready, forwards every
request to the emulator (Host header kept, so Link URLs point back at the proxy) and damages the answer:

  drop-link        removes the Link header                        (pagination stops after page 1)
  link-host        Link URLs name http://localhost:PORT instead of the host that was called
  drop-field       removes `html_url` from every package           (a required field of GitHub's schema)
  bad-visibility   every package's visibility becomes "secret"     (outside the schema's enum)
  drop-version     removes X-GitHub-Api-Version-Selected
  error-class      401 answers become 403                          (clients' error classes change)
  fake-writes      DELETE and POST on the API answer 204 without reaching the emulator (nothing is deleted
                   or restored: the listings after a cleanup must notice)
  write-status     204 answers become 200 with a `{}` body         (GitHub answers deletes and restores 204)
  none             forwards unchanged (a control run: the suite must still pass through it)

Standard library only. SIGTERM/SIGINT stop it.
"""
import http.client
import json
import re
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

MODES = ("drop-link", "link-host", "drop-field", "bad-visibility", "drop-version", "error-class", "fake-writes",
         "write-status", "none")
HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection", "upgrade", "te"}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in MODES:
        sys.exit("usage: break_proxy.py {%s} http://127.0.0.1:PORT" % "|".join(MODES))
    mode, upstream = sys.argv[1], urlsplit(sys.argv[2])

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def _forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            if mode == "fake-writes" and self.command in ("DELETE", "POST") and not self.path.startswith("/_emulator/"):
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            status, out_headers, data = resp.status, resp.getheaders(), resp.read()
            conn.close()
            status, out_headers, data = damage(mode, status, out_headers, data)
            self.send_response(status)
            for k, v in out_headers:
                if k.lower() not in HOP:
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _forward

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("listening on http://127.0.0.1:%d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass


def damage(mode, status, headers, data):
    if mode == "drop-link":
        headers = [(k, v) for k, v in headers if k.lower() != "link"]
    elif mode == "link-host":
        headers = [(k, re.sub(r"<http://[^/>]+", "<http://localhost:%s" % urlsplit(
            re.search(r"<([^>]+)>", v).group(1)).port, v) if k.lower() == "link" else v) for k, v in headers]
    elif mode == "drop-version":
        headers = [(k, v) for k, v in headers if k.lower() != "x-github-api-version-selected"]
    elif mode == "error-class" and status == 401:
        status = 403
    elif mode == "write-status" and status == 204:
        status, data = 200, b"{}"
        headers = headers + [("Content-Type", "application/json; charset=utf-8")]
    elif mode in ("drop-field", "bad-visibility") and status == 200 and data[:1] == b"[":
        packages = json.loads(data)
        for p in packages:
            if mode == "drop-field":
                p.pop("html_url", None)
            else:
                p["visibility"] = "secret"
        data = json.dumps(packages).encode()
    return status, headers, data


if __name__ == "__main__":
    main()
