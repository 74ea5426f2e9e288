import Foundation
import Testing
@testable import PackagesEmulator

/// `GET /_emulator/fixtures/export?format=tar` (SPEC §20, §21): a fixtures directory with pushed content
/// as OCI layouts; extracted by GNU tar (an independent reader) and served, it answers the same bytes.
@Suite struct RegistryExportTests {
    static func extract(_ archive: [UInt8]) throws -> String {
        let directory = NSTemporaryDirectory() + "gpe-export-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = directory + ".tar"
        try Data(archive).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-xf", file, "-C", directory]
        try tar.run()
        tar.waitUntilExit()
        #expect(tar.terminationStatus == 0)
        return directory
    }

    @Test func exportServesTheSameBytes() throws {
        let harness = RegistryHarness(fixtures: RegistryStateTests.withRepository)
        let (manifest, _) = harness.pushImage("octocat/app", "v1", seed: "a", source: "https://github.com/octocat/hello")
        harness.pushImage("octocat/app", nil, seed: "b")
        let deleted = try #require(harness.versions("/users/octocat/packages/container/app").first { RegistryHarness.tags($0).isEmpty })
        #expect(harness.emulator.respond(to: Request(method: "DELETE",
            target: "/users/octocat/packages/container/app/versions/\(deleted["id"] as! Int)",
            headers: [("Authorization", "token ghp_admin"), ("Host", "x")])).status == 204)
        let export = harness.emulator.respond(to: Request(method: "GET", target: "/_emulator/fixtures/export?format=tar",
                                                          headers: [("Host", "x")]))
        #expect(export.status == 200)
        #expect(export.header("Content-Type") == "application/x-tar")
        let archive = RegistryHarness.bytes(of: export)
        #expect(export.header("Content-Length") == String(archive.count))
        let directory = try Self.extract(archive)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let loaded = FixtureLoader.load(directory: directory, profile: .dotcom)
        #expect(loaded.errors == [])
        let fixtures = try #require(loaded.fixtures)
        let served = RegistryHarness(fixtures: fixtures)
        // The same manifest by tag, the same blobs, the same REST versions; the deleted one restorable.
        #expect(served.send("GET", "/v2/octocat/app/manifests/v1").body == manifest)
        let layer = Array("layer of a".utf8)
        #expect(RegistryHarness.bytes(of: served.send("GET", "/v2/octocat/app/blobs/\(RegistryHarness.digest(layer))")) == layer)
        func names(_ harness: RegistryHarness) -> [String] {
            harness.versions("/users/octocat/packages/container/app").map { "\($0["id"]!) \($0["name"]!) \(RegistryHarness.tags($0))" }
        }
        #expect(names(served) == names(harness))
        #expect(served.emulator.respond(to: Request(method: "POST",
            target: "/users/octocat/packages/container/app/versions/\(deleted["id"] as! Int)/restore",
            headers: [("Authorization", "token ghp_admin"), ("Host", "x")])).status == 204)
        #expect(served.send("GET", "/v2/octocat/app/manifests/\(deleted["name"] as! String)").status == 200)
        // Without ?format=tar: the JSON document, as before.
        let document = harness.emulator.respond(to: Request(method: "GET", target: "/_emulator/fixtures/export", headers: [("Host", "x")]))
        #expect(document.header("Content-Type") == "application/json; charset=utf-8")
    }

    /// ustar headers: a path over 100 bytes split at a `/` into prefix and name, octal fields, the
    /// checksum, 512-byte padding and the two zero blocks at the end.
    @Test func ustarLayout() {
        let path = "registry/octo-org/octo-multi/blobs/sha256/" + String(repeating: "a", count: 64)
        let parts = FixtureArchive.parts([(path, .bytes(Array("hello".utf8))), ("tokens.json", .file("/dev/null", 0))])
        let bytes = parts.flatMap { part -> [UInt8] in if case .bytes(let b) = part { b } else { [] } }
        #expect(parts.reduce(0) { $0 + $1.count } == 512 + 512 + 512 + 1024)
        let header = Array(bytes[0..<512])
        #expect(String(decoding: header[0..<64], as: UTF8.self) == String(repeating: "a", count: 64))
        #expect(String(decoding: header[345..<(345 + 41)], as: UTF8.self) == "registry/octo-org/octo-multi/blobs/sha256")
        #expect(String(decoding: header[124..<136], as: UTF8.self) == "00000000005\u{0}")
        #expect(String(decoding: header[257..<265], as: UTF8.self) == "ustar\u{0}00")
        var blank = header
        for index in 148..<156 { blank[index] = 0x20 }
        let sum = blank.reduce(0) { $0 + Int($1) }
        #expect(String(decoding: header[148..<154], as: UTF8.self) == String(repeating: "0", count: 6 - String(sum, radix: 8).count) + String(sum, radix: 8))
        #expect(Array(bytes[512..<517]) == Array("hello".utf8))
        #expect(bytes[517..<1024].allSatisfy { $0 == 0 })
        #expect(bytes.suffix(1024).allSatisfy { $0 == 0 })
    }
}
