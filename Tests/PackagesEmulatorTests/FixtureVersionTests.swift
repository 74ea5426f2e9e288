import Testing

@testable import PackagesEmulator

/// The package keys of SPEC §14 (`admins`, `versions`, `deleted_at`, `docker_migration_conflict`,
/// `version_count`'s limit) and the version keys, on user files.
struct FixtureVersionTests {
    typealias Row = FixtureRuleTests.Row

    static let octo = "users/octocat.json"
    static let scoped = "packages are repository-scoped under profile"
    static let versionKeys = "id, name, tags, license, description, downloads, created_at, updated_at, deleted_at"
    static let repo = #", "repositories": [{"name": "r", "id": 10}]"#
    static let digestA = "sha256:" + String(repeating: "a", count: 64)
    static let digestB = "sha256:" + String(repeating: "b", count: 64)

    static func pkg(_ extra: String = "", id: Int = 101, name: String = "p", type: String = "npm") -> String {
        FixtureDocs.package(extra, id: id, name: name, type: type)
    }

    static func pkgs(_ packages: String...) -> String {
        #", "packages": [\#(packages.joined(separator: ", "))]"#
    }

    /// A version with the required keys (`id`, `name`, dates) plus `extra`.
    static func version(_ id: Int, _ name: String, _ extra: String = "") -> String {
        #"{"id": \#(id), "name": "\#(name)", "created_at": "2024-01-01T00:00:00Z", "#
            + #""updated_at": "2024-01-01T00:00:00Z"\#(extra)}"#
    }

