#!/usr/bin/env python3
"""The emulator's Container registry beside Debian's docker-registry and nginx (SPEC §21). Prints numbers; asserts nothing.

    python3 Tests/Benchmarks/registry_bench.py [--bin PATH] [--runs 3] [--seconds 10] [--quick]

Measures, in one run, on this machine:
1. `skopeo copy` push (oci: → docker://) and pull (docker:// → oci:, into a fresh directory) of a
   256 MiB single-layer image (one random, incompressible file in a tar gzipped at level 0, so skopeo
   passes it through without compressing), against the emulator and against docker-registry (distribution
   2.8, filesystem storage, plain http, no auth): median seconds, MB/s (10^6 bytes of layers and config
   per second), the servers' CPU seconds, and the emulator/registry throughput ratio. Every run starts
   each server afresh on an empty data directory, so nothing is found already there.
2. The same for an image of 100 layers of 64 KiB.
3. The emulator's RSS (VmRSS every 50 ms) while a 1 GiB blob is uploaded with python's http.client,
   once as a streamed chunked PATCH and once as a single monolithic PUT ?digest=, against its idle RSS
   (the target is within 16 MB of idle); docker-registry's for the same uploads as a reference.
4. wrk (-t2 -c64 --latency) on GET /v2/octocat/NAME/manifests/TAG with `Authorization: Bearer
   base64(ghp_octocatAdmin)` against nginx serving the same manifest bytes from a file with the same
   Content-Type (and the two registry headers): requests/s, p50/p99, the ratio (target ≥ 0.8×), and
   docker-registry's requests/s on the same GET as a reference.
The last block is a SUMMARY. The emulator is the release binary (--bin PATH, else built as bench.py
builds it, into .build-bench), started with --fixtures Fixtures --host 127.0.0.1 --port 0 --data-dir
and pushed to as x:ghp_octocatAdmin. Needs skopeo, docker-registry, nginx and wrk; installs them
(`apt-get install -y skopeo docker-registry nginx-light wrk`) if root and missing. Every process it
starts listens on 127.0.0.1, is bounded in time and is stopped by its PID; temporary files go at the end.
"""
import argparse
import base64
import gzip
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import nginx_conf  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRATCH = os.path.join(ROOT, ".build-bench")
TOKEN = "ghp_octocatAdmin"
CREDS = f"x:{TOKEN}"
BEARER = "Bearer " + base64.b64encode(TOKEN.encode()).decode()
OWNER = "octocat"
MIB = 1 << 20
TICK = os.sysconf("SC_CLK_TCK")
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
SKOPEO_TIMEOUT = 900
STARTED = []  # every server process this script started, stopped by PID at exit


def log(*parts):
    print(*parts, flush=True)


# ---------------------------------------------------------------------------------------------- tools

def install_tools(script, wanted):
    """Each (command, Debian package) of `wanted` on PATH: installs the missing ones when root, else exits."""
    missing = [package for name, package in wanted if not shutil.which(name)]
    if missing and os.geteuid() == 0:
        subprocess.run(["apt-get", "update", "-qq"], check=True, stdout=subprocess.DEVNULL)
        # Debian's docker-registry package would start a service; no init system here or policy-rc.d stops it.
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    for name, package in wanted:
        if not shutil.which(name):
            sys.exit(f"{script}: {name} is missing (apt-get install -y {package})")


def ensure_tools():
    install_tools("registry_bench.py", (("skopeo", "skopeo"), ("docker-registry", "docker-registry"),
                                        ("nginx", "nginx-light"), ("wrk", "wrk")))


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


