#!/usr/bin/env python3
"""Writes the interop fixtures (SPEC §10, §14) and the expectations the client scripts check.

Users octocat, hubot, monalisa and bulk-publisher; the organisation ORG (an admin and a plain member, a private
repository with a collaborator, a container package with explicit tagged/untagged/deleted versions, a package
whose generated versions span several pages, Docker-migration conflict packages, a deleted package); tokens
for each of them, an installation token of ORG/APP_REPO and a fine-grained PAT.

For the cleanup scenarios (SPEC §15-§17, §20): the container CLEAN_NAME of ORG (six versions, four tagged, and a
deleted one whose name is in use again), the user CLEANER with a public container (one version over 5000
downloads) and a generated npm package of two versions, and tokens with delete:packages/write:packages.

    python3 gen_fixtures.py [OUT_DIR]          # default: Tests/Interop/Fixtures next to this file
    python3 gen_fixtures.py --check [OUT_DIR]  # exit 1 if the committed files differ from the generator

Standard library only, deterministic output (committed in Tests/Interop/Fixtures/).
"""
import datetime
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

TOKENS = {
    # octocat, every scope this endpoint cares about
    "full": "ghp_interopFullScopes000000000000000000",
    # octocat without any scope -> 403 read:packages
    "noscope": "ghp_interopNoScopes00000000000000000000",
    # octocat with read:packages only -> 403 on repository-scoped registries (maven)
    "norepo": "ghp_interopReadPackagesOnly000000000000",
    # not in tokens.json -> 401 Bad credentials
    "unknown": "ghp_interopUnknownToken0000000000000000",
    # hubot: a plain member of ORG (role member), admin of one package only
    "member": "ghp_interopHubotMember0000000000000000",
    # monalisa: no member of ORG, collaborator of its private repository APP_REPO
    "collaborator": "ghp_interopMonalisaCollab000000000000",
    # an installation token (GITHUB_TOKEN) of the workflow in ORG/APP_REPO (SPEC §14, §15)
    "installation": "ghs_interopAppRepoWorkflow00000000000",
    # octocat's fine-grained PAT: refused on packages routes, taken on conflicts and account routes
    "fine_grained": "github_pat_interopOctocatFineGrained000",
    # octocat (an admin of ORG) with what a cleanup tool needs: delete:packages and write:packages
    "cleanup": "ghp_interopOctocatCleanup0000000000000",
    # octocat with delete:packages but no write:packages -> restores refused (403)
    "delete_only": "ghp_interopOctocatDeleteOnly0000000000",
    # hubot (plain member of ORG, admin of org-tools) with the delete scopes -> 403 on /orgs/ writes
    "member_delete": "ghp_interopHubotDelete000000000000000",
    # CLEANER, every write scope, on its own namespace (/user, /users/{username})
    "cleaner": "ghp_interopCleanerWrite00000000000000",
}

BULK_USER = "bulk-publisher"
BULK_COUNT = 250

ORG = "interop-org"
ORG_ID = 7300001
APP_REPO = "interop-app"      # private; monalisa is its collaborator
SITE_REPO = "interop-site"    # public
BIG_ID = 7302                 # big-lib: generated versions spanning several pages
BIG_COUNT = 75
BIG_CREATED = "2024-03-01T00:00:00Z"
CLEAN_ID = 7310               # the cleanup scenario's container (private, linked to APP_REPO, not inherited)
CLEAN_NAME = APP_REPO + "/api"
CLEAN_OLD_ID = 7311           # a deleted package of the same name
CLEAN_OLD_DELETED_AT = "2025-05-29T00:00:00Z"
CLEANER = "interop-cleaner"   # a user owning the /user and /users/{username} cleanup scenario
CLEANER_ID = 9100001
CLEANER_IMAGE_ID = 9120
CLEANER_LIB_ID = 9121
CLEANER_LIB_CREATED = "2025-07-10T00:00:00Z"
GONE_DELETED_AT = "2025-01-01T00:00:00Z"


