"""githubkit: the typed client. Every 200 body is parsed into githubkit's pydantic models, which are
generated from GitHub's REST API description of each version (a wrong type, a missing required field or
an enum value outside the description fails the parse).

Calls `rest(V).packages.list_packages_for_user` for V in 2022-11-28 and 2026-03-10, and `rest(V).paginate`
(githubkit follows the `Link: rel="next"` URL, octokit-style)."""
import json

import httpx
import pydantic
from githubkit import GitHub, TokenAuthStrategy, UnauthAuthStrategy
from githubkit.exception import RequestFailed

from interop_common import CheckFailed, Reporter, base_url, expect_equal, expect_raises, load_expected

E = load_expected()
BASE = base_url()
T = E["tokens"]
R = Reporter("githubkit")

sent = []  # (method, url, X-GitHub-Api-Version sent) of every request, via httpx's event hook


answered = []  # X-GitHub-Api-Version-Selected of every response


def _record(request: httpx.Request):
    sent.append((request.method, str(request.url), request.headers.get("x-github-api-version")))


def _record_response(response: httpx.Response):
    answered.append(response.headers.get("x-github-api-version-selected"))


def client(token):
    # auto_retry off: the emulator must never answer 5xx or rate-limit here, and a retry would hide it.
    return GitHub(TokenAuthStrategy(token) if token else UnauthAuthStrategy(), base_url=BASE, auto_retry=False,
                  event_hooks={"request": [_record], "response": [_record_response]})


full = client(T["full"])
# githubkit namespaces hold their client weakly: keep every client referenced
clients = {k: client(T[k]) for k in ("unknown", "noscope", "norepo")}
clients["anonymous"] = client(None)


def status_and_message(status, message):
    def check(e: RequestFailed):
        expect_equal("status", e.response.status_code, status)
        body = e.response.json()
        expect_equal("message", body.get("message"), message)
        expect_equal("status field", body.get("status"), str(status))
        if status in (401, 403):
            # githubkit parses 401/403 into its BasicError model
            expect_equal("parsed message", e.response.parsed_data.message, message)
    return check