def wait_port(port, process, what, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"registry_bench.py: {what} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    sys.exit(f"registry_bench.py: {what} did not listen on :{port} within {seconds} s")


def stop_process(process, sig=signal.SIGTERM):
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process in STARTED:
        STARTED.remove(process)


def stop_all():
    for process in list(STARTED):
        stop_process(process)


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    except OSError:
        return 0.0


def status_kb(pid, key="VmRSS"):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


# -------------------------------------------------------------------------------------------- servers

class Emulator:
    """The emulator's release binary on 127.0.0.1 with a data directory of its own."""

    name = "emulator"

    def __init__(self, binary, work, threads=None):
        self.data = tempfile.mkdtemp(prefix="emulator-data.", dir=work)
        self.errors = open(os.path.join(self.data + ".stderr"), "w")
        command = [binary, "--fixtures", os.path.join(ROOT, "Fixtures"), "--host", "127.0.0.1", "--port", "0",
                   "--data-dir", self.data, "--log-level", "warning", "--rate-limit", "1000000000000"]
        if threads:
            command += ["--threads", str(threads)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self.errors, text=True)
        STARTED.append(self.process)
        line = self.process.stdout.readline()
        match = re.match(r"listening on http://127\.0\.0\.1:(\d+)$", line.strip())
        if not match:
            self.stop()
            sys.exit(f"registry_bench.py: no ready line from the emulator: {line!r}")
        self.port = int(match.group(1))
        self.pid = self.process.pid
        self.host = f"127.0.0.1:{self.port}"
        self.skopeo_dest = ["--dest-tls-verify=false", "--dest-creds", CREDS]
        self.skopeo_src = ["--src-tls-verify=false", "--src-creds", CREDS]
        self.auth = BEARER

    def stop(self):
        stop_process(self.process)
        self.errors.close()
        shutil.rmtree(self.data, ignore_errors=True)
        try:
            os.remove(self.data + ".stderr")
        except OSError:
            pass


class DockerRegistry:
    """Debian's docker-registry (distribution 2.8): filesystem storage in a temporary directory, no auth."""

    name = "registry"

    def __init__(self, work):
        self.dir = tempfile.mkdtemp(prefix="registry.", dir=work)
        self.port = free_port()
        config = os.path.join(self.dir, "config.yml")
        with open(config, "w") as f:
            f.write(f"""version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {self.dir}/storage
  cache:
    blobdescriptor: inmemory
  delete:
    enabled: false
http:
  addr: 127.0.0.1:{self.port}
  secret: registry-bench-secret
health:
  storagedriver:
    enabled: false
""")
        self.errors = open(os.path.join(self.dir, "stderr"), "w")
        self.process = subprocess.Popen(["docker-registry", "serve", config], stdout=self.errors,
                                        stderr=self.errors)
        STARTED.append(self.process)
        wait_port(self.port, self.process, "docker-registry")
        self.pid = self.process.pid
        self.host = f"127.0.0.1:{self.port}"
        self.skopeo_dest = ["--dest-tls-verify=false", "--dest-no-creds"]
        self.skopeo_src = ["--src-tls-verify=false", "--src-no-creds"]
        self.auth = None

    def stop(self):
        stop_process(self.process)
        self.errors.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Nginx:
    """nginx serving one manifest file with its Content-Type and the registry's two headers."""

    def __init__(self, body, content_type, digest, work, workers):
        self.dir = tempfile.mkdtemp(prefix="nginx.", dir=work)
        os.chmod(self.dir, 0o755)  # nginx's workers run as an unprivileged user
        os.chmod(work, 0o755)
        self.port = free_port()
        headers = f'\n      add_header Docker-Content-Digest "{digest}";' \
            '\n      add_header Docker-Distribution-API-Version "registry/2.0";'
        conf = nginx_conf(self.dir, body, "manifest", content_type, workers, self.port, location_extra=headers)
        self.process = subprocess.Popen(["nginx", "-c", conf, "-p", self.dir], stderr=subprocess.DEVNULL)
        STARTED.append(self.process)
        wait_port(self.port, self.process, "nginx")
        self.pid = self.process.pid

    def cpu(self):
        return sum(cpu_seconds(p) for p in [self.pid] + children(self.pid))

    def stop(self):
        stop_process(self.process, signal.SIGQUIT)
        shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------------------------------- OCI layouts

class HashingWriter:
    """A file-like sink that hashes and counts what passes on to `target` (None: hash only)."""

    def __init__(self, target=None):
        self.target = target
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data):
        self.hash.update(data)
        self.size += len(data)
        if self.target is not None:
            self.target.write(data)
        return len(data)

    def flush(self):
        if self.target is not None:
            self.target.flush()

    def digest(self):
        return "sha256:" + self.hash.hexdigest()


