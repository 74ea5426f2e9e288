import Foundation
import Testing
@testable import PackagesEmulator

/// `npm publish` (SPEC §22): the first publish creates the package, each version is a REST version at
/// once, and every bad input is refused with npm's error shape and nothing half-written.
struct NpmPublishTests {
    @Test func firstPublishCreatesAPrivatePackageLinkedToItsRepository() throws {
        let harness = RegistryHarness()
        let response = harness.publish("@acme-org/tool", "1.0.0", extra: ["repository": ["type": "git", "url": "git+https://github.com/acme-org/app.git"]])
        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json")
        #expect(RegistryHarness.npmError(response) == #"{"ok":true}"#)
        let rest = harness.send("GET", "/orgs/acme-org/packages/npm/tool", authorization: "Bearer ghp_admin")
        #expect(rest.status == 200)
        let package = try #require(try JSONSerialization.jsonObject(with: Data(rest.body)) as? [String: Any])
        #expect(package["visibility"] as? String == "private")
        #expect(package["version_count"] as? Int == 1)
        #expect((package["repository"] as? [String: Any])?["name"] as? String == "app")
        #expect(harness.restVersions("tool").keys.sorted() == ["1.0.0"])
        // The id is above every id of the data set; created now on the emulator's clock.
        #expect(try #require(harness.restVersions("tool")["1.0.0"]) > 100)
        #expect(package["created_at"] as? String == FixtureDate.string(WriteTestData.now))
    }

    @Test func aSecondVersionIsASecondRESTVersionAndTheSameVersionIsAConflict() {
        let harness = RegistryHarness()
        #expect(harness.publish("@acme-org/tool", "1.0.0").status == 200)
        #expect(harness.publish("@acme-org/tool", "1.1.0").status == 200)
        let conflict = harness.publish("@acme-org/tool", "1.1.0")
        #expect(conflict.status == 409)
        #expect(RegistryHarness.npmError(conflict) == "Cannot publish over existing version.")
        #expect(harness.restVersions("tool").keys.sorted() == ["1.0.0", "1.1.0"])
    }

    @Test func packumentHasTheVersionsTheirChecksumsAndTarballURLs() throws {
        let harness = RegistryHarness()
        harness.publish("@acme-org/tool", "1.0.0", extra: ["dependencies": ["left-pad": "^1.0.0"], "scripts": ["test": "x"]])
        harness.publish("@acme-org/tool", "2.0.0-rc.1", tag: "next")
        let response = harness.packument("@acme-org/tool")
        #expect(response.status == 200)
        #expect(response.header("vary") == "Accept")
        let packument = RegistryHarness.json(response)
        #expect(packument["_id"] as? String == "@acme-org/tool")
        #expect(packument["name"] as? String == "@acme-org/tool")
        #expect((packument["_rev"] as? String)?.hasPrefix("2-") == true)
        #expect(packument["dist-tags"] as? [String: String] == ["latest": "1.0.0", "next": "2.0.0-rc.1"])
        let versions = try #require(packument["versions"] as? [String: [String: Any]])
        #expect(versions.keys.sorted() == ["1.0.0", "2.0.0-rc.1"])
        let dist = try #require(versions["1.0.0"]?["dist"] as? [String: String])
        let bytes = RegistryHarness.tarball("1.0.0")
        #expect(dist["shasum"] == RegistryHarness.shasum(bytes))
        #expect(dist["integrity"] == RegistryHarness.integrity(bytes))
        #expect(dist["tarball"] == "http://registry.test/npm/@acme-org/tool/-/tool-1.0.0.tgz")
        #expect(versions["1.0.0"]?["dependencies"] as? [String: String] == ["left-pad": "^1.0.0"])
        #expect(versions["1.0.0"]?["_id"] as? String == "@acme-org/tool@1.0.0")
        #expect((packument["time"] as? [String: String])?["1.0.0"] == FixtureDate.string(WriteTestData.now))
        // The tarball at that URL: the bytes published.
        let tarball = harness.npm("GET", "/npm/@acme-org/tool/-/tool-1.0.0.tgz")
        #expect(tarball.status == 200)
        #expect(RegistryHarness.bytes(of: tarball) == bytes)
        #expect(tarball.header("content-length") == String(bytes.count))
    }

