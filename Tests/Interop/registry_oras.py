#!/usr/bin/env python3
"""Interop check of the Container registry (SPEC §21) with the oras Python SDK (oras-py), run by registry.sh:

    registry_oras.py BASE        BASE = http://127.0.0.1:PORT of a running emulator

Needs a python with `oras` installed (registry.sh makes one: Tests/Interop/.venv-registry, pinned by
registry-requirements.txt). It resets the emulator (POST /_emulator/reset), then:

1. logs in (user `anything`, password ghp_octocatAdmin) over plain http (OrasClient(insecure=True)), checks
   the 401 Bearer challenge -> GET /token (Basic) -> Bearer exchange in the emulator's journal, pushes a small
   file as an artifact (artifact type = config media type, as oras-py writes it) to octocat/oras-art:v1 and
   pulls it back;
2. attaches an SBOM to it as `oras attach` does: oras-py 0.2.x has no attach and no referrers support, so
   the script uses the SDK's lower-level calls (upload_blob, upload_manifest, do_request): the referrer
   manifest (artifactType, `subject` = the v1 manifest) is pushed by digest, the registry's 404 on
   /v2/<name>/referrers/<digest> and the missing OCI-Subject header send it to the OCI Distribution Spec's
   fallback, and it PUTs the "Referrers Tag Schema" index at tag sha256-<hex of the subject digest>;
3. checks the REST routes with the gh CLI (`gh api` and `gh api --paginate`, ghp_octocatAdmin, through
   registry_layouts.py's helpers) and tags/list (oras get_tags);
4. pushes with ghp_octocatReadRepo (no write:packages): refused with 403 DENIED permission_denied, oras
   raises, nothing changes.

oras-py retries a request that raised (its do_request answers a 403 without WWW-Authenticate by raising)
five times with sleeps of 3, 5, 11, 29 and 83 s; this script replaces only that sleep with a no-op so that
scenario 4 takes no 131 s. It sets HOME to a temporary directory before importing oras, and gives each
login its own docker config file, so the caller's ~/.docker/config.json is neither read nor written.

Prints `ok - registry: oras: CHECK` or `not ok - registry: oras: CHECK: WHY` per check and `== ...` notes;
oras' own log (debug) goes to standard error. Exit status: 0 when every check passed, 1 otherwise, 64 on
usage errors.
"""
import hashlib
import json
import os
import shutil
import sys
import tempfile
import traceback

import registry_layouts  # the gh CLI helpers for the REST routes (next to this script, so on sys.path)

NAME = "octocat/oras-art"
PACKAGE = "oras-art"
ADMIN = "ghp_octocatAdmin"
READ_REPO = "ghp_octocatReadRepo"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
ARTIFACT_TYPE = "application/vnd.example.artifact"
SBOM_TYPE = "application/vnd.example.sbom"
FILE_TYPE = "application/vnd.example.file"
SPDX_TYPE = "application/spdx+json"
CREATED = "2026-01-01T00:00:00Z"
HELLO = b"hello from oras-py\n"
SBOM = json.dumps({"spdxVersion": "SPDX-2.3", "name": "oras-art", "packages": []}, sort_keys=True).encode() + b"\n"


class Failure(Exception):
    pass


PASSED = 0
FAILED = 0


def check(name, fn, *args):
    """Runs fn(*args); prints ok/not ok; returns fn's value, or None when it failed."""
    global PASSED, FAILED
    try:
        value = fn(*args)
    except Failure as e:
        why = " ".join(str(e).split())
    except Exception as e:  # noqa: BLE001 - any exception of the client is a failed check
        traceback.print_exc(file=sys.stderr)
        why = "%s: %s" % (type(e).__name__, " ".join(str(e).split()))
    else:
        print("ok - registry: oras: " + name, flush=True)
        PASSED += 1
        return value if value is not None else True
    print("not ok - registry: oras: %s: %s" % (name, why[:600]), flush=True)
    FAILED += 1
    return None


def note(text):
    print("== oras: " + text, flush=True)


def need(*values):
    if any(v is None for v in values):
        raise Failure("skipped: an earlier check it depends on failed")


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


# --- the emulator's control routes, with urllib (its REST routes: gh, through registry_layouts.py) ------

def http(method, url, token=None, data=None):
    try:
        return registry_layouts.http(method, url, token, data)
    except registry_layouts.Failure as e:
        raise Failure(str(e))