def date(day_index):
    # 2024-01-01 + day_index days, only days 1..28 of each month to stay simple and valid
    month, day = divmod(day_index, 28)
    year, month = divmod(month, 12)
    return "%04d-%02d-%02dT%02d:%02d:00Z" % (2024 + year, month + 1, day + 1, day_index % 24, day_index % 60)


def octocat():
    repos = [
        {"name": "hello-world", "id": 1296269, "private": False, "description": "My first repository on GitHub!",
         "collaborators": ["hubot"]},
        {"name": "secret-repo", "id": 1296270, "private": True, "description": None, "collaborators": []},
    ]
    pk = []

    def add(pid, name, ptype, **kw):
        entry = {"id": pid, "name": name, "package_type": ptype}
        entry.update(kw)
        entry.setdefault("created_at", date(len(pk)))
        entry.setdefault("updated_at", date(len(pk) + 1))
        pk.append(entry)

    add(9101, "hello-world-npm", "npm", visibility="public", version_count=3, repository="hello-world")
    add(9102, "octo-private", "npm", visibility="private", readers=["hubot"])
    add(9103, "octo-lib", "npm", visibility="public")
    add(9104, "octo-internal", "npm", visibility="internal")
    add(9105, "hello-world-maven", "maven", version_count=2, repository="hello-world")
    add(9106, "octo-cli", "npm", visibility="public", version_count=7)
    add(9107, "secret-maven", "maven", repository="secret-repo")
    add(9108, "octo-image", "container", visibility="public")
    add(9109, "octo-gem", "rubygems", visibility="public", repository="hello-world")
    add(9110, "zeta-npm", "npm", visibility="public")
    # appended last, so the listings above keep their order and dates: the /user conflicts list
    add(9111, "octo-legacy", "container", visibility="public", version_count=2, docker_migration_conflict=True)
    return {"login": "octocat", "id": 583231, "name": "The Octocat", "type": "User", "site_admin": False,
            "enterprise": "acme", "repositories": repos, "packages": pk}


def hubot():
    return {"login": "hubot", "id": 480938, "name": None, "type": "User", "site_admin": False,
            "repositories": [], "packages": []}


def monalisa():
    return {"login": "monalisa", "id": 2389876, "name": "Mona Lisa Octocat", "type": "User", "site_admin": False,
            "repositories": [], "packages": []}


def digest(seed):
    return "sha256:" + hashlib.sha256(seed.encode()).hexdigest()


def generated_versions(pid, count, created, container):
    """SPEC §14: the versions a package without `versions` gets from `version_count`, newest first (§18):
    version n (1 = oldest) has id pid*100000+n, is created n-1 minutes after the package, and is named
    1.0.<n-1> (containers: sha256 of "<pid>:<n>", only the newest tagged latest)."""
    start = datetime.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
    out = []
    for n in range(count, 0, -1):
        v = {"id": pid * 100000 + n, "name": digest("%d:%d" % (pid, n)) if container else "1.0.%d" % (n - 1),
             "created_at": (start + datetime.timedelta(minutes=n - 1)).strftime("%Y-%m-%dT%H:%M:%SZ")}
        if container:
            v["tags"] = ["latest"] if n == count else []
        out.append(v)
    return out


# Explicit versions of the container package, listed here oldest-declared-first on purpose: the emulator must
# order them newest first by created_at, then by id (SPEC §18), not by fixture order or by id alone.
WEB_VERSIONS = [
    {"id": 7301011, "name": digest("web:untagged"), "tags": [], "downloads": 4,
     "created_at": "2025-03-01T00:00:00Z", "updated_at": "2025-03-01T00:00:00Z"},
    {"id": 7301013, "name": digest("web:deleted"), "tags": [], "downloads": 1,
     "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z",
     "deleted_at": "2025-02-15T00:00:00Z"},
    {"id": 7301010, "name": digest("web:2.0"), "tags": ["latest", "2.0"], "downloads": 120,
     "created_at": "2025-04-01T00:00:00Z", "updated_at": "2025-04-02T00:00:00Z"},
    # same created_at as 7301011 and a higher id: it comes first (id descending breaks the tie)
    {"id": 7301012, "name": digest("web:1.0"), "tags": ["1.0"], "downloads": 30,
     "created_at": "2025-03-01T00:00:00Z", "updated_at": "2025-03-01T00:00:00Z"},
]

