import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The Container registry on the real server (SPEC §21, §12): bodies stream over real sockets, blobs come
/// back through sendfile, and a client that misbehaves mid-upload harms nothing.
@Suite struct LiveRegistryTests {
    static let bearer = "Bearer " + Data("ghp_octocatAdmin".utf8).base64EncodedString()

    static func head(_ method: String, _ target: String, port: Int, length: Int? = nil,
                     extra: [String] = []) -> String {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: \(bearer)\r\n"
        if let length { text += "Content-Length: \(length)\r\n" }
        for line in extra { text += line + "\r\n" }
        return text + "\r\n"
    }

    static func digest(_ bytes: [UInt8]) -> String {
        // The server's own answer is checked against this: an independent SHA-256 (Foundation has none
        // on Linux, so /usr/bin/sha256sum).
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        FileManager.default.createFile(atPath: file.path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try? process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return "sha256:" + (output.split(separator: " ").first.map(String.init) ?? "")
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// A 9 MiB blob in a streamed PATCH and a chunked PATCH, then a pull through sendfile, whole and in a
    /// range; the manifest and the REST version follow, all on one keep-alive connection.
    @Test func pushAndPullOverOneConnection() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let connection = try HTTPConnection(port: port, timeout: 20)
        let name = "octocat/live-image"
        try connection.send(Self.head("POST", "/v2/\(name)/blobs/uploads/", port: port))
        let started = try connection.readResponse()
        #expect(started.status == 202)
        let location = try #require(started.header("Location"))
        let blob = Self.randomBytes(9 * 1024 * 1024 + 7)
        let half = 5 * 1024 * 1024
        try connection.send(Self.head("PATCH", location, port: port, length: half))
        try connection.send(Array(blob[..<half]))
        #expect(try connection.readResponse().header("Range") == "0-\(half - 1)")
        // The rest chunked, in uneven chunks.
        try connection.send(Self.head("PATCH", location, port: port, extra: ["Transfer-Encoding: chunked"]))
        var offset = half
        while offset < blob.count {
            let end = min(blob.count, offset + 300_001)
            try connection.send(Array(String(end - offset, radix: 16).utf8) + [13, 10] + Array(blob[offset..<end]) + [13, 10])
            offset = end
        }
        try connection.send("0\r\n\r\n")
        #expect(try connection.readResponse().header("Range") == "0-\(blob.count - 1)")
        let digest = Self.digest(blob)
        try connection.send(Self.head("PUT", location + "?digest=" + digest, port: port, length: 0))
        let put = try connection.readResponse()
        #expect(put.status == 201)
        #expect(put.header("Docker-Content-Digest") == digest)
        // HEAD: the length, no body; then GET whole and a range.
        try connection.send(Self.head("HEAD", "/v2/\(name)/blobs/\(digest)", port: port))
        #expect(try connection.readResponse(head: true).header("Content-Length") == String(blob.count))
        try connection.send(Self.head("GET", "/v2/\(name)/blobs/\(digest)", port: port))
        let pulled = try connection.readResponse()
        #expect(pulled.body.count == blob.count)
        #expect(pulled.body == blob)
        try connection.send(Self.head("GET", "/v2/\(name)/blobs/\(digest)", port: port, extra: ["Range: bytes=5000000-5000009"]))
        let range = try connection.readResponse()
        #expect(range.status == 206)
        #expect(range.body == Array(blob[5_000_000..<5_000_010]))
        // A config, the manifest, and REST.
        let config = Array("{\"os\":\"linux\"}".utf8)
        let configDigest = Self.digest(config)
        try connection.send(Self.head("POST", "/v2/\(name)/blobs/uploads/?digest=\(configDigest)", port: port, length: config.count))
        try connection.send(config)
        #expect(try connection.readResponse().status == 201)
        let manifest = Array(("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"\(configDigest)\",\"size\":\(config.count)},"
            + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"\(digest)\",\"size\":\(blob.count)}]}").utf8)
        try connection.send(Self.head("PUT", "/v2/\(name)/manifests/v1", port: port, length: manifest.count,
                                      extra: ["Content-Type: application/vnd.oci.image.manifest.v1+json"]))
        try connection.send(manifest)
        #expect(try connection.readResponse().header("Docker-Content-Digest") == Self.digest(manifest))
        try connection.send("GET /user/packages/container/live-image/versions HTTP/1.1\r\nHost: x\r\n"
                            + "Authorization: token ghp_octocatAdmin\r\n\r\n")
        let versions = try connection.readResponse()
        #expect(versions.status == 200)
        #expect(versions.text.contains(Self.digest(manifest)))
        #expect(versions.text.contains("\"v1\""))
    }

    /// A client gone mid-PATCH: the session is as before and the server serves on; a stalled one is
    /// dropped after `--timeout`, also without a trace in the session.
    @Test func clientsThatLeaveMidUpload() throws {
        let (emulator, port) = try EmulatorProcess.start(arguments: ["--timeout", "2"])
        defer { emulator.stop() }
        let control = try HTTPConnection(port: port)
        try control.send(Self.head("POST", "/v2/octocat/cut/blobs/uploads/", port: port))
        let location = try #require(try control.readResponse().header("Location"))
        /// The session's status on a new connection (the idle one may have met --timeout meanwhile).
        func status() throws -> HTTPResponse {
            let check = try HTTPConnection(port: port)
            try check.send(Self.head("GET", location, port: port))
            return try check.readResponse()
        }
        for stall in [false, true] {
            let client = try HTTPConnection(port: port, timeout: 10)
            try client.send(Self.head("PATCH", location, port: port, length: 1_000_000))
            try client.send([UInt8](repeating: 1, count: 300_000))
            // The upload has begun (its loop may be another): the session is held until it ends.
            var held = false
            for _ in 0..<50 where !held {
                held = try status().status == 416
                if !held { usleep(20_000) }
            }
            #expect(held)
            if stall {
                #expect(client.readsEOF(), "the server closes a stalled upload after --timeout")
            } else {
                shutdown(client.fd, Int32(SHUT_RDWR))
            }
            // The server is alive, the session unchanged, until the aborted request has let it go.
            var range: String?
            for _ in 0..<50 {
                let answer = try status()
                range = answer.header("Range")
                if answer.status == 204 { break }
                usleep(100_000)
            }
            #expect(range == "0-0", "stall: \(stall)")
        }
    }

    /// Refused before its body: answered at once, the body never read, and the connection closed.
    @Test func refusedUploadIsAnsweredBeforeItsBody() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let client = try HTTPConnection(port: port)
        try client.send("POST /v2/octocat/x/blobs/uploads/?digest=sha256:\(String(repeating: "0", count: 64)) HTTP/1.1\r\n"
                        + "Host: h\r\nContent-Length: 100000000\r\n\r\n")
        let refused = try client.readResponse()
        #expect(refused.status == 401)
        #expect(refused.header("Connection") == "close")
        #expect(refused.header("WWW-Authenticate")?.contains("scope=\"repository:octocat/x:pull,push\"") == true)
        #expect(client.readsEOF())
    }

