import Foundation
import Testing

@testable import PackagesEmulator

/// `GET /_emulator/fixtures/export` (SPEC §20): the data set in use, in the format `PUT` takes, with
/// organisations, deleted packages and versions, and generated versions written out.
struct ExportRouteTests {
    static func get(_ emulator: Emulator, _ target: String, token: String? = nil) -> Response {
        emulator.respond(to: Request(method: "GET", target: target,
                                     headers: token.map { [("Authorization", "token \($0)")] } ?? []))
    }

    @Test func exportsWhatPutTakesBack() throws {
        let emulator = RouteTestData.emulator()
        let export = Self.get(emulator, "/_emulator/fixtures/export")
        #expect(export.status == 200)
        let loaded = FixtureLoader.validate(document: export.body, name: "export", profile: .dotcom)
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
        let fixtures = try #require(loaded.fixtures)
        var expected = RouteTestData.fixtures
        for index in expected.users.indices {
            for package in expected.users[index].packages.indices {
                expected.users[index].packages[package].versions = expected.users[index].packages[package].allVersions
            }
        }
        for package in expected.orgs[0].packages.indices {
            expected.orgs[0].packages[package].versions = expected.orgs[0].packages[package].allVersions
        }
        #expect(fixtures == expected)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(export.body)) as? [String: Any])
        let orgs = try #require(object["orgs"] as? [[String: Any]])
        let gone = try #require((orgs[0]["packages"] as? [[String: Any]])?.first { $0["name"] as? String == "gone" })
        #expect(gone["deleted_at"] as? String == "2024-06-01T00:00:00Z")

        // Put back, it answers as before.
        let target = "/orgs/octo-org/packages/npm/sdk/versions?per_page=5&page=2"
        let before = Self.get(emulator, target, token: "ghp_read")
        let put = emulator.respond(to: Request(method: "PUT", target: "/_emulator/fixtures", body: export.body))
        #expect(put.status == 200)
        let after = Self.get(emulator, target, token: "ghp_read")
        #expect(after.status == 200)
        #expect(after.body == before.body)
        #expect(after.header("ETag") == before.header("ETag"))
    }
}
