import Foundation
import Testing
@testable import PackagesEmulator

/// Export and reset (SPEC §22, §20): what was published is written as `npm/OWNER/NAME/…` fixtures and,
/// extracted by GNU tar and served, answers the same packument and tarballs; reset drops it.
struct NpmExportTests {
    @Test func exportServesTheSamePackumentAndTarballs() throws {
        let harness = NpmStateTests.published()
        // A deprecation, a dist-tag and a deleted version, all of which the export must keep.
        #expect(harness.npm("PUT", "/npm/-/package/@acme-org%2ftool/dist-tags/stable", body: Array("\"1.0.0\"".utf8)).status == 200)
        var packument = RegistryHarness.json(harness.packument("@acme-org/tool"))
        var versions = try #require(packument["versions"] as? [String: [String: Any]])
        versions["1.0.0"]?["deprecated"] = "use 1.1"
        packument["versions"] = versions
        #expect(harness.npm("PUT", "/npm/@acme-org%2ftool", body: [UInt8](try JSONSerialization.data(withJSONObject: packument))).status == 200)
        let deleted = try #require(harness.restVersions("tool")["2.0.0-rc.1"])
        #expect(harness.send("DELETE", "/orgs/acme-org/packages/npm/tool/versions/\(deleted)", authorization: "Bearer ghp_admin").status == 204)

        let export = harness.send("GET", "/_emulator/fixtures/export?format=tar", token: nil)
        #expect(export.status == 200)
        let directory = try RegistryExportTests.extract(RegistryHarness.bytes(of: export))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory + "/npm/acme-org/tool").sorted()
        #expect(files == ["1.0.0.json", "1.0.0.tgz", "1.1.0.json", "1.1.0.tgz", "2.0.0-rc.1.json", "2.0.0-rc.1.tgz", "dist-tags.json"])
        let loaded = FixtureLoader.load(directory: directory, profile: .dotcom)
        #expect(loaded.errors == [])
        let served = RegistryHarness(fixtures: try #require(loaded.fixtures))
        // The same bytes: versions, dist-tags, deprecation, times, `_rev`.
        #expect(RegistryHarness.bytes(of: served.packument("@acme-org/tool")) == RegistryHarness.bytes(of: harness.packument("@acme-org/tool")))
        #expect(RegistryHarness.bytes(of: served.npm("GET", "/npm/@acme-org/tool/-/tool-1.1.0.tgz")) == RegistryHarness.tarball("1.1.0"))
        // The deleted version comes back with its tarball on a restore.
        #expect(served.send("POST", "/orgs/acme-org/packages/npm/tool/versions/\(deleted)/restore", authorization: "Bearer ghp_admin").status == 204)
        #expect(RegistryHarness.bytes(of: served.npm("GET", "/npm/@acme-org/tool/-/tool-2.0.0-rc.1.tgz")) == RegistryHarness.tarball("2.0.0-rc.1"))
    }

    @Test func resetDropsWhatWasPublished() {
        let harness = NpmStateTests.published()
        #expect(!harness.storedFiles.isEmpty)
        #expect(harness.send("POST", "/_emulator/reset", token: nil).status == 200)
        #expect(harness.packument("@acme-org/tool").status == 404)
        #expect(harness.restVersions("tool").isEmpty)
        #expect(harness.storedFiles == [])
        // The name is free: a publish after the reset starts again.
        #expect(harness.publish("@acme-org/tool", "1.0.0").status == 200)
    }

    /// The demo data's npm tarballs: `npm install` gets the bytes the fixture holds, with npm's checksums.
    @Test func demoFixtureTarballs() throws {
        let root = String(#filePath).split(separator: "/", omittingEmptySubsequences: false).dropLast(4).joined(separator: "/")
        let fixtures = try #require(FixtureLoader.load(directory: root + "/Fixtures", profile: .dotcom).fixtures)
        let harness = RegistryHarness(fixtures: fixtures)
        let packument = RegistryHarness.json(harness.npm("GET", "/npm/@octo-org%2focto-cli", token: "ghp_octocatRead"))
        #expect(packument["dist-tags"] as? [String: String] == ["latest": "2.0.0"])
        let versions = try #require(packument["versions"] as? [String: [String: Any]])
        #expect(versions.keys.sorted() == ["1.0.0", "2.0.0"])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/Fixtures/npm/octo-org/octo-cli/1.0.0.tgz")))
        let dist = try #require(versions["1.0.0"]?["dist"] as? [String: String])
        #expect(dist["shasum"] == RegistryHarness.shasum(bytes))
        #expect(dist["integrity"] == RegistryHarness.integrity(bytes))
        #expect(versions["1.0.0"]?["bin"] as? [String: String] == ["octo": "index.js"])
        #expect(RegistryHarness.bytes(of: harness.npm("GET", "/npm/@octo-org/octo-cli/-/octo-cli-1.0.0.tgz", token: "ghp_octocatRead")) == bytes)
    }
}
