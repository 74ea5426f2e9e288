"""ghapi (fast.ai): operations generated from GitHub's OpenAPI description; `paged` asks for page 1, 2, ...
until a page comes back empty (it does not read `Link`); `last_page()` reads `page=` of `Link: rel="last"`.
Errors raise fasttransport's APIError carrying the HTTP status. The API version is chosen per call with
`headers_`. The rest of the packages API goes through ghapi's generated `packages.*`, `users.*` and
`rate_limit.get` operations; those put path parameters in unescaped, so a container name with `/` goes
through ghapi's generic call with `route=` (which escapes it to %2F).

The cleanup scenario (SPEC §15-§17), between two `POST /_emulator/reset`s, through ghapi's generated write
operations on a user's own packages: `packages.delete_package_version_for_user` over a retention decision
(`raw_=True` shows the 204), the 400s for downloads and the last version, `delete_package_for_user`,
`restore_package_for_authenticated_user`, `restore_package_version_for_user`."""

from fasttransport.errors import APIError
from ghapi.all import GhApi
from ghapi.page import sync_paged, sync_pages

from interop_common import (CheckFailed, Reporter, WriteScenario, base_url, expect_equal, expect_raises,
                             load_expected)

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


# --- The rest of the packages API (SPEC §13-§19) through ghapi's generated `packages`, `users` and
# `rate_limit` operations ------------------------------------------------------------------------------------
O = E["org"]
ME = E["me"]
M = E["messages"]
ORG = O["login"]
WEB = O["web"]
BIG = O["big"]
LEGACY = O["legacy"]

