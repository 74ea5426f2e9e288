import Foundation
import Testing
@testable import PackagesEmulator

/// One state with REST (SPEC §22): REST deletes and restores seen by npm, npm's unpublish a REST
/// delete with §17's refusals, dist-tags, deprecations, `_rev`, and who may read.
struct NpmStateTests {
    /// acme-org/tool with 1.0.0, 1.1.0 (latest), 2.0.0-rc.1 (next).
    static func published() -> RegistryHarness {
        let harness = RegistryHarness()
        for (version, tag) in [("1.0.0", "latest"), ("1.1.0", "latest"), ("2.0.0-rc.1", "next")] {
            precondition(harness.publish("@acme-org/tool", version, tag: tag).status == 200)
        }
        return harness
    }

    static func view(_ harness: RegistryHarness) -> (versions: [String], tags: [String: String], rev: String) {
        let packument = RegistryHarness.json(harness.packument("@acme-org/tool"))
        return (((packument["versions"] as? [String: Any]) ?? [:]).keys.sorted(),
                packument["dist-tags"] as? [String: String] ?? [:], packument["_rev"] as? String ?? "")
    }

    @Test func restDeleteDropsTheVersionMovesLatestAndRestoreBringsItBack() throws {
        let harness = Self.published()
        let id = try #require(harness.restVersions("tool")["1.1.0"])
        let before = Self.view(harness)
        #expect(harness.send("DELETE", "/orgs/acme-org/packages/npm/tool/versions/\(id)", authorization: "Bearer ghp_admin").status == 204)
        let deleted = Self.view(harness)
        #expect(deleted.versions == ["1.0.0", "2.0.0-rc.1"])
        // `latest` goes to the highest release left, not the higher pre-release.
        #expect(deleted.tags == ["latest": "1.0.0", "next": "2.0.0-rc.1"])
        #expect(deleted.rev != before.rev)
        #expect(harness.npm("GET", "/npm/@acme-org/tool/-/tool-1.1.0.tgz").status == 404)
        #expect(harness.send("POST", "/orgs/acme-org/packages/npm/tool/versions/\(id)/restore", authorization: "Bearer ghp_admin").status == 204)
        let restored = Self.view(harness)
        #expect(restored.versions == before.versions)
        #expect(restored.tags == before.tags)
        #expect(restored.rev == before.rev)
        #expect(RegistryHarness.bytes(of: harness.npm("GET", "/npm/@acme-org/tool/-/tool-1.1.0.tgz")) == RegistryHarness.tarball("1.1.0"))
    }

    /// With no release left, `latest` is the highest version.
    @Test func latestFallsBackToTheHighestPrerelease() throws {
        let harness = RegistryHarness()
        harness.publish("@acme-org/tool", "1.0.0-beta.2", tag: "beta")
        harness.publish("@acme-org/tool", "1.0.0-beta.10", tag: "beta")
        #expect(Self.view(harness).tags == ["beta": "1.0.0-beta.10", "latest": "1.0.0-beta.10"])
    }

    /// `npm publish --tag latest` of a lower version moves `latest` to it (a tag is on one version).
    @Test func aPublishMovesItsTags() {
        let harness = RegistryHarness()
        harness.publish("@acme-org/tool", "2.0.0")
        harness.publish("@acme-org/tool", "1.5.0")
        #expect(Self.view(harness).tags == ["latest": "1.5.0"])
    }

    @Test func aRestoredVersionDoesNotTakeBackATagThatMoved() throws {
        let harness = Self.published()
        let id = try #require(harness.restVersions("tool")["2.0.0-rc.1"])
        harness.send("DELETE", "/orgs/acme-org/packages/npm/tool/versions/\(id)", authorization: "Bearer ghp_admin")
        #expect(harness.npm("PUT", "/npm/-/package/@acme-org%2ftool/dist-tags/next", body: Array("\"1.0.0\"".utf8)).status == 200)
        harness.send("POST", "/orgs/acme-org/packages/npm/tool/versions/\(id)/restore", authorization: "Bearer ghp_admin")
        #expect(Self.view(harness).tags == ["latest": "1.1.0", "next": "1.0.0"])
    }

