#!/usr/bin/env python3
"""The emulator's npm registry (SPEC §22) beside nginx, and npm's own publish and install. Prints numbers; asserts nothing.

    python3 Tests/Benchmarks/npm_bench.py [--bin PATH] [--runs 3] [--seconds 10] [--quick] [--big]

Measures, in one run, on this machine:
1. wrk (-t2 -c64 --latency, keep-alive) on GET /npm/@octo-org%2fNAME of a small package published with
   `npm publish` (2 versions), with `Authorization: Bearer ghp_octocatAdmin`, once for the full packument
   (`Accept: application/json`) and once for the abbreviated one (`Accept: application/vnd.npm.install-v1+json`),
   against nginx serving the same bytes (fetched once from the emulator with the Host header wrk sends)
   from a file with the same Content-Type. Rounds interleave (--runs, the order alternating); medians of
   requests/s, p50/p99, the server CPU per request, and the ratio emulator/nginx (target ≥ 0.8×).
2. `npm publish` of 50 small distinct packages (@octo-org/bench-pkg-0..49, 1.0.0, a tiny index.js), one
   after another: total seconds and the median per publish (each is a whole npm process: node's start-up
   is in it), and the emulator's CPU seconds for all of them.
3. `npm install` of those 50 packages into a fresh project (package.json naming all 50, no lock file), with
   an empty npm cache and no node_modules each run: median wall seconds of --runs runs.
4. The emulator's memory while a 200 MB tarball (200·10^6 random, incompressible bytes in a tar gzipped at
   level 0, as npm packs `package/…`) is published by a raw PUT of libnpmpublish's JSON document, streamed
   with python's http.client with a Content-Length (the JSON prefix, the tarball's base64 made on the fly
   from 3 MiB reads, the suffix; never the whole document in memory): VmRSS, RssAnon and RssFile from
   /proc/PID/status every 50 ms from the first byte to the answer, against idle (after a small warm-up
   publish). The target is peak − idle ≤ 16 MB: the emulator decodes the tarball from the document as it
   arrives (it keeps the document without the attachment's data, and 64 KiB pieces), so the document is
   never held. The answer's status is printed: the numbers mean something only with a 200.
The last block is a SUMMARY, one line per measurement. --quick: 1 run, wrk 3 s, 10 publishes, and no
200 MB publish unless --big. The emulator is the release binary (--bin PATH, else built as bench.py
builds it, into .build-bench), started as `serve --fixtures Fixtures --host 127.0.0.1 --port 0 --data-dir
DIR` afresh for steps 1, 2–3 and 4; npm talks to it through a temporary .npmrc
(`@octo-org:registry=http://127.0.0.1:PORT/npm/`, `//127.0.0.1:PORT/npm/:_authToken=ghp_octocatAdmin`) with a
temporary cache. Needs nginx, wrk and npm; installs them (`apt-get install -y nginx-light wrk npm`) if
root and missing. Every process it starts listens on 127.0.0.1, is bounded in time and is stopped by its
PID; temporary files go at the end.
"""
import argparse
import base64
import gzip
import hashlib
import http.client
import io
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.request

# The helpers registry_bench.py has already (servers on 127.0.0.1 stopped by PID, ports, CPU, the machine).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from registry_bench import (STARTED, RandomReader, build, children, cpu_seconds, free_port, install_tools, log,  # noqa: E402
                            nginx_conf, platform, stop_all, stop_process, version, wait_port)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOKEN = "ghp_octocatAdmin"
BEARER = f"Bearer {TOKEN}"
SCOPE = "octo-org"
MIB = 1 << 20
FULL = "application/json"
ABBREVIATED = "application/vnd.npm.install-v1+json"
NPM_TIMEOUT = 300
UPLOAD_TIMEOUT = 600


# ---------------------------------------------------------------------------------------------- tools

def ensure_tools():
    install_tools("npm_bench.py", (("nginx", "nginx-light"), ("wrk", "wrk"), ("npm", "npm")))


def status_kb(pid, keys=("VmRSS",)):
    """The kB values of `keys` in /proc/PID/status (0 for each when the process is gone)."""
    found = dict.fromkeys(keys, 0)
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key = line.split(":", 1)[0]
                if key in found:
                    found[key] = int(line.split()[1])
    except OSError:
        pass
    return found


