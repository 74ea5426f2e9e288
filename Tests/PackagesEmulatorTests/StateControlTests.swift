import Foundation
import Testing

@testable import PackagesEmulator

/// SPEC §17 and §20 around the writes: the clock, export after changes, reset, the journal's operation
/// ids and fault rules on `method` and `operation`.
struct StateControlTests {
    typealias Send = WriteScenarioTests

    static func json(_ response: Response) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    static func put(_ emulator: Emulator, _ target: String, _ body: String) -> Response {
        emulator.respond(to: Request(method: target == "/_emulator/faults" ? "POST" : "PUT", target: target,
                                     body: Array(body.utf8)))
    }

    static let web = "/orgs/acme-org/packages/container/web"

    @Test func theClockMovesTheRestoreWindowAndDeletedAt() throws {
        let emulator = WriteTestData.emulator()
        #expect(try Self.json(Send.send(emulator, "GET", "/_emulator/clock", token: nil))["real"] as? Bool == true)
        // 14 was deleted on 2024-06-05: restorable on 2024-06-10, not 26 days later.
        let set = Self.put(emulator, "/_emulator/clock", #"{"advance": 2246400}"#)
        #expect(set.status == 200)
        #expect(try Self.json(set)["now"] as? Int == Int(WriteTestData.now) + 2_246_400)
        #expect(try Self.json(set)["real"] as? Bool == false)
        #expect(Send.send(emulator, "POST", "\(Self.web)/versions/14/restore", token: "ghp_admin").status == 404)
        _ = Self.put(emulator, "/_emulator/clock", #"{"now": 1717977600}"#)  // 2024-06-10
        #expect(Send.send(emulator, "POST", "\(Self.web)/versions/14/restore", token: "ghp_admin").status == 204)
        // A delete is dated by the emulator's clock.
        _ = Self.put(emulator, "/_emulator/clock", #"{"now": 1718000000}"#)
        #expect(Send.send(emulator, "DELETE", "\(Self.web)/versions/12", token: "ghp_admin").status == 204)
        let deleted = Send.send(emulator, "GET", "\(Self.web)/versions?state=deleted", token: "ghp_admin")
        let first = try #require(try JSONSerialization.jsonObject(with: Data(deleted.body)) as? [[String: Any]]).first
        #expect(first?["id"] as? Int == 12)
        #expect(first?["deleted_at"] as? String == FixtureDate.string(1_718_000_000))
        // Bad bodies, and back to the real clock.
        for body in [#"{}"#, #"{"now": "x"}"#, #"{"now": 1, "advance": 2}"#, #"{"real": false}"#, "nope"] {
            #expect(Self.put(emulator, "/_emulator/clock", body).status == 400, "\(body)")
        }
        #expect(try Self.json(Self.put(emulator, "/_emulator/clock", #"{"real": true}"#))["now"] as? Int
                == Int(WriteTestData.now))
    }

    @Test func rateLimitWindowsFollowTheClock() throws {
        let emulator = Emulator(store: Store(WriteTestData.fixtures, profile: .dotcom),
                                config: EmulatorConfig(rateLimits: .init(perToken: 2), clock: { WriteTestData.now }))
        for _ in 0..<2 { #expect(Send.send(emulator, "GET", Self.web, token: "ghp_admin").status == 200) }
        #expect(Send.send(emulator, "GET", Self.web, token: "ghp_admin").status == 403)
        _ = Self.put(emulator, "/_emulator/clock", #"{"advance": 3601}"#)
        #expect(Send.send(emulator, "GET", Self.web, token: "ghp_admin").status == 200)
    }

    @Test func exportShowsChangesAndResetUndoesThemWithTheClock() throws {
        let emulator = WriteTestData.emulator()
        let before = Send.send(emulator, "GET", "/_emulator/fixtures/export", token: nil).body
        _ = Self.put(emulator, "/_emulator/clock", #"{"advance": 60}"#)
        #expect(Send.send(emulator, "DELETE", Self.web, token: "ghp_admin").status == 204)
        #expect(Send.send(emulator, "DELETE", "/orgs/acme-org/packages/container/gen/versions/900001",
                          token: "ghp_admin").status == 204)
        let export = try Self.json(Send.send(emulator, "GET", "/_emulator/fixtures/export", token: nil))
        let packages = try #require((export["orgs"] as? [[String: Any]])?.first?["packages"] as? [[String: Any]])
        let web = try #require(packages.first { $0["id"] as? Int == 1 })
        #expect(web["deleted_at"] as? String == FixtureDate.string(WriteTestData.now + 60))
        let gen = try #require(packages.first { $0["id"] as? Int == 9 }?["versions"] as? [[String: Any]])
        #expect(gen.map { $0["deleted_at"] as? String } == [FixtureDate.string(WriteTestData.now + 60), nil, nil])
        // The export loads back as a valid data set.
        let reloaded = FixtureLoader.validate(document: Send.send(emulator, "GET", "/_emulator/fixtures/export",
                                                                   token: nil).body, name: "export", profile: .dotcom)
        #expect(reloaded.errors.isEmpty, "\(reloaded.errors)")
        #expect(emulator.respond(to: Request(method: "POST", target: "/_emulator/reset")).status == 200)
        #expect(Send.send(emulator, "GET", "/_emulator/fixtures/export", token: nil).body == before)
        #expect(try Self.json(Send.send(emulator, "GET", "/_emulator/clock", token: nil))["real"] as? Bool == true)
        #expect(Send.send(emulator, "GET", Self.web, token: "ghp_admin").status == 200)
    }

    @Test func journalNamesOperations() throws {
        let emulator = WriteTestData.emulator()
        _ = Send.send(emulator, "DELETE", "\(Self.web)/versions/12", token: "ghp_admin")
        _ = Send.send(emulator, "GET", "/api/v3/users/octocat/packages?package_type=npm", token: "ghp_admin")
        _ = Send.send(emulator, "GET", "/nope", token: "ghp_admin")
        _ = Send.send(emulator, "GET", "/_emulator/health", token: nil)
        let journal = try Self.json(Send.send(emulator, "GET", "/_emulator/requests", token: nil))
        let operations = try #require(journal["requests"] as? [[String: Any]]).map { $0["operation"] as? String }
        #expect(operations == ["packages/delete-package-version-for-org", "packages/list-packages-for-user", nil, nil])
    }

    @Test func faultsMatchMethodAndOperation() throws {
        let emulator = WriteTestData.emulator()
        let rule = #"{"kind": "status", "status": 502, "method": "DELETE", "operation": "packages/delete-package-version-for-org", "times": 1}"#
        #expect(Self.put(emulator, "/_emulator/faults", rule).status == 201)
        // Another method, another operation, the same operation under /users/: not matched.
        #expect(Send.send(emulator, "GET", "\(Self.web)/versions/12", token: "ghp_admin").status == 200)
        #expect(Send.send(emulator, "DELETE", Self.web, token: "ghp_admin").status == 204)
        #expect(Send.send(emulator, "DELETE", "/users/acme-org/packages/container/popular/versions/23",
                          token: "ghp_admin").status == 204)
        let gen = "/orgs/acme-org/packages/container/gen/versions/900001"
        #expect(Send.send(emulator, "DELETE", gen, token: "ghp_admin").status == 502)
        #expect(Send.send(emulator, "DELETE", gen, token: "ghp_admin").status == 204)
        let any = #"{"kind": "status", "status": 503, "method": "DELETE"}"#
        #expect(Self.put(emulator, "/_emulator/faults", any).status == 201)
        #expect(Send.send(emulator, "DELETE", "/orgs/acme-org/packages/container/popular", token: "ghp_admin").status == 503)
        let bad = #"{"kind": "status", "status": 502, "operation": "packages/nope"}"#
        #expect(Self.put(emulator, "/_emulator/faults", bad).status == 422)
    }
}
