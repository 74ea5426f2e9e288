import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// npm's registry on the real server (SPEC §22, §12): a publish document streams over a real socket and
/// is never held, and a client gone mid-publish leaves nothing.
@Suite struct LiveNpmTests {
    static func head(_ method: String, _ target: String, port: Int, length: Int? = nil) -> String {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer ghp_octocatAdmin\r\n"
        if let length { text += "Content-Length: \(length)\r\n" }
        return text + "\r\n"
    }

    /// libnpmpublish's document around a tarball of `size` bytes (no dist checksums: they are checked
    /// only when given), as three pieces: before the base64, the base64 in pieces, after it.
    static func document(_ version: String, size: Int) -> (prefix: [UInt8], data: [[UInt8]], suffix: [UInt8], tarball: [UInt8]) {
        // Not compressible by accident, not random (fast to make): a counter's bytes.
        let tarball = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let prefix = #"{"_id":"@octo-org/live","name":"@octo-org/live","dist-tags":{"latest":"\#(version)"},"#
            + #""versions":{"\#(version)":{"name":"@octo-org/live","version":"\#(version)"}},"#
            + #""_attachments":{"@octo-org/live-\#(version).tgz":{"content_type":"application/octet-stream","data":""#
        let suffix = #"","length":\#(size)}}}"#
        let piece = 3 * 1024 * 1024
        let data = stride(from: 0, to: size, by: piece).map { start in
            Array(Data(tarball[start..<min(start + piece, size)]).base64EncodedString().utf8)
        }
        return (Array(prefix.utf8), data, Array(suffix.utf8), tarball)
    }

    /// A 48 MiB tarball (a 64 MiB document) published on one connection: the server's peak RSS grows by
    /// far less than the document, and the tarball comes back byte for byte.
    @Test func publishStreamsAndIsNeverHeld() throws {
        let (emulator, port) = try EmulatorProcess.start(arguments: ["--threads", "1"])
        defer { emulator.stop() }
        let document = Self.document("1.0.0", size: 48 * 1024 * 1024)
        let length = document.prefix.count + document.data.reduce(0) { $0 + $1.count } + document.suffix.count
        let client = try HTTPConnection(port: port, timeout: 60)
        let before = emulator.peakKiB
        try client.send(Self.head("PUT", "/npm/@octo-org%2flive", port: port, length: length))
        try client.send(document.prefix)
        for piece in document.data { try client.send(piece) }
        try client.send(document.suffix)
        let answer = try client.readResponse()
        #expect(answer.status == 200, "\(answer.text)")
        let growth = emulator.peakKiB - before
        #expect(before > 0)
        #expect(growth < 16 * 1024, "peak RSS grew by \(growth) KiB during a \(length)-byte publish")
        try client.send(Self.head("GET", "/npm/@octo-org/live/-/live-1.0.0.tgz", port: port))
        let tarball = try client.readResponse()
        #expect(tarball.status == 200)
        #expect(tarball.body.count == document.tarball.count)
        #expect(tarball.body == document.tarball)
        try client.send(Self.head("GET", "/orgs/octo-org/packages/npm/live/versions", port: port))
        #expect(try client.readResponse().text.contains("\"name\": \"1.0.0\""))
    }

    /// A client gone mid-publish: no version, no tarball, nothing left in the data directory; the
    /// server serves on.
    @Test func aClientGoneMidPublishLeavesNothing() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("gpe-live-npm-" + UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let (emulator, port) = try EmulatorProcess.start(arguments: ["--data-dir", data])
        defer { emulator.stop() }
        let document = Self.document("1.0.0", size: 4 * 1024 * 1024)
        let length = document.prefix.count + document.data.reduce(0) { $0 + $1.count } + document.suffix.count
        let client = try HTTPConnection(port: port, timeout: 10)
        try client.send(Self.head("PUT", "/npm/@octo-org%2flive", port: port, length: length))
        try client.send(document.prefix)
        try client.send(document.data[0])
        // The tarball is being written: a file in uploads/ while the body arrives.
        var writing = false
        for _ in 0..<50 where !writing {
            writing = !((try? FileManager.default.contentsOfDirectory(atPath: data + "/uploads")) ?? []).isEmpty
            if !writing { usleep(20_000) }
        }
        #expect(writing)
        shutdown(client.fd, Int32(SHUT_RDWR))
        var left: [String] = ["?"]
        for _ in 0..<50 where !left.isEmpty {
            left = ((try? FileManager.default.contentsOfDirectory(atPath: data + "/uploads")) ?? [])
                + ((try? FileManager.default.contentsOfDirectory(atPath: data + "/blobs/sha256")) ?? [])
            if !left.isEmpty { usleep(100_000) }
        }
        #expect(left == [])
        let check = try HTTPConnection(port: port)
        try check.send(Self.head("GET", "/npm/@octo-org%2flive", port: port))
        #expect(try check.readResponse().status == 404)
    }
}
