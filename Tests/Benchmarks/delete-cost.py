#!/usr/bin/env python3
"""What a delete costs in a large data set (issue 11). Prints numbers; asserts nothing.

    python3 Tests/Benchmarks/delete-cost.py [--deletes 200] [--seconds 5]

Builds release, writes the 110k-package set of generate-fixtures.py, starts the emulator on 127.0.0.1
with 2 threads, and times version deletes (one request at a time on a keep-alive connection, each
answered 204) in the namespace of the 10,000-package user and of a 100-package user; then measures the
rate of reads of another user's page with wrk alone, beside a stream of writes in the small namespace and
beside deletes in the large one. A change rebuilds only its owner's partition (re-rendering only the
packages it changed), and readers never wait for a writer: what reads elsewhere lose is CPU time.
Every process it starts listens on 127.0.0.1 and is stopped by its PID.
"""
import argparse
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from bench import ROOT, Emulator, build, ensure_tools, wrk  # noqa: E402


def versions_to_delete(count, first_id):
    """Packages of generate-fixtures.py with at least two generated versions: (package id, version id)."""
    chosen = []
    pid = first_id
    while len(chosen) < count:
        if pid % 17 + 1 >= 2:
            chosen.append((pid, pid * 100_000 + 1))
        pid += 1
    return chosen


def time_deletes(port, login, token, names_and_ids):
    connection = http.client.HTTPConnection("127.0.0.1", port)
    took = []
    for name, version in names_and_ids:
        started = time.perf_counter()
        connection.request("DELETE", f"/users/{login}/packages/npm/{name}/versions/{version}",
                           headers={"Authorization": f"token {token}"})
        response = connection.getresponse()
        response.read()
        took.append(time.perf_counter() - started)
        assert response.status == 204, (response.status, name, version)
    connection.close()
    return took


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deletes", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    ensure_tools()
    binary = build()
    directory = tempfile.mkdtemp(prefix="delete-cost.")
    try:
        subprocess.run([sys.executable, os.path.join(ROOT, "Tests", "Benchmarks", "generate-fixtures.py"), directory],
                       check=True)
        emulator = Emulator(binary, directory, 2)
        try:
            # big-publisher's packages are ids 1..10,000 named pkg-00000..; hundred-publisher's 10,001..10,100.
            big = [("pkg-%05d" % (pid - 1), version) for pid, version in versions_to_delete(args.deletes, 1)]
            small = [("pkg-%03d" % (pid - 10_001), version)
                     for pid, version in versions_to_delete(min(args.deletes, 90), 10_001)]
            big_ms = [t * 1000 for t in time_deletes(emulator.port, "big-publisher", "ghp_bench_big_publisher", big)]
            small_ms = [t * 1000 for t in time_deletes(emulator.port, "hundred-publisher",
                                                       "ghp_bench_hundred_publisher", small)]
            page = "/users/user-0500/packages?package_type=npm&per_page=100"
            reader = "ghp_bench_user_0500"
            quiet = wrk(emulator.port, page, 64, args.seconds, token=reader)["rps"]
            # Writes beside the reads, one at a time: delete and restore one version of the 100-package
            # user, over and over; then deletes in the 10,000-package user, each rebuilding a large partition.
            cheap, costly = [], []
            stop = threading.Event()

            def churn():
                connection = http.client.HTTPConnection("127.0.0.1", emulator.port)
                name, version = small[-1][0], small[-1][1] + 1
                path = f"/users/hundred-publisher/packages/npm/{name}/versions/{version}"
                while not stop.is_set():
                    for method, suffix in (("DELETE", ""), ("POST", "/restore")):
                        connection.request(method, path + suffix,
                                           headers={"Authorization": "token ghp_bench_hundred_publisher"})
                        response = connection.getresponse()
                        response.read()
                        assert response.status == 204, response.status
                        cheap.append(1)
                connection.close()

            writer = threading.Thread(target=churn)
            writer.start()
            beside_cheap = wrk(emulator.port, page, 64, args.seconds, token=reader)["rps"]
            stop.set()
            writer.join()
            more = [("pkg-%05d" % (pid - 1), version) for pid, version in versions_to_delete(args.deletes * 6, 1)][
                args.deletes:]
            writer = threading.Thread(target=lambda: costly.extend(
                time_deletes(emulator.port, "big-publisher", "ghp_bench_big_publisher", more)))
            writer.start()
            beside_costly = wrk(emulator.port, page, 64, args.seconds, token=reader)["rps"]
            writer.join()
        finally:
            emulator.stop()
        print(f"== deletes in the 10,000-package namespace: {len(big_ms)}, median {statistics.median(big_ms):.2f} ms, "
              f"p90 {sorted(big_ms)[int(len(big_ms) * 0.9)]:.2f} ms")
        print(f"== deletes in a 100-package namespace: {len(small_ms)}, median {statistics.median(small_ms):.2f} ms, "
              f"p90 {sorted(small_ms)[int(len(small_ms) * 0.9)]:.2f} ms")
        print(f"== reads of another user's page: {quiet:.0f} rps alone; {beside_cheap:.0f} rps beside {len(cheap)} "
              f"writes in the 100-package namespace (ratio {beside_cheap / quiet:.2f}); {beside_costly:.0f} rps beside "
              f"{len(costly)} deletes in the 10,000-package namespace (ratio {beside_costly / quiet:.2f}; those keep "
              f"a core busy rebuilding the partition)")
        print(f"SUMMARY delete (10k-package owner) {statistics.median(big_ms):.2f} ms, delete (100-package owner) "
              f"{statistics.median(small_ms):.2f} ms, reads elsewhere beside small writes {beside_cheap / quiet:.2f}x, "
              f"beside 10k-owner deletes {beside_costly / quiet:.2f}x")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