class RandomReader:
    """`size` random bytes, read in pieces (incompressible)."""

    def __init__(self, size):
        self.left = size

    def read(self, n=-1):
        n = self.left if n is None or n < 0 else min(n, self.left)
        self.left -= n
        return os.urandom(n)


def write_blob(layout, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def random_layer(layout, size, name):
    """A tar holding one random file of `size` bytes, gzipped at level 0: (descriptor, diff id)."""
    temporary = os.path.join(layout, "blobs", "layer.partial")
    with open(temporary, "wb") as out:
        compressed = HashingWriter(out)
        with gzip.GzipFile(fileobj=compressed, mode="wb", compresslevel=0, mtime=0) as gz:
            uncompressed = HashingWriter(gz)
            with tarfile.open(fileobj=uncompressed, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                info = tarfile.TarInfo(name)
                info.size, info.mode, info.mtime = size, 0o644, 0
                tar.addfile(info, RandomReader(size))
    os.rename(temporary, os.path.join(layout, "blobs", "sha256", compressed.hash.hexdigest()))
    return {"mediaType": OCI_LAYER, "digest": compressed.digest(), "size": compressed.size}, uncompressed.digest()


def build_layout(layout, layer_sizes, tag="v1"):
    """An OCI image layout with one image of random layers; returns bytes of layers + config."""
    os.makedirs(os.path.join(layout, "blobs", "sha256"))
    layers, diff_ids = [], []
    for i, size in enumerate(layer_sizes):
        descriptor, diff_id = random_layer(layout, size, f"data/{i:04d}.bin")
        layers.append(descriptor)
        diff_ids.append(diff_id)
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}, separators=(",", ":")).encode()
    config_descriptor = {"mediaType": OCI_CONFIG, **write_blob(layout, config)}
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config_descriptor,
                           "layers": layers}, separators=(",", ":")).encode()
    manifest_descriptor = {"mediaType": OCI_MANIFEST, **write_blob(layout, manifest),
                           "annotations": {"org.opencontainers.image.ref.name": tag}}
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [manifest_descriptor]}, f)
    return sum(layer["size"] for layer in layers) + len(config)


# ------------------------------------------------------------------------------------- push and pull

def skopeo(arguments):
    started = time.monotonic()
    result = subprocess.run(["skopeo", "--command-timeout", f"{SKOPEO_TIMEOUT}s", "copy", "--quiet", "--retry-times", "0",
                             *arguments], capture_output=True, text=True, timeout=SKOPEO_TIMEOUT + 30)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"skopeo copy {' '.join(arguments)} failed: {result.stderr.strip()[-2000:]}")
    return elapsed


