"""githubkit: the typed client. Every 200 body is parsed into githubkit's pydantic models, which are
generated from GitHub's REST API description of each version (a wrong type, a missing required field or
an enum value outside the description fails the parse).

Calls `rest(V).packages.list_packages_for_user` for V in 2022-11-28 and 2026-03-10, and `rest(V).paginate`
(githubkit follows the `Link: rel="next"` URL, octokit-style). Then every read operation of the packages API
(`rest(V).packages.*` for organisations, `/user` and `/users/{username}`: list, get, versions, get version,
Docker-migration conflicts), `rest(V).users.get_authenticated` / `get_by_username`, `rest(V).rate_limit.get`,
`paginate` over a version list, and raw `request`s that follow a package's `url` and a version list's
`Link: rel="next"`, directly and under GHES's `/api/v3`.

Then the cleanup scenarios (SPEC §15-§17, §20), each between two `POST /_emulator/reset`s: a retention run over
an organisation's container (`rest(V).paginate` over the versions, keep the 2 newest tagged ones by
`metadata.container.tags`, `delete_package_version_for_org` the rest), the last-tagged refusal, a version
restore, `delete_package_for_org` / `restore_package_for_org`, the export; the same through `_for_user` and
`_for_authenticated_user` on a user's own packages (the download-count and last-version refusals); the
refusals of scopes and admin rights; and the clock (`PUT /_emulator/clock`) against the 30-day window.

githubkit puts `package_name` into the path unescaped: a name with `/` is passed as `%2F` (httpx keeps it).
Its enum for package visibility has no "internal": typed calls never ask for internal packages, except the
checks that pin that refusal."""
import importlib
import json

import httpx
import pydantic
from githubkit import GitHub, TokenAuthStrategy, UnauthAuthStrategy
from githubkit.exception import RequestFailed
from githubkit.utils import UNSET

from interop_common import (CheckFailed, Clock, Reporter, WriteScenario, base_url, expect_equal, expect_raises,
                             export, export_package, load_expected, set_clock)

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


def client(token, base=BASE):
    # auto_retry off: the emulator must never answer 5xx or rate-limit here, and a retry would hide it.
    return GitHub(TokenAuthStrategy(token) if token else UnauthAuthStrategy(), base_url=base, auto_retry=False,
                  event_hooks={"request": [_record], "response": [_record_response]})


full = client(T["full"])
# githubkit namespaces hold their client weakly: keep every client referenced
clients = {k: client(T[k]) for k in ("unknown", "noscope", "norepo")}
clients["anonymous"] = client(None)
for k in ("member", "collaborator", "installation", "fine_grained"):
    clients[k] = client(T[k])


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


# --- The rest of the packages API (SPEC §13-§19): every read operation, typed, for both API versions -----
O = E["org"]
ME = E["me"]
M = E["messages"]
ORG = O["login"]
WEB = O["web"]
BIG = O["big"]
DOCS = "https://docs.github.com/rest/packages/packages#"
ghes = {prefix: client(T["full"], BASE + prefix) for prefix in ("", E["ghes_prefix"])}


def models(v):
    return importlib.import_module("githubkit_schemas.v%s.models" % v.replace("-", "_"))


def refused(status, message, doc=None):
    """RequestFailed with exactly this status, message (and documentation_url)."""
    def check(e: RequestFailed):
        expect_equal("status", e.response.status_code, status)
        body = e.response.json()
        expect_equal("message", body.get("message"), message)
        expect_equal("status field", body.get("status"), str(status))
        if doc is not None:
            expect_equal("documentation_url", body.get("documentation_url"), doc)
    return check


def fails(what, call, status, message, doc=None):
    expect_raises(what, lambda: call().parsed_data, RequestFailed, refused(status, message, doc))


def expect_versions(what, versions, want, owner_path):
    """Typed PackageVersion list against expected.json's entries (id, name, tags, urls)."""
    expect_equal(what + " ids", [x.id for x in versions], [w["id"] for w in want])
    expect_equal(what + " names", [x.name for x in versions], [w["name"] for w in want])
    if "tags" in want[0]:
        expect_equal(what + " metadata.container.tags", [x.metadata.container.tags for x in versions],
                     [w["tags"] for w in want])
    expect_equal(what + " url", [x.url for x in versions],
                 ["%s/%s/versions/%d" % (BASE, owner_path, w["id"]) for w in want])