# -------------------------------------------------------------------------------------------- servers

class Emulator:
    """The emulator's release binary on 127.0.0.1 with a data directory of its own, and an .npmrc for it."""

    def __init__(self, binary, work, threads=None):
        self.work = work
        self.data = tempfile.mkdtemp(prefix="emulator-data.", dir=work)
        self.errors = open(os.path.join(self.data + ".stderr"), "w")
        command = [binary, "serve", "--fixtures", os.path.join(ROOT, "Fixtures"), "--host", "127.0.0.1",
                   "--port", "0", "--data-dir", self.data, "--log-level", "warning",
                   "--rate-limit", "1000000000000"]
        if threads:
            command += ["--threads", str(threads)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self.errors, text=True)
        STARTED.append(self.process)
        line = self.process.stdout.readline()
        match = re.match(r"listening on http://127\.0\.0\.1:(\d+)$", line.strip())
        if not match:
            self.stop()
            sys.exit(f"npm_bench.py: no ready line from the emulator: {line!r}")
        self.port = int(match.group(1))
        self.pid = self.process.pid
        self.host = f"127.0.0.1:{self.port}"
        self.registry = f"http://{self.host}/npm/"

    def npmrc(self, cache):
        """A user config for npm naming this registry and token, with `cache` as npm's cache."""
        path = os.path.join(tempfile.mkdtemp(prefix="npmrc.", dir=self.work), ".npmrc")
        with open(path, "w") as f:
            f.write(f"@{SCOPE}:registry={self.registry}\n"
                    f"//{self.host}/npm/:_authToken={TOKEN}\n"
                    "audit=false\nfund=false\nupdate-notifier=false\nprogress=false\n"
                    f"cache={cache}\n")
        return path

    def stop(self):
        stop_process(self.process)
        self.errors.close()
        shutil.rmtree(self.data, ignore_errors=True)
        try:
            os.remove(self.data + ".stderr")
        except OSError:
            pass


class Nginx:
    """nginx serving one file, whatever the path, with a given Content-Type."""

    def __init__(self, body, content_type, work, workers):
        self.dir = tempfile.mkdtemp(prefix="nginx.", dir=work)
        os.chmod(self.dir, 0o755)  # nginx's workers run as an unprivileged user
        os.chmod(work, 0o755)
        self.port = free_port()
        conf = nginx_conf(self.dir, body, "packument", content_type, workers, self.port)
        self.process = subprocess.Popen(["nginx", "-c", conf, "-p", self.dir], stderr=subprocess.DEVNULL)
        STARTED.append(self.process)
        wait_port(self.port, self.process, "nginx")
        self.pid = self.process.pid

    def cpu(self):
        return sum(cpu_seconds(p) for p in [self.pid] + children(self.pid))

    def stop(self):
        stop_process(self.process, signal.SIGQUIT)
        shutil.rmtree(self.dir, ignore_errors=True)


# ------------------------------------------------------------------------------------------------ npm

