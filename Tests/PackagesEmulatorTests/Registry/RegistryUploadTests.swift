import Foundation
import Testing
@testable import PackagesEmulator

/// Uploads at their edges: ghcr.io's 4 MiB chunk cap, `--max-blob-size`, ranges out of order, digests
/// that do not match, sessions that expire, bodies cut off (SPEC §21).
@Suite struct RegistryUploadTests {
    static let name = "octocat/up"
    static let mib = 4 * 1024 * 1024

    static func start(_ harness: RegistryHarness) -> String {
        let response = harness.send("POST", "/v2/\(name)/blobs/uploads/")
        #expect(response.status == 202)
        #expect(response.header("Range") == "0-0")
        #expect(response.header("Docker-Upload-UUID").map { response.header("Location")?.hasSuffix($0) ?? false } == true)
        return response.header("Location") ?? ""
    }

    @Test(arguments: [mib - 1, mib, mib + 1])
    func chunkCap(_ size: Int) {
        let harness = RegistryHarness()
        let location = Self.start(harness)
        let response = harness.send("PATCH", location, body: [UInt8](repeating: 7, count: size),
                                    headers: [("Content-Range", "0-\(size - 1)")])
        if size <= Self.mib {
            #expect(response.status == 202)
            #expect(response.header("Range") == "0-\(size - 1)")
        } else {
            #expect(response.status == 416)
            #expect(RegistryHarness.code(response) == "REQUESTED_RANGE_NOT_SATISFIABLE")
            #expect(RegistryHarness.message(response)
                == "the request body is too large and exceeds the maximum permissible limit of 4.00MiB")
            // Nothing of it was kept.
            #expect(harness.send("GET", location).header("Range") == "0-0")
        }
    }

    /// Without `Content-Range` a PATCH streams: no cap.
    @Test func streamedPatchHasNoChunkCap() {
        let harness = RegistryHarness()
        let location = Self.start(harness)
        let body = [UInt8](repeating: 1, count: Self.mib + 1)
        #expect(harness.send("PATCH", location, body: body).header("Range") == "0-\(Self.mib)")
        let put = harness.send("PUT", location + "?digest=" + RegistryHarness.digest(body))
        #expect(put.status == 201)
        #expect(RegistryHarness.bytes(of: harness.send("GET", "/v2/\(Self.name)/blobs/\(RegistryHarness.digest(body))")) == body)
    }

    /// A chunk must start where the last one ended.
    @Test(arguments: [("0-2", 416), ("2-4", 416), ("4-6", 416), ("3-5", 202), ("3-6", 416), ("3", 416), ("bytes=3-5", 202)])
    func chunkOrder(_ range: String, _ status: Int) {
        let harness = RegistryHarness()
        let location = Self.start(harness)
        #expect(harness.send("PATCH", location, body: Array("abc".utf8), headers: [("Content-Range", "0-2")]).status == 202)
        let response = harness.send("PATCH", location, body: Array("def".utf8), headers: [("Content-Range", range)])
        #expect(response.status == status)
        if status == 416 {
            #expect(RegistryHarness.code(response) == "BLOB_UPLOAD_INVALID")
            #expect(response.header("Range") == "0-2")
        }
        let expected = status == 202 ? "0-5" : "0-2"
        #expect(harness.send("GET", location).header("Range") == expected)
    }

    @Test(arguments: [Int64(9), 10, 11])
    func maxBlobSize(_ size: Int64) {
        let harness = RegistryHarness(maxBlobSize: 10)
        let body = [UInt8](repeating: 2, count: Int(size))
        let response = harness.send("POST", "/v2/\(Self.name)/blobs/uploads/?digest=\(RegistryHarness.digest(body))", body: body)
        if size <= 10 {
            #expect(response.status == 201)
        } else {
            #expect(response.status == 413)
            #expect(RegistryHarness.code(response) == "SIZE_INVALID")
        }
        // Streamed in two PATCHes: the limit is on the whole blob.
        let location = Self.start(harness)
        #expect(harness.send("PATCH", location, body: [UInt8](repeating: 2, count: 5)).status == 202)
        let second = harness.send("PATCH", location, body: [UInt8](repeating: 2, count: Int(size) - 5))
        #expect(second.status == (size <= 10 ? 202 : 413))
    }

    @Test func wrongDigestKeepsNothing() throws {
        let harness = RegistryHarness()
        let location = Self.start(harness)
        #expect(harness.send("PATCH", location, body: Array("abc".utf8)).status == 202)
        let wrong = RegistryHarness.digest(Array("abd".utf8))
        let response = harness.send("PUT", location + "?digest=" + wrong)
        #expect(response.status == 400)
        #expect(RegistryHarness.code(response) == "DIGEST_INVALID")
        #expect(harness.send("HEAD", "/v2/\(Self.name)/blobs/\(wrong)").status == 404)
        #expect(harness.send("HEAD", "/v2/\(Self.name)/blobs/\(RegistryHarness.digest(Array("abc".utf8)))").status == 404)
        // The session is over, and its file gone.
        #expect(harness.send("GET", location).status == 404)
        #expect(try FileManager.default.contentsOfDirectory(atPath: harness.directory + "/uploads").isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: harness.directory + "/blobs/sha256").isEmpty)
    }

    @Test func putCarriesTheLastPieceAndAMissingDigestIsRefused() {
        let harness = RegistryHarness()
        let location = Self.start(harness)
        #expect(harness.send("PATCH", location, body: Array("ab".utf8)).status == 202)
        #expect(RegistryHarness.code(harness.send("PUT", location, body: Array("c".utf8))) == "DIGEST_INVALID")
        let done = harness.send("PUT", location + "?digest=" + RegistryHarness.digest(Array("abc".utf8)), body: Array("c".utf8))
        #expect(done.status == 201)
        #expect(done.header("Location") == "/v2/\(Self.name)/blobs/\(RegistryHarness.digest(Array("abc".utf8)))")
    }

    @Test func cancelAndUnknownSessions() {
        let harness = RegistryHarness()
        let location = Self.start(harness)
        #expect(harness.send("DELETE", location).status == 204)
        for method in ["GET", "PATCH", "PUT", "DELETE"] {
            let response = harness.send(method, location + (method == "PUT" ? "?digest=sha256:" + String(repeating: "0", count: 64) : ""))
            #expect(response.status == 404)
            #expect(RegistryHarness.code(response) == "BLOB_UPLOAD_UNKNOWN")
        }
        // A session belongs to its repository.
        let other = Self.start(harness)
        #expect(harness.send("GET", other.replacingOccurrences(of: "octocat/up", with: "octocat/other")).status == 404)
    }

    /// A session untouched for an hour of the emulator's clock is dropped; any use renews it.
    @Test(arguments: [Int64(3599), 3600, 3601])
    func sessionExpiry(_ idle: Int64) {
        let harness = RegistryHarness()
        let location = Self.start(harness)
        harness.clock.now.withLock { $0 += 1800 }
        #expect(harness.send("GET", location).status == 204)   // renewed at +1800
        harness.clock.now.withLock { $0 += idle }
        let response = harness.send("GET", location)
        #expect(response.status == (idle < 3600 ? 204 : 404))
    }

    /// The client went away mid-body: the session is as it was before that request, and resumable.
    @Test func abortedPatchIsUndone() throws {
        let harness = RegistryHarness()
        let location = Self.start(harness)
        #expect(harness.send("PATCH", location, body: Array("abc".utf8)).status == 202)
        let request = Request(method: "PATCH", target: location,
                              headers: [("Host", "x"), ("Authorization", RegistryHarness.bearer("ghp_admin"))])
        guard case .body(let sink) = harness.emulator.registryExchange(request, hasBody: true) else {
            Issue.record("no sink")
            return
        }
        #expect(Array("xyz".utf8).withUnsafeBytes { sink.write($0) } == nil)
        sink.abort()
        #expect(harness.send("GET", location).header("Range") == "0-2")
        let digest = RegistryHarness.digest(Array("abcdef".utf8))
        #expect(harness.send("PUT", location + "?digest=" + digest, body: Array("def".utf8)).status == 201)
    }

    /// While one request writes to a session, another is refused.
    @Test func oneRequestAtATime() {
        let harness = RegistryHarness()
        let location = Self.start(harness)
        let request = Request(method: "PATCH", target: location,
                              headers: [("Host", "x"), ("Authorization", RegistryHarness.bearer("ghp_admin"))])
        guard case .body(let sink) = harness.emulator.registryExchange(request, hasBody: true) else {
            Issue.record("no sink")
            return
        }
        #expect(harness.send("PATCH", location, body: Array("x".utf8)).status == 416)
        #expect(sink.finish().status == 202)
        #expect(harness.send("PATCH", location, body: Array("x".utf8)).status == 202)
    }

    @Test func mountFromAReadableRepository() {
        let harness = RegistryHarness()
        let digest = harness.pushBlob("octocat/source", Array("shared".utf8))
        let mounted = harness.send("POST", "/v2/octocat/target/blobs/uploads/?mount=\(digest)&from=octocat/source")
        #expect(mounted.status == 201)
        #expect(mounted.header("Docker-Content-Digest") == digest)
        #expect(harness.send("HEAD", "/v2/octocat/target/blobs/\(digest)").status == 200)
        // Not there, or not readable by the caller: an ordinary session instead.
        let absent = "sha256:" + String(repeating: "1", count: 64)
        #expect(harness.send("POST", "/v2/octocat/target/blobs/uploads/?mount=\(absent)&from=octocat/source").status == 202)
        let hidden = harness.pushBlob("acme-org/web", Array("secret".utf8))
        #expect(harness.send("POST", "/v2/acme-org/new/blobs/uploads/?mount=\(hidden)&from=acme-org/web", token: "ghp_hubot").status == 202)
        #expect(harness.send("HEAD", "/v2/acme-org/new/blobs/\(hidden)", token: "ghp_hubot").status == 404)
    }

    /// A blob is visible only in the repositories it was pushed or mounted to.
    @Test func blobsBelongToTheirRepository() {
        let harness = RegistryHarness()
        let digest = harness.pushBlob("octocat/a", Array("mine".utf8))
        #expect(harness.send("HEAD", "/v2/octocat/a/blobs/\(digest)").header("Content-Length") == "4")
        let other = harness.send("GET", "/v2/octocat/b/blobs/\(digest)")
        #expect(other.status == 404)
        #expect(RegistryHarness.code(other) == "BLOB_UNKNOWN")
    }

    @Test func blobRanges() {
        let harness = RegistryHarness()
        let body = Array("0123456789".utf8)
        let digest = harness.pushBlob(Self.name, body)
        let path = "/v2/\(Self.name)/blobs/\(digest)"
        let partial = harness.send("GET", path, headers: [("Range", "bytes=2-4")])
        #expect(partial.status == 206)
        #expect(partial.header("Content-Range") == "bytes 2-4/10")
        #expect(partial.header("Content-Length") == "3")
        #expect(RegistryHarness.bytes(of: partial) == Array("234".utf8))
        let suffix = harness.send("GET", path, headers: [("Range", "bytes=-3")])
        #expect(RegistryHarness.bytes(of: suffix) == Array("789".utf8))
        let beyond = harness.send("GET", path, headers: [("Range", "bytes=10-")])
        #expect(beyond.status == 416)
        #expect(beyond.header("Content-Range") == "bytes */10")
        let last = harness.send("GET", path, headers: [("Range", "bytes=9-")])
        #expect(RegistryHarness.bytes(of: last) == Array("9".utf8))
        let ignored = harness.send("GET", path, headers: [("Range", "bytes=1-2,4-5")])
        #expect(ignored.status == 200)
        #expect(RegistryHarness.bytes(of: ignored) == body)
    }
}
