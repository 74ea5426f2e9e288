import Foundation
import Testing
@testable import PackagesEmulator

/// SPEC §21's "one state with REST": pushes are versions at once; REST deletes and restores are seen
/// by the registry at once.
@Suite struct RegistryStateTests {
    static let rest = "/users/octocat/packages/container/app"

    @Test func firstPushCreatesAPrivatePackageWithOneTaggedVersion() throws {
        let harness = RegistryHarness(fixtures: Self.withRepository)
        let (manifest, response) = harness.pushImage("octocat/app", "v1", seed: "a", source: "https://github.com/octocat/Hello")
        #expect(response.status == 201)
        let digest = RegistryHarness.digest(manifest)
        #expect(response.header("Docker-Content-Digest") == digest)
        #expect(response.header("Location") == "/v2/octocat/app/manifests/\(digest)")
        let versions = harness.versions(Self.rest)
        #expect(versions.count == 1)
        #expect(versions.first?["name"] as? String == digest)
        #expect(versions.first.map(RegistryHarness.tags) == ["v1"])
        let store = harness.emulator.store
        let package = try #require(store.partition(store.owner(login: "octocat")!.index).container(named: "app")?.package)
        #expect(package.visibility == .private)
        #expect(package.repository == "hello")
        #expect(package.createdAt == FixtureDate.string(WriteTestData.now))
        // Above every id of the data set (generated version ids included).
        #expect(package.id > Store.highestID(in: WriteTestData.fixtures.users.flatMap(\.packages) + WriteTestData.org.packages))
        // The manifest comes back byte for byte, by tag and by digest, with its media type.
        for reference in ["v1", digest] {
            let pulled = harness.send("GET", "/v2/octocat/app/manifests/\(reference)")
            #expect(pulled.status == 200)
            #expect(pulled.body == manifest)
            #expect(pulled.header("Content-Type") == Manifest.ociManifest)
            #expect(pulled.header("Docker-Content-Digest") == digest)
        }
    }

    /// A source naming another owner's repository, or none of the owner's, links nothing.
    @Test(arguments: ["https://github.com/hubot/hello", "https://github.com/octocat/nope", "hello"])
    func sourceThatLinksNothing(_ source: String) throws {
        let harness = RegistryHarness(fixtures: Self.withRepository)
        #expect(harness.pushImage("octocat/app", "v1", seed: "a", source: source).response.status == 201)
        let store = harness.emulator.store
        #expect(store.partition(store.owner(login: "octocat")!.index).container(named: "app")?.package.repository == nil)
    }

