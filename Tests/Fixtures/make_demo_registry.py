#!/usr/bin/env python3
"""Writes the demo data's registry content: Fixtures/registry/octo-org/octo-multi/, an OCI image layout.

    python3 Tests/Fixtures/make_demo_registry.py [FIXTURES_DIR]      (default: Fixtures)
    python3 Tests/Fixtures/make_demo_registry.py --check [FIXTURES_DIR]

It holds what `docker buildx build --platform linux/amd64,linux/arm64 --provenance=true` pushes and what
`cosign sign` adds, built from tiny layers, byte for byte the same on every run (tar and gzip with mtime 0):

- an OCI index tagged `latest` and `1.0`, annotated org.opencontainers.image.source
  https://github.com/octo-org/octo-repo, listing
  - linux/amd64 and linux/arm64 images (a config and one gzip layer each),
  - an attestation manifest (platform unknown/unknown) of the amd64 image, as buildx makes it;
- a cosign-style signature manifest tagged `sha256-<hex of the index>.sig`.

`--check` exits 1 when the committed files differ from what this script writes.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def canonical(value):
    return json.dumps(value, separators=(",", ":"), sort_keys=True).encode()


class Layout:
    def __init__(self):
        self.blobs = {}

    def add(self, data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        self.blobs[digest] = data
        return {"digest": digest, "size": len(data)}

    def tar_gz(self, name, text):
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
        tar_bytes = raw.getvalue()
        packed = io.BytesIO()
        with gzip.GzipFile(fileobj=packed, mode="wb", mtime=0) as stream:
            stream.write(tar_bytes)
        return packed.getvalue(), "sha256:" + hashlib.sha256(tar_bytes).hexdigest()

    def image(self, arch, text):
        layer, diff_id = self.tar_gz("hello.txt", text)
        config = {"architecture": arch, "os": "linux", "config": {"Cmd": ["cat", "/hello.txt"]},
                  "rootfs": {"type": "layers", "diff_ids": [diff_id]}}
        manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                    "config": dict(mediaType=OCI_CONFIG, **self.add(canonical(config))),
                    "layers": [dict(mediaType=OCI_LAYER, **self.add(layer))]}
        return self.add(canonical(manifest))


def build():
    layout = Layout()
    amd64 = layout.image("amd64", "hello from linux/amd64\n")
    arm64 = layout.image("arm64", "hello from linux/arm64\n")
    statement = {"_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://slsa.dev/provenance/v0.2",
                 "subject": [{"name": "pkg:docker/ghcr.io/octo-org/octo-multi@1.0",
                              "digest": {"sha256": amd64["digest"][7:]}}], "predicate": {"builder": {"id": "demo"}}}
    attestation = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                   "config": dict(mediaType=OCI_CONFIG, **layout.add(canonical({"architecture": "unknown", "os": "unknown"}))),
                   "layers": [dict(mediaType="application/vnd.in-toto+json",
                                   annotations={"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"},
                                   **layout.add(canonical(statement)))]}
    attestation_descriptor = layout.add(canonical(attestation))
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX,
             "annotations": {"org.opencontainers.image.source": "https://github.com/octo-org/octo-repo"},
             "manifests": [
                 dict(mediaType=OCI_MANIFEST, platform={"architecture": "amd64", "os": "linux"}, **amd64),
                 dict(mediaType=OCI_MANIFEST, platform={"architecture": "arm64", "os": "linux"}, **arm64),
                 dict(mediaType=OCI_MANIFEST, platform={"architecture": "unknown", "os": "unknown"},
                      annotations={"vnd.docker.reference.digest": amd64["digest"],
                                   "vnd.docker.reference.type": "attestation-manifest"}, **attestation_descriptor)]}
    index_descriptor = layout.add(canonical(index))
    payload = {"critical": {"identity": {"docker-reference": "ghcr.io/octo-org/octo-multi"},
                            "image": {"docker-manifest-digest": index_descriptor["digest"]},
                            "type": "cosign container image signature"}, "optional": None}
    signature = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                 "config": dict(mediaType=OCI_CONFIG, **layout.add(canonical({"architecture": "", "os": ""}))),
                 "layers": [dict(mediaType="application/vnd.dev.cosign.simplesigning.v1+json",
                                 annotations={"dev.cosignproject.cosign/signature": "MEUCIQDdemo"},
                                 **layout.add(canonical(payload)))]}
    signature_descriptor = layout.add(canonical(signature))
    sig_tag = "sha256-" + index_descriptor["digest"][7:] + ".sig"
    files = {"oci-layout": canonical({"imageLayoutVersion": "1.0.0"}) + b"\n",
             "index.json": json.dumps({"schemaVersion": 2, "manifests": [
                 dict(mediaType=OCI_INDEX, annotations={"org.opencontainers.image.ref.name": "latest"}, **index_descriptor),
                 dict(mediaType=OCI_INDEX, annotations={"org.opencontainers.image.ref.name": "1.0"}, **index_descriptor),
                 dict(mediaType=OCI_MANIFEST, annotations={"org.opencontainers.image.ref.name": sig_tag},
                      **signature_descriptor)]}, indent=2).encode() + b"\n"}
    for digest, data in layout.blobs.items():
        files["blobs/sha256/" + digest[7:]] = data
    return files


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    root = os.path.join(args[0] if args else "Fixtures", "registry", "octo-org", "octo-multi")
    files = build()
    if check:
        found = {}
        for folder, _, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                found[os.path.relpath(path, root)] = open(path, "rb").read()
        if found != files:
            print(f"{root} differs from what {argv[0] if argv else 'make_demo_registry.py'} writes: run it", file=sys.stderr)
            return 1
        return 0
    for relative, data in files.items():
        path = os.path.join(root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(data)
    print(f"wrote {len(files)} files to {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