def get_json(url, token=None):
    status, _, body = http("GET", url, token)
    if status != 200:
        raise Failure("GET %s answered %d: %s" % (url, status, " ".join(body[:400].decode("utf-8", "replace").split())))
    return json.loads(body)


def gh_get(base, token, path):
    """`gh api -i BASE+PATH`: the JSON of a 200 answer."""
    try:
        return registry_layouts.get_json(base, token, path)
    except registry_layouts.Failure as e:
        raise Failure(str(e))


def gh_versions(base, token, name):
    """`gh api --paginate` over /user/packages/container/NAME/versions: every page's versions."""
    try:
        return registry_layouts.list_versions(base, token, name)
    except registry_layouts.Failure as e:
        raise Failure(str(e))


def journal_after(base, last_id):
    """The journal's entries with id > last_id, oldest first, less the journal's own GETs."""
    entries = get_json(base + "/_emulator/requests").get("requests") or []
    return [e for e in sorted(entries, key=lambda e: e["id"])
            if e["id"] > last_id and e.get("path") != "/_emulator/requests"]


def journal_last_id(base):
    entries = get_json(base + "/_emulator/requests").get("requests") or []
    return max([e["id"] for e in entries] or [0])


def show(entries):
    return "; ".join("%s %s %s %s" % (e.get("method"), e.get("path"), e.get("status"),
                                      ((e.get("headers") or {}).get("authorization") or "no-auth").split(" ")[0])
                     for e in entries)


# --- scenarios --------------------------------------------------------------------------------------

