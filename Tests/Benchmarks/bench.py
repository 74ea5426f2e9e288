#!/usr/bin/env python3
"""The emulator beside nginx serving the very same bytes (issue 6). Prints numbers; asserts nothing.

    python3 Tests/Benchmarks/bench.py [--rounds 3] [--seconds 5] [--workers 1,2] [--quick]

Builds release, starts the emulator on 127.0.0.1 and nginx with the emulator's own response bytes
(captured once; same Content-Type; keep-alive; access log off) and runs wrk against each in turn,
A B A B, for every (workers, connections, keep-alive or `Connection: close`) configuration. Reports
medians: requests/s and its ratio to nginx with the same number of workers; server CPU time per
request read from /proc (user + system of the server's processes only, so wrk's share of the cores
does not blur it); p50/p99 latency. Then: startup to the ready line and to the first 200; RSS idle,
under load, after 10k and after 1M requests; the 110k-package set's load time and the cost of a deep
page (page 50 of a 10,000-package user) against page 1 of a 100-package user, and of page 100 of a
10,000-version package (generated and declared versions) against its page 1. The last line is a
one-line summary. Needs wrk and nginx (`apt-get install -y wrk nginx-light`); installs them if root.
Every process it starts listens on 127.0.0.1 and is stopped by its PID.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRATCH = os.path.join(ROOT, ".build-bench")
TOKEN = "ghp_octocatRead"
PATH = "/users/octocat/packages?package_type=container&per_page=1"
# A page of versions of the demo organisation's container (its versions are declared in the fixture).
VERSIONS_PATH = "/orgs/octo-org/packages/container/octo-repo%2Fweb/versions?per_page=2"
TICK = os.sysconf("SC_CLK_TCK")


def log(*parts):
    print(*parts, flush=True)


def ensure_tools():
    missing = [name for name, package in (("wrk", "wrk"), ("nginx", "nginx-light")) if not shutil.which(name)]
    if missing and os.geteuid() == 0:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk", "nginx-light"], check=True,
                       stdout=subprocess.DEVNULL)
    for name in ("wrk", "nginx"):
        if not shutil.which(name):
            sys.exit(f"bench.py: {name} is missing (apt-get install -y wrk nginx-light)")


def build():
    log("== building release")
    subprocess.run(["swift", "build", "-c", "release", "--scratch-path", SCRATCH,
                    "--product", "github-packages-emulator"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(SCRATCH, "release", "github-packages-emulator")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Emulator:
    """The emulator on 127.0.0.1, started and stopped by PID."""

    def __init__(self, binary, fixtures, workers, extra=()):
        started = time.monotonic()
        self.process = subprocess.Popen(
            [binary, "--host", "127.0.0.1", "--port", "0", "--fixtures", fixtures, "--threads", str(workers),
             "--rate-limit", "1000000000000", "--log-level", "warning", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        self.ready = time.monotonic() - started
        match = re.match(r"listening on http://127\.0\.0\.1:(\d+)$", line.strip())
        if not match:
            self.stop()
            sys.exit(f"bench.py: no ready line from the emulator: {line!r}")
        self.port = int(match.group(1))
        self.pids = [self.process.pid]

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def nginx_conf(directory, body, file, content_type, workers, port, listen_suffix="", server_extra="",
               location_extra="", log="access_log off;"):
    """Writes `body` as DIRECTORY/FILE and the nginx.conf every benchmark's nginx runs: `workers` processes,
    keep-alive without a request cap, one server on 127.0.0.1:PORT (`listen_suffix`: ` ssl`; `server_extra`:
    its certificate lines) answering every path with that file as `content_type` (`location_extra`: more
    headers). Returns the conf's path."""
    with open(os.path.join(directory, file), "wb") as f:
        f.write(body)
    os.chmod(os.path.join(directory, file), 0o644)
    conf = os.path.join(directory, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""worker_processes {workers};
daemon off;
pid {directory}/nginx.pid;
error_log {directory}/error.log;
events {{ worker_connections 4096; }}
http {{
  {log}
  keepalive_requests 1000000;
  server {{
    listen 127.0.0.1:{port}{listen_suffix};{server_extra}
    location / {{
      root {directory};
      default_type "{content_type}";{location_extra}
      try_files /{file} =404;
    }}
  }}
}}
""")
    return conf


class Nginx:
    """nginx serving one file with the emulator's Content-Type, started and stopped by PID."""

    def __init__(self, body, workers):
        self.dir = tempfile.mkdtemp(prefix="bench-nginx.")
        os.chmod(self.dir, 0o755)  # nginx's workers run as an unprivileged user
        self.port = free_port()
        conf = nginx_conf(self.dir, body, "body.json", "application/json; charset=utf-8", workers, self.port)
        self.process = subprocess.Popen(["nginx", "-c", conf, "-p", self.dir], stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                break
            except OSError:
                time.sleep(0.02)
        self.pids = [self.process.pid] + children(self.process.pid)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def get(port, path, headers=()):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=dict(headers))
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


def wrk(port, path, connections, seconds, close=False, token=TOKEN):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if token:
        command += ["-H", f"Authorization: token {token}"]
    if close:
        command += ["-H", "Connection: close"]
    output = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                            check=True).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)

    def percentile(name):
        match = re.search(rf"^\s+{name}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {"requests": requests, "rps": rps, "p50": percentile(50), "p99": percentile(99),
            "non2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": sum(map(int, errors.groups())) if errors else 0}


