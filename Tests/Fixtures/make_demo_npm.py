#!/usr/bin/env python3
"""Writes the demo data's npm tarballs (SPEC §22): Fixtures/npm/octo-org/octo-cli/VERSION.tgz and
VERSION.json for the declared versions 1.0.0 and 2.0.0 of octo-org's npm package octo-cli, so that
`npm install @octo-org/octo-cli` works on the demo data.

    python3 Tests/Fixtures/make_demo_npm.py [--check]

The tarballs are made as `npm pack` makes them (a `package/` folder, npm's fixed 1985-10-26 mtime) and
gzipped without a name or time, so the bytes are the same on every run; --check fails when the committed
files differ from what this script writes.
"""
import gzip
import io
import json
import os
import sys
import tarfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FOLDER = os.path.join(ROOT, "Fixtures", "npm", "octo-org", "octo-cli")
MTIME = 499162500  # npm pack's fixed time: 1985-10-26T08:15:00Z


def manifest(version):
    return {
        "name": "@octo-org/octo-cli",
        "version": version,
        "description": "The Octo command line",
        "main": "index.js",
        "bin": {"octo": "index.js"},
        "license": "MIT",
        "repository": {"type": "git", "url": "git+https://github.com/octo-org/octo-repo.git"},
    }


def tarball(version):
    files = {
        "package/package.json": (json.dumps(manifest(version), indent=2) + "\n").encode(),
        "package/index.js": f"#!/usr/bin/env node\nconsole.log('octo {version}')\nmodule.exports = '{version}'\n".encode(),
        "package/README.md": f"# @octo-org/octo-cli {version}\n\nThe emulator's demo npm package.\n".encode(),
    }
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), MTIME, 0o644
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", filename="", mtime=0) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def main():
    check = "--check" in sys.argv[1:]
    wanted = {}
    for version in ("1.0.0", "2.0.0"):
        wanted[f"{version}.tgz"] = tarball(version)
        document = {k: v for k, v in manifest(version).items()}
        wanted[f"{version}.json"] = (json.dumps(document, indent=2) + "\n").encode()
    if check:
        stale = [name for name, data in wanted.items()
                 if not os.path.exists(os.path.join(FOLDER, name)) or open(os.path.join(FOLDER, name), "rb").read() != data]
        if stale:
            sys.exit(f"make_demo_npm.py --check: {', '.join(stale)} differ from what the script writes")
        print(f"make_demo_npm.py --check: {len(wanted)} files as written")
        return
    os.makedirs(FOLDER, exist_ok=True)
    for name, data in wanted.items():
        with open(os.path.join(FOLDER, name), "wb") as f:
            f.write(data)
    print(f"wrote {len(wanted)} files to {os.path.relpath(FOLDER, ROOT)}")


if __name__ == "__main__":
    main()