def main(argv):
    if len(argv) != 2 or not argv[1].startswith("http://"):
        sys.stderr.write(__doc__)
        return 64
    base = argv[1].rstrip("/")
    host = base[len("http://"):]

    work = tempfile.mkdtemp(prefix="interop-oras.")
    os.environ["HOME"] = os.path.join(work, "home")  # before oras is imported: ~ is never the caller's
    os.makedirs(os.environ["HOME"])
    try:
        return scenarios(base, host, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def scenarios(base, host, work):
    import oras
    import oras.client
    import oras.container
    import oras.decorator
    import oras.defaults
    import oras.oci
    import oras.version
    from oras.logger import setup_logger

    setup_logger(nocolor=True, debug=True)  # to standard error

    waits = []

    class NoWait:  # oras.decorator.retry's backoff only (see the docstring)
        @staticmethod
        def sleep(seconds):
            waits.append(seconds)

    oras.decorator.time = NoWait

    note("oras-py %s, requests %s" % (oras.version.__version__, __import__("requests").__version__))
    os.chdir(work)  # oras-py push() wants the files under the working directory
    with open("hello.txt", "wb") as f:
        f.write(HELLO)
    with open("sbom.spdx.json", "wb") as f:
        f.write(SBOM)
    with open("config.json", "wb") as f:
        f.write(b"{}")
    with open("denied.txt", "wb") as f:
        f.write(b"this push must be refused\n")

    def ref(tag_or_digest):
        sep = "@" if tag_or_digest.startswith("sha256:") else ":"
        return "%s/%s%s%s" % (host, NAME, sep, tag_or_digest)

    def reset():
        status, _, body = http("POST", base + "/_emulator/reset", data=b"")
        if status != 200:
            raise Failure("POST /_emulator/reset answered %d: %s" % (status, body[:200]))

    if not check("POST /_emulator/reset", reset):
        return 1

    # 1. Log in, push, pull -------------------------------------------------------------------------
    admin = oras.client.OrasClient(hostname=host, insecure=True)
    admin_cfg = os.path.join(work, "admin", "config.json")

    def login():
        if admin.prefix != "http":
            raise Failure("OrasClient(insecure=True) uses %r, not http" % admin.prefix)
        got = admin.login(username="anything", password=ADMIN, hostname=host, config_path=admin_cfg)
        if got != {"Status": "Login Succeeded"}:
            raise Failure("login answered %r" % got)
        with open(admin_cfg) as f:
            if host not in json.load(f).get("auths", {}):
                raise Failure("%s has no auths entry for %s" % (admin_cfg, host))

    check("login (user anything, password ghp_octocatAdmin) stores the credentials for the host", login)

    def bearer_exchange():
        last = journal_last_id(base)
        r = admin.do_request("%s://%s/v2/" % (admin.prefix, host), "GET")
        if r.status_code != 200 or not r.url.startswith("http://"):
            raise Failure("GET %s answered %d" % (r.url, r.status_code))
        got = [(e["method"], e["path"], e["status"], ((e.get("headers") or {}).get("authorization") or "").split(" ")[0])
               for e in journal_after(base, last)]
        want = [("GET", "/v2/", 401, ""), ("GET", "/token", 200, "Basic"), ("GET", "/v2/", 200, "Bearer")]
        if got != want:
            raise Failure("journal: %s, expected %s" % (got, want))

    check("GET /v2/ over plain http: 401 Bearer challenge, GET /token with Basic, 200 with the Bearer token",
          bearer_exchange)

    def push_v1():
        r = admin.push(target=ref("v1"), files=["hello.txt:" + FILE_TYPE],
                       manifest_config="config.json:" + ARTIFACT_TYPE, config_path=admin_cfg, quiet=True)
        digest = r.headers.get("Docker-Content-Digest")
        if r.status_code != 201 or not digest:
            raise Failure("manifest PUT answered %d, Docker-Content-Digest %r" % (r.status_code, digest))
        return digest

    v1_digest = check("push hello.txt (artifact type %s) to %s:v1" % (ARTIFACT_TYPE, NAME), push_v1)

    def read_v1():
        need(v1_digest)
        r = admin.do_request("%s://%s" % (admin.prefix, oras.container.Container(ref("v1")).manifest_url()), "GET",
                             headers={"Accept": OCI_MANIFEST})
        if r.status_code != 200:
            raise Failure("GET manifest v1 answered %d" % r.status_code)
        body = r.content
        m = json.loads(body)
        problems = []
        if sha256(body) != v1_digest or r.headers.get("Docker-Content-Digest") != v1_digest:
            problems.append("bytes hash to %s, Docker-Content-Digest %s, push said %s"
                            % (sha256(body), r.headers.get("Docker-Content-Digest"), v1_digest))
        if r.headers.get("Content-Type") != OCI_MANIFEST:
            problems.append("Content-Type %r" % r.headers.get("Content-Type"))
        if (m.get("config") or {}).get("mediaType") != ARTIFACT_TYPE:
            problems.append("config mediaType %r" % (m.get("config") or {}).get("mediaType"))
        layers = m.get("layers") or []
        if [(l.get("mediaType"), l.get("digest"), (l.get("annotations") or {}).get(oras.defaults.annotation_title))
                for l in layers] != [(FILE_TYPE, sha256(HELLO), "hello.txt")]:
            problems.append("layers %r" % layers)
        if problems:
            raise Failure("; ".join(problems))
        return body

    v1_bytes = check("GET the v1 manifest: the pushed digest, the artifact type, one layer titled hello.txt", read_v1)

    def pull_v1():
        need(v1_digest)
        out = os.path.join(work, "pulled-v1")
        files = admin.pull(target=ref("v1"), config_path=admin_cfg, outdir=out)
        if [os.path.relpath(p, out) for p in files] != ["hello.txt"]:
            raise Failure("pulled %r" % files)
        with open(files[0], "rb") as f:
            got = f.read()
        if got != HELLO:
            raise Failure("pulled bytes %r, not %r" % (got[:80], HELLO))

    check("pull %s:v1 gives hello.txt back byte for byte" % NAME, pull_v1)

    # 2. Attach an SBOM: referrer manifest by digest, then the referrers tag schema fallback -------------
    fallback_tag = v1_digest.replace(":", "-") if v1_digest else None
    container = oras.container.Container(ref("v1"))  # blobs: any tag will do

    def no_referrers_api():
        need(v1_digest)
        url = "%s://%s/v2/%s/referrers/%s" % (admin.prefix, host, NAME, v1_digest)
        r = admin.do_request(url, "GET", headers={"Accept": OCI_INDEX})
        if r.status_code != 404:
            raise Failure("GET %s answered %d, not 404: %s" % (url, r.status_code, r.text[:200]))

    check("GET /v2/%s/referrers/<v1 digest> answers 404 (no referrers API: clients fall back to the tag schema)"
          % NAME, no_referrers_api)

    sbom_layer = oras.oci.NewLayer("sbom.spdx.json", media_type=SPDX_TYPE)
    sbom_layer["annotations"] = {oras.defaults.annotation_title: "sbom.spdx.json"}
    empty_config = {"mediaType": OCI_EMPTY, "digest": oras.defaults.blank_config_hash, "size": 2}

    def upload_blobs():
        for path, desc in (("sbom.spdx.json", sbom_layer), ("config.json", empty_config)):
            r = admin.upload_blob(path, container, desc)
            if r.status_code not in (200, 201):
                raise Failure("upload_blob %s answered %d: %s" % (path, r.status_code, r.text[:200]))

    blobs_ok = check("upload_blob puts the SBOM layer and the empty config", upload_blobs)

    referrer = None
    if v1_bytes is not None:
        referrer = oras.oci.NewManifest()
        referrer.update({
            "artifactType": SBOM_TYPE,
            "config": empty_config,
            "layers": [sbom_layer],
            "subject": {"mediaType": OCI_MANIFEST, "digest": v1_digest, "size": len(v1_bytes)},
            "annotations": {"org.opencontainers.image.created": CREATED},
        })
    # upload_manifest sends json=manifest: requests serialises it with json.dumps(..., allow_nan=False)
    referrer_bytes = json.dumps(referrer, allow_nan=False).encode() if referrer else None
    referrer_digest = sha256(referrer_bytes) if referrer_bytes else None

    def push_referrer():
        need(blobs_ok, referrer)
        r = admin.upload_manifest(referrer, oras.container.Container(ref(referrer_digest)))
        if r.status_code != 201 or r.headers.get("Docker-Content-Digest") != referrer_digest:
            raise Failure("PUT manifest by digest answered %d, Docker-Content-Digest %r, expected %s: %s"
                          % (r.status_code, r.headers.get("Docker-Content-Digest"), referrer_digest, r.text[:300]))
        if "OCI-Subject" in r.headers:
            raise Failure("the answer has OCI-Subject %r: a registry with the referrers API" % r.headers["OCI-Subject"])

    referrer_ok = check("upload_manifest PUTs the SBOM manifest (artifactType %s, subject v1) by digest; no OCI-Subject"
                        " header in the answer" % SBOM_TYPE, push_referrer)

    def fallback_absent():
        need(referrer_ok)
        r = admin.do_request("%s://%s" % (admin.prefix, container.manifest_url(fallback_tag)), "GET",
                             headers={"Accept": OCI_INDEX})
        if r.status_code != 404:
            raise Failure("GET manifests/%s answered %d, not 404" % (fallback_tag, r.status_code))
        errors = [e.get("code") for e in (r.json().get("errors") or [])]
        if errors != ["MANIFEST_UNKNOWN"]:
            raise Failure("errors %r" % errors)

    absent = check("the fallback tag sha256-<hex> does not exist yet (404 MANIFEST_UNKNOWN: start from an empty index)",
                   fallback_absent)

    index = None
    if referrer_ok:
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [{
            "mediaType": OCI_MANIFEST, "digest": referrer_digest, "size": len(referrer_bytes),
            "artifactType": SBOM_TYPE, "annotations": {"org.opencontainers.image.created": CREATED}}]}
    index_bytes = canonical(index) if index else None
    index_digest = sha256(index_bytes) if index_bytes else None

    def push_fallback():
        need(absent, index)
        r = admin.do_request("%s://%s" % (admin.prefix, container.manifest_url(fallback_tag)), "PUT",
                             data=index_bytes, headers={"Content-Type": OCI_INDEX})
        if r.status_code != 201 or r.headers.get("Docker-Content-Digest") != index_digest:
            raise Failure("PUT manifests/%s answered %d, Docker-Content-Digest %r, expected %s: %s"
                          % (fallback_tag, r.status_code, r.headers.get("Docker-Content-Digest"), index_digest,
                             r.text[:300]))

    fallback_ok = check("PUT the referrers tag schema index at sha256-<hex of the v1 digest>, listing the SBOM",
                        push_fallback)

    def discover():
        need(fallback_ok)
        idx = admin.get_manifest(ref(fallback_tag), allowed_media_type=[OCI_INDEX])
        found = [d for d in idx.get("manifests") or [] if d.get("artifactType") == SBOM_TYPE]
        if [d.get("digest") for d in found] != [referrer_digest]:
            raise Failure("index at %s lists %r" % (fallback_tag, idx.get("manifests")))
        m = admin.get_manifest(ref(found[0]["digest"]))
        if (m.get("subject") or {}).get("digest") != v1_digest or m.get("artifactType") != SBOM_TYPE:
            raise Failure("referrer subject %r, artifactType %r" % (m.get("subject"), m.get("artifactType")))

    check("get_manifest of the fallback tag finds the SBOM, whose subject is v1", discover)

    def pull_sbom():
        need(referrer_ok)
        out = os.path.join(work, "pulled-sbom")
        files = admin.pull(target=ref(referrer_digest), config_path=admin_cfg, outdir=out)
        if [os.path.relpath(p, out) for p in files] != ["sbom.spdx.json"]:
            raise Failure("pulled %r" % files)
        with open(files[0], "rb") as f:
            if f.read() != SBOM:
                raise Failure("pulled SBOM bytes differ")

    check("pull the SBOM by digest gives sbom.spdx.json back byte for byte", pull_sbom)

    # 3. What REST and tags/list say ------------------------------------------------------------------
    expected = None
    if v1_digest and referrer_ok and fallback_ok:
        expected = {v1_digest: ["v1"], referrer_digest: [], index_digest: [fallback_tag]}

    def rest_package():
        p = gh_get(base, ADMIN, "/user/packages/container/" + PACKAGE)
        got = (p.get("name"), p.get("package_type"), p.get("visibility"), (p.get("owner") or {}).get("login"))
        if got != (PACKAGE, "container", "private", "octocat"):
            raise Failure("name, package_type, visibility, owner: %r" % (got,))
        if expected is not None and p.get("version_count") != len(expected):
            raise Failure("version_count %r, not %d" % (p.get("version_count"), len(expected)))

    check("REST: GET /user/packages/container/oras-art is octocat's private container package, 3 versions",
          rest_package)

    def rest_versions():
        need(expected)
        versions = gh_versions(base, ADMIN, PACKAGE)
        got = {v.get("name"): sorted(((v.get("metadata") or {}).get("container") or {}).get("tags") or [])
               for v in versions}
        if got != expected or len(versions) != len(expected):
            raise Failure("%d versions %s, expected %s" % (len(versions), json.dumps(got, sort_keys=True),
                                                           json.dumps(expected, sort_keys=True)))

    check("REST: the versions are exactly the 3 manifests: v1 on the artifact, none on the SBOM, sha256-<hex> on"
          " the index", rest_versions)

    def tags_are(want):
        need(fallback_tag)
        got = admin.get_tags(ref("v1"))
        if got != want:
            raise Failure("tags %r, not %r" % (got, want))

    both = [fallback_tag, "v1"] if fallback_tag else None
    check("get_tags (GET /v2/%s/tags/list) lists sha256-<hex> and v1" % NAME, tags_are, both)

    # 4. A token without write:packages cannot push ---------------------------------------------------
    reader = oras.client.OrasClient(hostname=host, insecure=True)
    reader_cfg = os.path.join(work, "reader", "config.json")
    refusals = []

    def record(response, *args, **kwargs):
        if response.status_code >= 400 and response.request.method != "HEAD":
            refusals.append((response.request.method, response.url, response.status_code, response.content))

    reader.session.hooks["response"].append(record)

    def denied_push():
        reader.login(username="anything", password=READ_REPO, hostname=host, config_path=reader_cfg)
        del waits[:]
        try:
            r = reader.push(target=ref("denied"), files=["denied.txt:" + FILE_TYPE],
                            manifest_config="config.json:" + ARTIFACT_TYPE, config_path=reader_cfg, quiet=True)
        except Exception as e:  # noqa: BLE001
            raised = e
        else:
            raise Failure("push succeeded: %d" % r.status_code)
        note("oras-py raised %s(%r) after %d retries (backoff skipped: %s s)"
             % (type(raised).__name__, str(raised), len(waits), "+".join(str(w) for w in waits) or "0"))
        if not refusals:
            raise Failure("oras raised %r but saw no refusal" % raised)
        bad = [(m, u, s, b[:200]) for m, u, s, b in refusals if s != 403]
        if bad:
            raise Failure("answers other than 403: %r" % bad)
        for method, url, status, body in refusals:
            errors = json.loads(body).get("errors") or []
            if not errors or errors[0].get("code") != "DENIED" or "permission_denied" not in errors[0].get("message", ""):
                raise Failure("%s %s %d: %r" % (method, url, status, body[:300]))
        method, url, status, body = refusals[0]
        note("the registry's refusal: %s %s -> %d %s" % (method, url, status, " ".join(body.decode().split())))
        text = str(raised).lower()
        if "denied" not in text and "permission" not in text:
            note("oras-py's exception does not carry the registry's DENIED message (its do_request raises on a 403"
                 " without WWW-Authenticate before reading the body)")

    check("a push with ghp_octocatReadRepo (no write:packages) is refused with 403 DENIED permission_denied and oras"
          " raises", denied_push)
    check("the refused push changed nothing: get_tags still lists sha256-<hex> and v1", tags_are, both)
    check("the refused push changed nothing: REST still has the 3 versions", rest_versions)

    return 0 if FAILED == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