def measure(server, path, connections, seconds, close, token):
    before = cpu_seconds(server.pids)
    result = wrk(server.port, path, connections, seconds, close, token)
    used = cpu_seconds(server.pids) - before
    result["cpu_us"] = used * 1e6 / max(1, result["requests"])
    return result


def median(results, key):
    return statistics.median(r[key] for r in results)


def compare(binary, workers, rounds, seconds, connection_counts, path=PATH, modes=(False, True), label="list"):
    emulator = Emulator(binary, os.path.join(ROOT, "Fixtures"), workers)
    nginx = None
    rows = []
    try:
        status, body = get(emulator.port, path, [("Authorization", f"token {TOKEN}")])
        assert status == 200, status
        nginx = Nginx(body, workers)
        _, served = get(nginx.port, "/x")
        assert served == body
        log(f"== {label}, workers {workers}: {len(body)}-byte body, emulator :{emulator.port} vs nginx :{nginx.port}")
        for connections in connection_counts:
            for close in modes:
                a, b = [], []
                for _ in range(rounds):
                    a.append(measure(emulator, path, connections, seconds, close, TOKEN))
                    b.append(measure(nginx, "/x", connections, seconds, close, None))
                row = {
                    "label": label, "workers": workers, "connections": connections, "mode": "close" if close else "keep-alive",
                    "rps": median(a, "rps"), "nginx_rps": median(b, "rps"),
                    "cpu_us": median(a, "cpu_us"), "nginx_cpu_us": median(b, "cpu_us"),
                    "p50": median(a, "p50"), "p99": median(a, "p99"),
                    "nginx_p50": median(b, "p50"), "nginx_p99": median(b, "p99"),
                    "errors": sum(r["non2xx"] + r["socket_errors"] for r in a),
                }
                row["ratio"] = row["rps"] / row["nginx_rps"]
                rows.append(row)
                log(f"   c={connections:<3} {row['mode']:<10} emulator {row['rps']:>9.0f} rps "
                    f"{row['cpu_us']:5.1f} µs/req p50 {row['p50']:.2f} p99 {row['p99']:.2f} ms | "
                    f"nginx {row['nginx_rps']:>9.0f} rps {row['nginx_cpu_us']:5.1f} µs/req "
                    f"p50 {row['nginx_p50']:.2f} p99 {row['nginx_p99']:.2f} ms | ratio {row['ratio']:.2f} "
                    f"| errors {row['errors']}")
    finally:
        emulator.stop()
        if nginx:
            nginx.stop()
    return rows


def startup(binary, runs=5):
    ready, first = [], []
    for _ in range(runs):
        started = time.monotonic()
        emulator = Emulator(binary, os.path.join(ROOT, "Fixtures"), 1)
        try:
            ready.append(emulator.ready * 1000)
            status, _ = get(emulator.port, PATH, [("Authorization", f"token {TOKEN}")])
            assert status == 200
            first.append((time.monotonic() - started) * 1000)
        finally:
            emulator.stop()
    return statistics.median(ready), statistics.median(first)


def memory(binary, quick):
    emulator = Emulator(binary, os.path.join(ROOT, "Fixtures"), 2)
    try:
        time.sleep(0.5)
        idle = rss_kb(emulator.process.pid)
        total = 0
        after_10k = None
        under_load = 0
        target = 100_000 if quick else 1_000_000
        while total < target:
            seconds = 1 if total < 10_000 else 5
            result = wrk(emulator.port, PATH, 64, seconds)
            total += result["requests"]
            under_load = max(under_load, rss_kb(emulator.process.pid))
            if after_10k is None and total >= 10_000:
                after_10k = rss_kb(emulator.process.pid)
        return {"idle_kb": idle, "load_kb": under_load, "after_10k_kb": after_10k,
                "after_1m_kb": rss_kb(emulator.process.pid), "requests": total}
    finally:
        emulator.stop()