def npm_env(npmrc):
    """The environment for npm: our user config only, no npm_config_* inherited from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.lower().startswith("npm_config_")}
    env.update({"NPM_CONFIG_USERCONFIG": npmrc, "NO_UPDATE_NOTIFIER": "1"})
    return env


def npm(arguments, cwd, npmrc):
    started = time.monotonic()
    result = subprocess.run(["npm", *arguments], cwd=cwd, env=npm_env(npmrc), capture_output=True, text=True,
                            timeout=NPM_TIMEOUT)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"npm {' '.join(arguments)} in {cwd} failed ({result.returncode}): "
                           f"{(result.stderr or result.stdout).strip()[-2000:]}")
    return elapsed


def package_dir(parent, name, version, text="module.exports = 1;\n"):
    directory = os.path.join(parent, name.replace("/", "+") + "@" + version)
    os.makedirs(directory)
    with open(os.path.join(directory, "package.json"), "w") as f:
        json.dump({"name": name, "version": version, "description": "npm_bench.py", "main": "index.js",
                   "license": "MIT"}, f)
    with open(os.path.join(directory, "index.js"), "w") as f:
        f.write(text)
    return directory


def request(port, method, path, body=None, headers=None, timeout=60):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        all_headers = {"Authorization": BEARER, **(headers or {})}
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        return response.status, dict((k.lower(), v) for k, v in response.getheaders()), response.read()
    finally:
        connection.close()


# --------------------------------------------------------------------------------------- packument GET

def wrk(port, path, accept, connections, threads, seconds):
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "-H", f"Accept: {accept}", "-H", f"Authorization: {BEARER}"]
    output = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                            check=True, timeout=seconds + 60).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)

    def percentile(name):
        match = re.search(rf"^\s+{name}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {"requests": requests, "rps": rps, "p50": percentile(50), "p99": percentile(99),
            "errors": (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0)}


def packument_rps(binary, threads, work, seconds, runs, connections, wrk_threads):
    workers = threads or os.cpu_count()
    name = f"@{SCOPE}/bench-packument"
    path = f"/npm/@{SCOPE}%2fbench-packument"
    emulator = Emulator(binary, work, threads)
    servers = []
    try:
        npmrc = emulator.npmrc(tempfile.mkdtemp(prefix="npm-cache.", dir=work))
        packages = tempfile.mkdtemp(prefix="packages.", dir=work)
        for version in ("1.0.0", "1.1.0"):
            npm(["publish"], package_dir(packages, name, version), npmrc)
        kinds = {}
        for kind, accept in (("full", FULL), ("abbreviated", ABBREVIATED)):
            # The Host header wrk sends: the tarball URLs in the body are made from it.
            status, headers, body = request(emulator.port, "GET", path,
                                            headers={"Accept": accept, "Host": emulator.host})
            if status != 200:
                raise RuntimeError(f"GET {path} (Accept: {accept}) answered {status}: {body[:300]!r}")
            content_type = headers.get("content-type", "?")
            nginx = Nginx(body, content_type, work, workers)
            servers.append(nginx)
            with urllib.request.urlopen(f"http://127.0.0.1:{nginx.port}{path}", timeout=10) as response:
                same = response.read() == body and response.headers["Content-Type"] == content_type
            kinds[kind] = {"accept": accept, "nginx": nginx, "size": len(body), "type": content_type}
            log(f"== packument GET {path} ({kind}, Accept: {accept}): {len(body)} B, {content_type}; emulator "
                f":{emulator.port} ({workers} threads) vs nginx :{nginx.port} ({workers} workers"
                f"{', same bytes' if same else ', DIFFERENT BYTES'}); wrk -t{wrk_threads} -c{connections} "
                f"-d{seconds}s, {runs} round(s) interleaved")
        results = {kind: {"emulator": [], "nginx": []} for kind in kinds}
        for run in range(runs):
            order = ("emulator", "nginx") if run % 2 == 0 else ("nginx", "emulator")
            for kind, k in kinds.items():
                for side in order:
                    if side == "emulator":
                        port, cpu_of = emulator.port, lambda: cpu_seconds(emulator.pid)
                    else:
                        port, cpu_of = k["nginx"].port, k["nginx"].cpu
                    before = cpu_of()
                    r = wrk(port, path, k["accept"], connections, wrk_threads, seconds)
                    r["cpu_us"] = (cpu_of() - before) * 1e6 / max(1, r["requests"])
                    results[kind][side].append(r)
                    log(f"   round {run + 1} {kind:<11} {side:<8} {r['rps']:>9.0f} rps  p50 {r['p50']:.2f} ms  "
                        f"p99 {r['p99']:.2f} ms  {r['cpu_us']:.1f} µs cpu/req  errors {r['errors']}")
        rows = {}
        for kind, sides in results.items():
            row = {"size": kinds[kind]["size"]}
            for side, rs in sides.items():
                row[side] = {key: statistics.median(r[key] for r in rs)
                             for key in ("rps", "p50", "p99", "cpu_us", "errors")}
            row["ratio"] = row["emulator"]["rps"] / row["nginx"]["rps"]
            rows[kind] = row
            e, n = row["emulator"], row["nginx"]
            log(f"   {kind} median: emulator {e['rps']:.0f} rps p50 {e['p50']:.2f} ms p99 {e['p99']:.2f} ms "
                f"({e['cpu_us']:.1f} µs cpu/req) | nginx {n['rps']:.0f} rps p50 {n['p50']:.2f} ms "
                f"p99 {n['p99']:.2f} ms ({n['cpu_us']:.1f} µs cpu/req) | ratio emulator/nginx "
                f"{row['ratio']:.2f} (target >= 0.8)")
        return rows
    finally:
        emulator.stop()
        for nginx in servers:
            nginx.stop()


# ------------------------------------------------------------------------------ publish and install

def publish_install(binary, threads, work, count, runs):
    emulator = Emulator(binary, work, threads)
    try:
        packages = tempfile.mkdtemp(prefix="packages.", dir=work)
        names = [f"@{SCOPE}/bench-pkg-{i}" for i in range(count)]
        directories = [package_dir(packages, name, "1.0.0", f"module.exports = {i};\n")
                       for i, name in enumerate(names)]
        npmrc = emulator.npmrc(tempfile.mkdtemp(prefix="npm-cache.", dir=work))
        log(f"== npm publish of {count} packages ({names[0]} … {names[-1]}, 1.0.0), one after another")
        cpu = cpu_seconds(emulator.pid)
        started = time.monotonic()
        times = [npm(["publish"], directory, npmrc) for directory in directories]
        total = time.monotonic() - started
        publish_cpu = cpu_seconds(emulator.pid) - cpu
        row = {"count": count, "total": total, "median": statistics.median(times), "min": min(times),
               "max": max(times), "cpu": publish_cpu}
        log(f"   total {total:.2f} s, per publish median {row['median']:.3f} s (min {row['min']:.3f}, "
            f"max {row['max']:.3f}), emulator cpu {publish_cpu:.2f} s ({publish_cpu / count * 1000:.1f} ms/publish)")

        log(f"== npm install of those {count} packages into a fresh project, empty cache, {runs} run(s)")
        installs = []
        for run in range(runs):
            project = tempfile.mkdtemp(prefix="project.", dir=work)
            cache = tempfile.mkdtemp(prefix="npm-cache.", dir=work)
            with open(os.path.join(project, "package.json"), "w") as f:
                json.dump({"name": "npm-bench-install", "version": "1.0.0", "private": True,
                           "dependencies": {name: "1.0.0" for name in names}}, f)
            rc = emulator.npmrc(cache)
            cpu = cpu_seconds(emulator.pid)
            seconds = npm(["install", "--no-audit", "--no-fund", "--ignore-scripts"], project, rc)
            used = cpu_seconds(emulator.pid) - cpu
            scope_dir = os.path.join(project, "node_modules", f"@{SCOPE}")
            found = len(os.listdir(scope_dir)) if os.path.isdir(scope_dir) else 0
            installs.append({"s": seconds, "cpu": used, "found": found})
            log(f"   run {run + 1} {seconds:.2f} s, emulator cpu {used:.2f} s, {found}/{count} packages in node_modules")
            shutil.rmtree(project, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
        row["install"] = statistics.median(r["s"] for r in installs)
        row["install_cpu"] = statistics.median(r["cpu"] for r in installs)
        row["install_found"] = min(r["found"] for r in installs)
        log(f"   install median {row['install']:.2f} s (emulator cpu {row['install_cpu']:.2f} s)")
        return row
    finally:
        emulator.stop()


# -------------------------------------------------------------------------------- big publish memory

MEMORY_KEYS = ("VmRSS", "RssAnon", "RssFile", "RssShmem")


class Sampler(threading.Thread):
    """VmRSS, RssAnon, RssFile and RssShmem of `pid` every 50 ms until stopped; keeps the peak of each."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.samples = pid, 0
        self.peak = dict.fromkeys(MEMORY_KEYS, 0)
        self.done = threading.Event()

    def sample(self):
        for key, value in status_kb(self.pid, MEMORY_KEYS).items():
            self.peak[key] = max(self.peak[key], value)

    def run(self):
        while not self.done.is_set():
            self.sample()
            self.samples += 1
            self.done.wait(0.05)

    def stop(self):
        self.done.set()
        self.join()
        self.sample()
        return self.peak


