import Foundation
import Testing

/// The limits of SPEC §12 on the real server, and what a client sees past each.
@Suite struct LimitsLiveTests {
    static let listing = "/users/octocat/packages?package_type=container"
    static let auth = "Authorization: token ghp_octocatRead\r\n"

    static func get(_ target: String, headers: String = "") -> String {
        "GET \(target) HTTP/1.1\r\nHost: x\r\n\(auth)\(headers)Connection: close\r\n\r\n"
    }

    /// Request line over 8 KiB: 414 `URI Too Long` in GitHub's shape, however long (the parser refuses
    /// it as soon as the line passes the limit, before the rest arrives), then the connection closes.
    @Test func requestLineLimits() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let fits = Self.listing + "&x=" + String(repeating: "a", count: 8 * 1024 - Self.listing.count - 30)
        #expect(try Hardening.exchange(port: port, Self.get(fits))?.status == 200)
        for length in [8 * 1024, 9 * 1024, 64_000, 70_000] {
            let target = Self.listing + "&x=" + String(repeating: "a", count: length)
            let response = try #require(try Hardening.exchange(port: port, Self.get(target)))
            try Hardening.expectGitHubError(response, status: 414, message: "URI Too Long")
            #expect(response.header("Connection") == "close")
        }
        // The answer comes while the line is still arriving: no CRLF is ever sent here.
        let connection = try HTTPConnection(port: port)
        try connection.send("GET /" + String(repeating: "a", count: 9 * 1024))
        try Hardening.expectGitHubError(try connection.readResponse(), status: 414, message: "URI Too Long")
        #expect(connection.readsEOF())
        try Hardening.expectHealthy(port: port)
    }

    /// The default limits at their edges (SPEC §12): a request line of 8,192 bytes, a head of 65,536 and a
    /// body of 1,048,576 are read; one byte more is 414, 431 and 413.
    @Test(arguments: [0, 1])
    func defaultLimitsAtTheirEdges(over: Int) throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        // The request line without its CRLF.
        let prefix = "GET \(Self.listing)&x="
        let line = prefix + String(repeating: "a", count: 8192 + over - prefix.count - " HTTP/1.1".count) + " HTTP/1.1"
        #expect(line.utf8.count == 8192 + over)
        let long = try #require(try Hardening.exchange(port: port, line + "\r\nHost: x\r\n\(Self.auth)Connection: close\r\n\r\n"))
        #expect(long.status == (over == 0 ? 200 : 414))
        // The head: request line, fields and the blank line, every CRLF counted.
        let start = "GET \(Self.listing) HTTP/1.1\r\nHost: x\r\n\(Self.auth)Connection: close\r\nX-Pad: "
        let head = start + String(repeating: "p", count: 65_536 + over - start.utf8.count - 4) + "\r\n\r\n"
        #expect(head.utf8.count == 65_536 + over)
        let big = try #require(try Hardening.exchange(port: port, head))
        #expect(big.status == (over == 0 ? 200 : 431))
        // The body, announced.
        let length = 1_048_576 + over
        let body = "GET \(Self.listing) HTTP/1.1\r\nHost: x\r\n\(Self.auth)Connection: close\r\n"
            + "Content-Length: \(length)\r\n\r\n" + (over == 0 ? String(repeating: "b", count: length) : "")
        let heavy = try #require(try Hardening.exchange(port: port, body))
        #expect(heavy.status == (over == 0 ? 200 : 413))
    }

    /// `--max-request-line` and `EMULATOR_MAX_REQUEST_LINE` move the 414 limit.
    @Test func requestLineLimitIsConfigurable() throws {
        let target = Self.listing + "&x=" + String(repeating: "a", count: 200)
        for (arguments, environment) in [(["--max-request-line", "128"], [:]),
                                         ([], ["EMULATOR_MAX_REQUEST_LINE": "128"])] {
            let (emulator, port) = try EmulatorProcess.start(arguments: arguments, environment: environment)
            defer { emulator.stop() }
            #expect(try Hardening.exchange(port: port, Self.get(Self.listing))?.status == 200)
            let response = try #require(try Hardening.exchange(port: port, Self.get(target)))
            try Hardening.expectGitHubError(response, status: 414)
        }
    }

    /// Headers over 64 KiB in all: 431 in GitHub's shape, then the connection closes.
    @Test func headersOverTheLimitAre431() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let under = (0..<50).map { "X-H\($0): \(String(repeating: "v", count: 1000))\r\n" }.joined()
        #expect(try Hardening.exchange(port: port, Self.get(Self.listing, headers: under))?.status == 200)
        let over = (0..<70).map { "X-H\($0): \(String(repeating: "v", count: 1000))\r\n" }.joined()
        let refused = try #require(try Hardening.exchange(port: port, Self.get(Self.listing, headers: over)))
        try Hardening.expectGitHubError(refused, status: 431, message: "Request Header Fields Too Large")
        #expect(refused.header("Connection") == "close")
        // With the limit lowered, a few kilobytes are already too many.
        let (small, smallPort) = try EmulatorProcess.start(arguments: ["--max-headers-size", "4096"])
        defer { small.stop() }
        let small431 = try #require(try Hardening.exchange(port: smallPort, Self.get(Self.listing, headers: under)))
        try Hardening.expectGitHubError(small431, status: 431)
        try Hardening.expectHealthy(port: port)
    }

    /// A GET body is read and discarded (the next pipelined request is intact); past the body limit
    /// the answer is 413 in GitHub's shape and the connection closes: for an announced Content-Length
    /// (before the body is sent), for a chunked body as soon as its size passes the limit, and for
    /// `Expect: 100-continue` (no `100 Continue` is sent).
    @Test func requestBodies() throws {
        let (emulator, port) = try EmulatorProcess.start(arguments: ["--max-body-size", "1024"])
        defer { emulator.stop() }
        let connection = try HTTPConnection(port: port)
        try connection.send("GET \(Self.listing) HTTP/1.1\r\nHost: x\r\n\(Self.auth)Content-Length: 1000\r\n\r\n"
                            + String(repeating: "GET /nowhere HTTP/1.1\r\n\r\n", count: 40))
        let first = try connection.readResponse()
        #expect(first.status == 200)
        // The 1000 body bytes were not parsed as requests: the next answer is the next real request.
        try connection.send("GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.readResponse().status == 200)

        let tooBig = "GET \(Self.listing) HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n"
            + String(repeating: "a", count: 2000)
        let refused = try #require(try Hardening.exchange(port: port, tooBig))
        try Hardening.expectGitHubError(refused, status: 413, message: "Payload Too Large")
        #expect(refused.header("Connection") == "close")
        let announced = try HTTPConnection(port: port)
        try announced.send("GET \(Self.listing) HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n")
        try Hardening.expectGitHubError(try announced.readResponse(), status: 413)
        let chunked = try HTTPConnection(port: port)
        try chunked.send("POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n200\r\n"
                         + String(repeating: "a", count: 0x200) + "\r\n800\r\n")
        try Hardening.expectGitHubError(try chunked.readResponse(), status: 413, message: "Payload Too Large")
        #expect(chunked.readsEOF())
        let expecting = try HTTPConnection(port: port)
        try expecting.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n")
        try Hardening.expectGitHubError(try expecting.readResponse(), status: 413)
        try Hardening.expectHealthy(port: port)
    }

    /// Request-smuggling shapes the core can see: 400 in GitHub's shape, and the connection closes.
    @Test(arguments: [
        ("Content-Length: 0\r\nContent-Length: 5\r\n", "Conflicting or invalid Content-Length."),
        ("Transfer-Encoding: gzip\r\n", "Unsupported Transfer-Encoding."),
        ("Transfer-Encoding: gzip, chunked\r\n", "Unsupported Transfer-Encoding."),
    ])
    func smugglingShapesAre400(headers: String, message: String) throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let connection = try HTTPConnection(port: port)
        try connection.send("GET \(Self.listing) HTTP/1.1\r\nHost: x\r\n\(Self.auth)\(headers)\r\n0\r\n\r\nhello")
        let response = try connection.readResponse()
        try Hardening.expectGitHubError(response, status: 400, message: message)
        #expect(response.header("Connection") == "close")
        #expect(connection.readsEOF())
        try Hardening.expectHealthy(port: port)
    }

    /// The other smuggling shapes of SPEC §12, each 400 in GitHub's shape, then the connection closes
    /// and nothing after it is read as a request.
    @Test(arguments: [
        ("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
         "Content-Length and Transfer-Encoding in one request."),
        ("GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello", "Conflicting or invalid Content-Length."),
        ("GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
         "Conflicting or invalid Content-Length."),
        ("GET /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n",
         "Unsupported Transfer-Encoding."),
        ("GET /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
         "Unsupported Transfer-Encoding."),
        ("GET /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n",
         "Invalid chunked body: the chunk size is not hexadecimal."),
        ("GET /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n\r\n",
         "Invalid chunked body: the chunk size overflows."),
        ("GET /x HTTP/1.1\r\nHost: x\r\nAuthorization: token\r\n ghp_octocatRead\r\n\r\n",
         "Obsolete line folding (a header line starting with whitespace)."),
        ("GET /x HTTP/1.1\r\nHost : x\r\n\r\n", "Whitespace between a header name and its colon."),
        ("GET /x HTTP/1.1\nHost: x\r\n\r\n", "A bare LF where CRLF belongs."),
        ("GET /x HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n", "A bare CR where CRLF belongs."),
    ])
    func framingShapesAre400(request: String, message: String) throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let connection = try HTTPConnection(port: port)
        try connection.send(request + "GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
        let refused = try connection.readResponse()
        try Hardening.expectGitHubError(refused, status: 400, message: message)
        #expect(refused.header("Connection") == "close")
        #expect(connection.readsEOF())
        try Hardening.expectHealthy(port: port)
    }

    /// `--timeout`: an idle keep-alive connection and a client that stops mid-request are closed.
    @Test func idleAndStalledConnectionsAreClosed() throws {
        let (emulator, port) = try EmulatorProcess.start(arguments: ["--timeout", "1"])
        defer { emulator.stop() }
        let idle = try HTTPConnection(port: port, timeout: 10)
        try idle.send("GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try idle.readResponse().status == 200)
        #expect(idle.readsEOF())
        let stalled = try HTTPConnection(port: port, timeout: 10)
        try stalled.send("GET /_emulator/health HTTP/1.1\r\nHo")
        #expect(stalled.readsEOF())
        try Hardening.expectHealthy(port: port)
    }

    /// `--max-connections`: at the cap a new connection waits (in the backlog) while existing ones keep
    /// being served; when one closes, the waiting one is served. Connections that end in every way
    /// (reset, timeout, bad request, 413, Connection: close) are all counted out again.
    @Test func connectionCapDegradesGracefully() throws {
        let (emulator, port) = try EmulatorProcess.start(arguments: ["--max-connections", "3", "--threads", "2"])
        defer { emulator.stop() }
        let health = "GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n"
        for _ in 0..<3 {
            var held = try (0..<3).map { _ in try HTTPConnection(port: port) }
            for connection in held {
                try connection.send(health)
                #expect(try connection.readResponse().status == 200)
            }
            let waiting = try HTTPConnection(port: port, timeout: 10)
            try waiting.send(health)
            #expect(!Hardening.receivesData(waiting, timeoutMilliseconds: 300))
            // Existing connections are still served at the cap.
            try held[1].send(health)
            #expect(try held[1].readResponse().status == 200)
            held.removeFirst()
            #expect(try waiting.readResponse().status == 200)
            held.removeAll()

            for index in 0..<30 {
                let connection = try HTTPConnection(port: port)
                switch index % 5 {
                case 0: try connection.send("GARBAGE\r\n\r\n")
                case 1:
                    try connection.send(health)
                    Hardening.reset(connection)
                case 2: try connection.send("GET / HTTP/1.1\r\nContent-Length: 5000000\r\n\r\n")
                case 3: try connection.send("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
                default: break
                }
                _ = Hardening.receivesData(connection, timeoutMilliseconds: 100)
            }
        }
        try Hardening.expectHealthy(port: port)
    }

    @Test(arguments: [
        (["--max-connections", "0"], [String: String]()),
        (["--timeout", "0"], [:]),
        (["--max-request-line", "abc"], [:]),
        ([], ["EMULATOR_MAX_BODY_SIZE": "-1"]),
        ([], ["EMULATOR_MAX_HEADERS_SIZE": "lots"]),
    ])
    func badLimitValuesExit64(arguments: [String], environment: [String: String]) throws {
        let outcome = try EmulatorProcess.run(
            ["--port", "0", "--fixtures", EmulatorProcess.demoFixtures] + arguments, environment: environment)
        #expect(outcome.status == 64)
    }
}