    /// An independent hash of a fixed tarball (Python's hashlib): the emulator's checksums are npm's.
    @Test func checksumsAgreeWithHashlib() throws {
        let harness = RegistryHarness()
        let bytes = Array((0..<300).flatMap { _ in 0...255 }.map { UInt8($0) })
        let response = harness.npm("PUT", "/npm/@acme-org%2ftool", body: RegistryHarness.publishDocument(
            "@acme-org/tool", "1.0.0", tarball: bytes, shasum: "a95b7b1b4576c981b236d7dbfc57c0baeeaf04ec",
            integrity: "sha512-iEkM/eRS+Pa7UcR7vteU0odwssafafYdIbxvVv7ZLr4gsYnyEypK5Fjj2HrKoFI6ZjpHsHiGY/Icui1oFn4YwQ=="))
        #expect(response.status == 200, "\(RegistryHarness.npmError(response))")
        #expect(harness.storedFiles == ["blobs/sha256/f8b0585eb91f58c007a5634362c9f90d8543822c113f702523bc7b73408a9392"])
    }

    @Test func abbreviatedPackumentKeepsWhatInstallNeeds() throws {
        let harness = RegistryHarness()
        harness.publish("@acme-org/tool", "1.0.0", extra: ["dependencies": ["a": "1"], "readme": "long text", "scripts": ["x": "y"]])
        let response = harness.packument("@acme-org/tool", abbreviated: true)
        #expect(response.header("content-type") == "application/vnd.npm.install-v1+json")
        let packument = RegistryHarness.json(response)
        #expect(Set(packument.keys) == ["name", "modified", "dist-tags", "versions"])
        let version = try #require((packument["versions"] as? [String: [String: Any]])?["1.0.0"])
        #expect(Set(version.keys) == ["name", "version", "dependencies", "dist"])
    }