def push_pull(make_server, layout, name, work):
    """One fresh server: push the layout, pull it into a fresh directory. Seconds and server CPU of each."""
    server = make_server()
    pulled = tempfile.mkdtemp(prefix="pulled.", dir=work)
    shutil.rmtree(pulled)  # skopeo makes the layout itself
    try:
        reference = f"docker://{server.host}/{OWNER}/{name}:v1"
        cpu = cpu_seconds(server.pid)
        push = skopeo([*server.skopeo_dest, f"oci:{layout}:v1", reference])
        push_cpu = cpu_seconds(server.pid) - cpu
        cpu = cpu_seconds(server.pid)
        pull = skopeo([*server.skopeo_src, reference, f"oci:{pulled}:v1"])
        pull_cpu = cpu_seconds(server.pid) - cpu
        rss = status_kb(server.pid, "VmHWM")
        with open(os.path.join(pulled, "index.json")) as f:
            pulled_manifest = json.load(f)["manifests"][0]["digest"]
        with open(os.path.join(layout, "index.json")) as f:
            pushed_manifest = json.load(f)["manifests"][0]["digest"]
        if pulled_manifest != pushed_manifest:
            log(f"   NOTE {server.name}: pulled manifest {pulled_manifest} differs from pushed {pushed_manifest}")
        return {"push": push, "pull": pull, "push_cpu": push_cpu, "pull_cpu": pull_cpu, "hwm_kb": rss}
    finally:
        server.stop()
        shutil.rmtree(pulled, ignore_errors=True)


def transfer(label, layout, size, name, runs, binary, threads, work):
    log(f"== {label}: {size / 1e6:.1f} MB of layers and config, {runs} run(s) per side, fresh server each")
    results = {"emulator": [], "registry": []}
    makers = {"emulator": lambda: Emulator(binary, work, threads), "registry": lambda: DockerRegistry(work)}
    for run in range(runs):
        order = ("emulator", "registry") if run % 2 == 0 else ("registry", "emulator")
        for side in order:
            r = push_pull(makers[side], layout, name, work)
            results[side].append(r)
            log(f"   run {run + 1} {side:<8} push {r['push']:6.2f} s ({size / 1e6 / r['push']:7.1f} MB/s, "
                f"server cpu {r['push_cpu']:.2f} s) pull {r['pull']:6.2f} s ({size / 1e6 / r['pull']:7.1f} MB/s, "
                f"server cpu {r['pull_cpu']:.2f} s) peak RSS {r['hwm_kb'] / 1024:.0f} MB")
    row = {"label": label, "size": size}
    for side, rs in results.items():
        for op in ("push", "pull"):
            seconds = statistics.median(r[op] for r in rs)
            row[f"{side}_{op}_s"] = seconds
            row[f"{side}_{op}_mbs"] = size / 1e6 / seconds
            row[f"{side}_{op}_cpu"] = statistics.median(r[f"{op}_cpu"] for r in rs)
    for op in ("push", "pull"):
        row[f"{op}_ratio"] = row[f"emulator_{op}_mbs"] / row[f"registry_{op}_mbs"]
        log(f"   {op} median: emulator {row[f'emulator_{op}_s']:.2f} s {row[f'emulator_{op}_mbs']:.1f} MB/s "
            f"(cpu {row[f'emulator_{op}_cpu']:.2f} s) | registry {row[f'registry_{op}_s']:.2f} s "
            f"{row[f'registry_{op}_mbs']:.1f} MB/s (cpu {row[f'registry_{op}_cpu']:.2f} s) | "
            f"throughput ratio emulator/registry {row[f'{op}_ratio']:.2f}")
    return row


# ------------------------------------------------------------------------------------- upload memory

