#!/usr/bin/env python3
"""Writes a large fixtures directory for the scale benchmark (issue 6).

  generate-fixtures.py DIR [--big N] [--users U] [--per-user P]

DIR/users/big-publisher.json holds N packages of one type (default 10,000 npm packages),
DIR/users/hundred-publisher.json 100 npm packages (the small side of the page-cost comparison);
U users (default 1,000) hold P packages each (default 100), mixed types and visibilities, each user's
repository-scoped packages linked to a repository of theirs. tokens.json has one read:packages+repo
token per user, `ghp_bench_<login>`. Deterministic: the same arguments write the same bytes.
"""
import argparse
import json
import os

TYPES = ["npm", "container", "nuget", "rubygems", "maven", "docker"]
REPO_SCOPED = {"maven", "docker"}


def user(login, uid, packages, repos):
    return {"login": login, "id": uid, "repositories": repos, "packages": packages}


def package(pid, name, ptype, visibility, repo):
    entry = {"id": pid, "name": name, "package_type": ptype, "version_count": pid % 17 + 1,
             "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-06-01T12:00:00Z"}
    if ptype in REPO_SCOPED:
        entry["repository"] = repo
    else:
        entry["visibility"] = visibility
        if pid % 3 == 0:
            entry["repository"] = repo
    return entry


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--big", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--per-user", type=int, default=100)
    args = parser.parse_args()
    os.makedirs(os.path.join(args.dir, "users"), exist_ok=True)
    tokens = []
    next_id = 1

    def write(login, body):
        with open(os.path.join(args.dir, "users", login + ".json"), "w") as f:
            json.dump(body, f, separators=(",", ":"))
        tokens.append({"token": "ghp_bench_" + login.replace("-", "_"), "login": login,
                       "scopes": ["read:packages", "repo", "delete:packages", "write:packages"]})

    repos = [{"name": "big-repo", "id": 10_000_000, "private": False}]
    big = []
    for i in range(args.big):
        big.append(package(next_id, "pkg-%05d" % i, "npm", "public", "big-repo"))
        next_id += 1
    write("big-publisher", user("big-publisher", 9_999_999, big, repos))

    hundred = []
    for i in range(100):
        hundred.append(package(next_id, "pkg-%03d" % i, "npm", "public", "big-repo"))
        next_id += 1
    repos = [{"name": "big-repo", "id": 10_000_001, "private": False}]
    write("hundred-publisher", user("hundred-publisher", 9_999_998, hundred, repos))

    for u in range(args.users):
        login = "user-%04d" % u
        repos = [{"name": "repo-a", "id": 20_000_000 + 2 * u, "private": False},
                 {"name": "repo-b", "id": 20_000_001 + 2 * u, "private": True}]
        packages = []
        for p in range(args.per_user):
            ptype = TYPES[p % len(TYPES)]
            visibility = "private" if p % 4 == 3 else "public"
            repo = "repo-b" if visibility == "private" else "repo-a"
            packages.append(package(next_id, "%s-%03d" % (ptype, p), ptype, visibility, repo))
            next_id += 1
        write(login, user(login, 1_000_000 + u, packages, repos))

    os.makedirs(os.path.join(args.dir, "orgs"), exist_ok=True)
    declared = [{"id": 50_000_000_000 + n, "name": "1.%d.0" % n,
                 "created_at": "2024-%02d-%02dT%02d:%02d:00Z" % (1 + n // 2000 % 12, 1 + n // 80 % 25, n // 60 % 24, n % 60),
                 "updated_at": "2024-06-01T00:00:00Z"} for n in range(10_000)]
    org = {"login": "version-org", "id": 9_999_997, "packages": [
        {"id": next_id, "name": "generated", "package_type": "container", "version_count": 10_000,
         "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-06-01T00:00:00Z"},
        {"id": next_id + 1, "name": "declared", "package_type": "npm", "versions": declared,
         "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-06-01T00:00:00Z"}]}
    with open(os.path.join(args.dir, "orgs", "version-org.json"), "w") as f:
        json.dump(org, f, separators=(",", ":"))

    with open(os.path.join(args.dir, "tokens.json"), "w") as f:
        json.dump({"tokens": tokens}, f, indent=1)


if __name__ == "__main__":
    main()
