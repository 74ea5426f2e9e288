import Testing

@testable import PackagesEmulator

/// `FixtureExport.document` (SPEC §20): the `PUT` format, and validating it gives the data set back.
struct FixtureExportTests {
    /// What a data set is once exported and validated again: every package's versions declared.
    static func materialized(_ fixtures: FixtureSet) -> FixtureSet {
        func declare(_ packages: [Package]) -> [Package] {
            packages.map { package in
                var declared = package
                // The document carries no registry content: what a layout gave a version is not in it.
                declared.versions = package.allVersions.map { version in
                    var plain = version
                    plain.manifest = nil
                    plain.npm = nil
                    return plain
                }
                return declared
            }
        }
        var result = fixtures
        result.registry = RegistryContent()
        for index in result.users.indices { result.users[index].packages = declare(result.users[index].packages) }
        for index in result.orgs.indices { result.orgs[index].packages = declare(result.orgs[index].packages) }
        return result
    }

    static func roundTrip(_ fixtures: FixtureSet, profile: Profile = .dotcom) -> FixtureLoadResult {
        FixtureLoader.validate(document: FixtureExport.document(fixtures), name: "export", profile: profile)
    }

    static let date = "2024-01-01T00:00:00Z"
    static func digest(_ digit: Character) -> String { "sha256:" + String(repeating: digit, count: 64) }

    static func package(_ id: Int64, _ name: String, _ type: PackageType, _ visibility: Visibility = .public,
                        count: Int64 = 1, repository: String? = nil, readers: [String] = [], inherit: Bool = false,
                        admins: [String] = [], versions: [PackageVersion]? = nil, deletedAt: String? = nil,
                        conflict: Bool = false) -> Package {
        Package(id: id, name: name, type: type, visibility: visibility, versionCount: count, createdAt: date,
                updatedAt: "2024-06-01T12:00:00Z", repository: repository, readers: readers, inheritAccess: inherit,
                admins: admins, versions: versions, deletedAt: deletedAt, dockerMigrationConflict: conflict)
    }

    static func version(_ id: Int64, _ name: String, tags: [String] = [], license: String? = nil,
                        description: String? = nil, downloads: Int64 = 0, deletedAt: String? = nil) -> PackageVersion {
        PackageVersion(id: id, name: name, tags: tags, license: license, description: description,
                       downloads: downloads, createdAt: date, updatedAt: "2024-01-02T00:00:00Z", deletedAt: deletedAt)
    }

    /// Every kind of thing the format holds: organisations, deleted packages and versions, admins, generated and
    /// declared versions, tokens with a repository, strings that need escaping.
    static let rich = FixtureSet(
        users: [
            User(login: "OctoCat", id: 1, name: "The \"Octo\" Cat", siteAdmin: true, enterprise: "acme",
                 repositories: [
                    Repository(name: "hello", id: 11, description: "line\nbreak\t\u{7F}", collaborators: ["hubot"]),
                    Repository(name: "Secret", id: 12, isPrivate: true),
                 ],
                 packages: [
                    package(101, "tool", .npm, .private, count: 3, repository: "hello", readers: ["hubot"],
                            inherit: true, admins: ["monalisa"]),
                    package(102, "img", .container, .internal, versions: [
                        version(5001, digest("a"), tags: ["latest", "1.0"], license: "MIT", description: "é ✓",
                                downloads: 6000),
                        version(5002, digest("b"), tags: ["latest"], deletedAt: "2024-03-01T00:00:00Z"),
                    ]),
                    package(103, "IMG", .container, .private, count: 2, deletedAt: "2024-02-01T00:00:00Z"),
                    package(104, "jar", .maven, .private, count: 0, repository: "Secret"),
                    package(105, "d", .docker, repository: "hello", versions: [version(5003, "v1", tags: ["v1"])],
                            conflict: true),
                 ],
                 createdAt: "2011-01-25T18:44:36Z"),
            User(login: "hubot", id: 2, type: "Organization"),
            User(login: "monalisa", id: 3),
        ],
        orgs: [
            Organization(
                login: "Octo-Org", id: 9919, name: "Octo Org", enterprise: "acme",
                members: [.init(login: "OctoCat", role: .admin), .init(login: "hubot")],
                repositories: [Repository(name: "octo-repo", id: 14, isPrivate: true, collaborators: ["monalisa"])],
                packages: [
                    package(301, "octo-repo/web", .container, .private, repository: "octo-repo", inherit: true,
                            admins: ["hubot"], versions: [
                                version(6001, digest("c"), tags: ["latest"]),
                                version(6002, digest("d"), deletedAt: "2024-05-01T00:00:00Z"),
                            ]),
                    package(302, "gem", .rubygems, .internal, count: 2, readers: ["monalisa"]),
                    package(303, "gone", .nuget, versions: [], deletedAt: "2024-04-01T00:00:00Z"),
                ],
                createdAt: "2015-05-05T05:05:05Z"),
            Organization(login: "empty-org", id: 9920),
        ],
        tokens: [
            Token(value: "ghp_read", login: "OctoCat", scopes: ["read:packages", "repo"], kind: .classic),
            Token(value: "github_pat_fine", login: "hubot", scopes: [], kind: .fineGrained),
            Token(value: "ghs_installation", login: nil, scopes: [], kind: .app, repository: "Octo-Org/octo-repo"),
            Token(value: "ghs_bare", login: nil, scopes: [], kind: .app),
            Token(value: "custom", login: "monalisa", scopes: [], kind: .app, repository: "OctoCat/Secret"),
            Token(value: "ghs_actuallyClassic", login: "hubot", scopes: ["read:packages"], kind: .classic),
        ])

