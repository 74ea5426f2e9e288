import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The emulator's own HTTP/1.1 layer on real sockets (SPEC §12): half-closes, pipelining, chunked
/// bodies with extensions, `Expect: 100-continue`, HTTP/1.0 keep-alive, `Host` rules, `Date`.
@Suite struct HTTPLayerLiveTests {
    static let listing = "/users/octocat/packages?package_type=container&per_page=100"
    static let auth = "Authorization: token ghp_octocatRead\r\n"

    /// Everything the server sends until it closes.
    static func readToEOF(_ connection: HTTPConnection) -> [UInt8] {
        var all: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            all.append(contentsOf: chunk[..<count])
        }
        return all
    }

    /// A client that sends its requests and then shuts down its sending side gets every byte of every
    /// answer, in order, then the close (evhttp cut an 18 KB answer at 16,384 bytes).
    @Test func halfClosedClientGetsEveryAnswer() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let whole = try RawHTTP.get(port: port, Self.listing, token: "ghp_octocatRead")
        #expect(whole.body.count > 16_384)
        let host = "Host: 127.0.0.1:\(port)\r\n"
        let connection = try HTTPConnection(port: port)
        try connection.send("GET \(Self.listing) HTTP/1.1\r\n\(host)\(Self.auth)\r\n"
                            + "GET /nowhere HTTP/1.1\r\n\(host)\r\n"
                            + "HEAD \(Self.listing) HTTP/1.1\r\n\(host)\(Self.auth)\r\n"
                            + "GET \(Self.listing) HTTP/1.1\r\n\(host)\(Self.auth)\r\n")
        shutdown(connection.fd, Int32(SHUT_WR))
        let first = try connection.readResponse()
        #expect(first.status == 200)
        #expect(first.body.count == whole.body.count)
        #expect(first.body == whole.body, "the same bytes as on a connection of its own")
        #expect(try connection.readResponse().status == 404)
        let head = try connection.readResponse(head: true)
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == String(whole.body.count))
        let last = try connection.readResponse()
        #expect(last.body.count == whole.body.count)
        #expect(last.body == whole.body, "the same bytes as on a connection of its own")
        #expect(connection.readsEOF())
    }

    /// A client that pipelines without reading its answers is not read further once a megabyte of
    /// answers waits (reading resumes when they are written): the server's buffers stay bounded, so
    /// the client's sends stall after a few megabytes (measured: 4.3 MB; without the pause over 50 MB).
    @Test func pipeliningWithoutReadingMeetsBackpressure() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let connection = try HTTPConnection(port: port, timeout: 2)
        let batch = Array(String(repeating: "GET \(Self.listing) HTTP/1.1\r\nHost: x\r\n\(Self.auth)\r\n",
                                 count: 1000).utf8)
        var taken = 0
        while taken < 64 << 20 {
            let sent = batch.withUnsafeBytes { Socket.send(connection.fd, $0.baseAddress, $0.count) }
            guard sent > 0 else { break }
            taken += sent
        }
        #expect(taken < 24 << 20, "the server kept reading: \(taken) bytes taken")
        // The answers are all still owed, in order.
        #expect(try connection.readResponse().status == 200)
        try Hardening.expectHealthy(port: port)
    }

    /// RFC 9112 §7.1: chunk extensions and trailer fields are accepted and ignored; the body is read
    /// whole, so the request after it on the connection is intact.
    @Test(arguments: [
        "1f;ext=1\r\n" + String(repeating: "a", count: 31) + "\r\n0\r\n\r\n",
        "5 ;a=\"b\";c\r\nhello\r\nA\r\n0123456789\r\n0;last\r\nX-Trailer: yes\r\n\r\n",
    ])
    func chunkedBodiesWithExtensionsAndTrailers(body: String) throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let connection = try HTTPConnection(port: port)
        try connection.send("GET \(Self.listing) HTTP/1.1\r\nHost: x\r\n\(Self.auth)Transfer-Encoding: chunked\r\n\r\n"
                            + body + "GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json; charset=utf-8")
        #expect(try connection.readResponse().status == 200)
    }

    /// `Expect: 100-continue`: the interim answer comes before the body is sent, then the final one.
    @Test func expectContinueGetsTheInterimAnswer() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let connection = try HTTPConnection(port: port)
        try connection.send("POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        let interim = try connection.readResponse()
        #expect(interim.statusLine == "HTTP/1.1 100 Continue")
        try connection.send("hello")
        try Hardening.expectGitHubError(try connection.readResponse(), status: 404, message: "Not Found")
    }

    /// HTTP/1.0 with `Connection: keep-alive` stays open and is told so; without it the answer closes.
    @Test func http10KeepAlive() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let connection = try HTTPConnection(port: port)
        for _ in 0..<2 {
            try connection.send("GET /_emulator/health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let response = try connection.readResponse()
            #expect(response.status == 200)
            #expect(response.header("Connection") == "keep-alive")
        }
        try connection.send("GET /_emulator/health HTTP/1.0\r\n\r\n")
        let last = try connection.readResponse()
        #expect(last.header("Connection") == "close")
        #expect(connection.readsEOF())
    }

    /// RFC 9112 §3.2: an HTTP/1.1 request without Host, or with two, is 400 (HTTP/1.0 needs none).
    @Test(arguments: [
        ("GET /_emulator/health HTTP/1.1\r\n\r\n", "Missing Host header."),
        ("GET /_emulator/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "More than one Host header."),
    ])
    func hostRules(request: String, message: String) throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let response = try #require(try Hardening.exchange(port: port, request))
        try Hardening.expectGitHubError(response, status: 400, message: message)
        #expect(try Hardening.exchange(port: port, "GET /_emulator/health HTTP/1.0\r\n\r\n")?.status == 200)
    }

    /// Every answer carries an IMF-fixdate `Date` (RFC 9110 §6.6.1), refusals included.
    @Test func everyAnswerIsDated() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        for request in ["GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n", "GARBAGE\r\n\r\n",
                        "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n"] {
            let response = try #require(try Hardening.exchange(port: port, request))
            let date = try #require(response.header("Date").flatMap { formatter.date(from: $0) })
            #expect(abs(date.timeIntervalSinceNow) < 120)
        }
    }
}