for v in E["versions"]:
    hv = {"X-GitHub-Api-Version": v}
    full = api(T["full"])
    P = full.packages

    def org_ops(P=P, full=full, hv=hv, v=v):
        pkgs = P.list_packages_for_organization(ORG, package_type="container", headers_=hv)
        expect_equal("list names", [p.name for p in pkgs], O["container"]["admin"])
        expect_equal("X-GitHub-Api-Version-Selected", full.recv_hdrs.get("X-GitHub-Api-Version-Selected"), v)
        p = P.get_package_for_organization("container", LEGACY["name"], ORG, headers_=hv)
        expect_equal("get (id, name, owner.type)", (p.id, p.name, p.owner.type), (LEGACY["id"], LEGACY["name"], "Organization"))
        vs = P.get_all_package_versions_for_package_owned_by_org("container", LEGACY["name"], ORG, headers_=hv)
        expect_equal("versions (id, name, tags)", [(x.id, x.name, list(x.metadata.container.tags)) for x in vs],
                     [(w["id"], w["name"], w["tags"]) for w in LEGACY["versions"]])
        want = LEGACY["versions"][1]
        x = P.get_package_version_for_organization("container", LEGACY["name"], ORG, want["id"], headers_=hv)
        expect_equal("version (id, name)", (x.id, x.name), (want["id"], want["name"]))
        t = O["tools"]
        vs = P.get_all_package_versions_for_package_owned_by_org("npm", t["name"], ORG, headers_=hv)
        expect_equal("org-tools (id, license, description)", [(x.id, x.get("license"), x.get("description")) for x in vs],
                     [(w["id"], w["license"], w["description"]) for w in t["versions"]])
        c = P.list_docker_migration_conflicting_packages_for_organization(ORG, headers_=hv)
        expect_equal("conflicts", [p.name for p in c], O["conflicts"]["admin"])
    R.check("%s packages.*_for_organization / _owned_by_org operations" % v, org_ops)

    def user_ops(P=P, hv=hv):
        p = P.get_package_for_user("npm", BIG["name"], ORG, headers_=hv)
        expect_equal("/users/{org} get (id, url)", (p.id, p.url), (BIG["id"], "%s/orgs/%s/packages/npm/%s" % (BASE, ORG, BIG["name"])))
        vs = P.get_all_package_versions_for_package_owned_by_user("npm", BIG["name"], ORG, headers_=hv)
        expect_equal("/users/{org} versions, default per_page 30", [x.id for x in vs], BIG["version_ids"][:30])
        x = P.get_package_version_for_user("npm", BIG["name"], BIG["version_ids"][-1], ORG, headers_=hv)
        expect_equal("/users/{org} version (id, name)", (x.id, x.name), (BIG["version_ids"][-1], BIG["version_names"][-1]))
        c = P.list_docker_migration_conflicting_packages_for_user(ME["login"], headers_=hv)
        expect_equal("/users/{user} conflicts", [p.name for p in c], ME["conflicts"])
        mv = ME["versions"]
        pkgs = P.list_packages_for_authenticated_user(package_type="container", headers_=hv)
        expect_equal("/user list", [p.name for p in pkgs], ME["container"])
        p = P.get_package_for_authenticated_user(mv["package_type"], mv["name"], headers_=hv)
        expect_equal("/user get", (p.id, p.name), (mv["id"], mv["name"]))
        vs = P.get_all_package_versions_for_package_owned_by_authenticated_user(mv["package_type"], mv["name"], headers_=hv)
        expect_equal("/user versions", [(x.id, x.name) for x in vs], list(zip(mv["ids"], mv["names"])))
        x = P.get_package_version_for_authenticated_user(mv["package_type"], mv["name"], mv["ids"][2], headers_=hv)
        expect_equal("/user version", x.id, mv["ids"][2])
        c = P.list_docker_migration_conflicting_packages_for_authenticated_user(headers_=hv)
        expect_equal("/user conflicts", [p.name for p in c], ME["conflicts"])
    R.check("%s packages.*_for_user / _authenticated_user operations" % v, user_ops)

    def slash_name(full=full, P=P, hv=hv):
        # ghapi's generated operations put path parameters in unescaped: a name with "/" makes a path no route
        # matches (404 Not Found, SPEC §13); its generic call with route= escapes it to %2F and finds the package
        expect_raises("operation with a raw /", lambda: P.get_package_for_organization("container", WEB["name"], ORG, headers_=hv),
                      APIError, error(404, M["404"]))
        p = full("/orgs/{org}/packages/{package_type}/{package_name}", "GET", headers=hv,
                 route=dict(org=ORG, package_type="container", package_name=WEB["name"]))
        expect_equal("route= call (id, name)", (p.id, p.name), (WEB["id"], WEB["name"]))
        vs = full("/orgs/{org}/packages/{package_type}/{package_name}/versions", "GET", headers=hv,
                  route=dict(org=ORG, package_type="container", package_name=WEB["name"]), query={"state": "deleted"})
        expect_equal("route= versions state=deleted", [x.id for x in vs], [w["id"] for w in WEB["deleted"]])
    R.check("%s container name with /: raw -> 404 Not Found, route= (%%2F) -> the package" % v, slash_name)

    def paged_versions(full=full, P=P, hv=hv):
        pages = list(sync_paged(P.get_all_package_versions_for_package_owned_by_org, "npm", BIG["name"], ORG,
                                per_page=BIG["per_page"], headers_=hv))
        expect_equal("ids", [x.id for page in pages for x in page], BIG["version_ids"])
        expect_equal("pages", len(pages), BIG["pages"])
        P.get_all_package_versions_for_package_owned_by_org("npm", BIG["name"], ORG, per_page=BIG["per_page"], headers_=hv)
        expect_equal("last_page()", full.last_page(), BIG["pages"])
        past = P.get_all_package_versions_for_package_owned_by_org("npm", BIG["name"], ORG, per_page=BIG["per_page"],
                                                                   page=BIG["pages"] + 1, headers_=hv)
        expect_equal("page past the end", list(past), [])
    R.check("%s paged over %d versions of %s (stops on the empty page), last_page()" % (v, len(BIG["version_ids"]), BIG["name"]),
            paged_versions)

    def account(full=full, hv=hv):
        me = full.users.get_authenticated(headers_=hv)
        expect_equal("users.get_authenticated (login, id, type)", (me.login, me.id, me.type), (ME["login"], ME["id"], ME["type"]))
        o = full.users.get_by_username(ORG, headers_=hv)
        expect_equal("users.get_by_username(org) (login, id, type)", (o.login, o.id, o.type), (ORG, O["id"], "Organization"))
        rl = full.rate_limit.get(headers_=hv)
        expect_equal("rate_limit.get limits", (rl.resources.core.limit, rl.resources.search.limit, rl.resources.graphql.limit),
                     (5000, 30, 5000))
        expect_equal("rate == core", dict(rl.rate), dict(rl.resources.core))
    R.check("%s users.get_authenticated, users.get_by_username, rate_limit.get" % v, account)

    def errors(P=P, hv=hv):
        expect_raises("deleted package", lambda: P.get_package_for_organization("npm", O["deleted_package"], ORG, headers_=hv),
                      APIError, error(404, M["404_package"]))
        expect_raises("deleted version", lambda: P.get_package_version_for_organization(
            "container", LEGACY["name"], ORG, WEB["deleted"][0]["id"], headers_=hv), APIError, error(404, M["404_version"]))
        member = api(T["member"]).packages
        expect_raises("member: private package", lambda: member.get_package_for_organization(
            "container", "legacy-private", ORG, headers_=hv), APIError, error(404, M["404_package"]))
        expect_raises("fine-grained token", lambda: api(T["fine_grained"]).packages.get_package_for_organization(
            "npm", BIG["name"], ORG, headers_=hv), APIError, error(403, M["403_fine_grained"]))
        expect_raises("installation token on /user", lambda: api(T["installation"]).users.get_authenticated(headers_=hv),
                      APIError, error(403, M["403_integration"]))
    R.check("%s errors: 404 Package (version) not found., 403 token kinds" % v, errors)


