"""PyGithub: it has no packages API, so the scenarios go through its Requester and PaginatedList, the same
machinery its own list methods use. PaginatedList follows `Link: rel="next"`, counts with `rel="last"`
(totalCount asks for per_page=1 and reads `page=` of the last link), and walks backwards from `last`
along `rel="prev"` (reversed). PyGithub refuses a next/prev link on another host than the one it called.

The rest of the packages API goes the same way (requestJsonAndCheck on org, /user and /users routes, a
PaginatedList over a version list of several pages), plus PyGithub's own get_user(), get_user(login) and
get_rate_limit(); one scenario follows a listed package's `url` and rel="next" by hand, also under /api/v3."""
import re
from typing import Any

from github import Auth, Github
from github.GithubException import BadCredentialsException, GithubException, UnknownObjectException
from github.GithubObject import NonCompletableGithubObject
from github.PaginatedList import PaginatedList

from interop_common import CheckFailed, Reporter, base_url, expect_equal, expect_raises, load_expected

E = load_expected()
BASE = base_url()
T = E["tokens"]
R = Reporter("PyGithub")


class Package(NonCompletableGithubObject):
    """A package as PyGithub would model it: raw attributes kept, a few typed accessors."""

    def _initAttributes(self) -> None:
        self._attrs: dict[str, Any] = {}

    def _useAttributes(self, attributes: dict[str, Any]) -> None:
        self._attrs = attributes

    @property
    def name(self) -> str:
        return self._attrs["name"]

    @property
    def visibility(self) -> str:
        return self._attrs["visibility"]


def github(token, version=None, base=BASE, per_page=100):
    # retry=None: a 5xx must fail the check, not be retried away
    return Github(auth=Auth.Token(token), base_url=base, api_version=version, retry=None, per_page=per_page)


def listing(gh, username, **params):
    return PaginatedList(Package, gh.requester, "/users/%s/packages" % username, params)


def error(status, message, exact=None):
    def check(e: GithubException):
        if exact is not None:
            expect_equal("exception class", type(e).__name__, exact.__name__)
        expect_equal("status", e.status, status)
        expect_equal("message", (e.data or {}).get("message"), message)
    return check


for v in E["versions"]:
    gh = github(T["full"], v)

    def filtered(gh=gh, v=v):
        f = E["filtered"]
        headers, data = gh.requester.requestJsonAndCheck(
            "GET", "/users/%s/packages" % f["username"],
            parameters={"package_type": f["package_type"], "visibility": f["visibility"]})
        expect_equal("names", [p["name"] for p in data], f["names"])
        expect_equal("X-GitHub-Api-Version-Selected", headers.get("x-github-api-version-selected"), v)
        pl = listing(gh, f["username"], package_type=f["package_type"], visibility=f["visibility"])
        expect_equal("PaginatedList names", [p.name for p in pl], f["names"])
        # a fresh list each time: once iterated, a PaginatedList forgets firstParams (PyGithub's behaviour)
        pl = listing(gh, f["username"], package_type=f["package_type"], visibility=f["visibility"])
        expect_equal("PaginatedList totalCount", pl.totalCount, len(f["names"]))
    R.check("%s filtered listing npm/public, names in order" % v, filtered)

    def bulk(gh=gh):
        b = E["bulk"]
        pl = listing(gh, b["username"], package_type=b["package_type"])
        expect_equal("names", [p.name for p in pl], b["names"])
    def basic(v=v):
        f = E["filtered"]
        gh_basic = Github(auth=Auth.Login(E["owner"], T["full"]), base_url=BASE, api_version=v, retry=None)
        pl = listing(gh_basic, f["username"], package_type=f["package_type"], visibility=f["visibility"])
        expect_equal("names", [p.name for p in pl], f["names"])
    R.check("%s Basic auth (Auth.Login with the token as password)" % v, basic)

    R.check("%s PaginatedList over %s, per_page=100, complete and in order" % (v, E["bulk"]["username"]), bulk)

    def bulk_small_pages(v=v):
        b = E["bulk"]
        gh30 = Github(auth=Auth.Token(T["full"]), base_url=BASE, api_version=v, retry=None)  # per_page 30
        def fresh():  # once iterated, a PaginatedList forgets firstParams (PyGithub's behaviour)
            return listing(gh30, b["username"], package_type=b["package_type"])
        expect_equal("names", [p.name for p in fresh()], b["names"])
        expect_equal("totalCount (from rel=last with per_page=1)", fresh().totalCount, len(b["names"]))
        expect_equal("reversed (from rel=last, then rel=prev)", [p.name for p in fresh().reversed], b["names"][::-1])
        expect_equal("pl[137]", fresh()[137].name, b["names"][137])
    R.check("%s PaginatedList per_page=30: totalCount, reversed, indexing" % v, bulk_small_pages)

    R.check("%s 401 unknown token -> BadCredentialsException" % v, lambda v=v: expect_raises(
        "401", lambda: list(listing(github(T["unknown"], v), E["owner"], package_type="npm")),
        BadCredentialsException, error(401, E["messages"]["401"])))

    R.check("%s 401 no token -> GithubException 401 Requires authentication" % v, lambda v=v: expect_raises(
        "401", lambda: list(listing(Github(base_url=BASE, api_version=v, retry=None), E["owner"], package_type="npm")),
        GithubException, error(401, E["messages"]["401_anonymous"], GithubException)))

    R.check("%s 403 token without read:packages -> GithubException 403" % v, lambda v=v: expect_raises(
        "403", lambda: list(listing(github(T["noscope"], v), E["owner"], package_type="npm")),
        GithubException, error(403, E["messages"]["403_scope"], GithubException)))

    R.check("%s 403 maven without repo scope -> GithubException 403" % v, lambda v=v: expect_raises(
        "403", lambda: list(listing(github(T["norepo"], v), E["owner"], package_type="maven")),
        GithubException, error(403, E["messages"]["403_repo"], GithubException)))

    R.check("%s 404 unknown user -> UnknownObjectException" % v, lambda gh=gh: expect_raises(
        "404", lambda: list(listing(gh, E["missing_user"], package_type="npm")),
        UnknownObjectException, error(404, E["messages"]["404"])))


