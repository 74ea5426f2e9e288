#!/usr/bin/env python3
"""Writes the interop fixtures (SPEC §10) and the expectations the client scripts check.

    python3 gen_fixtures.py [OUT_DIR]          # default: Tests/Interop/Fixtures next to this file
    python3 gen_fixtures.py --check [OUT_DIR]  # exit 1 if the committed files differ from the generator

Standard library only, deterministic output (committed in Tests/Interop/Fixtures/).
"""
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
}

BULK_USER = "bulk-publisher"
BULK_COUNT = 250


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
    return {"login": "octocat", "id": 583231, "name": "The Octocat", "type": "User", "site_admin": False,
            "enterprise": "acme", "repositories": repos, "packages": pk}


def hubot():
    return {"login": "hubot", "id": 480938, "name": None, "type": "User", "site_admin": False,
            "repositories": [], "packages": []}


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
        },
    }


def files():
    tokens = {"tokens": [
        {"token": TOKENS["full"], "login": "octocat", "scopes": ["read:packages", "repo"]},
        {"token": TOKENS["noscope"], "login": "octocat", "scopes": []},
        {"token": TOKENS["norepo"], "login": "octocat", "scopes": ["read:packages"]},
    ]}
    out = {
        "tokens.json": tokens,
        "users/octocat.json": octocat(),
        "users/hubot.json": hubot(),
        "users/%s.json" % BULK_USER: bulk(),
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