    /// Each refusal: its status and message, and nothing changed (REST, the packument, the store).
    @Test(arguments: [
        ("not json", "/npm/@acme-org%2ftool", 400, "the body is not JSON"),
        ("no data", "/npm/@acme-org%2ftool", 400, "exactly one attachment with its data"),
        ("no attachments", "/npm/@acme-org%2ftool", 400, "no _attachments (a publish) and no _rev"),
        ("two attachments", "/npm/@acme-org%2ftool", 400, "exactly one attachment"),
        ("bad base64", "/npm/@acme-org%2ftool", 400, "the attachment's data is not base64"),
        ("shasum", "/npm/@acme-org%2ftool", 400, "dist.shasum does not match the tarball"),
        ("integrity", "/npm/@acme-org%2ftool", 400, "dist.integrity does not match the tarball"),
        ("not semver", "/npm/@acme-org%2ftool", 400, #"version "1.0" is not a valid semver"#),
        ("two versions", "/npm/@acme-org%2ftool", 400, "exactly one version"),
        ("name differs", "/npm/@acme-org%2ftool", 400, "the document's name must be @acme-org/tool"),
        ("unscoped", "/npm/tool", 400, "GitHub Packages serves scoped packages only"),
        ("foreign scope", "/npm/@nobody%2ftool", 404, #"npm package "tool" does not exist under owner "nobody""#),
        ("uppercase", "/npm/@acme-org%2fTool", 400, "invalid package name"),
        ("tag is a version", "/npm/@acme-org%2ftool", 400, "invalid dist-tag"),
    ])
    func badPublishesChangeNothing(_ kind: String, _ path: String, _ status: Int, _ message: String) {
        let harness = RegistryHarness()
        #expect(harness.publish("@acme-org/tool", "0.9.0").status == 200)
        let before = (harness.restVersions("tool"), RegistryHarness.bytes(of: harness.packument("@acme-org/tool")), harness.storedFiles)
        var body = RegistryHarness.publishDocument("@acme-org/tool", "1.0.0")
        func document(_ change: (inout [String: Any]) -> Void) -> [UInt8] {
            RegistryHarness.publishDocument("@acme-org/tool", "1.0.0", change: change)
        }
        switch kind {
        case "not json": body = Array("{\"name\": ".utf8)
        case "no data": body = document { $0["_attachments"] = ["@acme-org/tool-1.0.0.tgz": ["length": 3]] }
        case "no attachments": body = document { $0["_attachments"] = nil }
        case "two attachments": body = document { $0["_attachments"] = ["a": ["data": "QQ=="], "b": ["data": "QQ=="]] }
        case "bad base64": body = document { $0["_attachments"] = ["a": ["data": "QQ=!"]] }
        case "shasum": body = RegistryHarness.publishDocument("@acme-org/tool", "1.0.0", shasum: String(repeating: "0", count: 40))
        case "integrity": body = RegistryHarness.publishDocument("@acme-org/tool", "1.0.0", integrity: "sha512-AAAA")
        case "not semver": body = RegistryHarness.publishDocument("@acme-org/tool", "1.0")
        case "two versions": body = document { $0["versions"] = ["1.0.0": ["name": "x"], "1.0.1": ["name": "x"]] }
        case "name differs": body = document { $0["name"] = "@acme-org/other" }
        case "tag is a version": body = RegistryHarness.publishDocument("@acme-org/tool", "1.0.0", tag: "2.0.0")
        default: break
        }
        let response = harness.npm("PUT", path, body: body)
        #expect(response.status == status)
        #expect(RegistryHarness.npmError(response).contains(message), "\(RegistryHarness.npmError(response))")
        #expect(response.header("content-type") == "application/json")
        #expect(harness.restVersions("tool") == before.0)
        #expect(RegistryHarness.bytes(of: harness.packument("@acme-org/tool")) == before.1)
        #expect(harness.storedFiles == before.2)
    }

    /// The tarball limit, at, just below and just above it (a test-sized limit).
    @Test(arguments: [(99, 200), (100, 200), (101, 413)])
    func tarballLimit(_ size: Int, _ status: Int) {
        let harness = RegistryHarness(maxNpmTarballSize: 100)
        let body = RegistryHarness.publishDocument("@acme-org/tool", "1.0.0", tarball: [UInt8](repeating: 7, count: size))
        let response = harness.npm("PUT", "/npm/@acme-org%2ftool", body: body)
        #expect(response.status == status)
        if status == 413 {
            #expect(RegistryHarness.npmError(response) == "the tarball is larger than 100 bytes")
            #expect(harness.storedFiles == [])
            #expect(harness.restVersions("tool").isEmpty)
        }
    }

    /// Who may publish (SPEC §21's write rule, `write:packages`): to a new package and to octocat's own.
    @Test(arguments: [
        ("ghp_admin", "@acme-org/new", 200, ""), ("ghp_hubot", "@acme-org/new", 200, ""),
        ("ghp_stranger", "@acme-org/new", 403, "permission_denied: write_package"),
        ("ghp_read", "@acme-org/new", 403, "permission_denied: The token provided does not match expected scopes."),
        ("github_pat_octo", "@acme-org/new", 403, "permission_denied: The token provided does not match expected scopes."),
        ("ghs_app", "@acme-org/new", 200, ""), ("ghs_other", "@acme-org/new", 403, "permission_denied: write_package"),
        ("ghp_admin", "@octocat/new", 200, ""), ("ghp_hubot", "@octocat/new", 403, "permission_denied: write_package"),
        ("ghp_unknown", "@acme-org/new", 401, "unauthenticated: User cannot be authenticated with the token provided."),
    ])
    func whoMayPublishANewPackage(_ token: String, _ name: String, _ status: Int, _ message: String) {
        let harness = RegistryHarness()
        let response = harness.publish(name, "1.0.0", token: token)
        #expect(response.status == status)
        if !message.isEmpty { #expect(RegistryHarness.npmError(response) == message) }
        #expect(harness.storedFiles.isEmpty == (status != 200))
    }

    /// An existing package: its admins may publish; a member who is not its admin may not.
    @Test func membersPublishOnlyNewPackages() {
        let harness = RegistryHarness()
        #expect(harness.publish("@acme-org/tool", "1.0.0").status == 200)
        let refused = harness.publish("@acme-org/tool", "1.1.0", token: "ghp_hubot")
        // Private and not readable by hubot: hidden, as REST hides it.
        #expect(refused.status == 404)
        #expect(RegistryHarness.npmError(refused) == #"npm package "tool" does not exist under owner "acme-org""#)
        #expect(harness.restVersions("tool").keys.sorted() == ["1.0.0"])
    }

    /// A body in one-byte pieces through the streaming path: the same answer; a client gone mid-body
    /// leaves nothing.
    @Test func streamedPiecesAndAClientGoneMidBody() throws {
        let harness = RegistryHarness()
        let body = RegistryHarness.publishDocument("@acme-org/tool", "1.0.0", tarball: [UInt8](repeating: 1, count: 5000))
        func exchange() throws -> RequestBodySink {
            let request = Request(method: "PUT", target: "/npm/@acme-org%2ftool",
                                  headers: [("Host", "registry.test"), ("Authorization", "Bearer ghp_admin"),
                                            ("Content-Length", String(body.count))])
            guard case .body(let sink) = harness.emulator.registryExchange(request, hasBody: true) else {
                throw CancellationError()
            }
            return sink
        }
        let gone = try exchange()
        for byte in body.prefix(body.count / 2) { #expect([byte].withUnsafeBytes { gone.write($0) } == nil) }
        gone.abort()
        #expect(harness.storedFiles == [])
        #expect(harness.restVersions("tool").isEmpty)
        let sink = try exchange()
        for byte in body { #expect([byte].withUnsafeBytes { sink.write($0) } == nil) }
        #expect(sink.finish().status == 200)
        #expect(harness.storedFiles.count == 1)
        #expect(RegistryHarness.bytes(of: harness.npm("GET", "/npm/@acme-org/tool/-/tool-1.0.0.tgz")) == [UInt8](repeating: 1, count: 5000))
    }
}
