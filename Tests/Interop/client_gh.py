"""gh CLI (Debian `gh`): `gh api [--paginate] http://127.0.0.1:PORT/users/...`. A full http:// URL is used as
given (no GH_HOST needed); gh authenticates a non-github.com host with GH_ENTERPRISE_TOKEN, sent as
`Authorization: token T`. --paginate adds per_page=100 unless the URL has per_page, and follows
`Link: rel="next"`. On an HTTP error gh prints the body on stdout, `gh: MESSAGE (HTTP STATUS)` on stderr and
exits 1. The API version is chosen with -H "X-GitHub-Api-Version: V". The rest of the packages API:
`gh api --paginate` over a version list of several pages (directly and under /api/v3) and `gh api` on
packages, versions, conflicts and the account routes.

The cleanup scenario (SPEC §15-§17), between two `POST /_emulator/reset`s: a retention script in bash, as
people write them over gh: `gh api --paginate` lists the versions with --jq, a `while read` loop keeps the 2
newest tagged ones and `gh api -X DELETE`s the rest; again with 1 and 0 to keep (the last tagged one: HTTP
400); then `gh api -X DELETE` the package, `gh api -X POST …/restore`, and the listings after each step."""
import json
import os
import subprocess
import tempfile
import time
from urllib.parse import urlsplit

from interop_common import (CheckFailed, Reporter, WriteScenario, base_url, epoch_of, expect_equal, export,
                            export_package, iso, load_expected)

E = load_expected()
BASE = base_url()
T = E["tokens"]
R = Reporter("gh")
GH = os.environ.get("GH_BIN", "gh")
CONFIG = tempfile.mkdtemp(prefix="interop-gh-")  # no user config, no stored hosts


def gh_env(token):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GH_", "GITHUB_"))}
    env.update(GH_ENTERPRISE_TOKEN=token, GH_CONFIG_DIR=CONFIG, GH_NO_UPDATE_NOTIFIER="1", GH_PROMPT_DISABLED="1",
               NO_COLOR="1")
    return env