def make_tarball(path, name, version, size):
    """An npm tarball (package/package.json and package/blob.bin of `size` random bytes), gzipped at level 0;
    returns its size."""
    manifest = json.dumps({"name": name, "version": version, "description": "npm_bench.py",
                           "license": "MIT"}).encode()
    with open(path, "wb") as out:
        with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=0, mtime=0) as gz:
            with tarfile.open(fileobj=gz, mode="w|", format=tarfile.USTAR_FORMAT) as tar:
                for member, length, source in (("package/package.json", len(manifest), io.BytesIO(manifest)),
                                               ("package/blob.bin", size, RandomReader(size))):
                    info = tarfile.TarInfo(member)
                    info.size, info.mode, info.mtime = length, 0o644, 0
                    tar.addfile(info, source)
    return os.path.getsize(path)


def publish_document(host, name, version, size, shasum, integrity):
    """libnpmpublish's PUT body around the tarball's base64: (prefix bytes, suffix bytes, total length)."""
    bare = name.split("/", 1)[1]
    marker = "@@TARBALL-BASE64@@"
    document = {
        "_id": name, "name": name, "description": "npm_bench.py",
        "dist-tags": {"latest": version},
        "versions": {version: {
            "name": name, "version": version, "description": "npm_bench.py", "license": "MIT",
            "_id": f"{name}@{version}", "_nodeVersion": "20", "_npmVersion": "10",
            "dist": {"shasum": shasum, "integrity": integrity,
                     "tarball": f"http://{host}/npm/{name}/-/{bare}-{version}.tgz"}}},
        "access": None,
        "_attachments": {f"{name}-{version}.tgz": {"content_type": "application/octet-stream",
                                                   "data": marker, "length": size}},
    }
    prefix, suffix = json.dumps(document).split(marker)
    prefix, suffix = prefix.encode(), suffix.encode()
    return prefix, suffix, len(prefix) + 4 * ((size + 2) // 3) + len(suffix)


def put_tarball(port, host, name, version, tarball, timeout=UPLOAD_TIMEOUT):
    """PUT /npm/@scope%2fname with the tarball at `tarball`, streamed; (status, body, seconds, document bytes,
    the tarball's sha1)."""
    size = os.path.getsize(tarball)
    sha1, sha512 = hashlib.sha1(), hashlib.sha512()
    with open(tarball, "rb") as f:
        while piece := f.read(4 * MIB):
            sha1.update(piece)
            sha512.update(piece)
    integrity = "sha512-" + base64.b64encode(sha512.digest()).decode()
    prefix, suffix, length = publish_document(host, name, version, size, sha1.hexdigest(), integrity)
    path = "/npm/" + name.replace("/", "%2f")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    sent, failure = 0, None
    started = time.monotonic()
    try:
        connection.putrequest("PUT", path, skip_host=True, skip_accept_encoding=True)
        for key, value in (("Host", host), ("Authorization", BEARER), ("Content-Type", "application/json"),
                           ("Accept", "*/*"), ("npm-command", "publish"), ("Content-Length", str(length))):
            connection.putheader(key, value)
        connection.endheaders()
        try:
            connection.send(prefix)
            sent += len(prefix)
            with open(tarball, "rb") as f:
                while piece := f.read(3 * MIB):  # a multiple of 3: no padding but at the very end
                    encoded = base64.b64encode(piece)
                    connection.send(encoded)
                    sent += len(encoded)
            connection.send(suffix)
            sent += len(suffix)
        except (BrokenPipeError, ConnectionResetError) as error:  # the server answered early
            failure = f"{type(error).__name__} after {sent} of {length} bytes"
        try:
            response = connection.getresponse()
            status, body = response.status, response.read()
        except (OSError, http.client.HTTPException) as error:
            status, body = None, f"{failure or ''}; no answer: {type(error).__name__}: {error}".encode()
    finally:
        connection.close()
    if failure and status is not None:
        body = f"[{failure}] ".encode() + body
    return status, body, time.monotonic() - started, length, sha1.hexdigest()


def fetch_tarball(port, path, timeout=UPLOAD_TIMEOUT):
    """GET a tarball, hashed as it comes: (status, bytes, sha1 hex, seconds)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.monotonic()
    try:
        connection.request("GET", path, headers={"Authorization": BEARER, "Accept": "*/*"})
        response = connection.getresponse()
        sha1, size = hashlib.sha1(), 0
        while piece := response.read(4 * MIB):
            sha1.update(piece)
            size += len(piece)
        return response.status, size, sha1.hexdigest(), time.monotonic() - started
    finally:
        connection.close()


def big_publish_memory(binary, threads, work, size):
    name, version = f"@{SCOPE}/bench-big", "1.0.0"
    tarball = os.path.join(work, "bench-big-1.0.0.tgz")
    log(f"== RSS during a {size / 1e6:.0f} MB tarball publish (raw PUT, streamed; /proc/PID/status every 50 ms)")
    started = time.monotonic()
    tgz_size = make_tarball(tarball, name, version, size)
    log(f"   tarball {tgz_size / 1e6:.1f} MB (tar gzipped at level 0) made in {time.monotonic() - started:.1f} s")
    small = os.path.join(work, "bench-warm-1.0.0.tgz")
    make_tarball(small, f"@{SCOPE}/bench-warm", "1.0.0", 1024)
    emulator = Emulator(binary, work, threads)
    try:
        status, body, _, _, _ = put_tarball(emulator.port, emulator.host, f"@{SCOPE}/bench-warm", "1.0.0", small)
        log(f"   warm-up publish of a 1 KB tarball: {status} {body[:200]!r}")
        time.sleep(0.5)
        idle = status_kb(emulator.pid, MEMORY_KEYS)
        sampler = Sampler(emulator.pid)
        sampler.start()
        cpu = cpu_seconds(emulator.pid)
        status, body, seconds, length, shasum = put_tarball(emulator.port, emulator.host, name, version, tarball)
        used = cpu_seconds(emulator.pid) - cpu
        peak = sampler.stop()
        after = status_kb(emulator.pid, MEMORY_KEYS)
        row = {"status": status, "body": body, "seconds": seconds, "document": length, "tgz": tgz_size,
               "idle": idle, "peak": peak, "after": after, "cpu": used, "samples": sampler.samples}
        log(f"   PUT /npm/{name.replace('/', '%2f')}: {length / 1e6:.1f} MB document → {status} "
            f"{body[:300]!r} in {seconds:.2f} s ({length / 1e6 / seconds:.0f} MB/s, emulator cpu {used:.2f} s, "
            f"{sampler.samples} samples)")
        for key in MEMORY_KEYS:
            log(f"   {key:<8} idle {idle[key] / 1024:7.1f} MB, peak {peak[key] / 1024:7.1f} MB "
                f"(+{(peak[key] - idle[key]) / 1024:.1f} MB), after {after[key] / 1024:7.1f} MB")
        if status == 200:
            code, _, packument = request(emulator.port, "GET", "/npm/" + name.replace("/", "%2f"),
                                         headers={"Accept": ABBREVIATED})
            listed = json.loads(packument).get("versions", {}).get(version) if code == 200 else None
            log(f"   packument afterwards: {code}, {version} {'listed' if listed else 'NOT LISTED'}")
            if listed:
                url = listed.get("dist", {}).get("tarball", "")
                path = "/" + url.split("/", 3)[3] if url.startswith("http") else url
                code, got, digest, took = fetch_tarball(emulator.port, path)
                same = code == 200 and got == tgz_size and digest == shasum == listed["dist"].get("shasum")
                log(f"   GET {path}: {code}, {got / 1e6:.1f} MB in {took:.2f} s, "
                    f"{'same bytes' if same else 'DIFFERENT BYTES (sha1 ' + digest + ')'}")
        else:
            log(f"   NOTE: the publish did not answer 200, so the memory numbers say little")
        log(f"   peak - idle: VmRSS +{(peak['VmRSS'] - idle['VmRSS']) / 1024:.1f} MB, RssAnon "
            f"+{(peak['RssAnon'] - idle['RssAnon']) / 1024:.1f} MB, RssFile +{(peak['RssFile'] - idle['RssFile']) / 1024:.1f} MB "
            f"(target: within 16 MB of idle)")
        return row
    finally:
        emulator.stop()
        for path in (tarball, small):
            try:
                os.remove(path)
            except OSError:
                pass


# ------------------------------------------------------------------------------------------------ main


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", help="the emulator's release binary (default: build it into .build-bench)")
    parser.add_argument("--runs", type=int, help="wrk rounds per side and npm install runs (default 3, --quick 1)")
    parser.add_argument("--seconds", type=int, help="wrk duration (default 10, --quick 3)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--threads", type=int, help="emulator --threads and nginx workers (default: cores)")
    parser.add_argument("--publishes", type=int, help="packages published, then installed (default 50, --quick 10)")
    parser.add_argument("--big-mb", type=int, default=200, help="random bytes in the big tarball, in 10^6 (default 200)")
    parser.add_argument("--big", action="store_true", help="with --quick, do the big publish all the same")
    parser.add_argument("--tmp", help="where temporary files and data directories go (default: $TMPDIR)")
    parser.add_argument("--quick", action="store_true", help="1 run, wrk 3 s, 10 publishes, no big publish unless --big")
    args = parser.parse_args()
    args.runs = args.runs or (1 if args.quick else 3)
    args.seconds = args.seconds or (3 if args.quick else 10)
    args.publishes = args.publishes or (10 if args.quick else 50)
    big = args.big or not args.quick

    # SIGTERM/SIGHUP end the run like Ctrl-C, so the finally blocks stop every server.
    def interrupted(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)

    ensure_tools()
    binary = os.path.abspath(args.bin) if args.bin else build()
    work = tempfile.mkdtemp(prefix="npm-bench.", dir=args.tmp)
    began = time.monotonic()
    try:
        log(f"== machine: {os.cpu_count()} cores; {platform()}; npm {version(['npm', '--version'])}; "
            f"node {version(['node', '--version'])}; {version(['nginx', '-v'])}; {version(['wrk', '-v'])}")
        log(f"== emulator: {binary}")

        rps = packument_rps(binary, args.threads, work, args.seconds, args.runs, args.connections, args.wrk_threads)
        pub = publish_install(binary, args.threads, work, args.publishes, args.runs)
        mem = big_publish_memory(binary, args.threads, work, args.big_mb * 10**6) if big else None

        lines = []
        for kind in ("full", "abbreviated"):
            r = rps[kind]
            e, n = r["emulator"], r["nginx"]
            lines.append(f"packument GET {kind} ({r['size']} B) c{args.connections}: emulator {e['rps']:.0f} rps "
                         f"p50 {e['p50']:.2f} / p99 {e['p99']:.2f} ms vs nginx {n['rps']:.0f} rps p50 {n['p50']:.2f} "
                         f"/ p99 {n['p99']:.2f} ms: {r['ratio']:.2f}x (target 0.8)")
        lines.append(f"npm publish x{pub['count']}: total {pub['total']:.2f} s, median {pub['median']:.3f} s per "
                     f"publish, emulator cpu {pub['cpu'] / pub['count'] * 1000:.1f} ms per publish")
        lines.append(f"npm install of {pub['count']} packages, empty cache: median {pub['install']:.2f} s "
                     f"({pub['install_found']}/{pub['count']} installed), emulator cpu {pub['install_cpu']:.2f} s")
        if mem:
            i, p = mem["idle"], mem["peak"]
            lines.append(f"{args.big_mb} MB tarball publish ({mem['document'] / 1e6:.1f} MB document, status "
                         f"{mem['status']}, {mem['seconds']:.2f} s): VmRSS idle {i['VmRSS'] / 1024:.1f} MB, peak "
                         f"{p['VmRSS'] / 1024:.1f} MB (+{(p['VmRSS'] - i['VmRSS']) / 1024:.1f} MB); RssAnon "
                         f"+{(p['RssAnon'] - i['RssAnon']) / 1024:.1f} MB, RssFile "
                         f"+{(p['RssFile'] - i['RssFile']) / 1024:.1f} MB (target: within 16 MB of idle)")
        else:
            lines.append(f"{args.big_mb} MB tarball publish: skipped (--quick without --big)")
        log("SUMMARY")
        for line in lines:
            log("  " + line)
        log(f"  runs {args.runs}, wrk {args.seconds} s, {time.monotonic() - began:.0f} s in all")
    finally:
        stop_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
