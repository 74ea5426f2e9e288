import Foundation
import Testing

/// SPEC §12: nothing a client sends crashes the emulator, hangs it or makes it answer 5xx. Each class
/// of bad input of the hardening issue, on the real server; after each, the server still answers.
@Suite struct BadInputLiveTests {
    static let listing = "/users/octocat/packages?package_type=container"
    static let auth = "Authorization: token ghp_octocatRead\r\n"

    /// A request line that is not `METHOD SP target SP HTTP/1.x`: 400 in GitHub's shape, then the
    /// connection closes.
    @Test(arguments: [
        "GARBAGE\r\n\r\n",
        "GET\r\n\r\n",
        "GET /\r\n\r\n",
        "GET / HTTP/9.9\r\n\r\n",
        "GET / HTTP/1.1 extra\r\n\r\n",
        "GET / FTP/1.1\r\n\r\n",
        " GET / HTTP/1.1\r\n\r\n",
        "GET /users/oc\u{0}tocat/packages HTTP/1.1\r\nHost: x\r\n\r\n",
    ])
    func malformedRequestLinesGetA4xxAndTheServerLives(line: String) throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let connection = try HTTPConnection(port: port)
        try connection.send(line)
        let response = try connection.readResponse()
        try Hardening.expectGitHubError(response, status: 400)
        #expect(response.header("Connection") == "close")
        #expect(connection.readsEOF())
        try Hardening.expectHealthy(port: port)
    }

    /// Unknown, lowercase, binary and absurdly long methods reach the core, which answers 404 in JSON.
    @Test func absurdMethodsGetGitHubs404() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        for method in ["BREW", "get", "PROPFIND", "M-SEARCH", String(repeating: "X", count: 4000)] {
            let request = "\(method) \(Self.listing) HTTP/1.1\r\nHost: x\r\n\(Self.auth)Connection: close\r\n\r\n"
            let response = try #require(try Hardening.exchange(port: port, request))
            try Hardening.expectGitHubError(response, status: 404, message: "Not Found")
        }
        // A method with a control byte is not a token: the request line is malformed.
        let control = try #require(try Hardening.exchange(port: port, "G\u{1}T / HTTP/1.1\r\nHost: x\r\n\r\n"))
        try Hardening.expectGitHubError(control, status: 400)
        try Hardening.expectHealthy(port: port)
    }

    /// Invalid percent-encoding in the path or the query: 400 in GitHub's shape naming the problem.
    @Test(arguments: [
        "/users/%zz/packages?package_type=container",
        "/users/octocat%/packages?package_type=container",
        "/users/octo%00cat/packages?package_type=container",
        "/users/%C3%28/packages?package_type=container",
        "/users/octocat/packages?package_type=%zz",
        "/users/octocat/packages?package_type=container&page=%",
        "/users/octocat/packages?package_type=container%00",
        "/users/octocat/packages?package_type=container&x=%FF%FE",
        "/users/octocat/packages?%E9=1&package_type=container",
    ])
    func invalidPercentEncodingIs400(target: String) throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let response = try RawHTTP.get(port: port, target, token: "ghp_octocatRead")
        try Hardening.expectGitHubError(response, status: 400)
        let message = try #require((try response.json() as? [String: Any])?["message"] as? String)
        #expect(["percent-encoding", "NUL", "UTF-8"].contains { message.contains($0) }, "\(message)")
        try Hardening.expectHealthy(port: port)
    }

    /// Raw bytes past ASCII: in the target they are not a URI (RFC 9112 §3.2) and get 400 in JSON; in a
    /// header value (obs-text) they are answered normally; never 5xx.
    @Test func nonUTF8BytesAreAnsweredInJSON() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let cases: [([UInt8], Int)] = [
            (Array("GET /users/".utf8) + [0xFF, 0xFE] + Array("/packages?package_type=container HTTP/1.1\r\n".utf8), 400),
            (Array("GET /users/octocat/packages?package_type=container&x=".utf8) + [0xC3, 0x28] + Array(" HTTP/1.1\r\n".utf8), 400),
            (Array("GET \(Self.listing) HTTP/1.1\r\nX-Junk: ".utf8) + [0xFF, 0x80, 0xC0] + Array("\r\n".utf8), 200),
            (Array("GET \(Self.listing) HTTP/1.1\r\nX-GitHub-Api-Version: ".utf8) + [0xFF] + Array("\r\n".utf8), 400),
        ]
        for (start, status) in cases {
            let bytes = start + Array("Host: x\r\n\(Self.auth)Connection: close\r\n\r\n".utf8)
            let response = try #require(try Hardening.exchange(port: port, bytes))
            #expect(response.status == status, "\(String(decoding: start, as: UTF8.self).debugDescription)")
            #expect((try? response.json()) != nil, "the body stays valid JSON")
        }
        try Hardening.expectHealthy(port: port)
    }

    /// NUL bytes: raw in a header value (RFC 9110 §5.5: MUST be refused) or in the target they get
    /// 400 in JSON; as `%00` the core answers 400 naming the problem.
    @Test func nulBytesAre400() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let header = Array("GET \(Self.listing) HTTP/1.1\r\nHost: x\r\nX-A: a".utf8) + [0]
            + Array("b\r\n\(Self.auth)Connection: close\r\n\r\n".utf8)
        try Hardening.expectGitHubError(try #require(try Hardening.exchange(port: port, header)), status: 400,
                                        message: "Invalid character in a header value.")
        let auth = Array("GET \(Self.listing) HTTP/1.1\r\nHost: x\r\nAuthorization: token ghp_octocatRead".utf8)
            + [0] + Array("junk\r\nConnection: close\r\n\r\n".utf8)
        try Hardening.expectGitHubError(try #require(try Hardening.exchange(port: port, auth)), status: 400)
        let target = Array("GET /users/oc".utf8) + [0] + Array("tocat/packages HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        try Hardening.expectGitHubError(try #require(try Hardening.exchange(port: port, target)), status: 400)
        let escaped = try RawHTTP.get(port: port, "/users/octo%00cat/packages?package_type=container",
                                      token: "ghp_octocatRead")
        try Hardening.expectGitHubError(escaped, status: 400)
        try Hardening.expectHealthy(port: port)
    }

    /// Repeated query parameters: the last occurrence wins (SPEC §12), for every parameter.
    @Test func repeatedParametersLastWins() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let last = try RawHTTP.get(port: port, "/users/octocat/packages?package_type=npm&package_type=container"
                                   + "&per_page=1&per_page=2&page=9&page=2", token: "ghp_octocatRead")
        #expect(last.status == 200)
        #expect(try LiveHTTPTests.names(last) == ["octo-worker", "octo-cache"])
        let invalidLast = try RawHTTP.get(port: port, "/users/octocat/packages?package_type=container&package_type=pypi",
                                          token: "ghp_octocatRead")
        try Hardening.expectGitHubError(invalidLast, status: 400, message: "Invalid argument.")
    }

    /// 10,000 query parameters (with the request-line limit raised to let them through) are parsed in
    /// linear time and answered; under the default 8 KiB line 1,000 of them get 414.
    @Test func tenThousandQueryParameters() throws {
        let query = (0..<10_000).map { "p\($0)=\($0)" }.joined(separator: "&")
        let target = "/users/octocat/packages?package_type=container&\(query)&per_page=2"
        do {
            let (emulator, port) = try EmulatorProcess.start(
                arguments: ["--max-request-line", "1048576", "--max-headers-size", "1048576"])
            defer { emulator.stop() }
            let response = try RawHTTP.get(port: port, target, token: "ghp_octocatRead")
            #expect(response.status == 200)
            #expect(try LiveHTTPTests.names(response) == ["octo-app", "octo-api"])
            // Link URLs keep every parameter, in order, with page appended.
            let link = try #require(response.header("Link"))
            #expect(link.contains("p9999=9999&per_page=2&page=2>; rel=\"next\""))
        }
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let thousand = (0..<1_000).map { "p\($0)=\($0)" }.joined(separator: "&")
        let refused = try RawHTTP.get(port: port, Self.listing + "&" + thousand, token: "ghp_octocatRead")
        try Hardening.expectGitHubError(refused, status: 414, message: "URI Too Long")
    }

    /// Pipelined requests of every answer kind come back in order on one connection.
    @Test func pipelinedMixedRequestsAreAnsweredInOrder() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let connection = try HTTPConnection(port: port)
        let requests = [
            "GET \(Self.listing) HTTP/1.1\r\nHost: x\r\n\(Self.auth)\r\n",
            "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n",
            "HEAD \(Self.listing) HTTP/1.1\r\nHost: x\r\n\(Self.auth)\r\n",
            "GET \(Self.listing) HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /_emulator/health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
            "GET /users/%zz/packages HTTP/1.1\r\nHost: x\r\n\(Self.auth)\r\n",
            "OPTIONS / HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /users/octocat/packages?package_type=container&per_page=1 HTTP/1.1\r\nHost: x\r\n\(Self.auth)\r\n",
        ]
        try connection.send(requests.joined())
        let statuses = try requests.map { request in
            try connection.readResponse(head: request.hasPrefix("HEAD")).status
        }
        #expect(statuses == [200, 404, 200, 401, 200, 400, 204, 200])
    }

    /// HTTP/1.0: closed after the answer without keep-alive; kept open with `Connection: keep-alive`.
    @Test func http10WithAndWithoutKeepAlive() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let plain = try HTTPConnection(port: port)
        try plain.send("GET /_emulator/health HTTP/1.0\r\n\r\n")
        let first = try plain.readResponse()
        #expect(first.statusLine.hasPrefix("HTTP/1.0 200") || first.statusLine.hasPrefix("HTTP/1.1 200"))
        #expect(plain.readsEOF())

        let kept = try HTTPConnection(port: port)
        for _ in 0..<3 {
            try kept.send("GET \(Self.listing) HTTP/1.0\r\n\(Self.auth)Connection: keep-alive\r\n\r\n")
            let response = try kept.readResponse()
            #expect(response.status == 200)
            #expect(response.header("Content-Length") == String(response.body.count))
        }
        try kept.send("GET /_emulator/health HTTP/1.0\r\n\r\n")
        #expect(try kept.readResponse().status == 200)
        #expect(kept.readsEOF())
    }

    /// Clients that reset the connection mid-answer (large pages, RST right after the request) leave
    /// the server serving everyone else.
    @Test func clientsThatResetMidResponse() throws {
        let (emulator, port) = try EmulatorProcess.start(arguments: ["--threads", "2"])
        defer { emulator.stop() }
        for index in 0..<200 {
            let connection = try HTTPConnection(port: port)
            // Pipeline many large answers so the server is still writing when the RST arrives.
            let request = "GET /users/octocat/packages?package_type=container&per_page=100 HTTP/1.1\r\nHost: x\r\n"
                + Self.auth + "\r\n"
            try connection.send(String(repeating: request, count: index % 2 == 0 ? 50 : 1))
            if index % 3 == 0 { _ = Hardening.receivesData(connection, timeoutMilliseconds: 50) }
            Hardening.reset(connection)
        }
        try Hardening.expectHealthy(port: port)
    }

    /// A client sending one byte a second does not hold up anyone else, and is itself answered.
    @Test func slowClientDoesNotBlockOthers() throws {
        let (emulator, port) = try EmulatorProcess.start(arguments: ["--threads", "1"])
        defer { emulator.stop() }
        let slow = try HTTPConnection(port: port, timeout: 10)
        let request = Array("GET \(Self.listing) HTTP/1.1\r\nHost: x\r\n\(Self.auth)\r\n".utf8)
        // Half the request first, then one byte a second while others are served on the same loop.
        let half = request.count / 2
        try slow.send(Array(request[..<half]))
        var served = 0
        for offset in half..<min(half + 4, request.count) {
            try slow.send([request[offset]])
            for _ in 0..<10 {
                let response = try RawHTTP.get(port: port, Self.listing, token: "ghp_octocatRead")
                if response.status == 200 { served += 1 }
            }
            usleep(1_000_000)
        }
        try slow.send(Array(request[min(half + 4, request.count)...]))
        #expect(served == 40)
        #expect(try slow.readResponse().status == 200)
    }
}
