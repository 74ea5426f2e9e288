@testable import PackagesEmulator

/// `TestData` with an organisation: members and roles, a repository with collaborators, package admins,
/// declared versions (active, deleted, tagged), generated versions, a deleted package, a conflict.
enum RouteTestData {
    static let date = "2024-01-01T00:00:00Z"

    static func version(_ id: Int64, _ name: String, day: Int, tags: [String] = [], deleted: Bool = false)
        -> PackageVersion
    {
        let created = "2024-02-\(day < 10 ? "0" : "")\(day)T00:00:00Z"
        return PackageVersion(id: id, name: name, tags: tags, createdAt: created, updatedAt: created,
                              deletedAt: deleted ? "2024-03-01T00:00:00Z" : nil)
    }

    static func digest(_ n: Int) -> String { "sha256:" + String(repeating: String(n % 10), count: 64) }

    static let org = Organization(
        login: "Octo-Org", id: 9919, enterprise: "acme",
        members: [.init(login: "octocat", role: .admin), .init(login: "hubot")],
        repositories: [Repository(name: "octo-repo", id: 77, isPrivate: true, collaborators: ["monalisa"])],
        packages: [
            Package(id: 301, name: "octo-repo/web", type: .container, visibility: .private, createdAt: date,
                    updatedAt: date, repository: "octo-repo", inheritAccess: true, admins: ["monalisa"],
                    versions: [
                        version(9002, digest(2), day: 2, tags: ["1.0"]),
                        version(9004, digest(4), day: 4, tags: ["latest"]),
                        version(9001, digest(1), day: 1, deleted: true),
                        // Same day as 9002: the higher id comes first.
                        version(9003, digest(3), day: 2),
                    ]),
            Package(id: 302, name: "base", type: .container, createdAt: date, updatedAt: date,
                    dockerMigrationConflict: true),
            Package(id: 303, name: "sdk", type: .npm, visibility: .internal, versionCount: 45,
                    createdAt: "2024-01-31T23:30:00Z", updatedAt: date),
            Package(id: 304, name: "secret", type: .container, visibility: .private, createdAt: date, updatedAt: date),
            Package(id: 305, name: "gone", type: .container, createdAt: date, updatedAt: date,
                    deletedAt: "2024-06-01T00:00:00Z"),
            Package(id: 306, name: "lib", type: .npm, createdAt: date, updatedAt: date, repository: "octo-repo",
                    versions: [PackageVersion(id: 9101, name: "1.0.0", license: "MIT", description: "first",
                                              createdAt: date, updatedAt: date)]),
        ])

    static let tokens = TestData.tokens + [
        Token(value: "ghs_repo", login: nil, scopes: [], kind: .app, repository: "Octo-Org/octo-repo"),
        Token(value: "ghp_mona_read", login: "monalisa", scopes: ["read:packages"], kind: .classic),
    ]

    static let fixtures = FixtureSet(users: TestData.fixtures.users, orgs: [org], tokens: tokens)

    static func emulator(config: EmulatorConfig = EmulatorConfig()) -> Emulator {
        Emulator(store: Store(fixtures, profile: .dotcom), config: config)
    }
}
