#!/usr/bin/env python3
"""Helper of Tests/Interop/registry.sh (Python stdlib only, no venv; the REST commands run the gh CLI).

OCI image layouts, built offline and deterministically (tar and gzip with mtime 0):

    registry_layouts.py single DIR REF SOURCE_URL   one linux/amd64 image: a config and two gzip layers,
                                                    the manifest annotated org.opencontainers.image.source
    registry_layouts.py multi DIR REF SOURCE_URL    an OCI index as docker buildx makes it: linux/amd64,
                                                    linux/arm64 and an attestation manifest (unknown/unknown)
                                                    of the amd64 one; the index annotated with SOURCE_URL
    registry_layouts.py digest DIR REF              the digest index.json names for REF
    registry_layouts.py children DIR REF            the children of the index REF: `DIGEST KIND` a line
                                                    (KIND: linux/amd64, linux/arm64, attestation)
    registry_layouts.py same DIR1 REF1 DIR2 REF2    exit 0 when both refs name the same digest and every blob
                                                    reachable from it has the same bytes in both layouts

The emulator's REST routes and control routes (BASE = http://127.0.0.1:PORT). reset and v2-base use urllib;
package, versions, delete-untagged and restore call `gh api` (GH_BIN, default gh) with TOKEN in
GH_ENTERPRISE_TOKEN and an empty temporary GH_CONFIG_DIR, as client_gh.py does; the version listing is
`gh api --paginate` over pages of 2:

    registry_layouts.py reset BASE
    registry_layouts.py v2-base BASE                GET /v2/ anonymously: 401 with Docker-Distribution-API-Version
    registry_layouts.py package BASE TOKEN NAME VISIBILITY REPO
    registry_layouts.py versions BASE TOKEN NAME EXPECTED   EXPECTED: JSON {"DIGEST": ["TAG", ...], ...},
                                                    the exact set of active versions and their tags (any order)
    registry_layouts.py delete-untagged BASE TOKEN NAME     deletes each untagged version (204 each); prints the ids
    registry_layouts.py restore BASE TOKEN NAME ID...       restores each (204 each)

Every failure prints one line saying why on standard output and exits 1; usage errors exit 64.
"""
import atexit
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
IN_TOTO = "application/vnd.in-toto+json"


class Failure(Exception):
    pass


# --- layouts ---------------------------------------------------------------------------------------

def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Layout:
    def __init__(self, root):
        self.root = root
        os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)

    def put(self, data):
        digest = sha256(data)
        with open(os.path.join(self.root, "blobs", "sha256", digest[7:]), "wb") as f:
            f.write(data)
        return digest

    def descriptor(self, media_type, data, **extra):
        d = {"mediaType": media_type, "digest": self.put(data), "size": len(data)}
        d.update(extra)
        return d

    def finish(self, top, ref):
        with open(os.path.join(self.root, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)
        top = dict(top)
        top["annotations"] = {"org.opencontainers.image.ref.name": ref}
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [top]}
        with open(os.path.join(self.root, "index.json"), "w") as f:
            json.dump(index, f, indent=2)