# --- Cleanup (SPEC §15-§17): ghapi's generated write operations on a user's own packages -------------------------
C = E["cleanup"]
CU = C["user"]
IMG = CU["image"]
LIB = CU["lib"]


def no_content(what, resp):
    expect_equal(what + ": (status, body)", (resp.status_code, resp.content), (204, b""))


for v in E["versions"]:
    hv = {"X-GitHub-Api-Version": v}
    cl = api(T["cleaner"])
    P = cl.packages

    with WriteScenario(R, "%s ghapi cleanup %s/%s" % (v, CU["login"], IMG["name"])):
        def retention(P=P, hv=hv):
            got = P.get_all_package_versions_for_package_owned_by_user("container", IMG["name"], CU["login"], headers_=hv)
            kept = [x.id for x in got if x.metadata.container.tags][:C["keep"]]
            deletes = [x.id for x in got if x.id not in kept]
            expect_equal("(kept, to delete)", (kept, deletes), (IMG["kept"], IMG["deletes"]))
            outcome = {}
            for vid in deletes:
                try:
                    r = P.delete_package_version_for_user("container", IMG["name"], CU["login"], vid, headers_=hv, raw_=True)
                    outcome[vid] = (r.status_code, r.content)
                except APIError as e:
                    outcome[vid] = (e.status_code, e.message)
            want = {vid: (204, b"") for vid in IMG["deleted"]}
            want.update({vid: (400, M["400_downloads"]) for vid in IMG["refused"]})
            expect_equal("outcomes", outcome, want)
            got = P.get_all_package_versions_for_package_owned_by_authenticated_user("container", IMG["name"], headers_=hv)
            expect_equal("left", [x.id for x in got], [w["id"] for w in IMG["versions"] if w["id"] not in IMG["deleted"]])
            # GitHub's description has `state` on the /user route, not on /users (SPEC §18)
            gone = P.get_all_package_versions_for_package_owned_by_authenticated_user("container", IMG["name"],
                                                                                      state="deleted", headers_=hv)
            expect_equal("state=deleted", [x.id for x in gone], IMG["deleted"])
        R.check("%s packages.delete_package_version_for_user over a retention decision: 204, 400 over 5000 downloads" % v,
                retention)

        def package(P=P, hv=hv):
            no_content("restore_package_version_for_user", P.restore_package_version_for_user(
                "container", IMG["name"], CU["login"], IMG["deleted"][0], headers_=hv, raw_=True))
            no_content("delete_package_for_user", P.delete_package_for_user("container", IMG["name"], CU["login"],
                                                                            headers_=hv, raw_=True))
            expect_raises("get the deleted package", lambda: P.get_package_for_user(
                "container", IMG["name"], CU["login"], headers_=hv), APIError, error(404, M["404_package"]))
            expect_equal("list", list(P.list_packages_for_user(CU["login"], package_type="container", headers_=hv)), [])
            no_content("restore_package_for_authenticated_user", P.restore_package_for_authenticated_user(
                "container", IMG["name"], headers_=hv, raw_=True))
            got = P.get_all_package_versions_for_package_owned_by_user("container", IMG["name"], CU["login"], headers_=hv)
            expect_equal("back with every version", [x.id for x in got], [w["id"] for w in IMG["versions"]])
            expect_equal("list", [p.name for p in P.list_packages_for_user(CU["login"], package_type="container",
                                                                           headers_=hv)], [IMG["name"]])
        R.check("%s restore_package_version_for_user, delete_package_for_user, restore_package_for_authenticated_user" % v,
                package)

        def last_version(P=P, hv=hv):
            ids = LIB["version_ids"]
            no_content("delete the newest", P.delete_package_version_for_authenticated_user(
                "npm", LIB["name"], ids[0], headers_=hv, raw_=True))
            expect_raises("the last version", lambda: P.delete_package_version_for_user(
                "npm", LIB["name"], CU["login"], ids[1], headers_=hv), APIError, error(400, M["400_last_version"]))
        R.check("%s delete_package_version_for_authenticated_user, then the last version -> APIError 400" % v, last_version)

R.exit()