TOOLS_VERSIONS = [
    {"id": 7306002, "name": "2.1.0", "license": "MIT", "description": "Interop tools, second release",
     "created_at": "2025-05-02T00:00:00Z", "updated_at": "2025-05-02T00:00:00Z"},
    {"id": 7306001, "name": "2.0.0", "created_at": "2025-05-01T00:00:00Z", "updated_at": "2025-05-01T00:00:00Z"},
]

# The retention scenario's container: six active versions, four tagged, declared out of order; 7310000 was deleted
# and its digest pushed again as 7310006 (restoring it: "name in use").
CLEAN_VERSIONS = [
    {"id": 7310003, "name": digest("api:3"), "tags": ["2.0"], "downloads": 7,
     "created_at": "2025-06-03T00:00:00Z", "updated_at": "2025-06-03T00:00:00Z"},
    {"id": 7310006, "name": digest("api:6"), "tags": ["latest", "3.0"], "downloads": 9000,
     "created_at": "2025-06-06T00:00:00Z", "updated_at": "2025-06-06T00:00:00Z"},
    {"id": 7310001, "name": digest("api:1"), "tags": ["1.0"], "downloads": 6000,
     "created_at": "2025-06-01T00:00:00Z", "updated_at": "2025-06-01T00:00:00Z"},
    {"id": 7310005, "name": digest("api:5"), "tags": [], "downloads": 2,
     "created_at": "2025-06-05T00:00:00Z", "updated_at": "2025-06-05T00:00:00Z"},
    {"id": 7310002, "name": digest("api:2"), "tags": [],
     "created_at": "2025-06-02T00:00:00Z", "updated_at": "2025-06-02T00:00:00Z"},
    {"id": 7310004, "name": digest("api:4"), "tags": ["2.1"], "downloads": 11,
     "created_at": "2025-06-04T00:00:00Z", "updated_at": "2025-06-04T00:00:00Z"},
    {"id": 7310000, "name": digest("api:6"), "tags": [], "deleted_at": "2025-06-05T12:00:00Z",
     "created_at": "2025-05-30T00:00:00Z", "updated_at": "2025-05-30T00:00:00Z"},
]

# CLEANER's public container: 9120000 (tagged, the oldest) has more than 5000 downloads, 9120001 exactly 5000
CLEANER_VERSIONS = [
    {"id": 9120000, "name": digest("cleaner:0"), "tags": ["0.1"], "downloads": 5001,
     "created_at": "2025-07-01T00:00:00Z", "updated_at": "2025-07-01T00:00:00Z"},
    {"id": 9120001, "name": digest("cleaner:1"), "tags": [], "downloads": 5000,
     "created_at": "2025-07-02T00:00:00Z", "updated_at": "2025-07-02T00:00:00Z"},
    {"id": 9120002, "name": digest("cleaner:2"), "tags": ["1.0"], "downloads": 40,
     "created_at": "2025-07-03T00:00:00Z", "updated_at": "2025-07-03T00:00:00Z"},
    {"id": 9120003, "name": digest("cleaner:3"), "tags": ["latest", "1.1"], "downloads": 3,
     "created_at": "2025-07-04T00:00:00Z", "updated_at": "2025-07-04T00:00:00Z"},
]

DOCKER_VERSIONS = [
    {"id": 7308001, "name": digest("docker:1"), "tags": ["latest", "v1"],
     "created_at": "2024-09-01T00:00:00Z", "updated_at": "2024-09-01T00:00:00Z"},
]