def gh(token, *args):
    return subprocess.run([GH, "api", *args], env=gh_env(token), capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def bash(token, script, **variables):
    """`bash -c SCRIPT` with gh's environment (GH_BIN as `gh` on PATH's behalf: $GH) and the given variables."""
    env = gh_env(token)
    env.update(GH=GH, **{k: str(v) for k, v in variables.items()})
    return subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def url(username, query):
    return "%s/users/%s/packages?%s" % (BASE, username, query)


def ok(p):
    if p.returncode != 0:
        raise CheckFailed("gh exited %d: %s" % (p.returncode, (p.stderr or p.stdout).strip()[:400]))
    return p.stdout


def split_include(out):
    """`gh api -i` prints the status line and the headers, a blank line, then the body."""
    head, _, body = out.replace("\r\n", "\n").partition("\n\n")
    lines = head.split("\n")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return lines[0], headers, body


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


def expect_gh_error(p, status, message, hint=None):
    expect_equal("exit code", p.returncode, 1)
    want = ["gh: %s (HTTP %d)" % (message, status)]
    if hint:
        # gh compares X-Accepted-OAuth-Scopes with X-OAuth-Scopes and names the missing scope
        want.append("gh: This API operation needs the \"%s\" scope. To request it, run:  gh auth refresh -h %s -s %s"
                    % (hint, urlsplit(BASE).hostname, hint))
    expect_equal("stderr lines", p.stderr.strip().split("\n"), want)
    body = json.loads(p.stdout)
    expect_equal("body message", body.get("message"), message)
    expect_equal("body status", body.get("status"), str(status))


for v in E["versions"]:
    hv = ["-H", "X-GitHub-Api-Version: " + v]

    def filtered(hv=hv, v=v):
        f = E["filtered"]
        u = url(f["username"], "package_type=%s&visibility=%s" % (f["package_type"], f["visibility"]))
        out = ok(gh(T["full"], *hv, u, "--jq", ".[].name"))
        expect_equal("names (--jq)", out.split(), f["names"])
        status, headers, body = split_include(ok(gh(T["full"], *hv, "-i", u)))
        expect_equal("status line", status.split(" ", 2)[1:2], ["200"])
        expect_equal("X-GitHub-Api-Version-Selected", headers.get("x-github-api-version-selected"), v)
        expect_equal("Content-Type", headers.get("content-type"), "application/json; charset=utf-8")
        expect_equal("X-OAuth-Scopes", headers.get("x-oauth-scopes"), "read:packages, repo")
        expect_equal("X-Accepted-OAuth-Scopes", headers.get("x-accepted-oauth-scopes"), "read:packages")
        expect_equal("names (-i body)", [p["name"] for p in json.loads(body)], f["names"])
    R.check("%s filtered listing npm/public, names in order" % v, filtered)

    def maven(hv=hv, v=v):
        m = E["maven"]
        data = json.loads(ok(gh(T["full"], *hv, url(m["username"], "package_type=" + m["package_type"]))))
        expect_equal("names", [p["name"] for p in data], m["names"])
        expect_equal("has_downloads present", ["has_downloads" in p["repository"] for p in data],
                     [v == "2022-11-28"] * len(data))
    R.check("%s maven listing (repository per version)" % v, maven)

    def paginate(hv=hv, per_page=None):
        b = E["bulk"]
        q = "package_type=" + b["package_type"] + ("&per_page=%d" % per_page if per_page else "")
        pages = json_stream(ok(gh(T["full"], *hv, "--paginate", url(b["username"], q))))
        expect_equal("names", [p["name"] for page in pages for p in page], b["names"])
        expect_equal("pages", len(pages), -(-len(b["names"]) // (per_page or 100)))
        out = ok(gh(T["full"], *hv, "--paginate", url(b["username"], q), "--jq", ".[].name"))
        expect_equal("names (--jq)", out.split(), b["names"])
    R.check("%s --paginate %s (gh's per_page=100), complete and in order" % (v, E["bulk"]["username"]), paginate)
    R.check("%s --paginate %s per_page=30, complete and in order" % (v, E["bulk"]["username"]),
            lambda hv=hv: paginate(hv, 30))

    R.check("%s 401 unknown token -> exit 1, gh: Bad credentials (HTTP 401)" % v, lambda hv=hv: expect_gh_error(
        gh(T["unknown"], *hv, url(E["owner"], "package_type=npm")), 401, E["messages"]["401"]))

    R.check("%s 403 token without read:packages -> exit 1, HTTP 403" % v, lambda hv=hv: expect_gh_error(
        gh(T["noscope"], *hv, url(E["owner"], "package_type=npm")), 403, E["messages"]["403_scope"]))

    R.check("%s 403 maven without repo scope (--paginate) -> exit 1, HTTP 403" % v, lambda hv=hv: expect_gh_error(
        gh(T["norepo"], *hv, "--paginate", url(E["owner"], "package_type=maven")), 403, E["messages"]["403_repo"], hint="repo"))

    R.check("%s 404 unknown user -> exit 1, gh: Not Found (HTTP 404)" % v, lambda hv=hv: expect_gh_error(
        gh(T["full"], *hv, url(E["missing_user"], "package_type=npm")), 404, E["messages"]["404"]))


# --- The rest of the packages API (SPEC §13-§19): `gh api --paginate` over a version list of several pages,
# `gh api` on single packages and versions, directly and under GHES's /api/v3 ----------------------------------
O = E["org"]
ME = E["me"]
M = E["messages"]
ORG = O["login"]
WEB = O["web"]
BIG = O["big"]


def org_url(rest, prefix=""):
    return "%s%s/orgs/%s/packages/%s" % (BASE, prefix, ORG, rest)


for v in E["versions"]:
    hv = ["-H", "X-GitHub-Api-Version: " + v]

    for prefix in ("", E["ghes_prefix"]):
        def paginate_versions(hv=hv, prefix=prefix):
            u = org_url("npm/%s/versions?per_page=%d" % (BIG["name"], BIG["per_page"]), prefix)
            pages = json_stream(ok(gh(T["full"], *hv, "--paginate", u)))
            expect_equal("pages", len(pages), BIG["pages"])
            expect_equal("page sizes", [len(p) for p in pages],
                         [min(BIG["per_page"], len(BIG["version_ids"]) - i * BIG["per_page"]) for i in range(BIG["pages"])])
            ids = [x["id"] for page in pages for x in page]
            expect_equal("each id once", len(set(ids)), len(ids))
            expect_equal("ids, newest first", ids, BIG["version_ids"])
            expect_equal("url of each version", {x["url"].rsplit("/versions/", 1)[0] for page in pages for x in page},
                         {org_url("npm/" + BIG["name"], prefix)})
            out = ok(gh(T["full"], *hv, "--paginate", u, "--jq", ".[].name"))
            expect_equal("names (--jq)", out.split(), BIG["version_names"])
        R.check("%s --paginate %s versions per_page=%d: %d pages, each id once, newest first%s"
                % (v, BIG["name"], BIG["per_page"], BIG["pages"], " (under %s)" % prefix if prefix else ""), paginate_versions)

        def get_package(hv=hv, prefix=prefix):
            status, headers, body = split_include(ok(gh(T["full"], *hv, "-i", org_url("container/" + WEB["path_name"], prefix))))
            expect_equal("status line", status.split(" ", 2)[1:2], ["200"])
            p = json.loads(body)
            expect_equal("(id, name, version_count, url)", (p["id"], p["name"], p["version_count"], p["url"]),
                         (WEB["id"], WEB["name"], WEB["version_count"], org_url("container/" + WEB["path_name"], prefix)))
            expect_equal("X-GitHub-Api-Version-Selected", headers.get("x-github-api-version-selected"), v)
            expect_equal("X-Accepted-OAuth-Scopes", headers.get("x-accepted-oauth-scopes"), "read:packages")
            expect_equal("ETag is weak", headers.get("etag", "")[:3], 'W/"')
            want = WEB["versions"][1]
            x = json.loads(ok(gh(T["full"], *hv, org_url("container/%s/versions/%d" % (WEB["path_name"], want["id"]), prefix))))
            expect_equal("version (id, name, tags)", (x["id"], x["name"], x["metadata"]["container"]["tags"]),
                         (want["id"], want["name"], want["tags"]))
        R.check("%s gh api get package (%%2F) and version%s" % (v, " (under %s)" % prefix if prefix else ""), get_package)

    def other_reads(hv=hv):
        out = ok(gh(T["full"], *hv, "%s/orgs/%s/docker/conflicts" % (BASE, ORG), "--jq", ".[].name"))
        expect_equal("conflicts", out.split(), O["conflicts"]["admin"])
        out = ok(gh(T["full"], *hv, org_url("container/%s/versions?state=deleted" % WEB["path_name"]), "--jq", ".[].id"))
        expect_equal("state=deleted ids", [int(i) for i in out.split()], [w["id"] for w in WEB["deleted"]])
        mv = ME["versions"]
        out = ok(gh(T["full"], *hv, "--paginate", "%s/user/packages/%s/%s/versions" % (BASE, mv["package_type"], mv["name"]),
                    "--jq", ".[].id"))
        expect_equal("/user versions ids", [int(i) for i in out.split()], mv["ids"])
        out = ok(gh(T["full"], *hv, "%s/user" % BASE, "--jq", ".login"))
        expect_equal("GET /user login", out.strip(), ME["login"])
        out = ok(gh(T["full"], *hv, "%s/users/%s" % (BASE, ORG), "--jq", ".type"))
        expect_equal("GET /users/{org} type", out.strip(), "Organization")
        out = ok(gh(T["full"], *hv, "%s/rate_limit" % BASE, "--jq", ".resources.core.limit, .resources.search.limit"))
        expect_equal("GET /rate_limit limits", out.split(), ["5000", "30"])
    R.check("%s gh api conflicts, state=deleted, /user versions, /user, /users/{org}, /rate_limit" % v, other_reads)

    R.check("%s 404 member gets a private package -> gh: Package not found. (HTTP 404)" % v, lambda hv=hv: expect_gh_error(
        gh(T["member"], *hv, org_url("container/" + WEB["path_name"])), 404, M["404_package"]))

    R.check("%s 404 deleted version -> gh: Package version not found. (HTTP 404)" % v, lambda hv=hv: expect_gh_error(
        gh(T["full"], *hv, org_url("container/%s/versions/%d" % (WEB["path_name"], WEB["deleted"][0]["id"]))),
        404, M["404_version"]))

    R.check("%s 403 maven package without repo scope -> gh names the missing scope" % v, lambda hv=hv: expect_gh_error(
        gh(T["norepo"], *hv, org_url("maven/" + O["maven"]["name"])), 403, M["403_get_repo"], hint="repo"))

    R.check("%s 404 collaborator asks state=deleted (not an admin) -> HTTP 404" % v, lambda hv=hv: expect_gh_error(
        gh(T["collaborator"], *hv, "--paginate", org_url("container/%s/versions?state=deleted" % WEB["path_name"])),
        404, M["404_package"]))


# --- Cleanup (SPEC §15-§17): a retention script over `gh api`, as people write them ----------------------------
C = E["cleanup"]
CO = C["org"]

# Keep the $KEEP newest tagged versions, delete the rest. The listing is read to the end before the first delete
# (a delete while paging would shift the pages); per_page=4 makes gh follow rel="next" once.
RETENTION_SH = r"""
set -u
api="$API/orgs/$ORG/packages/container/$NAME"
list="$(mktemp)"; err="$(mktemp)"; trap 'rm -f "$list" "$err"' EXIT
"$GH" api --paginate -H "X-GitHub-Api-Version: $V" "$api/versions?per_page=4" \
    --jq '.[] | "\(.id) \(.metadata.container.tags | length)"' >"$list" || exit 2
kept=0
while read -r id ntags; do
    if [ "$ntags" -gt 0 ] && [ "$kept" -lt "$KEEP" ]; then
        kept=$((kept + 1)); echo "keep $id"; continue
    fi
    if "$GH" api -X DELETE -H "X-GitHub-Api-Version: $V" "$api/versions/$id" --silent </dev/null 2>"$err"; then
        echo "deleted $id"
    else
        echo "refused $id: $(cat "$err")"
    fi
done <"$list"
"""


def plan(versions, keep, refusal=None):
    """The lines RETENTION_SH must print over `versions` (newest first)."""
    out, kept = [], 0
    for w in versions:
        if w["tags"] and kept < keep:
            kept += 1
            out.append("keep %d" % w["id"])
        elif refusal:
            out.append("refused %d: gh: %s (HTTP 400)" % (w["id"], refusal))
        else:
            out.append("deleted %d" % w["id"])
    return out


for v, prefix in zip(E["versions"], ("", E["ghes_prefix"])):
    hv = ["-H", "X-GitHub-Api-Version: " + v]
    tok = T["cleanup"]
    api = "%s%s/orgs/%s/packages/container/%s" % (BASE, prefix, CO["owner"], CO["path_name"])
    listing = "%s%s/orgs/%s/packages?package_type=container" % (BASE, prefix, CO["owner"])
    where = " (under %s)" % prefix if prefix else ""
    by_id = {w["id"]: w for w in CO["versions"]}

    with WriteScenario(R, "%s gh cleanup script%s" % (v, where)):
        state = {}

        def run(keep, want, v=v, prefix=prefix):
            p = bash(tok, RETENTION_SH, API=BASE + prefix, ORG=CO["owner"], NAME=CO["path_name"], V=v, KEEP=keep)
            expect_equal("script exit status (stderr %r)" % p.stderr.strip()[:300], p.returncode, 0)
            expect_equal("script output", p.stdout.strip().split("\n"), want)

        def retention_run(hv=hv, api=api):
            state["start"] = time.time()
            run(C["keep"], plan(CO["versions"], C["keep"]))
            state["end"] = time.time()
            out = ok(gh(tok, *hv, "--paginate", api + "/versions", "--jq", ".[].id"))
            expect_equal("versions left", [int(i) for i in out.split()], CO["kept"])
            out = ok(gh(tok, *hv, api + "/versions?state=deleted", "--jq", ".[] | \"\\(.id) \\(.deleted_at)\""))
            got = [line.split(" ") for line in out.strip().split("\n")]
            expect_equal("state=deleted ids", [int(i) for i, _ in got], CO["deletes"] + [CO["reused"]["id"]])
            for i, when in got:
                if int(i) != CO["reused"]["id"] and not int(state["start"]) - 1 <= epoch_of(when) <= state["end"] + 1:
                    raise CheckFailed("version %s: deleted_at %s, want %s..%s (the real clock)"
                                      % (i, when, iso(state["start"]), iso(state["end"])))
            out = ok(gh(tok, *hv, api, "--jq", ".version_count"))
            expect_equal("version_count", out.strip(), str(len(CO["kept"])))
        R.check("%s bash: gh api --paginate | while read: keep the %d newest tagged, gh api -X DELETE the rest%s"
                % (v, C["keep"], where), retention_run)

        def exported():
            p = export_package(export(), CO["owner"], CO["id"])
            dated = {x["id"]: x.get("deleted_at") for x in p["versions"]}
            expect_equal("versions with deleted_at",
                         sorted(i for i, d in dated.items() if d), sorted(CO["deletes"] + [CO["reused"]["id"]]))
            expect_equal("deleted_at of the script's deletes", {dated[i] for i in CO["deletes"]} <=
                         {iso(t) for t in range(int(state["start"]) - 1, int(state["end"]) + 2)}, True)
        R.check("%s GET /_emulator/fixtures/export shows the script's deletes with deleted_at%s" % (v, where), exported)

        def last_tagged(hv=hv, api=api):
            left = [by_id[i] for i in CO["kept"]]
            run(1, plan(left, 1))
            run(0, plan(left[:1], 0, refusal=M["400_last_tagged"]))
            expect_gh_error(gh(tok, *hv, "-X", "DELETE", "%s/versions/%d" % (api, CO["last_tagged"])), 400,
                            M["400_last_tagged"])
            out = ok(gh(tok, *hv, api + "/versions", "--jq", ".[].id"))
            expect_equal("versions left", [int(i) for i in out.split()], [CO["last_tagged"]])
        R.check("%s the script again with 1 to keep, then 0: HTTP 400 on the last tagged version%s" % (v, where),
                last_tagged)

        def package(hv=hv, api=api, listing=listing, prefix=prefix):
            status, headers, body = split_include(ok(gh(tok, *hv, "-i", "-X", "DELETE", api)))
            expect_equal("status line", status.split(" ", 2)[1:], ["204", "No Content"])
            expect_equal("no Content-Type", headers.get("content-type"), None)
            expect_equal("X-Accepted-OAuth-Scopes", headers.get("x-accepted-oauth-scopes"), "delete:packages, read:packages")
            expect_equal("body", body.strip(), "")
            expect_gh_error(gh(tok, *hv, api), 404, M["404_package"])
            expect_gh_error(gh(tok, *hv, "-X", "DELETE", api), 404, M["404_package"])
            out = ok(gh(tok, *hv, "--paginate", listing, "--jq", ".[].name"))
            expect_equal("listing without it", out.split(), CO["others"])
            expect_equal("restore: stdout", ok(gh(tok, *hv, "-X", "POST", api + "/restore")), "")
            out = ok(gh(tok, *hv, api, "--jq", "[.id, .version_count, .url] | @tsv"))
            expect_equal("restored (id, version_count, url)", out.strip().split("\t"), [str(CO["id"]), "1", api])
            out = ok(gh(tok, *hv, api + "/versions", "--jq", ".[].id"))
            expect_equal("back with the version it had", [int(i) for i in out.split()], [CO["last_tagged"]])
            out = ok(gh(tok, *hv, "--paginate", listing, "--jq", ".[].name"))
            expect_equal("listing with it", out.split(), O["container"]["admin"])
        R.check("%s gh api -X DELETE the package (204), 404 after, gh api -X POST …/restore, the listings%s"
                % (v, where), package)

        def refusals(hv=hv, api=api):
            expect_gh_error(gh(T["full"], *hv, "-X", "DELETE", "%s/versions/%d" % (api, CO["kept"][0])), 403,
                            M["403_delete_version_scope"], hint="delete:packages")
            expect_gh_error(gh(T["delete_only"], *hv, "-X", "POST", api + "/restore"), 403, M["403_restore_scope"],
                            hint="write:packages")
        R.check("%s 403 without delete:packages, without write:packages: gh names the missing scope%s" % (v, where), refusals)

R.exit()