    @Test func tagsAddMoveAndVersionsFollow() {
        let harness = RegistryHarness()
        let first = harness.pushImage("octocat/app", "v1", seed: "a").manifest
        // The same digest under a new tag adds the tag and creates no version.
        #expect(harness.putManifest("octocat/app", "latest", first).status == 201)
        var versions = harness.versions(Self.rest)
        #expect(versions.count == 1)
        #expect(Set(versions.first.map(RegistryHarness.tags) ?? []) == ["v1", "latest"])
        // Another manifest under `latest`: the tag moves, the old version keeps `v1`.
        let second = harness.pushImage("octocat/app", "latest", seed: "b").manifest
        versions = harness.versions(Self.rest)
        #expect(versions.count == 2)
        let byName = Dictionary(uniqueKeysWithValues: versions.map { ($0["name"] as! String, RegistryHarness.tags($0)) })
        #expect(byName[RegistryHarness.digest(first)] == ["v1"])
        #expect(byName[RegistryHarness.digest(second)] == ["latest"])
        // By digest: an untagged version.
        let third = harness.pushImage("octocat/app", nil, seed: "c").manifest
        #expect(harness.versions(Self.rest).count == 3)
        #expect(harness.send("GET", "/v2/octocat/app/tags/list").body
            == Array(#"{"name":"octocat/app","tags":["latest","v1"]}"#.utf8))
        #expect(harness.send("GET", "/v2/octocat/app/manifests/\(RegistryHarness.digest(third))").status == 200)
    }

    @Test func indexChildrenAreUntaggedVersionsAndMustExist() {
        let harness = RegistryHarness()
        let amd = harness.pushImage("octocat/multi", nil, seed: "amd64").manifest
        let arm = RegistryHarness.imageManifest(config: Array("{\"seed\":\"arm\"}".utf8), layers: [Array("arm".utf8)])
        let index = RegistryHarness.indexManifest([amd, arm])
        // A child not pushed yet: MANIFEST_UNKNOWN, and nothing changes.
        let refused = harness.putManifest("octocat/multi", "latest", index, contentType: Manifest.ociIndex)
        #expect(refused.status == 400)
        #expect(RegistryHarness.code(refused) == "MANIFEST_UNKNOWN")
        #expect(harness.versions("/users/octocat/packages/container/multi").count == 1)
        harness.pushBlob("octocat/multi", Array("{\"seed\":\"arm\"}".utf8))
        harness.pushBlob("octocat/multi", Array("arm".utf8))
        #expect(harness.putManifest("octocat/multi", RegistryHarness.digest(arm), arm).status == 201)
        #expect(harness.putManifest("octocat/multi", "latest", index, contentType: Manifest.ociIndex).status == 201)
        let versions = harness.versions("/users/octocat/packages/container/multi")
        #expect(versions.count == 3)
        #expect(versions.filter { RegistryHarness.tags($0).isEmpty }.count == 2)
        #expect(harness.send("GET", "/v2/octocat/multi/manifests/latest").header("Content-Type") == Manifest.ociIndex)
    }

    /// The multi-arch failure of snok #63 and friends: deleting the untagged children through REST makes
    /// the tagged index unpullable; a restore mends it.
    @Test func restDeleteAndRestoreAreSeenByTheRegistry() throws {
        let harness = RegistryHarness()
        let child = harness.pushImage("octocat/multi", nil, seed: "amd64").manifest
        let index = RegistryHarness.indexManifest([child])
        #expect(harness.putManifest("octocat/multi", "latest", index, contentType: Manifest.ociIndex).status == 201)
        let path = "/users/octocat/packages/container/multi"
        let untagged = try #require(harness.versions(path).first { RegistryHarness.tags($0).isEmpty })
        let id = try #require(untagged["id"] as? Int)
        let childDigest = RegistryHarness.digest(child)
        let delete = harness.emulator.respond(to: Request(method: "DELETE", target: "\(path)/versions/\(id)",
                                                          headers: [("Authorization", "token ghp_admin"), ("Host", "x")]))
        #expect(delete.status == 204)
        // No cascade: the index stays, its child is gone.
        #expect(harness.send("GET", "/v2/octocat/multi/manifests/latest").status == 200)
        let gone = harness.send("GET", "/v2/octocat/multi/manifests/\(childDigest)")
        #expect(gone.status == 404)
        #expect(RegistryHarness.code(gone) == "MANIFEST_UNKNOWN")
        #expect(RegistryHarness.message(gone) == "manifest unknown")
        // Blobs stay.
        let layer = Array("layer of amd64".utf8)
        #expect(harness.send("HEAD", "/v2/octocat/multi/blobs/\(RegistryHarness.digest(layer))").status == 200)
        let restore = harness.emulator.respond(to: Request(method: "POST", target: "\(path)/versions/\(id)/restore",
                                                           headers: [("Authorization", "token ghp_admin"), ("Host", "x")]))
        #expect(restore.status == 204)
        #expect(harness.send("GET", "/v2/octocat/multi/manifests/\(childDigest)").body == child)
    }

    @Test func deletedTagIsGoneFromTagsList() throws {
        let harness = RegistryHarness()
        harness.pushImage("octocat/app", "v1", seed: "a")
        harness.pushImage("octocat/app", "v2", seed: "b")
        let old = try #require(harness.versions(Self.rest).first { RegistryHarness.tags($0) == ["v1"] }?["id"] as? Int)
        #expect(harness.emulator.respond(to: Request(method: "DELETE", target: "\(Self.rest)/versions/\(old)",
                                                     headers: [("Authorization", "token ghp_admin"), ("Host", "x")])).status == 204)
        #expect(harness.send("GET", "/v2/octocat/app/manifests/v1").status == 404)
        #expect(String(decoding: harness.send("GET", "/v2/octocat/app/tags/list").body, as: UTF8.self).contains("\"v1\"") == false)
    }

    @Test func deletedPackageIsUnknownAndItsNameReusable() {
        let harness = RegistryHarness()
        harness.pushImage("octocat/app", "v1", seed: "a")
        let firstID = harness.emulator.store.partition(0).container(named: "app")?.package.id
        let delete = harness.emulator.respond(to: Request(method: "DELETE", target: Self.rest,
                                                          headers: [("Authorization", "token ghp_admin"), ("Host", "x")]))
        #expect(delete.status == 204)
        for target in ["/v2/octocat/app/tags/list", "/v2/octocat/app/manifests/v1"] {
            let response = harness.send("GET", target)
            #expect(response.status == 404)
            #expect(RegistryHarness.code(response) == "NAME_UNKNOWN")
        }
        #expect(harness.pushImage("octocat/app", "v1", seed: "a").response.status == 201)
        let secondID = harness.emulator.store.partition(0).container(named: "app")?.package.id
        #expect(secondID != nil && secondID != firstID)
    }

    @Test func declaredVersionWithoutContentIsUnknownToPulls() {
        let harness = RegistryHarness()
        let response = harness.send("GET", "/v2/acme-org/web/manifests/latest")
        #expect(response.status == 404)
        #expect(RegistryHarness.code(response) == "MANIFEST_UNKNOWN")
        #expect(harness.send("GET", "/v2/acme-org/web/tags/list").status == 200)
    }

    @Test func resetDropsWhatWasPushed() {
        let harness = RegistryHarness()
        harness.pushImage("octocat/app", "v1", seed: "a")
        let reset = harness.emulator.respond(to: Request(method: "POST", target: "/_emulator/reset", headers: [("Host", "x")]))
        #expect(reset.status == 200)
        #expect(harness.send("GET", "/v2/octocat/app/tags/list").status == 404)
        #expect(harness.send("HEAD", "/v2/octocat/app/blobs/\(RegistryHarness.digest(Array("layer of a".utf8)))").status == 404)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: harness.directory + "/blobs/sha256")) == [])
    }

    /// Eight pushes of the same tag from eight threads: one version per digest, the tag on exactly one.
    @Test func concurrentPushesOfOneTag() async {
        let harness = RegistryHarness()
        await withTaskGroup(of: Void.self) { group in
            for n in 0..<8 { group.addTask { harness.pushImage("octocat/race", "latest", seed: "s\(n)") } }
        }
        let versions = harness.versions("/users/octocat/packages/container/race")
        #expect(versions.count == 8)
        #expect(versions.filter { RegistryHarness.tags($0) == ["latest"] }.count == 1)
        let tagged = versions.first { RegistryHarness.tags($0) == ["latest"] }?["name"] as? String
        #expect(harness.send("GET", "/v2/octocat/race/manifests/latest").header("Docker-Content-Digest") == tagged)
    }

    static let withRepository: FixtureSet = {
        var fixtures = WriteTestData.fixtures
        fixtures.users[0].repositories = [Repository(name: "hello", id: 700)]
        return fixtures
    }()
}