def org():
    repos = [
        {"name": APP_REPO, "id": 7300101, "private": True, "description": "The interop org's app",
         "collaborators": ["monalisa"]},
        {"name": SITE_REPO, "id": 7300102, "private": False, "description": None, "collaborators": []},
    ]
    pk = [
        {"id": 7301, "name": APP_REPO + "/web", "package_type": "container", "visibility": "private",
         "repository": APP_REPO, "inherit_access": True,
         "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-04-02T00:00:00Z", "versions": WEB_VERSIONS},
        {"id": BIG_ID, "name": "big-lib", "package_type": "npm", "visibility": "public", "repository": SITE_REPO,
         "version_count": BIG_COUNT, "created_at": BIG_CREATED, "updated_at": "2024-03-02T00:00:00Z"},
        {"id": 7303, "name": "legacy-image", "package_type": "container", "visibility": "public",
         "version_count": 2, "docker_migration_conflict": True,
         "created_at": "2023-06-01T00:00:00Z", "updated_at": "2023-06-02T00:00:00Z"},
        {"id": 7304, "name": "legacy-private", "package_type": "container", "visibility": "private",
         "docker_migration_conflict": True,
         "created_at": "2023-07-01T00:00:00Z", "updated_at": "2023-07-02T00:00:00Z"},
        {"id": 7305, "name": "app-maven", "package_type": "maven", "repository": APP_REPO, "version_count": 2,
         "created_at": "2024-08-01T00:00:00Z", "updated_at": "2024-08-02T00:00:00Z"},
        {"id": 7306, "name": "org-tools", "package_type": "npm", "visibility": "private", "admins": ["hubot"],
         "created_at": "2025-05-01T00:00:00Z", "updated_at": "2025-05-02T00:00:00Z", "versions": TOOLS_VERSIONS},
        {"id": 7307, "name": "org-internal", "package_type": "npm", "visibility": "internal",
         "created_at": "2025-06-01T00:00:00Z", "updated_at": "2025-06-01T00:00:00Z"},
        {"id": 7308, "name": "app-docker", "package_type": "docker", "repository": APP_REPO,
         "created_at": "2024-09-01T00:00:00Z", "updated_at": "2024-09-01T00:00:00Z", "versions": DOCKER_VERSIONS},
        # deleted: hidden from every read (SPEC §14)
        {"id": 7309, "name": "gone-lib", "package_type": "npm", "visibility": "public",
         "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
         "deleted_at": GONE_DELETED_AT},
        # the cleanup scenario's container, last so every other listing keeps its order; linked to APP_REPO
        # (its installation token is its admin) without inherit_access (the collaborator does not see it)
        {"id": CLEAN_ID, "name": CLEAN_NAME, "package_type": "container", "visibility": "private",
         "repository": APP_REPO,
         "created_at": "2025-05-30T00:00:00Z", "updated_at": "2025-06-06T00:00:00Z", "versions": CLEAN_VERSIONS},
        # an earlier package of that name, deleted before the namespace was reused: restoring while CLEAN_NAME is
        # active is refused (namespace in use); once CLEAN_NAME is deleted too, the most recent one comes back
        {"id": CLEAN_OLD_ID, "name": CLEAN_NAME, "package_type": "container", "visibility": "private",
         "repository": APP_REPO, "created_at": "2025-05-01T00:00:00Z", "updated_at": "2025-05-01T00:00:00Z",
         "deleted_at": CLEAN_OLD_DELETED_AT,
         "versions": [{"id": 7311001, "name": digest("api-old:1"), "tags": ["0.9"],
                       "created_at": "2025-05-01T00:00:00Z", "updated_at": "2025-05-01T00:00:00Z"}]},
    ]
    return {"login": ORG, "id": ORG_ID, "name": "Interop Org",
            "members": [{"login": "octocat", "role": "admin"}, {"login": "hubot", "role": "member"}],
            "repositories": repos, "packages": pk}