def canonical(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


def tar_layer(files):
    """A gzip tar of {path: bytes}, deterministic: returns (compressed, diff_id)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(files):
            parts = path.split("/")
            for i in range(1, len(parts)):
                d = "/".join(parts[:i]) + "/"
                if d not in tar.getnames() and d.rstrip("/") not in tar.getnames():
                    info = tarfile.TarInfo(d.rstrip("/"))
                    info.type = tarfile.DIRTYPE
                    info.mode = 0o755
                    info.mtime = 0
                    tar.addfile(info)
            info = tarfile.TarInfo(path)
            info.size = len(files[path])
            info.mode = 0o644
            info.mtime = 0
            tar.addfile(info, io.BytesIO(files[path]))
    tar_bytes = raw.getvalue()
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, compresslevel=9, filename="") as gz:
        gz.write(tar_bytes)
    return out.getvalue(), sha256(tar_bytes)


def image(layout, arch, layer_files, annotations=None, variant=None):
    """An OCI image manifest for linux/ARCH with one layer per entry of layer_files; returns its bytes."""
    layers, diff_ids, history = [], [], []
    for files in layer_files:
        blob, diff_id = tar_layer(files)
        layers.append(layout.descriptor(OCI_LAYER_GZIP, blob))
        diff_ids.append(diff_id)
        history.append({"created": "1970-01-01T00:00:00Z", "created_by": "COPY %s /" % " ".join(sorted(files))})
    config = {
        "architecture": arch,
        "os": "linux",
        "created": "1970-01-01T00:00:00Z",
        "config": {"Cmd": ["/hello"], "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }
    if variant:
        config["variant"] = variant
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": layout.descriptor(OCI_CONFIG, canonical(config)),
        "layers": layers,
    }
    if annotations:
        manifest["annotations"] = annotations
    return json.dumps(manifest, indent=2).encode()


def build_single(root, ref, source):
    layout = Layout(root)
    body = image(layout, "amd64", [
        {"hello": b"#!/bin/sh\necho hello from the interop-single image\n"},
        {"etc/interop-release": b"interop-single 1\n"},
    ], annotations={
        "org.opencontainers.image.source": source,
        "org.opencontainers.image.description": "registry.sh interop single image",
    })
    layout.finish(layout.descriptor(OCI_MANIFEST, body), ref)


def build_multi(root, ref, source):
    layout = Layout(root)
    children = []
    platforms = [("amd64", None), ("arm64", "v8")]
    for arch, variant in platforms:
        body = image(layout, arch, [{"hello": ("#!/bin/sh\necho hello from linux/%s\n" % arch).encode()}], variant=variant)
        platform = {"architecture": arch, "os": "linux"}
        if variant:
            platform["variant"] = variant
        children.append(layout.descriptor(OCI_MANIFEST, body, platform=platform))
    # The attestation manifest buildx adds (--provenance): an in-toto statement about the amd64 image.
    subject = children[0]
    statement = canonical({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "subject": [{"name": "pkg:docker/octocat/interop-multi@latest?platform=linux%2Famd64",
                     "digest": {"sha256": subject["digest"][7:]}}],
        "predicate": {"builder": {"id": ""}, "buildType": "https://mobyproject.org/buildkit@v1",
                      "metadata": {"buildInvocationID": "interop", "completeness": {}}},
    })
    att_config = canonical({
        "architecture": "unknown", "os": "unknown", "config": {},
        "rootfs": {"type": "layers", "diff_ids": [sha256(statement)]},
    })
    att = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": layout.descriptor(OCI_CONFIG, att_config),
        "layers": [layout.descriptor(IN_TOTO, statement,
                                     annotations={"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"})],
    }
    children.append(layout.descriptor(OCI_MANIFEST, json.dumps(att, indent=2).encode(),
                                      platform={"architecture": "unknown", "os": "unknown"},
                                      annotations={"vnd.docker.reference.digest": subject["digest"],
                                                   "vnd.docker.reference.type": "attestation-manifest"}))
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": children,
             "annotations": {"org.opencontainers.image.source": source}}
    layout.finish(layout.descriptor(OCI_INDEX, json.dumps(index, indent=2).encode()), ref)


def ref_descriptor(root, ref):
    with open(os.path.join(root, "index.json")) as f:
        index = json.load(f)
    found = [m for m in index.get("manifests", [])
             if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == ref]
    if len(found) != 1:
        raise Failure("%s/index.json has %d entries for ref %s" % (root, len(found), ref))
    return found[0]


def read_blob(root, digest):
    path = os.path.join(root, "blobs", *digest.split(":", 1))
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise Failure("%s: blob %s missing (%s)" % (root, digest, e.strerror))
    if sha256(data) != digest:
        raise Failure("%s: blob %s has digest %s" % (root, digest, sha256(data)))
    return data


def reachable(root, desc, out):
    """Adds to out every blob digest reachable from the descriptor desc, with its bytes."""
    data = read_blob(root, desc["digest"])
    if len(data) != desc["size"]:
        raise Failure("%s: blob %s is %d bytes, its descriptor says %d" % (root, desc["digest"], len(data), desc["size"]))
    out[desc["digest"]] = data
    if desc.get("mediaType") in (OCI_INDEX, "application/vnd.docker.distribution.manifest.list.v2+json"):
        for child in json.loads(data)["manifests"]:
            reachable(root, child, out)
    elif desc.get("mediaType") in (OCI_MANIFEST, "application/vnd.docker.distribution.manifest.v2+json"):
        m = json.loads(data)
        for d in [m["config"]] + m.get("layers", []):
            out[d["digest"]] = read_blob(root, d["digest"])
    return out


def same(root1, ref1, root2, ref2):
    d1, d2 = ref_descriptor(root1, ref1), ref_descriptor(root2, ref2)
    if d1["digest"] != d2["digest"]:
        raise Failure("manifest digest %s became %s" % (d1["digest"], d2["digest"]))
    b1, b2 = reachable(root1, d1, {}), reachable(root2, d2, {})
    if set(b1) != set(b2):
        raise Failure("blobs differ: only in %s: %s; only in %s: %s"
                      % (root1, sorted(set(b1) - set(b2)), root2, sorted(set(b2) - set(b1))))
    return len(b1)


def children(root, ref):
    desc = ref_descriptor(root, ref)
    index = json.loads(read_blob(root, desc["digest"]))
    for c in index["manifests"]:
        if c.get("annotations", {}).get("vnd.docker.reference.type") == "attestation-manifest":
            kind = "attestation"
        else:
            kind = "%s/%s" % (c["platform"]["os"], c["platform"]["architecture"])
        print(c["digest"], kind)


# --- REST ------------------------------------------------------------------------------------------
# The control routes (/_emulator/...) and the registry's anonymous /v2/ with urllib; the packages REST routes
# with the gh CLI (below).

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(method, url, token=None, data=None):
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
               "User-Agent": "registry.sh-interop"}
    if token:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with OPENER.open(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()
    except (urllib.error.URLError, OSError) as e:
        raise Failure("%s %s: %s" % (method, url, e))


def expect(status, want, method, url, body):
    if status != want:
        text = " ".join(body[:600].decode("utf-8", "replace").split())
        raise Failure("%s %s answered %d, not %d: %s" % (method, url, status, want, text))


# The packages REST routes, through the gh CLI --------------------------------------------------------
# The packages REST routes are called the way people script them, with `gh api` (Debian `gh`), as
# client_gh.py does: a full http:// URL is used as given (no GH_HOST needed), gh authenticates a
# non-github.com host with GH_ENTERPRISE_TOKEN (sent as `Authorization: token T`), and GH_CONFIG_DIR is an
# empty temporary directory (no user config, no stored hosts). On an HTTP error gh exits 1 with the body on
# stdout and `gh: MESSAGE (HTTP STATUS)` on stderr.

GH = os.environ.get("GH_BIN", "gh")
API_VERSION = "2022-11-28"
# Small enough that `gh api --paginate` follows Link: rel="next" over a multi-arch image's versions.
VERSIONS_PER_PAGE = 2
_GH_CONFIG = []


def gh_env(token):
    if not _GH_CONFIG:
        _GH_CONFIG.append(tempfile.mkdtemp(prefix="registry-gh-"))
        atexit.register(shutil.rmtree, _GH_CONFIG[0], True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GH_", "GITHUB_"))}
    env.update(GH_ENTERPRISE_TOKEN=token, GH_CONFIG_DIR=_GH_CONFIG[0], GH_NO_UPDATE_NOTIFIER="1",
               GH_PROMPT_DISABLED="1", NO_COLOR="1")
    return env


def gh_api(token, url, *args):
    """`gh api -H X-GitHub-Api-Version ARGS... URL` with TOKEN; its standard output, or Failure when it fails."""
    cmd = [GH, "api", "-H", "X-GitHub-Api-Version: " + API_VERSION, *args, url]
    shown = "gh api %s %s" % (" ".join(args), url) if args else "gh api " + url
    try:
        p = subprocess.run(cmd, env=gh_env(token), capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise Failure("%s: no %s on PATH" % (shown, GH))
    except subprocess.TimeoutExpired:
        raise Failure("%s: no answer after 60 s" % shown)
    if p.returncode != 0:
        out = p.stdout
        if "-i" in args:  # the status line and the body, not the headers
            head, _, body = out.replace("\r\n", "\n").partition("\n\n")
            out = head.split("\n", 1)[0] + " " + body
        raise Failure("%s exited %d: %s %s" % (shown, p.returncode, " ".join(p.stderr.split())[:300],
                                                " ".join(out.split())[:300]))
    return p.stdout


def split_include(out):
    """`gh api -i` prints the status line and the headers, a blank line, then the body."""
    head, _, body = out.replace("\r\n", "\n").partition("\n\n")
    lines = head.split("\n")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    parts = lines[0].split(" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    if status is None:
        raise Failure("gh api -i printed %r instead of a status line" % lines[0][:200])
    return status, headers, body


def json_stream(text):
    """--paginate without --jq prints each page's JSON array one after the other."""
    dec, i, out = json.JSONDecoder(), 0, []
    text = text.strip()
    while i < len(text):
        obj, j = dec.raw_decode(text, i)
        out.append(obj)
        i = j
        while i < len(text) and text[i].isspace():
            i += 1
    return out


def gh_call(method, base, token, path, want):
    """`gh api -i -X METHOD BASE+PATH`: Failure unless it answers WANT; the body."""
    url = base + path
    status, _, body = split_include(gh_api(token, url, "-i", "-X", method))
    expect(status, want, method, url, body.encode())
    return body


def get_json(base, token, path):
    body = gh_call("GET", base, token, path, 200)
    try:
        return json.loads(body)
    except ValueError:
        raise Failure("GET %s%s: not JSON: %r" % (base, path, body[:200]))


def list_versions(base, token, name):
    """`gh api --paginate` over the active versions, VERSIONS_PER_PAGE a page: every page's versions."""
    url = "%s/user/packages/container/%s/versions?per_page=%d" % (base, name, VERSIONS_PER_PAGE)
    out = gh_api(token, url, "--paginate")
    try:
        pages = json_stream(out)
    except ValueError:
        raise Failure("gh api --paginate %s: not JSON: %r" % (url, out[:200]))
    versions = []
    for page in pages:
        if not isinstance(page, list):
            raise Failure("versions of %s: a page is not a list: %r" % (name, page))
        versions += page
    return versions


def tags_of(v):
    return ((v.get("metadata") or {}).get("container") or {}).get("tags")


def check_package(base, token, name, visibility, repo):
    p = get_json(base, token, "/user/packages/container/" + name)
    problems = []
    if p.get("name") != name:
        problems.append("name %r" % p.get("name"))
    if p.get("package_type") != "container":
        problems.append("package_type %r" % p.get("package_type"))
    if p.get("visibility") != visibility:
        problems.append("visibility %r, not %r" % (p.get("visibility"), visibility))
    r = p.get("repository") or {}
    if r.get("name") != repo:
        problems.append("repository %r, not %r" % (r.get("name") if r else None, repo))
    if (p.get("owner") or {}).get("login") != "octocat":
        problems.append("owner %r" % (p.get("owner") or {}).get("login"))
    if problems:
        raise Failure("package %s: %s" % (name, "; ".join(problems)))


def check_versions(base, token, name, expected):
    versions = list_versions(base, token, name)
    got = {}
    for v in versions:
        tags = tags_of(v)
        if not isinstance(tags, list):
            raise Failure("version %s (%s) has no metadata.container.tags list: %r" % (v.get("id"), v.get("name"), v.get("metadata")))
        got[v.get("name")] = sorted(tags)
    want = {k: sorted(t) for k, t in expected.items()}
    if got != want or len(versions) != len(want):
        raise Failure("%d versions %s, expected %d %s" % (len(versions), json.dumps(got, sort_keys=True), len(want),
                                                         json.dumps(want, sort_keys=True)))


def delete_untagged(base, token, name):
    ids = [v["id"] for v in list_versions(base, token, name) if not tags_of(v)]
    if not ids:
        raise Failure("package %s has no untagged version" % name)
    for vid in ids:
        gh_call("DELETE", base, token, "/user/packages/container/%s/versions/%d" % (name, vid), 204)
    print(" ".join(str(i) for i in ids))


def restore(base, token, name, ids):
    for vid in ids:
        gh_call("POST", base, token, "/user/packages/container/%s/versions/%s/restore" % (name, vid), 204)


def v2_base(base):
    url = base + "/v2/"
    status, headers, body = http("GET", url)
    problems = []
    if status != 401:
        problems.append("status %d, not 401" % status)
    if headers.get("Docker-Distribution-API-Version") != "registry/2.0":
        problems.append("Docker-Distribution-API-Version %r" % headers.get("Docker-Distribution-API-Version"))
    if not (headers.get("WWW-Authenticate") or "").startswith("Bearer realm="):
        problems.append("WWW-Authenticate %r" % headers.get("WWW-Authenticate"))
    if problems:
        raise Failure("anonymous GET /v2/: " + "; ".join(problems))


def reset(base):
    url = base + "/_emulator/reset"
    status, _, body = http("POST", url, data=b"")
    expect(status, 200, "POST", url, body)


def main(argv):
    commands = {
        "single": (3, lambda a: build_single(*a)),
        "multi": (3, lambda a: build_multi(*a)),
        "digest": (2, lambda a: print(ref_descriptor(*a)["digest"])),
        "children": (2, lambda a: children(*a)),
        "same": (4, lambda a: print("%d blobs" % same(*a))),
        "reset": (1, lambda a: reset(*a)),
        "v2-base": (1, lambda a: v2_base(*a)),
        "package": (5, lambda a: check_package(*a)),
        "versions": (4, lambda a: check_versions(a[0], a[1], a[2], json.loads(a[3]))),
        "delete-untagged": (3, lambda a: delete_untagged(*a)),
        "restore": (None, lambda a: restore(a[0], a[1], a[2], a[3:])),
    }
    if len(argv) < 2 or argv[1] not in commands:
        sys.stderr.write(__doc__)
        return 64
    nargs, fn = commands[argv[1]]
    args = argv[2:]
    if (nargs is not None and len(args) != nargs) or (nargs is None and len(args) < 4):
        sys.stderr.write(__doc__)
        return 64
    try:
        fn(args)
    except Failure as e:
        print(" ".join(str(e).split()))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
