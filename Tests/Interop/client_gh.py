"""gh CLI (Debian `gh`): `gh api [--paginate] http://127.0.0.1:PORT/users/...`. A full http:// URL is used as
given (no GH_HOST needed); gh authenticates a non-github.com host with GH_ENTERPRISE_TOKEN, sent as
`Authorization: token T`. --paginate adds per_page=100 unless the URL has per_page, and follows
`Link: rel="next"`. On an HTTP error gh prints the body on stdout, `gh: MESSAGE (HTTP STATUS)` on stderr and
exits 1. The API version is chosen with -H "X-GitHub-Api-Version: V"."""
import json
import os
import subprocess
import tempfile
from urllib.parse import urlsplit

from interop_common import CheckFailed, Reporter, base_url, expect_equal, load_expected

E = load_expected()
BASE = base_url()
T = E["tokens"]
R = Reporter("gh")
GH = os.environ.get("GH_BIN", "gh")
CONFIG = tempfile.mkdtemp(prefix="interop-gh-")  # no user config, no stored hosts


def gh(token, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GH_", "GITHUB_"))}
    env.update(GH_ENTERPRISE_TOKEN=token, GH_CONFIG_DIR=CONFIG, GH_NO_UPDATE_NOTIFIER="1", GH_PROMPT_DISABLED="1",
               NO_COLOR="1")
    return subprocess.run([GH, "api", *args], env=env, capture_output=True, text=True, timeout=60)


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

R.exit()