    @Test func richDataSetRoundTrips() {
        let result = Self.roundTrip(Self.rich)
        #expect(result.errors.map(\.description) == [])
        #expect(result.fixtures == Self.materialized(Self.rich))
        // Exported once more, the materialized set writes the same document.
        #expect(result.fixtures.map(FixtureExport.document) == FixtureExport.document(Self.rich))
    }

    @Test(arguments: Profile.allCases)
    func demoFixturesRoundTrip(_ profile: Profile) throws {
        let root = String(#filePath).split(separator: "/", omittingEmptySubsequences: false).dropLast(3)
            .joined(separator: "/")
        let loaded = FixtureLoader.load(directory: root + "/Fixtures", profile: profile)
        let fixtures = try #require(loaded.fixtures)
        let result = Self.roundTrip(fixtures, profile: profile)
        #expect(result.errors.map(\.description) == [])
        #expect(result.fixtures == Self.materialized(fixtures))
    }

    @Test func writesTheFixtureFormatInItsKeyOrderWithDefaultsSpelledOut() {
        let fixtures = FixtureSet(
            users: [User(login: "u", id: 1, packages: [
                Package(id: 7, name: "p", type: .npm, versionCount: 1, createdAt: Self.date, updatedAt: Self.date),
            ])],
            orgs: [Organization(login: "o", id: 2, members: [.init(login: "u", role: .admin)])],
            tokens: [Token(value: "ghs_a", login: nil, scopes: [], kind: .app, repository: "u/r")])
        #expect(String(decoding: FixtureExport.document(fixtures), as: UTF8.self) == #"""
            {
              "tokens": [
                {
                  "token": "ghs_a",
                  "scopes": [],
                  "kind": "app",
                  "repository": "u/r"
                }
              ],
              "users": [
                {
                  "login": "u",
                  "id": 1,
                  "name": null,
                  "type": "User",
                  "site_admin": false,
                  "enterprise": null,
                  "repositories": [],
                  "packages": [
                    {
                      "id": 7,
                      "name": "p",
                      "package_type": "npm",
                      "visibility": "public",
                      "created_at": "2024-01-01T00:00:00Z",
                      "updated_at": "2024-01-01T00:00:00Z",
                      "repository": null,
                      "readers": [],
                      "inherit_access": false,
                      "admins": [],
                      "versions": [
                        {
                          "id": 700001,
                          "name": "1.0.0",
                          "downloads": 0,
                          "created_at": "2024-01-01T00:00:00Z",
                          "updated_at": "2024-01-01T00:00:00Z"
                        }
                      ],
                      "docker_migration_conflict": false
                    }
                  ]
                }
              ],
              "orgs": [
                {
                  "login": "o",
                  "id": 2,
                  "name": null,
                  "enterprise": null,
                  "members": [
                    {
                      "login": "u",
                      "role": "admin"
                    }
                  ],
                  "repositories": [],
                  "packages": []
                }
              ]
            }

            """#)
    }

    @Test func anEmptyDataSetIsThreeEmptyLists() {
        let empty = FixtureSet(users: [], tokens: [])
        #expect(String(decoding: FixtureExport.document(empty), as: UTF8.self)
                == "{\n  \"tokens\": [],\n  \"users\": [],\n  \"orgs\": []\n}\n")
        #expect(Self.roundTrip(empty).fixtures == empty)
    }
}