    /// A package (npm unless told) with `versions` as given.
    static func with(_ versions: String..., extra: String = "", type: String = "npm", id: Int = 101,
                     name: String = "p") -> String {
        pkg(#", "versions": [\#(versions.joined(separator: ", "))]\#(extra)"#, id: id, name: name, type: type)
    }

    /// How an error message quotes a long value: its first 60 characters and an ellipsis.
    static func cut(_ text: String) -> String { String(text.prefix(60)) + "…" }

    static let packageRows: [Row] = [
        Row("admins must be users", octocat: pkgs(pkg(#", "admins": ["hubot", "ghost", "HUBOT"]"#)), [
            #"\#(octo): $.packages[0].admins[1]: "ghost" is not the login of any user"#,
            #"\#(octo): $.packages[0].admins[2]: duplicate login "hubot" (also at $.packages[0].admins[0])"#,
        ]),
        Row("admins is an array", octocat: pkgs(pkg(#", "admins": "hubot""#)),
            [#"\#(octo): $.packages[0].admins: expected an array, got string "hubot""#]),
        Row("admins not allowed on repository-scoped packages",
            octocat: repo + pkgs(pkg(#", "repository": "r", "admins": ["hubot"]"#, type: "maven")),
            ["\(octo): $.packages[0].admins: not allowed: maven \(scoped) dotcom, so access is the linked "
                + "repository's"]),
        Row("admins not allowed on npm under ghes",
            octocat: repo + pkgs(pkg(#", "repository": "r", "admins": ["hubot"]"#)), profile: .ghes,
            ["\(octo): $.packages[0].admins: not allowed: npm \(scoped) ghes, so access is the linked repository's"]),
        Row("empty admins fine on repository-scoped packages",
            octocat: repo + pkgs(pkg(#", "repository": "r", "admins": []"#, type: "docker")), []),
        Row("deleted_at is a date", octocat: pkgs(pkg(#", "deleted_at": "yesterday""#)),
            [#"\#(octo): $.packages[0].deleted_at: "yesterday" is not of the form YYYY-MM-DDTHH:MM:SSZ"#]),
        Row("docker_migration_conflict is a boolean", octocat: pkgs(pkg(#", "docker_migration_conflict": 1"#)),
            ["\(octo): $.packages[0].docker_migration_conflict: expected a boolean, got number 1"]),
        Row("a deleted package and an active one share a name",
            octocat: pkgs(pkg(#", "deleted_at": "2024-02-01T00:00:00Z""#), pkg(id: 102, name: "P")), []),
        Row("several deleted packages share a name",
            octocat: pkgs(pkg(#", "deleted_at": "2024-02-01T00:00:00Z""#),
                          pkg(#", "deleted_at": "2024-03-01T00:00:00Z""#, id: 102), pkg(id: 103)), []),
        Row("two active packages still may not",
            octocat: pkgs(pkg(#", "deleted_at": "2024-02-01T00:00:00Z""#), pkg(id: 102), pkg(id: 103, name: "P")),
            [#"\#(octo): $.packages[2].name: duplicate npm package "P" in this user, names are case-insensitive "#
                + "(also at $.packages[1].name)"]),
        Row("version_count at most 10000", octocat: pkgs(pkg(#", "version_count": 10001"#)),
            ["\(octo): $.packages[0].version_count: expected at most 10000, got 10001 (the most generated versions "
                + #"a package may have; declare "versions" instead)"#]),
        Row("version_count 0 and 10000 are fine",
            octocat: pkgs(pkg(#", "version_count": 0"#), pkg(#", "version_count": 10000"#, id: 102, name: "q")), []),
        Row("version_count not with versions", octocat: pkgs(pkg(#", "version_count": 1, "versions": []"#)),
            [#"\#(octo): $.packages[0].version_count: not allowed with "versions": the version count is the number "#
                + "of active versions"]),
        Row("a generating package's id leaves room for version ids",
            octocat: pkgs(pkg(id: 92_233_720_368_548), pkg(#", "versions": []"#, id: 92_233_720_368_549, name: "q"),
                          pkg(#", "version_count": 0"#, id: 92_233_720_368_550, name: "r"),
                          pkg(id: 92_233_720_368_547, name: "s")),
            [#"\#(octo): $.packages[0].id: a package without "versions" generates version ids id × 100000 + n, "#
                + "so its id is at most 92233720368547"]),
    ]

    static let versionRows: [Row] = [
        Row("versions is an array", octocat: pkgs(pkg(#", "versions": {}"#)),
            ["\(octo): $.packages[0].versions: expected an array, got an object"]),
        Row("version is an object", octocat: pkgs(with("1")),
            ["\(octo): $.packages[0].versions[0]: expected an object, got number 1"]),
        Row("version required keys", octocat: pkgs(with("{}")), ["id", "name", "created_at", "updated_at"]
            .map { #"\#(octo): $.packages[0].versions[0]: missing required key "\#($0)""# }),
        Row("version id positive", octocat: pkgs(with(version(0, "1.0.0"))),
            ["\(octo): $.packages[0].versions[0].id: expected a positive integer, got 0"]),
        Row("version ids unique across packages and users", users: [
            FixtureDocs.octocat(pkgs(with(version(7, "1.0.0")), with(version(8, "1.0.0"), id: 102, name: "q"))),
            ("hubot.json", #"{"login": "hubot", "id": 2\#(pkgs(with(version(7, "2.0.0"), id: 103)))}"#),
        ], ["users/octocat.json: $.packages[0].versions[0].id: duplicate version id 7 (also at users/hubot.json: "
            + "$.packages[0].versions[0].id)"]),
        Row("container version name is a digest", octocat: pkgs(with(
            version(1, "1.0.0"), version(2, "sha256:" + String(repeating: "A", count: 64)),
            version(3, "sha256:" + String(repeating: "a", count: 63)), version(4, digestA), type: "container")), [
                #"\#(octo): $.packages[0].versions[0].name: "1.0.0" is not a valid container version name "#
                    + #"("sha256:" and 64 lowercase hex digits)"#,
                #"\#(octo): $.packages[0].versions[1].name: "\#(cut("sha256:" + String(repeating: "A", count: 64)))" "#
                    + #"is not a valid container version name ("sha256:" and 64 lowercase hex digits)"#,
                #"\#(octo): $.packages[0].versions[2].name: "\#(cut(digestA))" "#
                    + #"is not a valid container version name ("sha256:" and 64 lowercase hex digits)"#,
            ]),
        Row("other version names like package names", octocat: pkgs(with(version(1, "1.0 beta"), version(2, ""))), [
            #"\#(octo): $.packages[0].versions[0].name: "1.0 beta" is not a valid version name "#
                + "(not empty, no whitespace or control characters)",
            #"\#(octo): $.packages[0].versions[1].name: "" is not a valid version name "#
                + "(not empty, no whitespace or control characters)",
        ]),
        Row("active version names unique", octocat: pkgs(with(
            version(1, "1.0.0"), version(2, "1.0.0", #", "deleted_at": "2024-02-01T00:00:00Z""#),
            version(3, "1.0.0"))),
            [#"\#(octo): $.packages[0].versions[2].name: duplicate version name "1.0.0" among the package's active "#
                + "versions (also at $.packages[0].versions[0].name)"]),
        Row("tags only on container and docker", octocat: pkgs(with(version(1, "1.0.0", #", "tags": []"#))),
            ["\(octo): $.packages[0].versions[0].tags: not allowed on npm versions: only container and docker "
                + "versions have tags"]),
        Row("docker versions have tags",
            octocat: repo + pkgs(with(version(1, "v1", #", "tags": ["a"]"#), extra: #", "repository": "r""#,
                                      type: "docker")), []),
        Row("tags are non-empty strings", octocat: pkgs(with(
            version(1, digestA, #", "tags": ["", 5, "x", "x"]"#), type: "container")), [
                "\(octo): $.packages[0].versions[0].tags[0]: must not be empty",
                "\(octo): $.packages[0].versions[0].tags[1]: expected a string, got number 5",
                #"\#(octo): $.packages[0].versions[0].tags[3]: duplicate tag "x" (also at "#
                    + "$.packages[0].versions[0].tags[2])",
            ]),
        Row("a tag names one active version", octocat: pkgs(with(
            version(1, digestA, #", "tags": ["latest", "1"]"#),
            version(2, digestB, #", "tags": ["latest"], "deleted_at": "2024-02-01T00:00:00Z""#),
            version(3, "sha256:" + String(repeating: "c", count: 64), #", "tags": ["1"]"#), type: "container")),
            [#"\#(octo): $.packages[0].versions[2].tags[0]: duplicate tag "1" among the package's active versions "#
                + "(also at $.packages[0].versions[0].tags[1])"]),
        Row("license and description are strings", octocat: pkgs(with(
            version(1, "1.0.0", #", "license": null, "description": 5"#))), [
                "\(octo): $.packages[0].versions[0].license: expected a string, got null",
                "\(octo): $.packages[0].versions[0].description: expected a string, got number 5",
            ]),
        Row("downloads non-negative", octocat: pkgs(with(version(1, "1.0.0", #", "downloads": -1"#))),
            ["\(octo): $.packages[0].versions[0].downloads: expected a non-negative integer, got -1"]),
        Row("version dates", octocat: pkgs(with(
            version(1, "1.0.0", #", "deleted_at": "2024-02-30T00:00:00Z""#)
                .replacingOccurrences(of: #""created_at": "2024-01-01T00:00:00Z""#, with: #""created_at": 1"#))), [
                    "\(octo): $.packages[0].versions[0].created_at: expected a string, got number 1",
                    #"\#(octo): $.packages[0].versions[0].deleted_at: "2024-02-30T00:00:00Z" is not a real date "#
                        + "(day 30 of a 29-day month)",
                ]),
        Row("version keys only", octocat: pkgs(with(version(1, "1.0.0", #", "size": 5"#))),
            ["\(octo): $.packages[0].versions[0].size: unknown key; allowed keys are \(versionKeys)"]),
        Row("a declared id may not be a generated one", users: [
            FixtureDocs.octocat(pkgs(pkg(#", "version_count": 3"#, id: 1),
                                     with(version(100_000, "a"), version(100_003, "b"), version(100_004, "c"),
                                          id: 2, name: "q"))),
            ("hubot.json", #"{"login": "hubot", "id": 2\#(pkgs(with(version(100_001, "d"), id: 3)))}"#),
        ], [
            "users/hubot.json: $.packages[0].versions[0].id: version id 100001 is also generated version 1 of "
                + #"package 1 at users/octocat.json: $.packages[0], which has no "versions" and version_count 3 "#
                + "(generated version ids are package id × 100000 + n)",
            "users/octocat.json: $.packages[1].versions[1].id: version id 100003 is also generated version 3 of "
                + #"package 1 at $.packages[0], which has no "versions" and version_count 3 (generated version ids "#
                + "are package id × 100000 + n)",
        ]),
    ]

    @Test(arguments: packageRows + versionRows)
    func reportsEachVersionRule(_ row: Row) {
        let result = row.docs.validate()
        #expect(result.errors.map(\.description) == row.errors)
        #expect((result.fixtures == nil) == !row.errors.isEmpty)
    }

    @Test func decodesDeclaredVersionsWithDefaults() throws {
        let tagged = Self.version(9001, Self.digestA, #", "tags": ["latest"], "downloads": 12, "license": "MIT", "#
            + #""description": "d""#)
        let deleted = Self.version(9000, Self.digestB, #", "deleted_at": "2024-06-02T00:00:00Z""#)
        var docs = FixtureDocs()
        docs.users[0] = FixtureDocs.octocat(Self.pkgs(Self.with(
            tagged, deleted, extra: #", "admins": ["HUBOT"], "deleted_at": "2024-05-01T00:00:00Z", "#
                + #""docker_migration_conflict": true"#, type: "container")))
        let result = docs.validate()
        #expect(result.errors == [])
        let package = try #require(result.fixtures?.users.first { $0.login == "octocat" }?.packages.first)
        let date = "2024-01-01T00:00:00Z"
        #expect(package == Package(
            id: 101, name: "p", type: .container, createdAt: date, updatedAt: "2024-01-02T00:00:00Z",
            admins: ["hubot"], versions: [
                PackageVersion(id: 9001, name: Self.digestA, tags: ["latest"], license: "MIT", description: "d",
                               downloads: 12, createdAt: date, updatedAt: date),
                PackageVersion(id: 9000, name: Self.digestB, createdAt: date, updatedAt: date,
                               deletedAt: "2024-06-02T00:00:00Z"),
            ], deletedAt: "2024-05-01T00:00:00Z", dockerMigrationConflict: true))
        #expect(package.versionCount == 1)
    }

    @Test func packagesWithoutVersionsGenerateThem() throws {
        var docs = FixtureDocs()
        docs.users[0] = FixtureDocs.octocat(Self.pkgs(Self.pkg(), Self.pkg(#", "version_count": 4"#, id: 102,
                                                                          name: "q")))
        let packages = try #require(docs.validate().fixtures?.users.first { $0.login == "octocat" }?.packages)
        #expect(packages.map(\.versions) == [nil, nil])
        #expect(packages.map(\.versionCount) == [1, 4])
        #expect(packages[1].allVersions.map(\.id) == [10_200_001, 10_200_002, 10_200_003, 10_200_004])
    }
}
