import Foundation
import Testing

@testable import PackagesEmulator

/// What `--watch` compares: a change to any fixture file, an added or removed user file, changes it.
struct FixtureFingerprintTests {
    @Test func changesWithTheFilesOnly() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("fingerprint-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("users"),
                                                withIntermediateDirectories: true)
        let tokens = root.appendingPathComponent("tokens.json")
        try #"{"tokens": []}"#.write(to: tokens, atomically: true, encoding: .utf8)
        let first = FixtureFingerprint(directory: root.path)
        #expect(FixtureFingerprint(directory: root.path) == first)
        try #"{"tokens": [] }"#.write(to: tokens, atomically: true, encoding: .utf8)
        let second = FixtureFingerprint(directory: root.path)
        #expect(second != first)
        try "{}".write(to: root.appendingPathComponent("users/a.json"), atomically: true, encoding: .utf8)
        let third = FixtureFingerprint(directory: root.path)
        #expect(third != second)
        try FileManager.default.removeItem(at: root.appendingPathComponent("users/a.json"))
        let fourth = FixtureFingerprint(directory: root.path)
        #expect(fourth != third)
        // Organisation files count too (SPEC §14).
        try FileManager.default.createDirectory(at: root.appendingPathComponent("orgs"), withIntermediateDirectories: true)
        let fifth = FixtureFingerprint(directory: root.path)
        #expect(fifth != fourth)
        try "{}".write(to: root.appendingPathComponent("orgs/o.json"), atomically: true, encoding: .utf8)
        #expect(FixtureFingerprint(directory: root.path) != fifth)
        #expect(FixtureFingerprint(directory: root.path + "/missing") != first)
    }
}
