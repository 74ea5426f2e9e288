import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Helpers of the bad-input and limit tests (SPEC §12).
enum Hardening {
    /// Sends `bytes` on a fresh connection and reads one answer; nil when the server closed the
    /// connection without answering.
    static func exchange(port: Int, _ bytes: [UInt8], head: Bool = false) throws -> HTTPResponse? {
        let connection = try HTTPConnection(port: port)
        try connection.send(bytes)
        do {
            return try connection.readResponse(head: head)
        } catch let error as LiveTestError where error.description.contains("closed") {
            return nil
        }
    }

    static func exchange(port: Int, _ text: String) throws -> HTTPResponse? {
        try exchange(port: port, Array(text.utf8))
    }

    /// GitHub's error shape: `message`, `documentation_url`, and `status` as a string equal to the code.
    static func expectGitHubError(_ response: HTTPResponse, status: Int, message: String? = nil,
                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(response.status == status, sourceLocation: sourceLocation)
        #expect(response.header("Content-Type") == "application/json; charset=utf-8", sourceLocation: sourceLocation)
        let object = try #require(try response.json() as? [String: Any], sourceLocation: sourceLocation)
        #expect(Set(object.keys) == ["message", "documentation_url", "status"], sourceLocation: sourceLocation)
        #expect(object["status"] as? String == String(status), sourceLocation: sourceLocation)
        if let message {
            #expect(object["message"] as? String == message, sourceLocation: sourceLocation)
        }
    }

    /// The server still answers a normal request correctly.
    static func expectHealthy(port: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let health = try RawHTTP.get(port: port, "/_emulator/health")
        #expect(health.status == 200, sourceLocation: sourceLocation)
        let listing = try RawHTTP.get(port: port, "/users/octocat/packages?package_type=container",
                                      token: "ghp_octocatRead")
        #expect(listing.status == 200, sourceLocation: sourceLocation)
        #expect((try listing.json() as? [Any])?.count == 6, sourceLocation: sourceLocation)
    }

    /// Closes with an RST (SO_LINGER 0) instead of a FIN.
    static func reset(_ connection: HTTPConnection) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(connection.fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }

    /// Whether `connection` gets any byte within its read timeout (false on timeout or EOF).
    static func receivesData(_ connection: HTTPConnection, timeoutMilliseconds: Int32) -> Bool {
        var poller = pollfd(fd: connection.fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeoutMilliseconds) == 1 else { return false }
        var byte: UInt8 = 0
        return recv(connection.fd, &byte, 1, Int32(MSG_PEEK)) == 1
    }
}
