import Foundation
import Testing
@testable import PackagesEmulator

/// Fixtures' registry content: OCI image layouts under `registry/OWNER/NAME/`, checked with the file and
/// JSON path of every problem, served from their files (SPEC §21).
@Suite struct RegistryLayoutTests {
    /// A fixtures directory with octocat's declared container package `app` and a layout for it.
    final class Directory {
        let path = NSTemporaryDirectory() + "gpe-layout-" + UUID().uuidString
        var layout: String { path + "/registry/octocat/app" }
        var blobs: [String: [UInt8]] = [:]
        var config: [UInt8] = Array("{\"os\":\"linux\"}".utf8)
        var layer: [UInt8] = Array("layer".utf8)
        var manifest: [UInt8] = []

        init(declared: String = #", "versions": [{"id": 9, "name": "sha256:0000000000000000000000000000000000000000000000000000000000000009", "tags": ["old"], "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}]"#) throws {
            try write("tokens.json", #"{"tokens": [{"token": "ghp_t", "login": "octocat", "scopes": ["read:packages", "write:packages"]}]}"#)
            try write("users/octocat.json", #"{"login": "octocat", "id": 1, "packages": [{"id": 5, "name": "app", "package_type": "container", "visibility": "private", "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z""# + declared + "}]}")
            manifest = RegistryHarness.imageManifest(config: config, layers: [layer])
            try writeLayout(index: Self.index([(RegistryHarness.digest(manifest), manifest.count, "v1")]))
        }

        static func index(_ entries: [(String, Int, String?)], mediaType: String = Manifest.ociManifest) -> String {
            let items = entries.map { digest, size, tag in
                let annotations = tag.map { #", "annotations": {"org.opencontainers.image.ref.name": "\#($0)"}"# } ?? ""
                return #"{"mediaType": "\#(mediaType)", "digest": "\#(digest)", "size": \#(size)\#(annotations)}"#
            }
            return #"{"schemaVersion": 2, "manifests": [\#(items.joined(separator: ", "))]}"#
        }

        func writeLayout(index: String) throws {
            try write("registry/octocat/app/oci-layout", #"{"imageLayoutVersion": "1.0.0"}"#)
            try write("registry/octocat/app/index.json", index)
            for blob in [config, layer, manifest] {
                try write("registry/octocat/app/blobs/sha256/" + RegistryHarness.digest(blob).dropFirst(7), blob)
            }
        }

        func write(_ relative: String, _ text: String) throws { try write(relative, Array(text.utf8)) }

        func write(_ relative: String, _ bytes: [UInt8]) throws {
            let url = URL(fileURLWithPath: path + "/" + relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }

        func load() -> FixtureLoadResult { FixtureLoader.load(directory: path, profile: .dotcom) }

        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    @Test func aLayoutAddsVersionsWithContent() throws {
        let directory = try Directory()
        let result = directory.load()
        #expect(result.errors == [])
        let package = try #require(result.fixtures?.users.first?.packages.first)
        #expect(package.versions?.map(\.name) == ["sha256:" + String(repeating: "0", count: 63) + "9",
                                                   RegistryHarness.digest(directory.manifest)])
        let added = try #require(package.versions?.last)
        #expect(added.tags == ["v1"])
        #expect(added.id == 5 * 100_000 + 90_001)
        #expect(added.manifest == ManifestInfo(mediaType: Manifest.ociManifest, bytes: directory.manifest))
        #expect(package.versionCount == 2)
        #expect(result.fixtures?.registry.repositories["octocat/app"]?.count == 3)
    }

    @Test func servedFromTheFixtureFilesAndKeptByReset() throws {
        let directory = try Directory()
        let fixtures = try #require(directory.load().fixtures)
        let data = NSTemporaryDirectory() + "gpe-layout-data-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: data) }
        let emulator = Emulator(store: Store(fixtures, profile: .dotcom), config: EmulatorConfig(dataDirectory: data))
        func get(_ target: String) -> Response {
            emulator.respond(to: Request(method: "GET", target: target, headers: [
                ("Host", "x"), ("Authorization", RegistryHarness.bearer("ghp_t"))]))
        }
        for _ in 0..<2 {
            let manifest = get("/v2/octocat/app/manifests/v1")
            #expect(manifest.body == directory.manifest)
            let layer = get("/v2/octocat/app/blobs/\(RegistryHarness.digest(directory.layer))")
            guard case .file(let file)? = layer.parts.first else {
                Issue.record("no file")
                return
            }
            #expect(file.path == directory.layout + "/blobs/sha256/" + RegistryHarness.digest(directory.layer).dropFirst(7))
            #expect(RegistryHarness.bytes(of: layer) == directory.layer)
            _ = emulator.respond(to: Request(method: "POST", target: "/_emulator/reset", headers: [("Host", "x")]))
        }
        // A declared version without content: unknown to pulls.
        #expect(get("/v2/octocat/app/manifests/old").status == 404)
    }

    @Test func declaredVersionOfTheSameDigestGetsTheContent() throws {
        let directory = try Directory(declared: "")
        let digest = RegistryHarness.digest(directory.manifest)
        let declared = #", "versions": [{"id": 9, "name": "\#(digest)", "tags": ["keep"], "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}, {"id": 8, "name": "sha256:\#(String(repeating: "1", count: 64))", "tags": ["v1"], "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}]"#
        let other = try Directory(declared: declared)
        let versions = try #require(other.load().fixtures?.users.first?.packages.first?.versions)
        #expect(versions.count == 2)
        #expect(versions[0].manifest != nil)
        // `v1` is on another declared version: the JSON wins, the layout's tag is not added.
        #expect(versions[0].tags == ["keep"])
        _ = directory
    }

    /// Every problem names its file and JSON path.
    @Test func problemsNameTheirFileAndPath() throws {
        let directory = try Directory()
        let layer = RegistryHarness.digest(directory.layer)
        let manifestDigest = RegistryHarness.digest(directory.manifest)
        let cases: [(String, () throws -> Void, FixtureError)] = [
            ("a blob whose bytes differ", { try directory.write("registry/octocat/app/blobs/sha256/" + layer.dropFirst(7), "other") },
             FixtureError(file: "registry/octocat/app/blobs/sha256/" + layer.dropFirst(7), path: "",
                          message: "its content's digest is \(RegistryHarness.digest(Array("other".utf8))), not \(layer)")),
            ("a missing blob", { try FileManager.default.removeItem(atPath: directory.layout + "/blobs/sha256/" + layer.dropFirst(7)) },
             FixtureError(file: "registry/octocat/app/blobs/sha256/" + manifestDigest.dropFirst(7), path: "$.layers[0].digest",
                          message: "\(layer) is not in the layout (no blobs/sha256/\(layer.dropFirst(7)))")),
            ("a size that differs", { try directory.writeLayout(index: Directory.index([(manifestDigest, 3, nil)])) },
             FixtureError(file: "registry/octocat/app/index.json", path: "$.manifests[0].size",
                          message: "3 differs from blobs/sha256/\(manifestDigest.dropFirst(7))'s \(directory.manifest.count) bytes")),
            ("a tag that is not one", { try directory.writeLayout(index: Directory.index([(manifestDigest, directory.manifest.count, "-x")])) },
             FixtureError(file: "registry/octocat/app/index.json",
                          path: "$.manifests[0].annotations[\"org.opencontainers.image.ref.name\"]", message: "\"-x\" is not a tag")),
            ("not JSON", { try directory.write("registry/octocat/app/index.json", "{") },
             FixtureError(file: "registry/octocat/app/index.json", path: "$", message: "")),
            ("no manifests", { try directory.write("registry/octocat/app/index.json", "{}") },
             FixtureError(file: "registry/octocat/app/index.json", path: "$.manifests", message: "must be an array of descriptors")),
            ("a bad digest", { try directory.writeLayout(index: Directory.index([("sha256:x", 1, nil)])) },
             FixtureError(file: "registry/octocat/app/index.json", path: "$.manifests[0].digest",
                          message: "must be sha256: and 64 lowercase hex digits")),
            ("an old layout version", { try directory.write("registry/octocat/app/oci-layout", #"{"imageLayoutVersion": "2.0.0"}"#) },
             FixtureError(file: "registry/octocat/app/oci-layout", path: "$.imageLayoutVersion", message: "\"2.0.0\" is not 1.x")),
            ("a manifest blob that is not one", {
                let bytes = Array("{\"schemaVersion\":1}".utf8)
                try directory.write("registry/octocat/app/blobs/sha256/" + RegistryHarness.digest(bytes).dropFirst(7), bytes)
                try directory.write("registry/octocat/app/index.json", Directory.index([(RegistryHarness.digest(bytes), bytes.count, nil)]))
            }, FixtureError(file: "registry/octocat/app/blobs/sha256/" + RegistryHarness.digest(Array("{\"schemaVersion\":1}".utf8)).dropFirst(7),
                            path: "$", message: "manifest invalid: schemaVersion must be 2")),
        ]
        for (name, damage, expected) in cases {
            let fresh = try Directory()
            _ = fresh
            try directory.writeLayout(index: Directory.index([(manifestDigest, directory.manifest.count, "v1")]))
            try directory.write("registry/octocat/app/oci-layout", #"{"imageLayoutVersion": "1.0.0"}"#)
            try damage()
            let result = directory.load()
            #expect(result.fixtures == nil, "\(name)")
            let first = try #require(result.errors.first, "\(name)")
            #expect(first.file == expected.file, "\(name)")
            #expect(first.path == expected.path || expected.message.isEmpty, "\(name): \(first)")
            if !expected.message.isEmpty { #expect(first.message == expected.message, "\(name): \(first)") }
        }
    }

    @Test(arguments: [
        ("registry/hubot/app", "no user or organisation hubot in the fixtures"),
        ("registry/octocat/nope", "no active container package nope in users/octocat.json"),
        ("registry/Octocat/app", "not registry/OWNER/NAME with a lowercase owner and package name"),
    ])
    func layoutsForWhatIsNotThere(_ folder: String, _ message: String) throws {
        let directory = try Directory()
        try FileManager.default.moveItem(atPath: directory.layout, toPath: directory.path + "/registry/tmp")
        try FileManager.default.createDirectory(atPath: directory.path + "/" + folder, withIntermediateDirectories: true)
        try FileManager.default.removeItem(atPath: directory.path + "/" + folder)
        try FileManager.default.moveItem(atPath: directory.path + "/registry/tmp", toPath: directory.path + "/" + folder)
        let errors = directory.load().errors
        #expect(errors == [FixtureError(file: folder, path: "", message: message)])
    }

    /// The demo data: octo-org/octo-multi, a multi-arch image with an attestation and a signature tag.
    @Test func demoData() throws {
        let root = String(#filePath).split(separator: "/", omittingEmptySubsequences: false).dropLast(4)
            .joined(separator: "/")
        let result = FixtureLoader.load(directory: root + "/Fixtures", profile: .dotcom)
        #expect(result.errors == [])
        let package = try #require(result.fixtures?.orgs.first?.packages.first { $0.name == "octo-multi" })
        let versions = try #require(package.versions)
        #expect(versions.count == 5)
        #expect(versions.filter { $0.tags.isEmpty }.count == 3)   // two platforms and the attestation
        let index = try #require(versions.first { $0.tags.contains("latest") })
        #expect(index.tags == ["latest", "1.0"])
        #expect(index.manifest?.mediaType == Manifest.ociIndex)
        #expect(versions.contains { $0.tags == ["sha256-" + index.name.dropFirst(7) + ".sig"] })
    }
}