def scale(binary, seconds):
    directory = tempfile.mkdtemp(prefix="bench-fixtures.")
    try:
        subprocess.run([sys.executable, os.path.join(ROOT, "Tests", "Benchmarks", "generate-fixtures.py"),
                        directory], check=True)
        loads = []
        for _ in range(3):
            emulator = Emulator(binary, directory, 2)
            loads.append(emulator.ready)
            emulator.stop()
        emulator = Emulator(binary, directory, 1)
        try:
            token = "ghp_bench_big_publisher"
            deep = "/users/big-publisher/packages?package_type=npm&per_page=100&page=50"
            shallow = "/users/hundred-publisher/packages?package_type=npm&per_page=100&page=1"
            headers = [("Authorization", f"token {token}")]
            deep_body = get(emulator.port, deep, headers)[1]
            shallow_body = get(emulator.port, shallow, headers)[1]
            deep_runs, shallow_runs = [], []
            for _ in range(3):
                deep_runs.append(measure(emulator, deep, 64, seconds, False, token))
                shallow_runs.append(measure(emulator, shallow, 64, seconds, False, token))
            versions = {}
            for kind, package in (("generated", "container/generated"), ("declared", "npm/declared")):
                base = f"/orgs/version-org/packages/{package}/versions?per_page=100&page="
                assert get(emulator.port, base + "100", headers)[0] == 200
                runs = [(measure(emulator, base + "100", 64, seconds, False, token),
                         measure(emulator, base + "1", 64, seconds, False, token)) for _ in range(2)]
                versions[kind] = (statistics.median(r[0]["rps"] for r in runs),
                                  statistics.median(r[1]["rps"] for r in runs))
            rss = rss_kb(emulator.process.pid)
        finally:
            emulator.stop()
        return {"load_s": statistics.median(loads), "rss_kb": rss,
                "deep_rps": median(deep_runs, "rps"), "shallow_rps": median(shallow_runs, "rps"),
                "deep_bytes": len(deep_body), "shallow_bytes": len(shallow_body), "versions": versions}
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--quick", action="store_true", help="1 round of 2 s, 100k requests for memory")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds = 1, 2
    ensure_tools()
    binary = build()
    log(f"== machine: {os.cpu_count()} cores; {platform()}")
    ready_ms, first_ms = startup(binary)
    log(f"== startup (demo set): ready line {ready_ms:.1f} ms, first 200 {first_ms:.1f} ms")
    rows = []
    version_rows = []
    for workers in [int(w) for w in args.workers.split(",")]:
        rows += compare(binary, workers, args.rounds, args.seconds, (64, 256))
        version_rows += compare(binary, workers, args.rounds, args.seconds, (64,), VERSIONS_PATH, (False,), "versions")
    mem = memory(binary, args.quick)
    log(f"== RSS: idle {mem['idle_kb'] / 1024:.1f} MB, under load {mem['load_kb'] / 1024:.1f} MB, "
        f"after 10k requests {mem['after_10k_kb'] / 1024:.1f} MB, after {mem['requests']:,} requests "
        f"{mem['after_1m_kb'] / 1024:.1f} MB")
    big = scale(binary, args.seconds)
    page_ratio = big["deep_rps"] / big["shallow_rps"]
    log(f"== scale (110k packages): load {big['load_s']:.2f} s, RSS {big['rss_kb'] / 1024:.0f} MB; "
        f"page 50 of 10,000 {big['deep_rps']:.0f} rps ({big['deep_bytes']} B) vs page 1 of 100 "
        f"{big['shallow_rps']:.0f} rps ({big['shallow_bytes']} B): ratio {page_ratio:.2f}")
    for kind, (deep_rps, first_rps) in big["versions"].items():
        log(f"== scale (10,000 {kind} versions): page 100 {deep_rps:.0f} rps vs page 1 {first_rps:.0f} rps: "
            f"ratio {deep_rps / first_rps:.2f}")
    key = {(r["workers"], r["connections"], r["mode"]): r for r in rows}
    one = key.get((1, 64, "keep-alive")) or rows[0]
    close = key.get((1, 64, "close")) or rows[1]
    log(f"SUMMARY keep-alive c64 {one['ratio']:.2f}x nginx (1 worker; cpu {one['cpu_us']:.1f} vs "
        f"{one['nginx_cpu_us']:.1f} us/req; p99 {one['p99']:.2f} ms) | close c64 {close['ratio']:.2f}x | "
        + " ".join(f"w{r['workers']}c{r['connections']}{'k' if r['mode'] == 'keep-alive' else 'x'} "
                   f"{r['ratio']:.2f}x" for r in rows)
        + f" | ready {ready_ms:.0f} ms, first 200 {first_ms:.0f} ms | RSS idle {mem['idle_kb'] / 1024:.1f} MB, "
        f"load {mem['load_kb'] / 1024:.1f} MB, 10k {mem['after_10k_kb'] / 1024:.1f} MB -> "
        f"{mem['requests'] // 1000}k {mem['after_1m_kb'] / 1024:.1f} MB | 110k load {big['load_s']:.2f} s, "
        f"deep/shallow page {page_ratio:.2f}"
        + "".join(f" | versions w{r['workers']}c64k {r['ratio']:.2f}x" for r in version_rows)
        + "".join(f" | 10k {kind} versions page 100/page 1 {d / f:.2f}" for kind, (d, f) in big["versions"].items()))


def platform():
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    except OSError:
        model = "?"
    return model


if __name__ == "__main__":
    main()