for v in E["versions"]:
    rest = full.rest(v)

    def filtered(rest=rest, v=v):
        f = E["filtered"]
        resp = rest.packages.list_packages_for_user(f["username"], package_type=f["package_type"],
                                                    visibility=f["visibility"])
        pkgs = resp.parsed_data  # typed: list[Package] of this API version
        expect_equal("names", [p.name for p in pkgs], f["names"])
        expect_equal("visibility", {p.visibility for p in pkgs}, {"public"})
        expect_equal("owner.login", {p.owner.login for p in pkgs if p.owner}, {E["owner"]})
        expect_equal("X-GitHub-Api-Version-Selected", resp.headers.get("x-github-api-version-selected"), v)
        expect_equal("Link (one page)", resp.headers.get("link"), None)
    R.check("%s filtered listing npm/public, names in order" % v, filtered)

    def maven(rest=rest, v=v):
        m = E["maven"]
        resp = rest.packages.list_packages_for_user(m["username"], package_type=m["package_type"])
        pkgs = resp.parsed_data
        expect_equal("names", [p.name for p in pkgs], m["names"])
        expect_equal("repository.name", [p.repository.name if p.repository else None for p in pkgs],
                     m["repositories"])
        raw = json.loads(resp.content)
        # 2026-03-10 dropped minimal-repository.has_downloads; 2022-11-28 has it
        expect_equal("has_downloads present", ["has_downloads" in p["repository"] for p in raw],
                     [v == "2022-11-28"] * len(raw))
    R.check("%s maven listing with typed repository (has_downloads per version)" % v, maven)

    def internal(rest=rest):
        # SPEC §5 (choice): an internal package is rendered "internal"; GitHub's schema allows only
        # public/private, so githubkit's typed model refuses it. The suite keeps internal packages out of
        # every other githubkit listing; this check pins the documented exception.
        i = E["internal"]
        resp = rest.packages.list_packages_for_user(i["username"], package_type=i["package_type"],
                                                    visibility=i["visibility"])
        raw = json.loads(resp.content)
        expect_equal("raw names", [p["name"] for p in raw], i["names"])
        expect_equal("raw visibility", [p["visibility"] for p in raw], ["internal"] * len(i["names"]))
        expect_raises("typed parse", lambda: resp.parsed_data, pydantic.ValidationError)
    R.check("%s visibility=internal: rendered \"internal\", refused by the typed model (SPEC §5)" % v, internal)

    def revalidate(rest=rest, per_page=2 if v == "2022-11-28" else 3):  # own URL per version
        # githubkit caches through hishel and sends Cache-Control: no-cache, so a repeated request is
        # revalidated with If-None-Match: the emulator's weak ETag must come back as a 304
        f = E["filtered"]
        first = rest.packages.list_packages_for_user(f["username"], package_type=f["package_type"], per_page=per_page)
        etag = first.headers.get("etag", "")
        if not etag.startswith('W/"'):
            raise CheckFailed("ETag: got %r, want a weak tag W/\"...\"" % etag)
        again = rest.packages.list_packages_for_user(f["username"], package_type=f["package_type"], per_page=per_page)
        ext = again.raw_response.extensions
        expect_equal("second answer revalidated (304) and served from hishel's cache",
                     (ext.get("hishel_revalidated"), ext.get("hishel_from_cache")), (True, True))
        expect_equal("cached body", [p.name for p in again.parsed_data], [p.name for p in first.parsed_data])
    R.check("%s repeated request revalidated by ETag (hishel cache, 304)" % v, revalidate)

    def paginate(rest=rest, v=v, per_page=100 if v == "2022-11-28" else None):
        b = E["bulk"]
        kw = {"per_page": per_page} if per_page else {}
        start = len(sent)
        # GitHub.rest is the version switcher; it owns paginate (rest.paginate in githubkit's docs)
        pages = full.rest.paginate(rest.packages.list_packages_for_user, username=b["username"],
                              package_type=b["package_type"], **kw)
        names = [p.name for p in pages]
        expect_equal("names", names, b["names"])
        n = len(b["names"])
        want_requests = -(-n // (per_page or 30))
        expect_equal("requests made", len(sent) - start, want_requests)
        # every page after the first is the URL the previous Link rel="next" named
        urls = [u for (_, u, _) in sent[start + 1:]]
        expect_equal("later pages asked by page=", ["page=%d" % (i + 2) in u for i, u in enumerate(urls)],
                     [True] * len(urls))
        expect_equal("finalized", pages.finalized, True)
    R.check("%s paginate %s user, per_page=%s, complete and in order"
            % (v, E["bulk"]["username"], 100 if v == "2022-11-28" else "default"), paginate)

    def paginate_pinned(rest=rest, v=v):
        # githubkit sends X-GitHub-Api-Version only on the first page of rest.paginate (later pages get the
        # kwargs' headers only); passing the header keeps every page on the version
        b = E["bulk"]
        start = len(answered)
        pages = full.rest.paginate(rest.packages.list_packages_for_user, username=b["username"],
                                   package_type=b["package_type"], per_page=100, headers={"X-GitHub-Api-Version": v})
        expect_equal("names", [p.name for p in pages], b["names"])
        expect_equal("X-GitHub-Api-Version-Selected of each page", answered[start:], [v] * -(-len(b["names"]) // 100))
    R.check("%s paginate with the version header on every page" % v, paginate_pinned)

    R.check("%s 401 unknown token -> RequestFailed 401" % v, lambda v=v: expect_raises(
        "401", lambda: clients["unknown"].rest(v).packages.list_packages_for_user(
            E["owner"], package_type="npm").parsed_data,
        RequestFailed, status_and_message(401, E["messages"]["401"])))

    R.check("%s 401 no token -> RequestFailed 401 Requires authentication" % v, lambda v=v: expect_raises(
        "401", lambda: clients["anonymous"].rest(v).packages.list_packages_for_user(
            E["owner"], package_type="npm").parsed_data,
        RequestFailed, status_and_message(401, E["messages"]["401_anonymous"])))

    R.check("%s 403 token without read:packages -> RequestFailed 403" % v, lambda v=v: expect_raises(
        "403", lambda: clients["noscope"].rest(v).packages.list_packages_for_user(
            E["owner"], package_type="npm").parsed_data,
        RequestFailed, status_and_message(403, E["messages"]["403_scope"])))

    R.check("%s 403 maven without repo scope -> RequestFailed 403" % v, lambda v=v: expect_raises(
        "403", lambda: clients["norepo"].rest(v).packages.list_packages_for_user(
            E["owner"], package_type="maven").parsed_data,
        RequestFailed, status_and_message(403, E["messages"]["403_repo"])))

    R.check("%s 404 unknown user -> RequestFailed 404" % v, lambda v=v: expect_raises(
        "404", lambda: full.rest(v).packages.list_packages_for_user(
            E["missing_user"], package_type="npm").parsed_data,
        RequestFailed, status_and_message(404, E["messages"]["404"])))

R.exit()
