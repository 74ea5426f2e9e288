import Foundation
import Testing

/// The limits of SPEC §12 on the real server, and what a client sees past each.
@Suite struct LimitsLiveTests {
    static let listing = "/users/octocat/packages?package_type=container"
    static let auth = "Authorization: token ghp_octocatRead\r\n"

    static func get(_ target: String, headers: String = "") -> String {
        "GET \(target) HTTP/1.1\r\nHost: x\r\n\(auth)\(headers)Connection: close\r\n\r\n"
    }

    /// Request line over 8 KiB: 414 `URI Too Long` in GitHub's shape, up to the 64 KiB header limit
    /// (a 64 KB URL included); past that libevent refuses the request itself (400, HTML) and closes.
    @Test func requestLineLimits() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let fits = Self.listing + "&x=" + String(repeating: "a", count: 8 * 1024 - Self.listing.count - 30)
        #expect(try Hardening.exchange(port: port, Self.get(fits))?.status == 200)
        for length in [8 * 1024, 9 * 1024, 64_000] {
            let target = Self.listing + "&x=" + String(repeating: "a", count: length)
            let response = try #require(try Hardening.exchange(port: port, Self.get(target)))
            try Hardening.expectGitHubError(response, status: 414, message: "URI Too Long")
            #expect(response.header("Connection") == "close")
        }
        let huge = Self.listing + "&x=" + String(repeating: "a", count: 70_000)
        if let response = try Hardening.exchange(port: port, Self.get(huge)) {
            #expect(response.status == 400)
            #expect(response.header("Content-Type") == "text/html")
        }
        try Hardening.expectHealthy(port: port)
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

    /// Headers over 64 KiB in all: libevent answers 400 in HTML and closes (the core never sees them).
    @Test func headersOverTheLimitGetLibeventsAnswer() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let under = (0..<50).map { "X-H\($0): \(String(repeating: "v", count: 1000))\r\n" }.joined()
        #expect(try Hardening.exchange(port: port, Self.get(Self.listing, headers: under))?.status == 200)
        let over = (0..<70).map { "X-H\($0): \(String(repeating: "v", count: 1000))\r\n" }.joined()
        if let response = try Hardening.exchange(port: port, Self.get(Self.listing, headers: over)) {
            #expect(response.status == 400)
            #expect(response.header("Content-Type") == "text/html")
        }
        // With the limit lowered, a few kilobytes are already too many.
        let (small, smallPort) = try EmulatorProcess.start(arguments: ["--max-headers-size", "4096"])
        defer { small.stop() }
        if let response = try Hardening.exchange(port: smallPort, Self.get(Self.listing, headers: under)) {
            #expect(response.status == 400)
        }
        try Hardening.expectHealthy(port: port)
    }

    /// A GET body is read and discarded (the next pipelined request is intact); past the body limit
    /// libevent answers 413 in HTML and closes, for a Content-Length and for a chunked body.
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
        #expect(refused.status == 413)
        #expect(refused.header("Content-Type") == "text/html")
        let chunked = "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "800\r\n" + String(repeating: "a", count: 0x800) + "\r\n0\r\n\r\n"
        #expect(try Hardening.exchange(port: port, chunked)?.status == 413)
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

    /// Shapes only libevent sees: Content-Length with Transfer-Encoding on a POST, a Content-Length list
    /// and a second Transfer-Encoding after `chunked` are refused by libevent (400, HTML); an obs-fold line is joined to the previous value with a space (RFC 9112 §5.2 allows
    /// replacing obs-fold by SP), so a folded header is one header to the core.
    @Test func shapesLibeventAnswers() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let both = "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        for request in [
            both,
            "GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello",
            "GET /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n",
        ] {
            let connection = try HTTPConnection(port: port)
            try connection.send(request)
            let refused = try connection.readResponse()
            #expect(refused.status == 400)
            #expect(connection.readsEOF())
        }
        let folded = "GET \(Self.listing) HTTP/1.1\r\nHost: x\r\nAuthorization: token\r\n ghp_octocatRead\r\n"
            + "Connection: close\r\n\r\n"
        let response = try #require(try Hardening.exchange(port: port, folded))
        #expect(response.status == 200)
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
