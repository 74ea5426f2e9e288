@testable import PackagesEmulator

/// A data set for deletes and restores (SPEC §17): an organisation with admins and members, tagged,
/// untagged, popular, deleted (recently and long ago) and generated versions, deleted packages.
/// The clock is fixed at `now`.
enum WriteTestData {
    static let now = FixtureDate.epoch("2024-06-10T00:00:00Z") ?? 0
    static let date = "2024-01-01T00:00:00Z"
    static let recently = "2024-06-05T00:00:00Z"
    static let longAgo = "2024-01-02T00:00:00Z"

    static func digest(_ n: Int) -> String { "sha256:" + String(repeating: String(n % 10), count: 63) + String(n / 10 % 10) }

    static func version(_ id: Int64, _ name: String, day: Int, tags: [String] = [], downloads: Int64 = 0,
                        deleted: String? = nil) -> PackageVersion {
        let created = "2024-02-0\(day)T00:00:00Z"
        return PackageVersion(id: id, name: name, tags: tags, downloads: downloads, createdAt: created,
                              updatedAt: created, deletedAt: deleted)
    }

    static func package(_ id: Int64, _ name: String, _ type: PackageType = .container,
                        _ visibility: Visibility = .public, repository: String? = nil, versions: [PackageVersion]? = nil,
                        count: Int64 = 1, deleted: String? = nil) -> Package {
        Package(id: id, name: name, type: type, visibility: visibility, versionCount: count, createdAt: date,
                updatedAt: date, repository: repository, inheritAccess: repository != nil && type == .container,
                admins: name == "web" ? ["monalisa"] : [], versions: versions, deletedAt: deleted)
    }

    static let org = Organization(
        login: "acme-org", id: 500, members: [.init(login: "octocat", role: .admin), .init(login: "hubot")],
        repositories: [Repository(name: "app", id: 600, isPrivate: true, collaborators: ["monalisa"])],
        packages: [
            package(1, "web", .container, .private, repository: "app", versions: [
                version(11, digest(11), day: 5, tags: ["latest"]),
                version(12, digest(12), day: 4),
                version(13, digest(13), day: 3, tags: ["1.0"]),
                version(14, digest(14), day: 2, deleted: recently),
                version(15, digest(15), day: 1, deleted: longAgo),
                version(16, digest(12), day: 1, deleted: recently),
            ]),
            package(2, "popular", versions: [
                version(21, digest(21), day: 3, tags: ["latest"], downloads: 9000),
                version(22, digest(22), day: 2, tags: ["old"], downloads: 6000),
                version(23, digest(23), day: 1, downloads: 10),
            ]),
            package(3, "lib", .npm, repository: "app", versions: [version(31, "1.0.0", day: 1)]),
            package(4, "gone", deleted: recently),
            package(5, "gone", deleted: "2024-05-20T00:00:00Z"),
            package(6, "old", deleted: longAgo),
            package(7, "taken"),
            package(8, "taken", deleted: recently),
            package(9, "gen", count: 3),
            package(10, "m", .maven, .private, repository: "app"),
        ])

    static let users = [
        User(login: "octocat", id: 1, packages: [package(100, "mine", .npm, count: 2)]),
        User(login: "hubot", id: 2), User(login: "monalisa", id: 3), User(login: "stranger", id: 4),
    ]

    static let all = ["read:packages", "delete:packages", "write:packages", "repo"]
    static let tokens = [
        Token(value: "ghp_admin", login: "octocat", scopes: all, kind: .classic),
        Token(value: "ghp_read", login: "octocat", scopes: ["read:packages", "repo"], kind: .classic),
        Token(value: "ghp_delete_only", login: "octocat", scopes: ["delete:packages"], kind: .classic),
        Token(value: "ghp_no_repo", login: "octocat", scopes: ["read:packages", "delete:packages"], kind: .classic),
        Token(value: "ghp_hubot", login: "hubot", scopes: all, kind: .classic),
        Token(value: "ghp_mona", login: "monalisa", scopes: all, kind: .classic),
        Token(value: "ghp_stranger", login: "stranger", scopes: all, kind: .classic),
        Token(value: "ghs_app", login: nil, scopes: [], kind: .app, repository: "acme-org/app"),
        Token(value: "ghs_other", login: nil, scopes: [], kind: .app),
        Token(value: "ghu_octo", login: "octocat", scopes: [], kind: .app),
        Token(value: "github_pat_octo", login: "octocat", scopes: [], kind: .fineGrained),
    ]

    static let fixtures = FixtureSet(users: users, orgs: [org], tokens: tokens)

    static func emulator() -> Emulator {
        Emulator(store: Store(fixtures, profile: .dotcom), config: EmulatorConfig(clock: { now }))
    }
}
