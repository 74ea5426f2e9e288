import Foundation
import Testing

@testable import PackagesEmulator

/// The edges of SPEC §17's numbers, at, just below and just above each: "more than 5000 downloads"
/// refuses a public version's delete, and a restore needs the delete to be "less than 30 days" old by the
/// emulator's clock (SPEC §20).
@Suite struct WriteBoundaryTests {
    typealias Make = WriteTestData
    static let deletedAt = "2024-06-01T00:00:00Z"
    static let window: Int64 = 30 * 86_400

    static func emulator(now: Int64) -> Emulator {
        let app = Repository(name: "app", id: 600, isPrivate: false)
        let owner = User(login: "octocat", id: 1, repositories: [app], packages: [
            Make.package(1, "counted", versions: [
                Make.version(11, "v11", day: 5, tags: ["latest"]),
                Make.version(12, "v12", day: 4, downloads: 4999),
                Make.version(13, "v13", day: 3, downloads: 5000),
                Make.version(14, "v14", day: 2, downloads: 5001),
                Make.version(15, "v15", day: 1, deleted: deletedAt),
            ]),
            Make.package(2, "hidden", .container, .private, versions: [
                Make.version(21, "v21", day: 2, tags: ["latest"]),
                Make.version(22, "v22", day: 1, downloads: 5001),
            ]),
            Make.package(3, "gone", deleted: deletedAt),
            // The same name in another registry does not hold the container's namespace.
            Make.package(4, "gone", .npm, versions: [Make.version(41, "1.0.0", day: 1)]),
            // "The last tagged version" is a container rule: a docker version's tags do not count.
            Make.package(5, "legacy", .docker, repository: "app", versions: [
                Make.version(51, "v51", day: 2, tags: ["latest"]),
                Make.version(52, "v52", day: 1),
            ]),
        ])
        let token = Token(value: "ghp_admin", login: "octocat", scopes: Make.all, kind: .classic)
        let fixtures = FixtureSet(users: [owner], orgs: [], tokens: [token])
        return Emulator(store: Store(fixtures, profile: .dotcom), config: EmulatorConfig(clock: { now }))
    }

    static let base = "/users/octocat/packages/container"

    @Test(arguments: [("counted", 12, 204), ("counted", 13, 204), ("counted", 14, 400), ("hidden", 22, 204)])
    func downloadsPastFiveThousandRefuseAPublicVersion(package: String, version: Int, status: Int) throws {
        let emulator = Self.emulator(now: FixtureDate.epoch(Self.deletedAt) ?? 0)
        let answer = WriteScenarioTests.send(emulator, "DELETE", "\(Self.base)/\(package)/versions/\(version)",
                                             token: "ghp_admin")
        #expect(answer.status == status)
        if status == 400 {
            #expect(String(decoding: answer.body, as: UTF8.self).contains("more than 5000 downloads"))
        }
    }

    @Test func theRulesOfOneRegistryStayInIt() throws {
        let emulator = Self.emulator(now: FixtureDate.epoch(Self.deletedAt) ?? 0)
        let restore = WriteScenarioTests.send(emulator, "POST", "\(Self.base)/gone/restore", token: "ghp_admin")
        #expect(restore.status == 204)
        let delete = WriteScenarioTests.send(emulator, "DELETE", "/users/octocat/packages/docker/legacy/versions/51",
                                             token: "ghp_admin")
        #expect(delete.status == 204)
    }

    /// One second before the 30 days are over a restore works; at 30 days and after, the deleted version
    /// or package is not found.
    @Test(arguments: [(-1, 204), (0, 404), (1, 404)])
    func theRestoreWindowEndsAtThirtyDays(offset: Int64, status: Int) throws {
        let now = (FixtureDate.epoch(Self.deletedAt) ?? 0) + Self.window + offset
        for (target, message) in [("\(Self.base)/counted/versions/15/restore", "Package version not found."),
                                  ("\(Self.base)/gone/restore", "Package not found.")] {
            let emulator = Self.emulator(now: now)
            let answer = WriteScenarioTests.send(emulator, "POST", target, token: "ghp_admin")
            #expect(answer.status == status, "\(target)")
            if status == 404 {
                #expect(String(decoding: answer.body, as: UTF8.self).contains("\"message\": \"\(message)\""))
            }
        }
    }
}