def cleaner():
    pk = [
        {"id": CLEANER_IMAGE_ID, "name": "cleaner-image", "package_type": "container", "visibility": "public",
         "created_at": "2025-07-01T00:00:00Z", "updated_at": "2025-07-04T00:00:00Z", "versions": CLEANER_VERSIONS},
        {"id": CLEANER_LIB_ID, "name": "cleaner-lib", "package_type": "npm", "visibility": "private",
         "version_count": 2, "created_at": CLEANER_LIB_CREATED, "updated_at": CLEANER_LIB_CREATED},
    ]
    return {"login": CLEANER, "id": CLEANER_ID, "name": "Interop Cleaner", "type": "User", "site_admin": False,
            "repositories": [], "packages": pk}


def bulk():
    pk = []
    n = 0
    for i in range(1, BULK_COUNT + 1):
        pk.append({"id": 200000 + i, "name": "pkg-%03d" % i, "package_type": "npm", "visibility": "public",
                   "version_count": 1 + i % 5, "created_at": date(i), "updated_at": date(i + 1)})
        if i % 50 == 25:  # other types interleaved: the type filter must skip them without a hole in paging
            n += 1
            pk.append({"id": 300000 + n, "name": "image-%d" % n, "package_type": "container",
                       "visibility": "public", "created_at": date(i), "updated_at": date(i)})
    return {"login": BULK_USER, "id": 9000001, "name": "Bulk Publisher", "type": "User", "site_admin": False, "repositories": [], "packages": pk}


def expected():
    return {
        "tokens": TOKENS,
        "owner": "octocat",
        # octocat's token, package_type=npm&visibility=public: fixture order, no private/internal
        "filtered": {"username": "octocat", "package_type": "npm", "visibility": "public",
                     "names": ["hello-world-npm", "octo-lib", "octo-cli", "zeta-npm"]},
        # octocat's token (repo scope), package_type=maven: repository-linked, public and private
        "maven": {"username": "octocat", "package_type": "maven",
                  "names": ["hello-world-maven", "secret-maven"],
                  "repositories": ["hello-world", "secret-repo"]},
        "bulk": {"username": BULK_USER, "package_type": "npm",
                 "names": ["pkg-%03d" % i for i in range(1, BULK_COUNT + 1)]},
        # octocat's token, package_type=npm&visibility=internal (SPEC §5: rendered "internal")
        "internal": {"username": "octocat", "package_type": "npm", "visibility": "internal",
                     "names": ["octo-internal"]},
        "missing_user": "no-such-user-interop",
        "versions": ["2022-11-28", "2026-03-10"],
        "messages": {
            "401": "Bad credentials",
            "401_anonymous": "Requires authentication",
            "403_scope": "You need at least read:packages scope to list packages.",
            "403_repo": "You need at least read:packages and repo scopes to list packages.",
            "404": "Not Found",
            "404_package": "Package not found.",
            "404_version": "Package version not found.",
            "400_invalid": "Invalid argument.",
            "403_get_scope": "You need at least read:packages scope to get a package.",
            "403_versions_scope": "You need at least read:packages scope to get a package's versions.",
            "403_get_repo": "You need at least read:packages and repo scopes to get a package.",
            "403_integration": "Resource not accessible by integration",
            "403_fine_grained": "Resource not accessible by personal access token",
            "403_delete_scope": "You need at least read:packages and delete:packages scopes to delete a package.",
            "403_delete_version_scope":
                "You need at least read:packages and delete:packages scopes to delete a package version.",
            "403_restore_scope": "You need at least read:packages and write:packages scopes to restore a package.",
            "403_restore_version_scope":
                "You need at least read:packages and write:packages scopes to restore a package version.",
            "400_downloads": "Publicly visible package versions with more than 5000 downloads cannot be deleted. "
                             "Contact GitHub support for further assistance.",
            "400_last_tagged": "You cannot delete the last tagged version of a package. You must delete the package instead.",
            "400_last_version": "You cannot delete the last version of a package. You must delete the package instead.",
            "400_namespace": "The package namespace is in use by another package. Delete that package first.",
            "400_version_name": "The package version name is in use by another version. Delete that version first.",
        },
        "cleanup": cleanup_expected(),
        "org": org_expected(),
        "me": me_expected(),
        # GitHub Enterprise Server's REST root (SPEC §13): the same answers, urls and Links through it
        "ghes_prefix": "/api/v3",
    }


