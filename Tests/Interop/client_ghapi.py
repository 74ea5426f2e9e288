"""ghapi (fast.ai): operations generated from GitHub's OpenAPI description; `paged` asks for page 1, 2, ...
until a page comes back empty (it does not read `Link`); `last_page()` reads `page=` of `Link: rel="last"`.
Errors raise fasttransport's APIError carrying the HTTP status. The API version is chosen per call with
`headers_`."""

from fasttransport.errors import APIError
from ghapi.all import GhApi
from ghapi.page import sync_paged, sync_pages

from interop_common import Reporter, base_url, expect_equal, expect_raises, load_expected

E = load_expected()
BASE = base_url()
T = E["tokens"]
R = Reporter("ghapi")


def api(token):
    return GhApi(token=token, gh_host=BASE, sync=True)


def error(status, message):
    def check(e: APIError):
        expect_equal("status", e.status_code, status)
        expect_equal("message", e.message, message)
    return check


for v in E["versions"]:
    hv = {"X-GitHub-Api-Version": v}
    full = api(T["full"])

    def filtered(full=full, hv=hv, v=v):
        f = E["filtered"]
        pkgs = full.packages.list_packages_for_user(f["username"], package_type=f["package_type"],
                                                    visibility=f["visibility"], headers_=hv)
        expect_equal("names", [p.name for p in pkgs], f["names"])
        expect_equal("X-GitHub-Api-Version-Selected", full.recv_hdrs.get("X-GitHub-Api-Version-Selected"), v)
    R.check("%s filtered listing npm/public, names in order" % v, filtered)

    def bulk(full=full, hv=hv, per_page=100):
        b = E["bulk"]
        pages = list(sync_paged(full.packages.list_packages_for_user, b["username"], package_type=b["package_type"],
                                per_page=per_page, headers_=hv))
        names = [p.name for page in pages for p in page]
        expect_equal("names", names, b["names"])
        expect_equal("pages", len(pages), -(-len(b["names"]) // per_page))
        # the last request was the page past the end: it must be an empty 200
        expect_equal("page past the end answered", full.recv_hdrs.get("Link", "").count('rel="next"'), 0)
    R.check("%s paged over %s, per_page=100, complete and in order (stops on the empty page)"
            % (v, E["bulk"]["username"]), bulk)
    R.check("%s paged over %s, per_page=30" % (v, E["bulk"]["username"]),
            lambda full=full, hv=hv: bulk(full, hv, 30))

    def last_page(full=full, hv=hv):
        b = E["bulk"]
        full.packages.list_packages_for_user(b["username"], package_type=b["package_type"], per_page=30, headers_=hv)
        expect_equal("last_page() from Link rel=last", full.last_page(), -(-len(b["names"]) // 30))
    R.check("%s last_page() reads Link rel=last" % v, last_page)

    def parallel(full=full, hv=hv):
        # ghapi's documented pattern: read last_page() from page 1, then fetch all pages at once
        # (sync_pages: 16 threads, each request on its own connection)
        b = E["bulk"]
        full.packages.list_packages_for_user(b["username"], package_type=b["package_type"], per_page=10, headers_=hv)
        n = full.last_page()
        expect_equal("last_page()", n, -(-len(b["names"]) // 10))
        pages = sync_pages(full.packages.list_packages_for_user, n, b["username"], package_type=b["package_type"],
                           per_page=10, headers_=hv)
        expect_equal("names", [p.name for page in pages for p in page], b["names"])
    R.check("%s sync_pages: 25 pages fetched in parallel, complete and in order" % v, parallel)

    R.check("%s 401 unknown token -> APIError 401" % v, lambda hv=hv: expect_raises(
        "401", lambda: api(T["unknown"]).packages.list_packages_for_user(E["owner"], package_type="npm", headers_=hv),
        APIError, error(401, E["messages"]["401"])))

    R.check("%s 403 token without read:packages -> APIError 403" % v, lambda hv=hv: expect_raises(
        "403", lambda: api(T["noscope"]).packages.list_packages_for_user(E["owner"], package_type="npm", headers_=hv),
        APIError, error(403, E["messages"]["403_scope"])))

    R.check("%s 403 maven without repo scope -> APIError 403" % v, lambda hv=hv: expect_raises(
        "403", lambda: api(T["norepo"]).packages.list_packages_for_user(E["owner"], package_type="maven", headers_=hv),
        APIError, error(403, E["messages"]["403_repo"])))

    R.check("%s 404 unknown user -> APIError 404" % v, lambda full=full, hv=hv: expect_raises(
        "404", lambda: full.packages.list_packages_for_user(E["missing_user"], package_type="npm", headers_=hv),
        APIError, error(404, E["messages"]["404"])))

R.exit()