/// A tag pushed elsewhere while its version was deleted stays where it went (SPEC §21, a choice).
@Suite struct RegistryRestoreTagTests {
    @Test func restoreKeepsTagsThatMoved() throws {
        let harness = RegistryHarness()
        let path = "/users/octocat/packages/container/app"
        harness.pushImage("octocat/app", "latest", seed: "a")
        #expect(harness.putManifest("octocat/app", "stable", harness.pushImage("octocat/app", "stable", seed: "a").manifest).status == 201)
        harness.pushImage("octocat/app", "other", seed: "b")
        let first = try #require(harness.versions(path).first { RegistryHarness.tags($0).contains("latest") })
        let id = try #require(first["id"] as? Int)
        func rest(_ method: String, _ target: String) -> Int {
            harness.emulator.respond(to: Request(method: method, target: target,
                                                 headers: [("Authorization", "token ghp_admin"), ("Host", "x")])).status
        }
        #expect(rest("DELETE", "\(path)/versions/\(id)") == 204)
        let moved = harness.pushImage("octocat/app", "latest", seed: "c").manifest
        #expect(rest("POST", "\(path)/versions/\(id)/restore") == 204)
        let restored = try #require(harness.versions(path).first { ($0["id"] as? Int) == id })
        #expect(RegistryHarness.tags(restored) == ["stable"])
        #expect(harness.send("GET", "/v2/octocat/app/manifests/latest").body == moved)
        #expect(harness.send("GET", "/v2/octocat/app/manifests/stable").status == 200)
    }
}

/// An index may list only manifests the registry has: a declared version without content is not one.
@Suite struct RegistryIndexChildTests {
    @Test func aChildWithoutContentIsUnknown() {
        let harness = RegistryHarness()
        let declared = WriteTestData.digest(11)   // acme-org/web's `latest`: declared, no content
        let index = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(declared)","size":10}]}"#.utf8)
        let response = harness.putManifest("acme-org/web", "multi", index, contentType: Manifest.ociIndex)
        #expect(response.status == 400)
        #expect(RegistryHarness.code(response) == "MANIFEST_UNKNOWN")
        #expect(RegistryHarness.message(response) == "manifest unknown: \(declared)")
    }
}