def by_id(versions, ids):
    index = {v["id"]: v for v in versions}
    return [index[i] for i in ids]


def org_expected():
    """What clients must see of ORG (SPEC §15 access, §18 bodies), spelled out rather than recomputed."""
    web_name = APP_REPO + "/web"
    web_active = by_id(WEB_VERSIONS, [7301010, 7301012, 7301011])  # created_at desc, then id desc
    web_deleted = by_id(WEB_VERSIONS, [7301013])
    big = generated_versions(BIG_ID, BIG_COUNT, BIG_CREATED, container=False)
    legacy = generated_versions(7303, 2, "2023-06-01T00:00:00Z", container=True)
    web = "https://github.com"
    return {
        "login": ORG, "id": ORG_ID, "name": "Interop Org",
        # node_id: base64 of "012:Organization<id>" (SPEC §18)
        "node_id": "MDEyOk9yZ2FuaXphdGlvbjczMDAwMDE=",
        # package_type=container, by requester (SPEC §15): octocat is an admin member; hubot a plain member
        # (no access to the private ones); monalisa no member but collaborator of APP_REPO (inherit_access)
        "container": {"admin": [web_name, "legacy-image", "legacy-private", CLEAN_NAME], "member": ["legacy-image"],
                      "collaborator": [web_name, "legacy-image"],
                      # the admin's list: each package's visibility and linked repository
                      "admin_visibility": ["private", "public", "private", "private"],
                      "admin_repositories": ["%s/%s" % (ORG, APP_REPO), None, None, "%s/%s" % (ORG, APP_REPO)]},
        # package_type=npm: public / private (octocat); hubot, a member, also sees the internal one and,
        # as the package's admin, the private one
        "npm": {"public": ["big-lib"], "private": ["org-tools"], "admin": ["big-lib", "org-tools", "org-internal"],
                "member": ["big-lib", "org-tools", "org-internal"],
                "collaborator": ["big-lib"]},
        "web": {
            "name": web_name, "id": 7301, "version_count": len(web_active),
            "repository": "%s/%s" % (ORG, APP_REPO),
            "path_name": web_name.replace("/", "%2F"),  # how clients send it (SPEC §13)
            "html_url": "%s/orgs/%s/packages/container/package/%s" % (web, ORG, web_name.replace("/", "%2F")),
            "versions": [{"id": v["id"], "name": v["name"], "tags": v["tags"],
                          "html_url": "%s/orgs/%s/packages/container/%s/%d"
                                      % (web, ORG, web_name.replace("/", "%2F"), v["id"])} for v in web_active],
            "deleted": [{"id": v["id"], "name": v["name"], "deleted_at": v["deleted_at"]} for v in web_deleted],
        },
        "big": {
            "name": "big-lib", "id": BIG_ID, "per_page": 30, "pages": -(-BIG_COUNT // 30),
            "version_ids": [v["id"] for v in big], "version_names": [v["name"] for v in big],
            "newest_created_at": big[0]["created_at"],
            # linked to a repository: package_html_url is the repository's packages page (SPEC §18)
            "package_html_url": "%s/%s/%s/packages/%d" % (web, ORG, SITE_REPO, BIG_ID),
        },
        "legacy": {"name": "legacy-image", "id": 7303,
                   "versions": [{"id": v["id"], "name": v["name"], "tags": v["tags"]} for v in legacy]},
        "tools": {"name": "org-tools", "id": 7306,
                  "versions": [{"id": v["id"], "name": v["name"], "license": v.get("license"),
                                "description": v.get("description")} for v in TOOLS_VERSIONS]},
        "docker": {"name": "app-docker", "id": 7308,
                   "versions": [{"id": v["id"], "name": v["name"], "tag": v["tags"]} for v in DOCKER_VERSIONS]},
        "maven": {"name": "app-maven", "id": 7305, "version_names": ["1.0.1", "1.0.0"]},
        "conflicts": {"admin": ["legacy-image", "legacy-private"], "public": ["legacy-image"]},
        "deleted_package": "gone-lib",
    }


def epoch(date_string):
    return int(datetime.datetime.strptime(date_string, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp())


def retention(versions, keep):
    """A retention policy as cleanup tools apply it: of the active versions newest first, keep the `keep`
    newest that carry a tag, delete every other one (untagged and older tagged)."""
    kept = [v["id"] for v in versions if v.get("tags")][:keep]
    return kept, [v["id"] for v in versions if v["id"] not in kept]


def cleanup_expected():
    """The cleanup scenarios (SPEC §15-§17, §20), spelled out: what a retention run over each package deletes,
    what stays, and what each refusal answers."""
    def newest_first(versions):
        return sorted((v for v in versions if "deleted_at" not in v), key=lambda v: (v["created_at"], v["id"]),
                      reverse=True)

    def brief(v):
        return {"id": v["id"], "name": v["name"], "tags": v.get("tags", [])}
    org_active = newest_first(CLEAN_VERSIONS)
    kept, deletes = retention(org_active, 2)
    user_active = newest_first(CLEANER_VERSIONS)
    user_kept, user_deletes = retention(user_active, 2)
    lib = generated_versions(CLEANER_LIB_ID, 2, CLEANER_LIB_CREATED, container=False)
    reused = next(v for v in CLEAN_VERSIONS if "deleted_at" in v)
    return {
        "keep": 2,
        "org": {
            "owner": ORG, "name": CLEAN_NAME, "path_name": CLEAN_NAME.replace("/", "%2F"), "id": CLEAN_ID,
            "versions": [brief(v) for v in org_active],
            "kept": kept, "deletes": deletes,
            # after the retention run, trimming to one tagged version: the older kept one goes (204), then the
            # last tagged one is refused (400, SPEC §17 rule 2 before rule 3: it is also the last version)
            "trim": kept[1], "last_tagged": kept[0],
            # deleted in the fixtures, its name in use again by the newest version
            "reused": {"id": reused["id"], "name": reused["name"], "deleted_at": reused["deleted_at"],
                       "in_use_by": next(v["id"] for v in org_active if v["name"] == reused["name"])},
            # a clock inside the reused version's 30 days (SPEC §17): its restore is refused for the name; inside
            # the older deleted package's too: restoring the package while CLEAN_NAME is active is refused
            "clock_in_window": epoch(reused["deleted_at"]) + 86400,
            "older_deleted": {"id": CLEAN_OLD_ID, "deleted_at": CLEAN_OLD_DELETED_AT},
            # the other container packages of ORG an admin lists (after CLEAN_NAME is deleted)
            "others": [APP_REPO + "/web", "legacy-image", "legacy-private"],
            # a public package of ORG not linked to APP_REPO: its installation token reads it, is not its admin
            "foreign_public": {"package_type": "container", "name": "legacy-image",
                               "version_id": generated_versions(7303, 2, "2023-06-01T00:00:00Z", True)[0]["id"]},
            # hubot administers org-tools but is not an admin of ORG (SPEC §15: /orgs/ writes need both)
            "member_admin_of": {"package_type": "npm", "name": "org-tools", "version_id": TOOLS_VERSIONS[0]["id"]},
        },
        # ORG's deleted npm package (SPEC §14): restorable with the clock inside its 30 days, not after
        "gone": {"name": "gone-lib", "id": 7309, "deleted_at": GONE_DELETED_AT,
                 "clock_in_window": epoch(GONE_DELETED_AT) + 29 * 86400,
                 "clock_past_window": epoch(GONE_DELETED_AT) + 31 * 86400},
        "user": {
            "login": CLEANER, "id": CLEANER_ID,
            "image": {"name": "cleaner-image", "id": CLEANER_IMAGE_ID,
                      "versions": [brief(v) for v in user_active], "kept": user_kept, "deletes": user_deletes,
                      # of the deletes: the one over 5000 downloads is refused, the one at exactly 5000 is not
                      "refused": [v["id"] for v in user_active if v["id"] in user_deletes and v.get("downloads", 0) > 5000],
                      "deleted": [v["id"] for v in user_active if v["id"] in user_deletes and v.get("downloads", 0) <= 5000]},
            "lib": {"name": "cleaner-lib", "id": CLEANER_LIB_ID, "version_ids": [v["id"] for v in lib],
                    "version_names": [v["name"] for v in lib]},
        },
    }


def me_expected():
    """octocat through /user/... (the token's own namespace) and its account."""
    pk = {p["name"]: p for p in octocat()["packages"]}

    def gen(name):
        p = pk[name]
        return generated_versions(p["id"], p.get("version_count", 1), p["created_at"], p["package_type"] == "container")
    hw = gen("hello-world-npm")
    return {"login": "octocat", "id": 583231, "name": "The Octocat", "type": "User",
            "node_id": "MDQ6VXNlcjU4MzIzMQ==",
            "container": ["octo-image", "octo-legacy"], "conflicts": ["octo-legacy"],
            "versions": {"package_type": "npm", "name": "hello-world-npm", "id": pk["hello-world-npm"]["id"],
                         "ids": [v["id"] for v in hw], "names": [v["name"] for v in hw],
                         "created_at": [v["created_at"] for v in hw]},
            "octo_cli_ids": [v["id"] for v in gen("octo-cli")]}


def files():
    tokens = {"tokens": [
        {"token": TOKENS["full"], "login": "octocat", "scopes": ["read:packages", "repo"]},
        {"token": TOKENS["noscope"], "login": "octocat", "scopes": []},
        {"token": TOKENS["norepo"], "login": "octocat", "scopes": ["read:packages"]},
        {"token": TOKENS["member"], "login": "hubot", "scopes": ["read:packages", "repo"]},
        {"token": TOKENS["collaborator"], "login": "monalisa", "scopes": ["read:packages", "repo"]},
        {"token": TOKENS["installation"], "repository": "%s/%s" % (ORG, APP_REPO)},
        {"token": TOKENS["fine_grained"], "login": "octocat"},
        {"token": TOKENS["cleanup"], "login": "octocat", "scopes": ["read:packages", "delete:packages", "write:packages"]},
        {"token": TOKENS["delete_only"], "login": "octocat", "scopes": ["read:packages", "delete:packages"]},
        {"token": TOKENS["member_delete"], "login": "hubot",
         "scopes": ["read:packages", "delete:packages", "write:packages"]},
        {"token": TOKENS["cleaner"], "login": CLEANER, "scopes": ["read:packages", "delete:packages", "write:packages"]},
    ]}
    out = {
        "tokens.json": tokens,
        "users/octocat.json": octocat(),
        "users/hubot.json": hubot(),
        "users/monalisa.json": monalisa(),
        "orgs/%s.json" % ORG: org(),
        "users/%s.json" % BULK_USER: bulk(),
        "users/%s.json" % CLEANER: cleaner(),
        "../expected.json": expected(),
    }
    return {k: json.dumps(v, indent=2) + "\n" for k, v in out.items()}


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    out_dir = os.path.abspath(args[0]) if args else os.path.join(HERE, "Fixtures")
    bad = []
    for rel, text in files().items():
        path = os.path.normpath(os.path.join(out_dir, rel))
        if check:
            try:
                with open(path) as f:
                    if f.read() != text:
                        bad.append(path)
            except FileNotFoundError:
                bad.append(path)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
    if bad:
        print("out of date (run gen_fixtures.py): " + ", ".join(bad), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
