import Foundation
import Testing
@testable import PackagesEmulator

/// Manifest pushes refused with their OCI codes and nothing changed; tags pages; the other routes.
@Suite struct RegistryManifestTests {
    static let rest = "/users/octocat/packages/container/app"

    @Test func refusedPushesChangeNothing() {
        let harness = RegistryHarness()
        let config = Array("{}".utf8)
        let layer = Array("l".utf8)
        harness.pushBlob("octocat/app", config)
        let manifest = RegistryHarness.imageManifest(config: config, layers: [layer])   // layer not pushed
        let absent = harness.putManifest("octocat/app", "v1", manifest)
        #expect(absent.status == 400)
        #expect(RegistryHarness.code(absent) == "MANIFEST_BLOB_UNKNOWN")
        harness.pushBlob("octocat/app", layer)
        let other = RegistryHarness.digest(Array("other".utf8))
        let mismatch = harness.putManifest("octocat/app", other, manifest)
        #expect(mismatch.status == 400)
        #expect(RegistryHarness.code(mismatch) == "DIGEST_INVALID")
        let wrongType = harness.putManifest("octocat/app", "v1", manifest, contentType: Manifest.dockerManifest)
        #expect(RegistryHarness.code(wrongType) == "MANIFEST_INVALID")
        let notJSON = harness.putManifest("octocat/app", "v1", Array("{".utf8))
        #expect(RegistryHarness.code(notJSON) == "MANIFEST_INVALID")
        let badTag = harness.putManifest("octocat/app", "-bad", manifest)
        #expect(badTag.status == 400)
        // None of it made a package or a version.
        #expect(harness.send("GET", "/v2/octocat/app/tags/list").status == 404)
        #expect(harness.putManifest("octocat/app", "v1", manifest).status == 201)
        #expect(harness.versions(Self.rest).count == 1)
    }

    /// 4 MiB is the most: a manifest padded to exactly 4 MiB is taken, one byte more is not.
    @Test(arguments: [-1, 0, 1])
    func sizeLimit(_ delta: Int) {
        let harness = RegistryHarness()
        let config = Array("{}".utf8)
        harness.pushBlob("octocat/app", config)
        var manifest = RegistryHarness.imageManifest(config: config, layers: [])
        manifest.removeLast()   // the closing brace
        // ghcr.io's and distribution's limit, written out: the test must not move with the code's constant.
        let limit = 4 * 1024 * 1024
        manifest += [UInt8](repeating: 0x20, count: limit + delta - manifest.count - 1) + [0x7D]
        #expect(manifest.count == limit + delta)
        let response = harness.putManifest("octocat/app", "big", manifest)
        #expect(response.status == (delta <= 0 ? 201 : 413), "\(String(decoding: response.body.prefix(200), as: UTF8.self))")
        if delta > 0 { #expect(RegistryHarness.code(response) == "MANIFEST_INVALID") }
    }

    @Test func dockerMediaTypesRoundTrip() {
        let harness = RegistryHarness()
        let config = Array("{\"d\":1}".utf8)
        harness.pushBlob("octocat/app", config)
        let manifest = RegistryHarness.imageManifest(config: config, layers: [], mediaType: Manifest.dockerManifest)
        #expect(harness.putManifest("octocat/app", "d", manifest, contentType: Manifest.dockerManifest).status == 201)
        let pulled = harness.send("GET", "/v2/octocat/app/manifests/d")
        #expect(pulled.header("Content-Type") == Manifest.dockerManifest)
        #expect(pulled.body == manifest)
        let head = harness.send("HEAD", "/v2/octocat/app/manifests/d")
        #expect(head.header("Content-Length") == String(manifest.count))
        #expect(head.header("Docker-Content-Digest") == RegistryHarness.digest(manifest))
    }

    @Test func tagsPages() {
        let harness = RegistryHarness()
        let first = harness.pushImage("octocat/app", "c", seed: "x").manifest
        for tag in ["a", "b", "d"] { #expect(harness.putManifest("octocat/app", tag, first).status == 201) }
        func page(_ query: String) -> (tags: [String], link: String?) {
            let response = harness.send("GET", "/v2/octocat/app/tags/list" + query)
            let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
            return (json?["tags"] as? [String] ?? ["(status \(response.status))"], response.header("Link"))
        }
        #expect(page("").tags == ["a", "b", "c", "d"])
        #expect(page("").link == nil)
        #expect(page("?n=2").tags == ["a", "b"])
        #expect(page("?n=2").link == "</v2/octocat/app/tags/list?n=2&last=b>; rel=\"next\"")
        #expect(page("?n=2&last=b").tags == ["c", "d"])
        #expect(page("?n=2&last=b").link == nil)   // nothing after
        #expect(page("?n=3").link != nil)
        #expect(page("?n=4").link == nil)           // exactly all
        #expect(page("?n=5").link == nil)
        #expect(page("?n=0").tags == [])
        #expect(page("?last=c").tags == ["d"])
        #expect(page("?n=-1").tags == ["(status 400)"])
        #expect(page("?n=x").tags == ["(status 400)"])
    }

    @Test(arguments: [
        ("DELETE", "/v2/acme-org/popular/manifests/latest", 405, "UNSUPPORTED"),
        ("DELETE", "/v2/acme-org/popular/blobs/sha256:" + String(repeating: "0", count: 64), 405, "UNSUPPORTED"),
        ("GET", "/v2/acme-org/popular/referrers/sha256:" + String(repeating: "0", count: 64), 404, "NOT_FOUND"),
        ("POST", "/v2/acme-org/popular/tags/list", 405, "UNSUPPORTED"),
        ("GET", "/v2/acme-org/popular/other", 404, "NOT_FOUND"),
        ("GET", "/v2/acme-org/Popular/tags/list", 400, "NAME_INVALID"),
        ("GET", "/v2/acme-org/../popular/tags/list", 400, "NAME_INVALID"),
        ("GET", "/v2/popular/tags/list", 400, "NAME_INVALID"),
        ("GET", "/v2/acme-org/popular/blobs/sha256:xyz", 400, "DIGEST_INVALID"),
        ("GET", "/v2/acme-org/popular/manifests/nope", 404, "MANIFEST_UNKNOWN"),
        ("GET", "/v2/acme-org/popular/manifests/-x", 404, "MANIFEST_UNKNOWN"),
    ] as [(String, String, Int, String)])
    func otherRoutes(_ method: String, _ path: String, _ status: Int, _ code: String) {
        let harness = RegistryHarness()
        let response = harness.send(method, path)
        #expect(response.status == status)
        #expect(RegistryHarness.code(response) == code)
        #expect(response.header("Content-Type") == "application/json")
    }

    /// Pushes and pulls are journaled with the registry's operation ids (SPEC §21, §20).
    @Test func journal() throws {
        let harness = RegistryHarness()
        harness.pushImage("octocat/app", "v1", seed: "a")
        let response = harness.emulator.respond(to: Request(method: "GET", target: "/_emulator/requests?per_page=100",
                                                            headers: [("Host", "x")]))
        let text = String(decoding: response.body, as: UTF8.self)
        for id in ["registry/start-upload", "registry/put-manifest"] { #expect(text.contains(id), "\(id)") }
        #expect(!text.contains("Z2hwX2FkbWlu"), "the token is redacted")
    }
}