    /// `Expect: 100-continue`: the interim answer comes only for an upload that is accepted.
    @Test func continueOnlyForAcceptedUploads() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let client = try HTTPConnection(port: port)
        try client.send(Self.head("POST", "/v2/octocat/c/blobs/uploads/", port: port))
        let location = try #require(try client.readResponse().header("Location"))
        try client.send(Self.head("PATCH", location, port: port, length: 3, extra: ["Expect: 100-continue"]))
        #expect(try client.readResponse().status == 100)
        try client.send("abc")
        #expect(try client.readResponse().header("Range") == "0-2")
        let anonymous = try HTTPConnection(port: port)
        try anonymous.send("PATCH \(location) HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
        #expect(try anonymous.readResponse().status == 401)
    }

    /// A 64 MiB upload is never held in memory: the server's peak RSS grows by far less.
    @Test func uploadsStreamToDisk() throws {
        let (emulator, port) = try EmulatorProcess.start(arguments: ["--threads", "1"])
        defer { emulator.stop() }
        let client = try HTTPConnection(port: port, timeout: 30)
        try client.send(Self.head("POST", "/v2/octocat/big/blobs/uploads/", port: port))
        let location = try #require(try client.readResponse().header("Location"))
        let before = emulator.peakKiB
        let size = 64 * 1024 * 1024
        try client.send(Self.head("PATCH", location, port: port, length: size))
        let chunk = [UInt8](repeating: 0x5A, count: 1024 * 1024)
        for _ in 0..<64 { try client.send(chunk) }
        #expect(try client.readResponse().header("Range") == "0-\(size - 1)")
        let growth = emulator.peakKiB - before
        #expect(before > 0)
        #expect(growth < 16 * 1024, "peak RSS grew by \(growth) KiB during a 64 MiB upload")
    }
}

/// Fault rules on the registry's routes, on the real server (SPEC §20, §21).
@Suite struct LiveRegistryFaultTests {
    @Test func dropAndDelayOnRegistryRoutes() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let control = try HTTPConnection(port: port)
        for rule in [#"{"kind": "drop", "operation": "registry/list-tags", "times": 1}"#,
                     #"{"kind": "delay", "milliseconds": 300, "operation": "registry/patch-upload", "times": 1}"#] {
            try control.send("POST /_emulator/faults HTTP/1.1\r\nHost: x\r\nContent-Length: \(rule.utf8.count)\r\n\r\n" + rule)
            #expect(try control.readResponse().status == 201)
        }
        let dropped = try HTTPConnection(port: port)
        try dropped.send(LiveRegistryTests.head("GET", "/v2/octo-org/octo-multi/tags/list", port: port))
        #expect(dropped.readsEOF())
        let client = try HTTPConnection(port: port)
        try client.send(LiveRegistryTests.head("POST", "/v2/octocat/slow/blobs/uploads/", port: port))
        let location = try #require(try client.readResponse().header("Location"))
        // The delayed answer to a streamed body comes, and the connection goes on after it.
        try client.send(LiveRegistryTests.head("PATCH", location, port: port, length: 3) + "abc")
        #expect(try client.readResponse().header("Range") == "0-2")
        try client.send(LiveRegistryTests.head("GET", "/v2/octo-org/octo-multi/tags/list", port: port))
        #expect(try client.readResponse().text.contains("\"latest\""))
    }
}