    @Test func distTagsAddListRemove() {
        let harness = Self.published()
        let path = "/npm/-/package/@acme-org%2ftool/dist-tags"
        #expect(harness.npm("PUT", path + "/stable", body: Array("\"1.0.0\"".utf8)).status == 200)
        #expect(RegistryHarness.json(harness.npm("GET", path)) as? [String: String]
                == ["latest": "1.1.0", "next": "2.0.0-rc.1", "stable": "1.0.0"])
        // Moving `latest` by hand, then removing it: the highest release again.
        #expect(harness.npm("PUT", path + "/latest", body: Array("\"1.0.0\"".utf8)).status == 200)
        #expect(Self.view(harness).tags["latest"] == "1.0.0")
        #expect(harness.npm("DELETE", path + "/latest").status == 200)
        #expect(Self.view(harness).tags["latest"] == "1.1.0")
        #expect(harness.npm("DELETE", path + "/stable").status == 200)
        #expect(Self.view(harness).tags == ["latest": "1.1.0", "next": "2.0.0-rc.1"])
        let unknown = harness.npm("DELETE", path + "/stable")
        #expect(unknown.status == 404)
        #expect(RegistryHarness.npmError(unknown) == "dist-tag stable is not set")
        let noVersion = harness.npm("PUT", path + "/x", body: Array("\"9.9.9\"".utf8))
        #expect(noVersion.status == 404)
        #expect(RegistryHarness.npmError(noVersion) == "version not found: 9.9.9")
        #expect(harness.npm("PUT", path + "/1.0.0", body: Array("\"1.0.0\"".utf8)).status == 400)
        #expect(harness.npm("PUT", path + "/x", body: Array("{\"v\":1}".utf8)).status == 400)
    }

    /// npm deprecate: the packument back with `deprecated` set, under its `_rev`; a stale one is 409.
    @Test func deprecateAndStaleRevision() throws {
        let harness = Self.published()
        var packument = RegistryHarness.json(harness.packument("@acme-org/tool"))
        var versions = try #require(packument["versions"] as? [String: [String: Any]])
        versions["1.0.0"]?["deprecated"] = "use 1.1"
        packument["versions"] = versions
        let body = [UInt8](try JSONSerialization.data(withJSONObject: packument))
        #expect(harness.npm("PUT", "/npm/@acme-org%2ftool", body: body).status == 200)
        let after = RegistryHarness.json(harness.packument("@acme-org/tool"))
        #expect(((after["versions"] as? [String: [String: Any]])?["1.0.0"]?["deprecated"]) as? String == "use 1.1")
        #expect(((after["versions"] as? [String: [String: Any]])?["1.1.0"]?["deprecated"]) == nil)
        // The same body again: its `_rev` is stale now.
        let stale = harness.npm("PUT", "/npm/@acme-org%2ftool", body: body)
        #expect(stale.status == 409)
        #expect(RegistryHarness.npmError(stale) == "Document update conflict.")
        // An empty message un-deprecates.
        var again = after
        var list = try #require(again["versions"] as? [String: [String: Any]])
        list["1.0.0"]?["deprecated"] = ""
        again["versions"] = list
        #expect(harness.npm("PUT", "/npm/@acme-org%2ftool", body: [UInt8](try JSONSerialization.data(withJSONObject: again))).status == 200)
        #expect(((RegistryHarness.json(harness.packument("@acme-org/tool"))["versions"] as? [String: [String: Any]])?["1.0.0"]?["deprecated"]) == nil)
    }

    /// libnpmpublish's unpublish of a version: the rewrite without it (a REST delete), then its tarball.
    @Test func unpublishAVersionIsARESTDelete() throws {
        let harness = Self.published()
        var packument = RegistryHarness.json(harness.packument("@acme-org/tool"))
        let rev = try #require(packument["_rev"] as? String)
        var versions = try #require(packument["versions"] as? [String: Any])
        versions["1.1.0"] = nil
        packument["versions"] = versions
        let body = [UInt8](try JSONSerialization.data(withJSONObject: packument))
        #expect(harness.npm("PUT", "/npm/@acme-org%2ftool/-rev/\(rev)", body: body).status == 200)
        #expect(harness.restVersions("tool").keys.sorted() == ["1.0.0", "2.0.0-rc.1"])
        #expect(harness.restVersions("tool", state: "deleted").keys.sorted() == ["1.1.0"])
        let newRev = Self.view(harness).rev
        // Its tarball, under the doubled path npm 10 sends: done already, 200.
        #expect(harness.npm("DELETE", "/npm/npm/@acme-org/tool/-/tool-1.1.0.tgz/-rev/\(newRev)").status == 200)
        #expect(harness.npm("DELETE", "/npm/@acme-org/tool/-/tool-9.9.9.tgz/-rev/\(newRev)").status == 404)
        // The tarball delete of an active version deletes it too (stale `_rev` first refused).
        #expect(harness.npm("DELETE", "/npm/@acme-org/tool/-/tool-1.0.0.tgz/-rev/\(rev)").status == 409)
        #expect(harness.npm("DELETE", "/npm/@acme-org/tool/-/tool-1.0.0.tgz/-rev/\(newRev)").status == 200)
        #expect(harness.restVersions("tool").keys.sorted() == ["2.0.0-rc.1"])
        // §17: the last version cannot be deleted.
        let last = Self.view(harness).rev
        let refused = harness.npm("DELETE", "/npm/@acme-org/tool/-/tool-2.0.0-rc.1.tgz/-rev/\(last)")
        #expect(refused.status == 400)
        #expect(RegistryHarness.npmError(refused) == "You cannot delete the last version of a package. You must delete the package instead.")
    }

    @Test func unpublishThePackage() throws {
        var fixtures = WriteTestData.fixtures
        fixtures.tokens.append(Token(value: "ghp_write", login: "octocat", scopes: ["read:packages", "write:packages"], kind: .classic))
        let harness = RegistryHarness(fixtures: fixtures)
        #expect(harness.publish("@acme-org/tool", "1.0.0", token: "ghp_write").status == 200)
        #expect(harness.publish("@acme-org/tool", "1.1.0", token: "ghp_write").status == 200)
        let rev = Self.view(harness).rev
        #expect(harness.npm("DELETE", "/npm/@acme-org%2ftool/-rev/1-stale").status == 409)
        // Unpublishing needs delete:packages.
        let noDelete = harness.npm("DELETE", "/npm/@acme-org%2ftool/-rev/\(rev)", token: "ghp_write")
        #expect(noDelete.status == 403)
        #expect(RegistryHarness.npmError(noDelete) == "permission_denied: The token provided does not match expected scopes.")
        #expect(harness.npm("DELETE", "/npm/@acme-org%2ftool/-rev/\(rev)").status == 200)
        #expect(harness.packument("@acme-org/tool").status == 404)
        #expect(harness.send("GET", "/orgs/acme-org/packages/npm/tool", authorization: "Bearer ghp_admin").status == 404)
        // The name is free again: a publish creates a new package.
        #expect(harness.publish("@acme-org/tool", "1.0.0").status == 200)
        #expect(Self.view(harness).versions == ["1.0.0"])
    }

    /// Who may read (SPEC §15's rule), and every request needs a token.
    @Test(arguments: [
        ("ghp_admin", 200), ("ghp_read", 200), ("ghp_hubot", 404), ("ghp_stranger", 404), ("ghp_mona", 404),
        ("ghp_delete_only", 403), ("ghs_other", 404), (nil, 401), ("ghp_unknown", 401),
    ] as [(String?, Int)])
    func whoMayReadAPrivatePackage(_ token: String?, _ status: Int) {
        let harness = Self.published()
        for target in ["/npm/@acme-org%2ftool", "/npm/@acme-org/tool/-/tool-1.0.0.tgz", "/npm/-/package/@acme-org%2ftool/dist-tags"] {
            let response = harness.npm("GET", target, token: token)
            #expect(response.status == status, "\(target)")
            #expect(response.header("content-type") == "application/json" || status == 200)
        }
    }

    @Test func publicFixturePackagesAndWhoami() {
        let harness = RegistryHarness()
        // Declared npm versions without a tarball are REST-only: an empty packument.
        let packument = RegistryHarness.json(harness.npm("GET", "/npm/@octocat%2fmine", token: "ghp_hubot"))
        #expect(packument["versions"] as? [String: Any] != nil)
        #expect((packument["versions"] as? [String: Any])?.isEmpty == true)
        #expect(RegistryHarness.json(harness.npm("GET", "/npm/-/whoami", token: "ghp_hubot"))["username"] as? String == "hubot")
        #expect(harness.npm("GET", "/npm/-/whoami", token: nil).status == 401)
        #expect(harness.npm("POST", "/npm/-/whoami").status == 405)
        #expect(harness.npm("GET", "/npm/-/nothing").status == 404)
    }

    /// Journal and fault rules cover npm's routes, with their operation ids.
    @Test func faultsAndJournal() {
        let harness = Self.published()
        #expect(RegistryFaultTests.rule(harness, #"{"kind": "status", "status": 503, "operation": "npm/get-packument", "times": 1}"#) == 201)
        let faulted = harness.packument("@acme-org/tool")
        #expect(faulted.status == 503)
        #expect(RegistryHarness.npmError(faulted) == "unknown error: injected 503")
        #expect(harness.packument("@acme-org/tool").status == 200)
        // By owner and by token, as npm presents it (Bearer, not base64).
        #expect(RegistryFaultTests.rule(harness, #"{"kind": "secondary_rate_limit", "status": 429, "retry_after": 3, "user": "acme-org", "token": "ghp_read"}"#) == 201)
        #expect(harness.packument("@acme-org/tool").status == 200)
        let limited = harness.packument("@acme-org/tool", token: "ghp_read")
        #expect(limited.status == 429)
        #expect(limited.header("Retry-After") == "3")
        #expect(RegistryHarness.npmError(limited) == "too many requests")
        let journal = String(decoding: harness.send("GET", "/_emulator/requests", token: nil).body, as: UTF8.self)
        #expect(journal.contains("npm/get-packument"))
        #expect(journal.contains("npm/publish"))
    }
}