# --- The rest of the packages API (SPEC §13-§19) through the Requester, PaginatedList and PyGithub's own
# account methods (get_user, get_rate_limit) ----------------------------------------------------------------
O = E["org"]
ME = E["me"]
M = E["messages"]
ORG = O["login"]
WEB = O["web"]
BIG = O["big"]
PREFIX = E["ghes_prefix"]
WEB_PATH = "/orgs/%s/packages/container/%s" % (ORG, WEB["path_name"])
BIG_PATH = "/orgs/%s/packages/npm/%s" % (ORG, BIG["name"])


class Version(Package):
    @property
    def id(self) -> int:
        return self._attrs["id"]


def versions(gh, path, **params):
    return PaginatedList(Version, gh.requester, path + "/versions", params)


def get(gh, url, **params):
    return gh.requester.requestJsonAndCheck("GET", url, parameters=params or None)


def links(headers):
    """`Link: <URL>; rel="x", ...` -> {rel: URL}"""
    return {rel: u for u, rel in re.findall(r'<([^>]+)>; rel="([a-z]+)"', headers.get("link", ""))}


for v in E["versions"]:
    gh = github(T["full"], v)

    def org_reads(gh=gh):
        _, data = get(gh, "/orgs/%s/packages" % ORG, package_type="container")
        expect_equal("list names", [p["name"] for p in data], O["container"]["admin"])
        expect_equal("list urls", [p["url"] for p in data],
                     ["%s/orgs/%s/packages/container/%s" % (BASE, ORG, n.replace("/", "%2F")) for n in O["container"]["admin"]])
        _, p = get(gh, WEB_PATH)
        expect_equal("get (id, name, version_count, repository)",
                     (p["id"], p["name"], p["version_count"], p["repository"]["full_name"]),
                     (WEB["id"], WEB["name"], WEB["version_count"], WEB["repository"]))
        _, vs = get(gh, WEB_PATH + "/versions")
        expect_equal("versions (id, name, tags)", [(x["id"], x["name"], x["metadata"]["container"]["tags"]) for x in vs],
                     [(w["id"], w["name"], w["tags"]) for w in WEB["versions"]])
        _, vs = get(gh, WEB_PATH + "/versions", state="deleted")
        expect_equal("state=deleted (id, deleted_at)", [(x["id"], x["deleted_at"]) for x in vs],
                     [(w["id"], w["deleted_at"]) for w in WEB["deleted"]])
        want = WEB["versions"][2]
        _, x = get(gh, WEB_PATH + "/versions/%d" % want["id"])
        expect_equal("get version (id, name, tags, html_url)",
                     (x["id"], x["name"], x["metadata"]["container"]["tags"], x["html_url"]),
                     (want["id"], want["name"], want["tags"], want["html_url"]))
        _, c = get(gh, "/orgs/%s/docker/conflicts" % ORG)
        expect_equal("conflicts", [p["name"] for p in c], O["conflicts"]["admin"])
    R.check("%s requestJsonAndCheck: org list, get (%%2F), versions, state=deleted, version, conflicts" % v, org_reads)

    def users_and_me(gh=gh):
        _, p = get(gh, "/users/%s/packages/container/%s" % (ORG, WEB["path_name"]))
        expect_equal("/users/{org} get renders orgs/ url", p["url"], BASE + WEB_PATH)
        mv = ME["versions"]
        _, data = get(gh, "/user/packages", package_type="container")
        expect_equal("/user list", [p["name"] for p in data], ME["container"])
        _, vs = get(gh, "/user/packages/%s/%s/versions" % (mv["package_type"], mv["name"]))
        expect_equal("/user versions (id, name)", [(x["id"], x["name"]) for x in vs], list(zip(mv["ids"], mv["names"])))
        _, x = get(gh, "/user/packages/%s/%s/versions/%d" % (mv["package_type"], mv["name"], mv["ids"][0]))
        expect_equal("/user version url", x["url"], "%s/users/%s/packages/%s/%s/versions/%d"
                     % (BASE, ME["login"], mv["package_type"], mv["name"], mv["ids"][0]))
        _, c = get(gh, "/user/docker/conflicts")
        expect_equal("/user conflicts", [p["name"] for p in c], ME["conflicts"])
    R.check("%s requestJsonAndCheck: /users/{org} and /user routes" % v, users_and_me)

    def paginated_versions(v=v):
        gh30 = github(T["full"], v, per_page=BIG["per_page"])

        def fresh():  # once iterated, a PaginatedList forgets firstParams (PyGithub's behaviour)
            return versions(gh30, BIG_PATH)
        expect_equal("ids", [x.id for x in fresh()], BIG["version_ids"])
        expect_equal("totalCount (rel=last with per_page=1)", fresh().totalCount, len(BIG["version_ids"]))
        expect_equal("reversed (rel=last, then rel=prev)", [x.id for x in fresh().reversed], BIG["version_ids"][::-1])
        expect_equal("pl[45]", fresh()[45].name, BIG["version_names"][45])
        expect_equal("state=deleted", [x.id for x in versions(gh30, WEB_PATH, state="deleted")],
                     [w["id"] for w in WEB["deleted"]])
    R.check("%s PaginatedList over %d versions (per_page=%d): order, totalCount, reversed, indexing"
            % (v, len(BIG["version_ids"]), BIG["per_page"]), paginated_versions)

    def follow(v=v):
        # follow a listed package's `url` as given, and rel="next" of a version list to the end, directly and
        # under GHES's /api/v3 (urls and Links then carry the prefix, SPEC §13)
        for prefix in ("", PREFIX):
            api = BASE + prefix
            g = github(T["full"], v, base=api)
            _, data = get(g, "/orgs/%s/packages" % ORG, package_type="container")
            for p in data:
                if not p["url"].startswith(api + "/orgs/"):
                    raise CheckFailed("%s: url %r is not under %s" % (prefix or "/", p["url"], api))
                _, got = get(g, p["url"])
                expect_equal("%s GET %s" % (prefix or "/", p["url"]), (got["id"], got["name"]), (p["id"], p["name"]))
            headers, page = get(g, BIG_PATH + "/versions", per_page=BIG["per_page"])
            ids, pages = [x["id"] for x in page], 1
            while "next" in links(headers):
                nxt = links(headers)["next"]
                if not nxt.startswith(api + BIG_PATH + "/versions?"):
                    raise CheckFailed("%s: next %r is not under %s" % (prefix or "/", nxt, api))
                headers, page = get(g, nxt)
                ids += [x["id"] for x in page]
                pages += 1
                if pages > BIG["pages"] + 1:
                    raise CheckFailed("%s: rel=next does not end" % (prefix or "/"))
            expect_equal("%s pages" % (prefix or "/"), pages, BIG["pages"])
            expect_equal("%s ids" % (prefix or "/"), ids, BIG["version_ids"])
            expect_equal("%s last page rels" % (prefix or "/"), sorted(links(headers)), ["first", "prev"])
            # PaginatedList follows the same Links under the prefix
            pl = versions(github(T["full"], v, base=api, per_page=BIG["per_page"]), BIG_PATH)
            expect_equal("%s PaginatedList ids" % (prefix or "/"), [x.id for x in pl], BIG["version_ids"])
    R.check("%s follow a package's url and rel=\"next\" of a version list (also under /api/v3)" % v, follow)

    def account(gh=gh, v=v):
        me = gh.get_user()
        expect_equal("get_user() (login, id, name, type, node_id)", (me.login, me.id, me.name, me.type, me.node_id),
                     (ME["login"], ME["id"], ME["name"], ME["type"], ME["node_id"]))
        expect_equal("oauth_scopes (X-OAuth-Scopes of GET /user)", gh.oauth_scopes, ["read:packages", "repo"])
        o = gh.get_user(ORG)
        expect_equal("get_user(org) (login, id, type, name)", (o.login, o.id, o.type, o.name),
                     (ORG, O["id"], "Organization", O["name"]))
        rl = gh.get_rate_limit()
        expect_equal("get_rate_limit() limits", (rl.resources.core.limit, rl.resources.search.limit,
                                                 rl.resources.graphql.limit, rl.rate.limit), (5000, 30, 5000, 5000))
        expect_equal("rate == core", (rl.rate.remaining, rl.rate.used), (rl.resources.core.remaining, rl.resources.core.used))
        expect_raises("get_user(missing)", lambda: gh.get_user(E["missing_user"]), UnknownObjectException,
                      error(404, M["404"]))
        expect_raises("installation token: get_user().login", lambda: github(T["installation"], v).get_user().login,
                      GithubException, error(403, M["403_integration"], GithubException))
    R.check("%s get_user(), get_user(org), get_rate_limit(); installation token on /user -> 403" % v, account)

    def access(v=v):
        member, collab, inst = github(T["member"], v), github(T["collaborator"], v), github(T["installation"], v)
        _, data = get(member, "/orgs/%s/packages" % ORG, package_type="container")
        expect_equal("member's list", [p["name"] for p in data], O["container"]["member"])
        _, data = get(collab, "/orgs/%s/packages" % ORG, package_type="container")
        expect_equal("collaborator's list", [p["name"] for p in data], O["container"]["collaborator"])
        expect_raises("member gets the private container", lambda: get(member, WEB_PATH), UnknownObjectException,
                      error(404, M["404_package"]))
        expect_raises("member gets its versions", lambda: list(versions(member, WEB_PATH)), UnknownObjectException,
                      error(404, M["404_package"]))
        expect_raises("collaborator asks state=deleted", lambda: list(versions(collab, WEB_PATH, state="deleted")),
                      UnknownObjectException, error(404, M["404_package"]))
        _, p = get(inst, WEB_PATH)
        expect_equal("installation token reads its repository's package", p["id"], WEB["id"])
        expect_raises("installation token lists", lambda: get(inst, "/orgs/%s/packages" % ORG, package_type="container"),
                      GithubException, error(400, M["400_invalid"], GithubException))
        expect_raises("deleted package", lambda: get(github(T["full"], v), "/orgs/%s/packages/npm/%s" % (ORG, O["deleted_package"])),
                      UnknownObjectException, error(404, M["404_package"]))
        expect_raises("deleted version", lambda: get(github(T["full"], v), WEB_PATH + "/versions/%d" % WEB["deleted"][0]["id"]),
                      UnknownObjectException, error(404, M["404_version"]))
        expect_raises("no read:packages", lambda: list(versions(github(T["noscope"], v), BIG_PATH)),
                      GithubException, error(403, M["403_versions_scope"], GithubException))
    R.check("%s who reads what, and the errors (404 Package not found., 403, 400)" % v, access)

R.exit()
