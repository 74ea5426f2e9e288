@testable import PackagesEmulator

/// A small data set built in memory, independent of `Fixtures/`, shaped to hit every rule of SPEC §5.
enum TestData {
    static let date = "2024-01-01T00:00:00Z"

    static func package(_ id: Int64, _ name: String, _ type: PackageType, _ visibility: Visibility = .public,
                        repository: String? = nil, readers: [String] = [], inherit: Bool = false) -> Package {
        Package(id: id, name: name, type: type, visibility: visibility, versionCount: 2, createdAt: date,
                updatedAt: date, repository: repository, readers: readers, inheritAccess: inherit)
    }

    static let octocat = User(
        login: "octocat", id: 583231, enterprise: "acme",
        repositories: [
            Repository(name: "hello-world", id: 1296269, description: "My first repo"),
            Repository(name: "secret", id: 42, isPrivate: true, collaborators: ["hubot"]),
        ],
        packages: [
            package(1, "c-public", .container, repository: "hello-world"),
            package(2, "c-internal", .container, .internal),
            package(3, "c-readers", .container, .private, readers: ["monalisa"]),
            package(4, "c-inherit", .container, .private, repository: "secret", inherit: true),
            package(5, "c-private", .container, .private),
            package(6, "c-internal-reader", .container, .internal, readers: ["monalisa"]),
            package(7, "c-no-inherit", .container, .private, repository: "secret"),
            package(10, "m-public", .maven, repository: "hello-world"),
            package(11, "m-private", .maven, .private, repository: "secret"),
            package(20, "n-private", .npm, .private, repository: "secret"),
            package(21, "n-public", .npm, repository: "hello-world"),
            package(30, "d-public", .docker, repository: "hello-world"),
            package(40, "octo/nested", .container),
        ])
    static let hubot = User(login: "hubot", id: 2, enterprise: "acme")
    static let monalisa = User(login: "monalisa", id: 3)
    static let stranger = User(login: "stranger", id: 4, enterprise: "other")
    static let bulk = User(
        login: "Bulk-Publisher", id: 5,
        packages: (1...250).map { package(1000 + Int64($0), "pkg-\($0)", .npm) })

    static let tokens = [
        Token(value: "ghp_read", login: "octocat", scopes: ["read:packages"], kind: .classic),
        Token(value: "ghp_repo", login: "octocat", scopes: ["read:packages", "repo"], kind: .classic),
        Token(value: "ghp_write", login: "octocat", scopes: ["repo", "write:packages"], kind: .classic),
        Token(value: "ghp_none", login: "octocat", scopes: [], kind: .classic),
        Token(value: "ghp_repoonly", login: "octocat", scopes: ["repo"], kind: .classic),
        Token(value: "legacy", login: "octocat", scopes: ["read:packages"], kind: .classic),
        Token(value: "ghp_hubot", login: "hubot", scopes: ["read:packages", "repo"], kind: .classic),
        Token(value: "ghp_mona", login: "monalisa", scopes: ["read:packages", "repo"], kind: .classic),
        Token(value: "ghp_stranger", login: "stranger", scopes: ["read:packages", "repo"], kind: .classic),
        Token(value: "github_pat_fine", login: "octocat", scopes: [], kind: .fineGrained),
        Token(value: "ghs_app", login: nil, scopes: [], kind: .app),
        Token(value: "ghu_app", login: "octocat", scopes: [], kind: .app),
        Token(value: "custom-app", login: nil, scopes: [], kind: .app),
    ]

    static let fixtures = FixtureSet(users: [octocat, hubot, monalisa, stranger, bulk], tokens: tokens)

    static func emulator(profile: Profile = .dotcom, config: EmulatorConfig = EmulatorConfig()) -> Emulator {
        Emulator(store: Store(fixtures, profile: profile), config: config)
    }
}
