"""PyGithub: it has no packages API, so the scenarios go through its Requester and PaginatedList, the same
machinery its own list methods use. PaginatedList follows `Link: rel="next"`, counts with `rel="last"`
(totalCount asks for per_page=1 and reads `page=` of the last link), and walks backwards from `last`
along `rel="prev"` (reversed). PyGithub refuses a next/prev link on another host than the one it called."""
from typing import Any

from github import Auth, Github
from github.GithubException import BadCredentialsException, GithubException, UnknownObjectException
from github.GithubObject import NonCompletableGithubObject
from github.PaginatedList import PaginatedList

from interop_common import Reporter, base_url, expect_equal, expect_raises, load_expected

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


def github(token, version=None):
    # retry=None: a 5xx must fail the check, not be retried away
    return Github(auth=Auth.Token(token), base_url=BASE, api_version=version, retry=None, per_page=100)


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

R.exit()