class Sampler(threading.Thread):
    """VmRSS of `pid` every 50 ms until stopped; keeps the peak."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.samples = pid, 0, 0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            self.peak = max(self.peak, status_kb(self.pid))
            self.samples += 1
            self.done.wait(0.05)

    def stop(self):
        self.done.set()
        self.join()
        self.peak = max(self.peak, status_kb(self.pid))
        return self.peak


def request(port, method, path, auth, body=None, headers=None, chunked=False, timeout=300):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        all_headers = dict(headers or {})
        if auth:
            all_headers["Authorization"] = auth
        connection.request(method, path, body=body, headers=all_headers, encode_chunked=chunked)
        response = connection.getresponse()
        return response.status, dict((k.lower(), v) for k, v in response.getheaders()), response.read()
    finally:
        connection.close()


def upload_memory(make_server, size_mib):
    piece = os.urandom(MIB)
    count = size_mib
    results = {}
    server = make_server()
    try:
        time.sleep(0.5)
        results["idle_kb"] = status_kb(server.pid)
        for mode, monolithic in (("patch", False), ("put", True)):
            # A different blob each time (the last byte of the first piece changes), so nothing is reused.
            first = piece[:-1] + bytes([len(results)])
            digest_hash = hashlib.sha256(first)
            for _ in range(count - 1):
                digest_hash.update(piece)
            digest = "sha256:" + digest_hash.hexdigest()
            sampler = Sampler(server.pid)
            sampler.start()
            cpu = cpu_seconds(server.pid)

            def chunks():
                yield first
                for _ in range(count - 1):
                    yield piece

            seconds = upload_stream(server, f"bench-rss-{mode}", chunks, count, monolithic, digest)
            results[f"{mode}_cpu"] = cpu_seconds(server.pid) - cpu
            results[f"{mode}_peak_kb"] = sampler.stop()
            results[f"{mode}_samples"] = sampler.samples
            results[f"{mode}_s"] = seconds
            results[f"{mode}_after_kb"] = status_kb(server.pid)
    finally:
        server.stop()
    return results


def upload_stream(server, name, chunks, count, monolithic, digest):
    """`upload` with a generator of pieces (so each blob differs from the last)."""
    total = 0

    class Body:
        def __iter__(self):
            nonlocal total
            for chunk in chunks():
                total += len(chunk)
                yield chunk

    status, headers, body = request(server.port, "POST", f"/v2/{OWNER}/{name}/blobs/uploads/", server.auth,
                                    body=b"", headers={"Content-Length": "0"})
    if status != 202:
        raise RuntimeError(f"{server.name}: POST upload answered {status}: {body[:300]!r}")
    location = relative(headers["location"])
    started = time.monotonic()
    if monolithic:
        status, _, body = request(server.port, "PUT", with_digest(location, digest), server.auth, body=Body(),
                                  headers={"Content-Length": str(count * MIB),
                                           "Content-Type": "application/octet-stream"})
    else:
        status, headers, body = request(server.port, "PATCH", location, server.auth, body=Body(),
                                        headers={"Content-Type": "application/octet-stream"}, chunked=True)
        if status != 202:
            raise RuntimeError(f"{server.name}: streamed PATCH answered {status}: {body[:300]!r}")
        status, _, body = request(server.port, "PUT", with_digest(relative(headers["location"]), digest), server.auth,
                                  body=b"", headers={"Content-Length": "0"})
    elapsed = time.monotonic() - started
    if status != 201:
        raise RuntimeError(f"{server.name}: upload ended with {status}: {body[:300]!r}")
    return elapsed


def relative(location):
    return "/" + location.split("/", 3)[3] if location.startswith("http") else location


def with_digest(location, digest):
    return f"{location}{'&' if '?' in location else '?'}digest={digest}"


# -------------------------------------------------------------------------------------- manifest GET

def wrk_numbers(output):
    """Requests, requests/s, p50 and p99 in ms, and errors (non-2xx/3xx answers and socket errors) of the
    output of `wrk --latency`."""
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


def wrk(port, path, connections, threads, seconds, auth):
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "-H", f"Accept: {OCI_MANIFEST}"]
    if auth:
        command += ["-H", f"Authorization: {auth}"]
    output = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                            check=True, timeout=seconds + 60).stdout
    return wrk_numbers(output)


def get_manifest(server, path):
    headers = {"Accept": OCI_MANIFEST}
    if server.auth:
        headers["Authorization"] = server.auth
    with urllib.request.urlopen(urllib.request.Request(f"http://{server.host}{path}", headers=headers),
                                timeout=10) as response:
        return response.status, response.headers, response.read()


def manifest_rps(binary, threads, work, layout, seconds, connections, wrk_threads):
    workers = threads or os.cpu_count()
    name = "bench-manifest"
    path = f"/v2/{OWNER}/{name}/manifests/v1"
    emulator = Emulator(binary, work, threads)
    registry = nginx = None
    try:
        skopeo([*emulator.skopeo_dest, f"oci:{layout}:v1", f"docker://{emulator.host}/{OWNER}/{name}:v1"])
        status, headers, body = get_manifest(emulator, path)
        content_type, digest = headers["Content-Type"], headers["Docker-Content-Digest"]
        nginx = Nginx(body, content_type, digest, work, workers)
        with urllib.request.urlopen(f"http://127.0.0.1:{nginx.port}{path}", timeout=10) as response:
            same = response.read() == body and response.headers["Content-Type"] == content_type
        registry = DockerRegistry(work)
        skopeo([*registry.skopeo_dest, f"oci:{layout}:v1", f"docker://{registry.host}/{OWNER}/{name}:v1"])
        log(f"== manifest GET {path}: {len(body)} B, {content_type}; emulator :{emulator.port} "
            f"({workers} threads) vs nginx :{nginx.port} ({workers} workers{', same bytes' if same else ', DIFFERENT BYTES'}) "
            f"vs docker-registry :{registry.port}; wrk -t{wrk_threads} -c{connections} -d{seconds}s")
        rows = {}
        for label, port, cpu_of, auth in (
                ("emulator", emulator.port, lambda: cpu_seconds(emulator.pid), BEARER),
                ("nginx", nginx.port, nginx.cpu, BEARER),
                ("registry", registry.port, lambda: cpu_seconds(registry.pid), None)):
            before = cpu_of()
            r = wrk(port, path, connections, wrk_threads, seconds, auth)
            r["cpu_us"] = (cpu_of() - before) * 1e6 / max(1, r["requests"])
            rows[label] = r
            log(f"   {label:<8} {r['rps']:>9.0f} rps  p50 {r['p50']:.2f} ms  p99 {r['p99']:.2f} ms  "
                f"{r['cpu_us']:.1f} µs cpu/req  errors {r['errors']}")
        rows["ratio"] = rows["emulator"]["rps"] / rows["nginx"]["rps"]
        rows["registry_ratio"] = rows["emulator"]["rps"] / rows["registry"]["rps"]
        log(f"   ratio emulator/nginx {rows['ratio']:.2f} (target >= 0.8), emulator/registry {rows['registry_ratio']:.2f}")
        return rows
    finally:
        emulator.stop()
        if nginx:
            nginx.stop()
        if registry:
            registry.stop()


# ------------------------------------------------------------------------------------------------ main

def platform():
    try:
        with open("/proc/cpuinfo") as f:
            return next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    except OSError:
        return "?"


def version(command):
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", help="the emulator's release binary (default: build it into .build-bench)")
    parser.add_argument("--runs", type=int, help="push/pull repetitions per side (default 3, --quick 1)")
    parser.add_argument("--seconds", type=int, help="wrk duration (default 10, --quick 3)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--threads", type=int, help="emulator --threads and nginx workers (default: cores)")
    parser.add_argument("--big-mib", type=int, default=256, help="single layer size (default 256 MiB)")
    parser.add_argument("--layers", type=int, default=100, help="small layers (default 100)")
    parser.add_argument("--layer-kib", type=int, default=64, help="small layer size (default 64 KiB)")
    parser.add_argument("--upload-mib", type=int, default=1024, help="blob for the RSS step (default 1 GiB)")
    parser.add_argument("--tmp", help="where temporary layouts and data directories go (default: $TMPDIR)")
    parser.add_argument("--quick", action="store_true", help="1 run per side, wrk 3 s")
    args = parser.parse_args()
    args.runs = args.runs or (1 if args.quick else 3)
    args.seconds = args.seconds or (3 if args.quick else 10)

    # SIGTERM/SIGHUP end the run like Ctrl-C, so the finally blocks stop every server.
    def interrupted(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)

    ensure_tools()
    binary = os.path.abspath(args.bin) if args.bin else build()
    work = tempfile.mkdtemp(prefix="registry-bench.", dir=args.tmp)
    try:
        log(f"== machine: {os.cpu_count()} cores; {platform()}; {version(['skopeo', '--version'])}; "
            f"docker-registry {version(['docker-registry', '--version'])}; {version(['nginx', '-v'])}")
        log(f"== emulator: {binary}")
        log("== building OCI layouts (random layers, tar gzipped at level 0)")
        big, small, tiny = (os.path.join(work, n) for n in ("layout-big", "layout-small", "layout-tiny"))
        started = time.monotonic()
        big_size = build_layout(big, [args.big_mib * MIB])
        small_size = build_layout(small, [args.layer_kib * 1024] * args.layers)
        build_layout(tiny, [1024])
        log(f"   built in {time.monotonic() - started:.1f} s")

        one = transfer(f"1 layer of {args.big_mib} MiB", big, big_size, "bench-big", args.runs, binary,
                       args.threads, work)
        many = transfer(f"{args.layers} layers of {args.layer_kib} KiB", small, small_size, "bench-small", args.runs,
                        binary, args.threads, work)

        log(f"== RSS during a {args.upload_mib} MiB blob upload (VmRSS every 50 ms)")
        mem = {}
        for side, maker in (("emulator", lambda: Emulator(binary, work, args.threads)),
                            ("registry", lambda: DockerRegistry(work))):
            m = upload_memory(maker, args.upload_mib)
            mem[side] = m
            for mode, what in (("patch", "streamed chunked PATCH"), ("put", "monolithic PUT ?digest=")):
                log(f"   {side:<8} {what:<24} idle {m['idle_kb'] / 1024:6.1f} MB, peak {m[f'{mode}_peak_kb'] / 1024:6.1f} MB "
                    f"(+{(m[f'{mode}_peak_kb'] - m['idle_kb']) / 1024:.1f} MB), after {m[f'{mode}_after_kb'] / 1024:6.1f} MB; "
                    f"{m[f'{mode}_s']:.2f} s ({args.upload_mib * MIB / 1e6 / m[f'{mode}_s']:.0f} MB/s, "
                    f"server cpu {m[f'{mode}_cpu']:.2f} s, {m[f'{mode}_samples']} samples)")
        e = mem["emulator"]
        growth = max(e["patch_peak_kb"], e["put_peak_kb"]) - e["idle_kb"]
        log(f"   emulator peak - idle: {growth / 1024:.1f} MB (target: within 16 MB)")

        rps = manifest_rps(binary, args.threads, work, tiny, args.seconds, args.connections, args.wrk_threads)

        log("SUMMARY "
            + " | ".join(f"{r['label']}: push {r['emulator_push_mbs']:.0f} vs {r['registry_push_mbs']:.0f} MB/s "
                         f"{r['push_ratio']:.2f}x, pull {r['emulator_pull_mbs']:.0f} vs {r['registry_pull_mbs']:.0f} MB/s "
                         f"{r['pull_ratio']:.2f}x" for r in (one, many))
            + f" | {args.upload_mib} MiB upload RSS idle {e['idle_kb'] / 1024:.1f} MB, peak PATCH "
              f"{e['patch_peak_kb'] / 1024:.1f} MB / PUT {e['put_peak_kb'] / 1024:.1f} MB (+{growth / 1024:.1f} MB, "
              f"target 16) | manifest GET c{args.connections} {rps['emulator']['rps']:.0f} rps vs nginx "
              f"{rps['nginx']['rps']:.0f} rps {rps['ratio']:.2f}x (target 0.8), p99 {rps['emulator']['p99']:.2f} vs "
              f"{rps['nginx']['p99']:.2f} ms; docker-registry {rps['registry']['rps']:.0f} rps "
              f"({rps['registry_ratio']:.1f}x) | runs {args.runs}, wrk {args.seconds} s")
    finally:
        stop_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