for v in E["versions"]:
    rest = full.rest(v)
    org_path = "orgs/%s/packages/container/%s" % (ORG, WEB["path_name"])

    def org_listing(rest=rest):
        resp = rest.packages.list_packages_for_organization(ORG, package_type="container")
        pkgs = resp.parsed_data
        expect_equal("names", [p.name for p in pkgs], O["container"]["admin"])
        web = pkgs[0]
        expect_equal("id", web.id, WEB["id"])
        expect_equal("version_count", web.version_count, WEB["version_count"])
        expect_equal("visibility", [p.visibility for p in pkgs], O["container"]["admin_visibility"])
        expect_equal("url (name with / as %2F)", web.url, "%s/%s" % (BASE, org_path))
        expect_equal("html_url", web.html_url, WEB["html_url"])
        expect_equal("repository.full_name", [p.repository.full_name if p.repository else None for p in pkgs],
                     O["container"]["admin_repositories"])
        expect_equal("owner (login, id, type, node_id)",
                     {(p.owner.login, p.owner.id, p.owner.type, p.owner.node_id) for p in pkgs},
                     {(ORG, O["id"], "Organization", O["node_id"])})
        expect_equal("owner.url", web.owner.url, "%s/users/%s" % (BASE, ORG))
    R.check("%s list_packages_for_organization container: names, urls, Organization owner" % v, org_listing)

    def org_npm(rest=rest):
        for vis in ("public", "private"):
            pkgs = rest.packages.list_packages_for_organization(ORG, package_type="npm", visibility=vis).parsed_data
            expect_equal("visibility=%s names" % vis, [p.name for p in pkgs], O["npm"][vis])
            expect_equal("visibility=%s visibility" % vis, {p.visibility for p in pkgs}, {vis})
        # unfiltered, the org's internal package is included: raw body only (githubkit's enum refuses it)
        resp = rest.packages.list_packages_for_organization(ORG, package_type="npm")
        expect_equal("unfiltered raw names", [p["name"] for p in json.loads(resp.content)], O["npm"]["admin"])
        expect_raises("typed parse of the internal one", lambda: resp.parsed_data, pydantic.ValidationError)
    R.check("%s list_packages_for_organization npm, visibility public/private (internal: raw only)" % v, org_npm)

    def org_get(rest=rest):
        p = rest.packages.get_package_for_organization("container", WEB["path_name"], ORG).parsed_data
        expect_equal("(id, name, version_count)", (p.id, p.name, p.version_count),
                     (WEB["id"], WEB["name"], WEB["version_count"]))
        expect_equal("repository.full_name", p.repository.full_name, WEB["repository"])
        expect_equal("owner.type", p.owner.type, "Organization")
        # names match case-insensitively; the body keeps the fixture's casing (SPEC §13)
        p = rest.packages.get_package_for_organization("container", WEB["path_name"].upper(), ORG.upper()).parsed_data
        expect_equal("upper-cased request: (id, name, owner.login)", (p.id, p.name, p.owner.login),
                     (WEB["id"], WEB["name"], ORG))
    R.check("%s get_package_for_organization (name sent with %%2F, any casing)" % v, org_get)

    def org_versions(rest=rest):
        resp = rest.packages.get_all_package_versions_for_package_owned_by_org("container", WEB["path_name"], ORG)
        vs = resp.parsed_data
        expect_versions("active", vs, WEB["versions"], org_path)
        expect_equal("html_url", [x.html_url for x in vs], [w["html_url"] for w in WEB["versions"]])
        expect_equal("package_html_url", {x.package_html_url for x in vs}, {WEB["html_url"]})
        expect_equal("metadata.package_type", {x.metadata.package_type for x in vs}, {"container"})
        expect_equal("no deleted_at on active versions", {x.deleted_at for x in vs}, {UNSET})
        expect_equal("Link (one page)", resp.headers.get("link"), None)
        deleted = rest.packages.get_all_package_versions_for_package_owned_by_org(
            "container", WEB["path_name"], ORG, state="deleted").parsed_data
        expect_equal("state=deleted (id, name, deleted_at)",
                     [(x.id, x.name, x.deleted_at.strftime("%Y-%m-%dT%H:%M:%SZ")) for x in deleted],
                     [(w["id"], w["name"], w["deleted_at"]) for w in WEB["deleted"]])
        explicit = rest.packages.get_all_package_versions_for_package_owned_by_org(
            "container", WEB["path_name"], ORG, state="active", per_page=2, page=2).parsed_data
        expect_equal("state=active per_page=2 page=2 ids", [x.id for x in explicit], [WEB["versions"][2]["id"]])
    R.check("%s get_all_package_versions_for_package_owned_by_org: tagged/untagged newest first, state=deleted"
            % v, org_versions)

    def org_version(rest=rest):
        want = WEB["versions"][1]
        x = rest.packages.get_package_version_for_organization(
            package_type="container", package_name=WEB["path_name"], org=ORG, package_version_id=want["id"]).parsed_data
        expect_equal("(id, name, tags)", (x.id, x.name, x.metadata.container.tags), (want["id"], want["name"], want["tags"]))
        expect_equal("url", x.url, "%s/%s/versions/%d" % (BASE, org_path, want["id"]))
        fails("deleted version", lambda: rest.packages.get_package_version_for_organization(
            package_type="container", package_name=WEB["path_name"], org=ORG,
            package_version_id=WEB["deleted"][0]["id"]), 404, M["404_version"],
            DOCS + "get-a-package-version-for-an-organization")
        fails("another package's version", lambda: rest.packages.get_package_version_for_organization(
            package_type="container", package_name=WEB["path_name"], org=ORG,
            package_version_id=BIG["version_ids"][0]), 404, M["404_version"])
    R.check("%s get_package_version_for_organization; deleted or foreign id -> 404 Package version not found." % v,
            org_version)

    def version_metadata(rest=rest):
        t = O["tools"]
        vs = rest.packages.get_all_package_versions_for_package_owned_by_org("npm", t["name"], ORG).parsed_data
        expect_equal("(id, name, license, description)",
                     [(x.id, x.name, x.license_ or None, x.description or None) for x in vs],
                     [(w["id"], w["name"], w["license"], w["description"]) for w in t["versions"]])
        expect_equal("metadata (npm: package_type only)", [x.metadata.model_dump(exclude_unset=True) for x in vs],
                     [{"package_type": "npm"}] * len(vs))
        d = O["docker"]
        vs = rest.packages.get_all_package_versions_for_package_owned_by_org("docker", d["name"], ORG).parsed_data
        expect_equal("docker (id, name, metadata.docker.tag)", [(x.id, x.name, x.metadata.docker.tag) for x in vs],
                     [(w["id"], w["name"], w["tag"]) for w in d["versions"]])
        expect_equal("docker: no metadata.container", {x.metadata.container for x in vs}, {UNSET})
        big = rest.packages.get_all_package_versions_for_package_owned_by_org("npm", BIG["name"], ORG, per_page=1).parsed_data
        expect_equal("repository-linked package_html_url", big[0].package_html_url, BIG["package_html_url"])
        expect_equal("html_url", big[0].html_url, BIG["package_html_url"] + "?version=" + BIG["version_names"][0])
    R.check("%s version bodies: license/description, npm and docker metadata, repository package_html_url" % v,
            version_metadata)

    def org_generated(rest=rest):
        c = O["legacy"]
        vs = rest.packages.get_all_package_versions_for_package_owned_by_org("container", c["name"], ORG).parsed_data
        expect_versions("generated container", vs, c["versions"], "orgs/%s/packages/container/%s" % (ORG, c["name"]))
    R.check("%s generated container versions: sha256 names, only the newest tagged latest" % v, org_generated)

    def paginate_versions(rest=rest, v=v):
        for prefix, gk in ghes.items():
            start = len(sent)
            pages = gk.rest.paginate(gk.rest(v).packages.get_all_package_versions_for_package_owned_by_org,
                                     package_type="npm", package_name=BIG["name"], org=ORG, per_page=BIG["per_page"],
                                     headers={"X-GitHub-Api-Version": v})
            ids = [x.id for x in pages]
            expect_equal("%s ids (every one once, newest first)" % (prefix or "/"), ids, BIG["version_ids"])
            urls = [u for (_, u, _) in sent[start:]]
            expect_equal("%s requests" % (prefix or "/"), len(urls), BIG["pages"])
            expect_equal("%s every page under the prefix" % (prefix or "/"),
                         [u.startswith("%s%s/orgs/%s/packages/npm/%s/versions?" % (BASE, prefix, ORG, BIG["name"]))
                          for u in urls], [True] * len(urls))
    R.check("%s paginate get_all_package_versions_for_package_owned_by_org over %d pages (also under /api/v3)"
            % (v, BIG["pages"]), paginate_versions)

    def users_org(rest=rest):
        # /users/{org} answers as /orgs/{org} and renders orgs/ URLs (SPEC §13)
        pkgs = rest.packages.list_packages_for_user(ORG, package_type="container").parsed_data
        expect_equal("list names", [p.name for p in pkgs], O["container"]["admin"])
        p = rest.packages.get_package_for_user("container", WEB["path_name"], ORG).parsed_data
        expect_equal("get (id, url)", (p.id, p.url), (WEB["id"], "%s/%s" % (BASE, org_path)))
        vs = rest.packages.get_all_package_versions_for_package_owned_by_user("container", WEB["path_name"], ORG).parsed_data
        expect_versions("versions", vs, WEB["versions"], org_path)
        vs = rest.packages.get_all_package_versions_for_package_owned_by_user("npm", BIG["name"], ORG).parsed_data
        expect_equal("big-lib versions, default per_page 30", [x.id for x in vs], BIG["version_ids"][:30])
        want = WEB["versions"][0]
        x = rest.packages.get_package_version_for_user(
            package_type="container", package_name=WEB["path_name"], package_version_id=want["id"], username=ORG).parsed_data
        expect_equal("version (id, tags)", (x.id, x.metadata.container.tags), (want["id"], want["tags"]))
        conflicts = rest.packages.list_docker_migration_conflicting_packages_for_user(ORG).parsed_data
        expect_equal("conflicts", [p.name for p in conflicts], O["conflicts"]["admin"])
    R.check("%s _for_user/_owned_by_user operations on an organisation login" % v, users_org)

    def users_user(rest=rest):
        vs = rest.packages.get_all_package_versions_for_package_owned_by_user("npm", "octo-cli", ME["login"]).parsed_data
        expect_equal("octo-cli version ids", [x.id for x in vs], ME["octo_cli_ids"])
        expect_equal("url", vs[0].url, "%s/users/%s/packages/npm/octo-cli/versions/%d" % (BASE, ME["login"], vs[0].id))
        conflicts = rest.packages.list_docker_migration_conflicting_packages_for_user(ME["login"]).parsed_data
        expect_equal("conflicts", [p.name for p in conflicts], ME["conflicts"])
    R.check("%s _for_user/_owned_by_user operations on a user" % v, users_user)

    def authenticated(rest=rest):
        mv = ME["versions"]
        pkgs = rest.packages.list_packages_for_authenticated_user(package_type="container").parsed_data
        expect_equal("list names", [p.name for p in pkgs], ME["container"])
        p = rest.packages.get_package_for_authenticated_user(mv["package_type"], mv["name"]).parsed_data
        expect_equal("get (id, name, owner.login, url)", (p.id, p.name, p.owner.login, p.url),
                     (mv["id"], mv["name"], ME["login"],
                      "%s/users/%s/packages/%s/%s" % (BASE, ME["login"], mv["package_type"], mv["name"])))
        vs = rest.packages.get_all_package_versions_for_package_owned_by_authenticated_user(
            mv["package_type"], mv["name"]).parsed_data
        expect_equal("versions (id, name, created_at)",
                     [(x.id, x.name, x.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")) for x in vs],
                     list(zip(mv["ids"], mv["names"], mv["created_at"])))
        x = rest.packages.get_package_version_for_authenticated_user(
            package_type=mv["package_type"], package_name=mv["name"], package_version_id=mv["ids"][1]).parsed_data
        expect_equal("version (id, name)", (x.id, x.name), (mv["ids"][1], mv["names"][1]))
        conflicts = rest.packages.list_docker_migration_conflicting_packages_for_authenticated_user().parsed_data
        expect_equal("conflicts", [p.name for p in conflicts], ME["conflicts"])
        fails("another owner's package under /user", lambda: rest.packages.get_package_for_authenticated_user(
            "container", WEB["path_name"]), 404, M["404_package"])
    R.check("%s _for_authenticated_user/_owned_by_authenticated_user operations" % v, authenticated)

    def conflicts(rest=rest, v=v):
        got = rest.packages.list_docker_migration_conflicting_packages_for_organization(ORG).parsed_data
        expect_equal("admin member", [p.name for p in got], O["conflicts"]["admin"])
        expect_equal("docker_migration_conflict packages are containers", {p.package_type for p in got}, {"container"})
        for who in ("anonymous", "member", "installation"):
            got = clients[who].rest(v).packages.list_docker_migration_conflicting_packages_for_organization(ORG).parsed_data
            expect_equal(who, [p.name for p in got], O["conflicts"]["public"])
        # fine-grained PATs may call this one operation (SPEC §15), as their user
        got = clients["fine_grained"].rest(v).packages.list_docker_migration_conflicting_packages_for_organization(ORG)
        expect_equal("fine-grained", [p.name for p in got.parsed_data], O["conflicts"]["admin"])
    R.check("%s list_docker_migration_conflicting_packages_for_organization by requester" % v, conflicts)

    def access(v=v):
        member = clients["member"].rest(v).packages
        collab = clients["collaborator"].rest(v).packages
        expect_equal("member's container list", [p.name for p in member.list_packages_for_organization(
            ORG, package_type="container").parsed_data], O["container"]["member"])
        expect_equal("collaborator's container list", [p.name for p in collab.list_packages_for_organization(
            ORG, package_type="container").parsed_data], O["container"]["collaborator"])
        expect_equal("collaborator's npm list", [p.name for p in collab.list_packages_for_organization(
            ORG, package_type="npm").parsed_data], O["npm"]["collaborator"])
        # a package the member may not read is answered exactly as a missing one (SPEC §16)
        doc = DOCS + "get-a-package-for-an-organization"
        fails("member gets the private container", lambda: member.get_package_for_organization(
            "container", WEB["path_name"], ORG), 404, M["404_package"], doc)
        fails("member gets a missing package", lambda: member.get_package_for_organization(
            "container", "no-such-package", ORG), 404, M["404_package"], doc)
        fails("member lists the private container's versions", lambda: member.get_all_package_versions_for_package_owned_by_org(
            "container", WEB["path_name"], ORG), 404, M["404_package"])
        fails("member gets the repository-scoped maven package", lambda: member.get_package_for_organization(
            "maven", O["maven"]["name"], ORG), 404, M["404_package"])
        vs = collab.get_all_package_versions_for_package_owned_by_org("maven", O["maven"]["name"], ORG).parsed_data
        expect_equal("collaborator reads the maven versions", [x.name for x in vs], O["maven"]["version_names"])
        vs = member.get_all_package_versions_for_package_owned_by_org("npm", O["tools"]["name"], ORG).parsed_data
        expect_equal("member, admin of org-tools, reads its versions", [x.id for x in vs],
                     [w["id"] for w in O["tools"]["versions"]])
        fails("collaborator asks state=deleted (not an admin)", lambda: collab.get_all_package_versions_for_package_owned_by_org(
            "container", WEB["path_name"], ORG, state="deleted"), 404, M["404_package"])
    R.check("%s who reads what: member, package admin, repository collaborator (SPEC §15)" % v, access)

    def errors(rest=rest, v=v):
        fails("deleted package", lambda: rest.packages.get_package_for_organization("npm", O["deleted_package"], ORG),
              404, M["404_package"])
        fails("user login under /orgs/", lambda: rest.packages.get_package_for_organization("npm", "octo-lib", ME["login"]),
              404, M["404"])
        fails("unknown org", lambda: rest.packages.list_packages_for_organization(E["missing_user"], package_type="npm"),
              404, M["404"])
        fails("no read:packages: get", lambda: clients["noscope"].rest(v).packages.get_package_for_organization(
            "npm", BIG["name"], ORG), 403, M["403_get_scope"])
        fails("no read:packages: versions", lambda: clients["noscope"].rest(v).packages.get_all_package_versions_for_package_owned_by_org(
            "npm", BIG["name"], ORG), 403, M["403_versions_scope"])
        fails("no repo: maven", lambda: clients["norepo"].rest(v).packages.get_package_for_organization(
            "maven", O["maven"]["name"], ORG), 403, M["403_get_repo"])
        fails("fine-grained: get", lambda: clients["fine_grained"].rest(v).packages.get_package_for_organization(
            "npm", BIG["name"], ORG), 403, M["403_fine_grained"])
        fails("state=bogus", lambda: rest.packages.get_all_package_versions_for_package_owned_by_org(
            "npm", BIG["name"], ORG, state="bogus"), 400, M["400_invalid"])
    R.check("%s errors: deleted package, user under /orgs/, scopes, token kinds, bad state" % v, errors)

    def installation(v=v):
        inst = clients["installation"].rest(v)
        p = inst.packages.get_package_for_organization("container", WEB["path_name"], ORG).parsed_data
        expect_equal("package linked to its repository", (p.id, p.name), (WEB["id"], WEB["name"]))
        vs = inst.packages.get_all_package_versions_for_package_owned_by_org("maven", O["maven"]["name"], ORG).parsed_data
        expect_equal("maven linked to its repository, no scope check", [x.name for x in vs], O["maven"]["version_names"])
        fails("a private package of another repository", lambda: inst.packages.get_package_for_organization(
            "container", "legacy-private", ORG), 404, M["404_package"])
        fails("list (SPEC §15: as GITHUB_TOKEN)", lambda: inst.packages.list_packages_for_organization(
            ORG, package_type="container"), 400, M["400_invalid"])
        fails("GET /user", lambda: inst.users.get_authenticated(), 403, M["403_integration"],
              "https://docs.github.com/rest/users/users#get-the-authenticated-user")
        fails("a /user/ packages route", lambda: inst.packages.list_docker_migration_conflicting_packages_for_authenticated_user(),
              403, M["403_integration"])
    R.check("%s installation token of %s: its repository's packages only" % (v, WEB["repository"]), installation)

    def account(rest=rest, v=v):
        resp = rest.users.get_authenticated()
        me = resp.parsed_data
        expect_equal("GET /user parsed as", type(me).__name__, "PublicUser")
        expect_equal("(login, id, node_id, type, name)", (me.login, me.id, me.node_id, me.type, me.name),
                     (ME["login"], ME["id"], ME["node_id"], ME["type"], ME["name"]))
        expect_equal("X-OAuth-Scopes", resp.headers.get("x-oauth-scopes"), "read:packages, repo")
        o = rest.users.get_by_username(ORG).parsed_data
        expect_equal("GET /users/{org}", (o.login, o.id, o.node_id, o.type, o.name),
                     (ORG, O["id"], O["node_id"], "Organization", O["name"]))
        u = clients["anonymous"].rest(v).users.get_by_username(ME["login"]).parsed_data
        expect_equal("GET /users/{user} without a token", (u.login, u.id), (ME["login"], ME["id"]))
        fails("unknown user", lambda: rest.users.get_by_username(E["missing_user"]), 404, M["404"],
              "https://docs.github.com/rest/users/users#get-a-user")
        me = clients["fine_grained"].rest(v).users.get_authenticated().parsed_data
        expect_equal("fine-grained token on GET /user", me.login, ME["login"])
        rl_resp = rest.rate_limit.get()
        rl = rl_resp.parsed_data
        raw = json.loads(rl_resp.content)
        core = rl.resources.core
        expect_equal("core/search/graphql limits", (core.limit, rl.resources.search.limit, rl.resources.graphql.limit),
                     (5000, 30, 5000))
        expect_equal("used + remaining", core.used + core.remaining, 5000)
        # `rate` (the same bucket as core) is in the body; 2026-03-10's model no longer declares it
        expect_equal("rate == core", raw.get("rate"), raw["resources"]["core"])
        if v == "2022-11-28":
            expect_equal("typed rate", (rl.rate.limit, rl.rate.used), (core.limit, core.used))
        again = rest.rate_limit.get().parsed_data
        expect_equal("GET /rate_limit does not count", again.resources.core.used, core.used)
        expect_equal("X-OAuth-Scopes on /rate_limit", rl_resp.headers.get("x-oauth-scopes"), "read:packages, repo")
    R.check("%s users.get_authenticated, users.get_by_username, rate_limit.get" % v, account)

    def follow(v=v):
        # follow a listed package's `url` as given, and a version list's Link rel="next" to the end, directly
        # and under GHES's /api/v3 (the urls and Links then carry the prefix, SPEC §13)
        mdl = models(v)
        for prefix, gk in ghes.items():
            api = BASE + prefix
            pkgs = gk.rest(v).packages.list_packages_for_organization(ORG, package_type="container").parsed_data
            for p in pkgs:
                if not p.url.startswith(api + "/orgs/"):
                    raise CheckFailed("%s: url %r is not under %s" % (prefix or "/", p.url, api))
                got = gk.request("GET", p.url, headers={"X-GitHub-Api-Version": v}, response_model=mdl.Package).parsed_data
                expect_equal("%s GET %s" % (prefix or "/", p.url), (got.id, got.name), (p.id, p.name))
            resp = gk.rest(v).packages.get_all_package_versions_for_package_owned_by_org(
                "npm", BIG["name"], ORG, per_page=BIG["per_page"])
            first = resp.raw_response.links
            expect_equal("%s first page: rel=last" % (prefix or "/"), first.get("last", {}).get("url"),
                         "%s/orgs/%s/packages/npm/%s/versions?per_page=%d&page=%d"
                         % (api, ORG, BIG["name"], BIG["per_page"], BIG["pages"]))
            ids, pages = [x.id for x in resp.parsed_data], 1
            while "next" in resp.raw_response.links:
                nxt = resp.raw_response.links["next"]["url"]
                if not nxt.startswith(api + "/orgs/"):
                    raise CheckFailed("%s: next %r is not under %s" % (prefix or "/", nxt, api))
                resp = gk.request("GET", nxt, headers={"X-GitHub-Api-Version": v},
                                  response_model=list[mdl.PackageVersion])
                ids += [x.id for x in resp.parsed_data]
                pages += 1
                if pages > BIG["pages"] + 1:
                    raise CheckFailed("%s: rel=next does not end" % (prefix or "/"))
            expect_equal("%s pages" % (prefix or "/"), pages, BIG["pages"])
            expect_equal("%s ids" % (prefix or "/"), ids, BIG["version_ids"])
            expect_equal("%s last page links" % (prefix or "/"), sorted(resp.raw_response.links), ["first", "prev"])
    R.check("%s follow a package's url and a version list's rel=\"next\" (also under /api/v3)" % v, follow)


# --- Cleanup (SPEC §15-§17, §20): a retention tool's run through githubkit's own write operations --------------
C = E["cleanup"]
CO = C["org"]
CU = C["user"]
KEEP = C["keep"]
writer = client(T["cleanup"])
clients.update({k: client(T[k]) for k in ("delete_only", "member_delete", "cleaner")})


def no_content(what, resp):
    expect_equal(what + ": status", resp.status_code, 204)
    expect_equal(what + ": body", resp.content, b"")
    expect_equal(what + ": Content-Type", resp.headers.get("content-type"), None)


def retention(versions, keep):
    """What a retention tool decides from the listing (newest first): keep the `keep` newest versions that
    carry a container tag, delete every other one."""
    kept = [x.id for x in versions if x.metadata.container.tags][:keep]
    return kept, [x.id for x in versions if x.id not in kept]


for v in E["versions"]:
    hv = {"X-GitHub-Api-Version": v}
    pk = writer.rest(v).packages
    org_doc = DOCS + "delete-package-version-for-an-organization"

    with WriteScenario(R, "%s org cleanup %s" % (v, CO["name"])) as sc:
        state = {}

        def decide(pk=pk, hv=hv):
            state["clock"] = Clock(CO["clock_in_window"])
            # a tool lists in pages (per_page=4: two pages) and reads the tags of each version
            got = list(full.rest.paginate(pk.get_all_package_versions_for_package_owned_by_org, package_type="container",
                                          package_name=CO["path_name"], org=CO["owner"], per_page=4, headers=hv))
            expect_equal("versions (id, tags), newest first", [(x.id, x.metadata.container.tags) for x in got],
                         [(w["id"], w["tags"]) for w in CO["versions"]])
            kept, deletes = retention(got, KEEP)
            expect_equal("kept", kept, CO["kept"])
            expect_equal("to delete", deletes, CO["deletes"])
            state["deletes"] = deletes
        R.check("%s retention: paginate the versions, keep the %d newest tagged (metadata.container.tags)" % (v, KEEP),
                decide)

        def delete_rest(pk=pk):
            for vid in state["deletes"]:
                no_content("delete %d" % vid, pk.delete_package_version_for_org("container", CO["path_name"], CO["owner"], vid))
        R.check("%s delete_package_version_for_org each of the rest -> 204, no body (a private one over 5000 downloads too)"
                % v, delete_rest)

        def remaining(pk=pk, hv=hv):
            got = pk.get_all_package_versions_for_package_owned_by_org("container", CO["path_name"], CO["owner"]).parsed_data
            expect_equal("active versions", [x.id for x in got], CO["kept"])
            p = pk.get_package_for_organization("container", CO["path_name"], CO["owner"]).parsed_data
            expect_equal("version_count", p.version_count, len(CO["kept"]))
            gone = pk.get_all_package_versions_for_package_owned_by_org("container", CO["path_name"], CO["owner"],
                                                                        state="deleted").parsed_data
            expect_equal("state=deleted ids (newest first)", [x.id for x in gone],
                         [w for w in [x["id"] for x in CO["versions"]] if w in CO["deletes"]] + [CO["reused"]["id"]])
            for x in gone:
                when = x.deleted_at.strftime("%Y-%m-%dT%H:%M:%SZ") if x.deleted_at else None
                if x.id == CO["reused"]["id"]:
                    expect_equal("fixture's deleted_at", when, CO["reused"]["deleted_at"])
                else:
                    state["clock"].expect_deleted_at("version %d" % x.id, when)
            fails("get a deleted version", lambda: pk.get_package_version_for_organization(
                package_type="container", package_name=CO["path_name"], org=CO["owner"],
                package_version_id=CO["deletes"][0]), 404, M["404_version"])
            fails("delete it again", lambda: pk.delete_package_version_for_org(
                "container", CO["path_name"], CO["owner"], CO["deletes"][0]), 404, M["404_version"], org_doc)
        R.check("%s the kept versions remain; the rest under state=deleted, deleted_at by the emulator's clock" % v, remaining)

        def refusals(pk=pk):
            fails("restore the version whose name is in use", lambda: pk.restore_package_version_for_org(
                "container", CO["path_name"], CO["owner"], CO["reused"]["id"]), 400, M["400_version_name"],
                DOCS + "restore-package-version-for-an-organization")
            fails("restore the package while its namespace is active", lambda: pk.restore_package_for_org(
                "container", CO["path_name"], CO["owner"]), 400, M["400_namespace"],
                DOCS + "restore-a-package-for-an-organization")
            no_content("delete %d, the older kept one" % CO["trim"], pk.delete_package_version_for_org(
                "container", CO["path_name"], CO["owner"], CO["trim"]))
            fails("delete the last tagged version", lambda: pk.delete_package_version_for_org(
                "container", CO["path_name"], CO["owner"], CO["last_tagged"]), 400, M["400_last_tagged"], org_doc)
            no_content("restore_package_version_for_org %d" % CO["trim"], pk.restore_package_version_for_org(
                "container", CO["path_name"], CO["owner"], CO["trim"]))
            got = pk.get_all_package_versions_for_package_owned_by_org("container", CO["path_name"], CO["owner"]).parsed_data
            expect_equal("active versions after the restore", [x.id for x in got], CO["kept"])
        R.check("%s 400s: version name in use, namespace in use, the last tagged version; restore_package_version_for_org"
                % v, refusals)

        def whole_package(pk=pk):
            no_content("delete_package_for_org", pk.delete_package_for_org("container", CO["path_name"], CO["owner"]))
            fails("get the deleted package", lambda: pk.get_package_for_organization(
                "container", CO["path_name"], CO["owner"]), 404, M["404_package"])
            fails("its versions", lambda: pk.get_all_package_versions_for_package_owned_by_org(
                "container", CO["path_name"], CO["owner"]), 404, M["404_package"])
            fails("restore a version of the deleted package", lambda: pk.restore_package_version_for_org(
                "container", CO["path_name"], CO["owner"], CO["deletes"][0]), 404, M["404_package"])
            names = [p.name for p in pk.list_packages_for_organization(CO["owner"], package_type="container").parsed_data]
            expect_equal("container listing without it", names, CO["others"])
            no_content("restore_package_for_org", pk.restore_package_for_org("container", CO["path_name"], CO["owner"]))
            p = pk.get_package_for_organization("container", CO["path_name"], CO["owner"]).parsed_data
            expect_equal("restored (id, version_count): the most recently deleted", (p.id, p.version_count),
                         (CO["id"], len(CO["kept"])))
            got = pk.get_all_package_versions_for_package_owned_by_org("container", CO["path_name"], CO["owner"]).parsed_data
            expect_equal("back with the versions it had", [x.id for x in got], CO["kept"])
            names = [p.name for p in pk.list_packages_for_organization(CO["owner"], package_type="container").parsed_data]
            expect_equal("container listing with it again", names, O["container"]["admin"])
            # the older deleted package of that name is still within its 30 days: its namespace is in use again
            fails("restore again", lambda: pk.restore_package_for_org(
                "container", CO["path_name"], CO["owner"]), 400, M["400_namespace"])
        R.check("%s delete_package_for_org -> 404 and gone from the list; restore_package_for_org -> back with its versions"
                % v, whole_package)

        def exported(sc=sc):
            doc = export()
            before = sc.before
            p = export_package(doc, CO["owner"], CO["id"])
            expect_equal("package deleted_at after the restore", p.get("deleted_at"), None)
            dated = {x["id"]: x.get("deleted_at") for x in p["versions"]}
            for vid in CO["deletes"]:
                state["clock"].expect_deleted_at("export: version %d" % vid, dated.get(vid))
            expect_equal("export: kept versions carry no deleted_at", [dated.get(i) for i in CO["kept"]], [None] * KEEP)
            # apart from those deleted_at, the data set is the one before the scenario
            for x in p["versions"]:
                if x["id"] in CO["deletes"]:
                    x.pop("deleted_at", None)
            expect_equal("export otherwise unchanged", doc == before, True)
        R.check("%s GET /_emulator/fixtures/export: the deleted versions with deleted_at, nothing else changed" % v, exported)

    with WriteScenario(R, "%s user cleanup %s/%s" % (v, CU["login"], CU["image"]["name"])):
        cl = clients["cleaner"].rest(v).packages
        img = CU["image"]
        lib = CU["lib"]

        def user_retention(cl=cl):
            got = cl.get_all_package_versions_for_package_owned_by_authenticated_user("container", img["name"]).parsed_data
            kept, deletes = retention(got, KEEP)
            expect_equal("(kept, to delete)", (kept, deletes), (img["kept"], img["deletes"]))
            outcome = {}
            for vid in deletes:
                try:
                    resp = cl.delete_package_version_for_user("container", img["name"], CU["login"], vid)
                    outcome[vid] = (resp.status_code, resp.content)
                except RequestFailed as e:
                    outcome[vid] = (e.response.status_code, e.response.json().get("message"))
            want = {vid: (204, b"") for vid in img["deleted"]}
            want.update({vid: (400, M["400_downloads"]) for vid in img["refused"]})
            expect_equal("delete_package_version_for_user outcomes (5000 downloads: deleted; 5001, public: refused)",
                         outcome, want)
            got = cl.get_all_package_versions_for_package_owned_by_user("container", img["name"], CU["login"]).parsed_data
            expect_equal("remaining", [x.id for x in got], [w["id"] for w in img["versions"] if w["id"] not in img["deleted"]])
        R.check("%s _for_user retention: 204 at 5000 downloads, 400 over 5000 on a public version" % v, user_retention)

        def user_restores(cl=cl):
            for vid in img["deleted"]:
                no_content("restore_package_version_for_authenticated_user %d" % vid,
                           cl.restore_package_version_for_authenticated_user("container", img["name"], vid))
            got = cl.get_all_package_versions_for_package_owned_by_authenticated_user("container", img["name"]).parsed_data
            expect_equal("every version back", [x.id for x in got], [w["id"] for w in img["versions"]])
            no_content("delete_package_for_authenticated_user (downloads do not block it)",
                       cl.delete_package_for_authenticated_user("container", img["name"]))
            fails("get_package_for_user", lambda: cl.get_package_for_user("container", img["name"], CU["login"]),
                  404, M["404_package"], DOCS + "get-a-package-for-a-user")
            expect_equal("list_packages_for_authenticated_user(container)",
                         cl.list_packages_for_authenticated_user(package_type="container").parsed_data, [])
            no_content("restore_package_for_user", cl.restore_package_for_user("container", img["name"], CU["login"]))
            p = cl.get_package_for_authenticated_user("container", img["name"]).parsed_data
            expect_equal("restored (id, version_count)", (p.id, p.version_count), (img["id"], len(img["versions"])))
        R.check("%s restore_package_version_for_authenticated_user, delete_package_for_authenticated_user, "
                "restore_package_for_user" % v, user_restores)

        def last_version(cl=cl):
            ids = lib["version_ids"]  # generated: the newest first
            got = [x.id for x in cl.get_all_package_versions_for_package_owned_by_user("npm", lib["name"], CU["login"]).parsed_data]
            expect_equal("generated versions", got, ids)
            no_content("delete_package_version_for_authenticated_user %d" % ids[0],
                       cl.delete_package_version_for_authenticated_user("npm", lib["name"], ids[0]))
            fails("the last version", lambda: cl.delete_package_version_for_user("npm", lib["name"], CU["login"], ids[1]),
                  400, M["400_last_version"], DOCS + "delete-package-version-for-a-user")
            fails("through /user", lambda: cl.delete_package_version_for_authenticated_user("npm", lib["name"], ids[1]),
                  400, M["400_last_version"], DOCS + "delete-a-package-version-for-the-authenticated-user")
            exported = export_package(export(), CU["login"], lib["id"])["versions"]
            expect_equal("export: generated versions written out, the deleted one dated",
                         sorted((x["id"], x["name"], "deleted_at" in x) for x in exported),
                         sorted([(ids[0], lib["version_names"][0], True), (ids[1], lib["version_names"][1], False)]))
        R.check("%s generated npm versions: delete one, the last one -> 400 (both owner routes)" % v, last_version)

    with WriteScenario(R, "%s write refusals" % v):
        def scopes_and_admins(v=v, pk=pk):
            path = (CO["path_name"], CO["owner"])
            fails("read:packages+repo only: delete a version", lambda: full.rest(v).packages.delete_package_version_for_org(
                "container", *path, CO["deletes"][0]), 403, M["403_delete_version_scope"], org_doc)
            fails("read:packages+repo only: delete the package", lambda: full.rest(v).packages.delete_package_for_org(
                "container", *path), 403, M["403_delete_scope"])
            do = clients["delete_only"].rest(v).packages
            no_content("delete:packages: delete", do.delete_package_version_for_org("container", *path, CO["deletes"][0]))
            fails("no write:packages: restore the version", lambda: do.restore_package_version_for_org(
                "container", *path, CO["deletes"][0]), 403, M["403_restore_version_scope"])
            fails("no write:packages: restore a package", lambda: do.restore_package_for_org(
                "container", *path), 403, M["403_restore_scope"])
            hub = clients["member_delete"].rest(v).packages
            t = CO["member_admin_of"]
            fails("package admin, not an org admin", lambda: hub.delete_package_version_for_org(
                t["package_type"], t["name"], CO["owner"], t["version_id"]), 404, M["404_package"])
            fails("a private package hubot may not read", lambda: hub.delete_package_for_org(
                "container", *path), 404, M["404_package"])
            fails("another user's public package", lambda: pk.delete_package_for_user(
                "container", CU["image"]["name"], CU["login"]), 404, M["404_package"])
            fails("no such version", lambda: pk.delete_package_version_for_org("container", *path, 1), 404, M["404_version"])
            fails("a fixture-deleted version past 30 days (real clock)", lambda: pk.restore_package_version_for_org(
                "container", *path, CO["reused"]["id"]), 404, M["404_version"])
        R.check("%s 403 scopes (delete:packages, write:packages), 404 for what it may not administer or read" % v,
                scopes_and_admins)

    with WriteScenario(R, "%s clock" % v):
        def thirty_days(pk=pk):
            clock = Clock(CO["clock_in_window"])
            vid = CO["deletes"][0]
            no_content("delete version", pk.delete_package_version_for_org("container", CO["path_name"], CO["owner"], vid))
            clock.advance(29 * 86400)
            no_content("restore it 29 days later", pk.restore_package_version_for_org(
                "container", CO["path_name"], CO["owner"], vid))
            no_content("delete it again", pk.delete_package_version_for_org("container", CO["path_name"], CO["owner"], vid))
            no_content("delete the package", pk.delete_package_for_org("container", CO["path_name"], CO["owner"]))
            clock.advance(31 * 86400)
            fails("restore the package 31 days later", lambda: pk.restore_package_for_org(
                "container", CO["path_name"], CO["owner"]), 404, M["404_package"], DOCS + "restore-a-package-for-an-organization")
            p = export_package(export(), CO["owner"], CO["id"])
            clock.now -= 31 * 86400
            clock.expect_deleted_at("export: the package", p.get("deleted_at"))
        R.check("%s PUT /_emulator/clock: restore within 30 days -> 204, advance 31 days -> 404 Package not found." % v,
                thirty_days)

        def fixture_deleted(pk=pk):
            g = C["gone"]
            Clock(g["clock_past_window"])
            fails("restore %s 31 days after its deleted_at" % g["name"], lambda: pk.restore_package_for_org(
                "npm", g["name"], CO["owner"]), 404, M["404_package"])
            Clock(g["clock_in_window"])
            no_content("restore it 29 days after", pk.restore_package_for_org("npm", g["name"], CO["owner"]))
            p = pk.get_package_for_organization("npm", g["name"], CO["owner"]).parsed_data
            expect_equal("restored (id, name)", (p.id, p.name), (g["id"], g["name"]))
            got = set_clock(real=True)
            expect_equal("{\"real\": true}", got.get("real"), True)
        R.check("%s clock vs a fixture's deleted_at: 31 days -> 404, 29 days -> 204" % v, fixture_deleted)

R.exit()