/// A full disk (SPEC §21): the upload is answered 500 UNKNOWN naming the cause, its partial file goes, and
/// the server serves on. Mounts a 1 MiB tmpfs as the data directory, so it needs root (CI runs as root).
@Suite struct LiveRegistryDiskTests {
    static func run(_ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test(.enabled(if: getuid() == 0, "mounts a tmpfs: needs root"))
    func fullDisk() throws {
        let directory = NSTemporaryDirectory() + "gpe-full-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard Self.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", directory]) == 0 else {
            Issue.record("mount -t tmpfs failed")
            return
        }
        defer {
            _ = Self.run(["umount", directory])
            try? FileManager.default.removeItem(atPath: directory)
        }
        let (emulator, port) = try EmulatorProcess.start(arguments: ["--data-dir", directory])
        defer { emulator.stop() }
        let client = try HTTPConnection(port: port, timeout: 10)
        try client.send(LiveRegistryTests.head("POST", "/v2/octocat/full/blobs/uploads/", port: port))
        let location = try #require(try client.readResponse().header("Location"))
        let size = 2 * 1024 * 1024
        try client.send(LiveRegistryTests.head("PATCH", location, port: port, length: size))
        // The server answers as soon as the disk is full; what is still sent is discarded.
        for _ in 0..<(size / 65536) { try? client.send([UInt8](repeating: 7, count: 65536)) }
        let full = try client.readResponse()
        #expect(full.status == 500)
        #expect(full.text.contains("\"code\":\"UNKNOWN\""))
        #expect(full.text.contains("No space left on device"))
        #expect(full.header("Connection") == "close")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/uploads") == [])
        // The session went with its file; the server goes on, and a small blob fits again.
        let again = try HTTPConnection(port: port)
        try again.send(LiveRegistryTests.head("GET", location, port: port))
        #expect(try again.readResponse().status == 404)
        let small = Array("fits".utf8)
        try again.send(LiveRegistryTests.head("POST", "/v2/octocat/full/blobs/uploads/?digest=\(LiveRegistryTests.digest(small))",
                                              port: port, length: small.count) + "fits")
        #expect(try again.readResponse().status == 201)
    }
}

/// The export of pushed content over a real socket (SPEC §20, §21): headers from memory and blobs by
/// sendfile in one body, extracted by tar and served again with the same bytes.
@Suite struct LiveRegistryExportTests {
    @Test func exportAndServeAgain() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let client = try HTTPConnection(port: port, timeout: 20)
        let blob = LiveRegistryTests.randomBytes(3 * 1024 * 1024 + 3)
        let config = Array("{}".utf8)
        for bytes in [blob, config] {
            try client.send(LiveRegistryTests.head("POST", "/v2/octocat/exported/blobs/uploads/?digest=\(LiveRegistryTests.digest(bytes))",
                                                   port: port, length: bytes.count))
            try client.send(bytes)
            #expect(try client.readResponse().status == 201)
        }
        let manifest = Array(("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"digest\":\"\(LiveRegistryTests.digest(config))\",\"size\":2},"
            + "\"layers\":[{\"digest\":\"\(LiveRegistryTests.digest(blob))\",\"size\":\(blob.count)}]}").utf8)
        try client.send(LiveRegistryTests.head("PUT", "/v2/octocat/exported/manifests/v1", port: port, length: manifest.count,
                                               extra: ["Content-Type: application/vnd.oci.image.manifest.v1+json"]) )
        try client.send(manifest)
        #expect(try client.readResponse().status == 201)
        try client.send("GET /_emulator/fixtures/export?format=tar HTTP/1.1\r\nHost: x\r\n\r\n")
        let archive = try client.readResponse()
        #expect(archive.status == 200)
        #expect(archive.body.count > blob.count)
        // The connection goes on after a body of parts.
        try client.send("GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().status == 200)

        let directory = NSTemporaryDirectory() + "gpe-live-export-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(archive.body).write(to: URL(fileURLWithPath: directory + "/fixtures.tar"))
        #expect(LiveRegistryDiskTests.run(["tar", "-xf", directory + "/fixtures.tar", "-C", directory]) == 0)
        try FileManager.default.removeItem(atPath: directory + "/fixtures.tar")
        let (again, againPort) = try EmulatorProcess.start(fixtures: directory)
        defer { again.stop() }
        let reader = try HTTPConnection(port: againPort, timeout: 20)
        try reader.send(LiveRegistryTests.head("GET", "/v2/octocat/exported/manifests/v1", port: againPort))
        #expect(try reader.readResponse().body == manifest)
        try reader.send(LiveRegistryTests.head("GET", "/v2/octocat/exported/blobs/\(LiveRegistryTests.digest(blob))", port: againPort))
        #expect(try reader.readResponse().body == blob)
    }
}
