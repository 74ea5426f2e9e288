import Foundation
import Testing

/// The real server on `127.0.0.1:0` over real sockets: listings, errors and headers on the wire.
@Suite struct LiveHTTPTests {
    static let listing = "/users/octocat/packages?package_type=container"

    /// The `name` of every package of a 200 body, in order.
    static func names(_ response: HTTPResponse) throws -> [String] {
        let array = try #require(try response.json() as? [[String: Any]])
        return array.compactMap { $0["name"] as? String }
    }

    @Test func listingHasStatusOrderLinkAndGitHubHeaders() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let first = try RawHTTP.get(port: port, Self.listing + "&per_page=2", token: "ghp_octocatRead")
        #expect(first.statusLine == "HTTP/1.1 200 OK")
        #expect(try Self.names(first) == ["octo-app", "octo-api"])
        let base = "http://127.0.0.1:\(port)/users/octocat/packages?package_type=container&per_page=2"
        #expect(first.values(of: "Link") == ["<\(base)&page=2>; rel=\"next\", <\(base)&page=3>; rel=\"last\""])
        #expect(first.header("Content-Type") == "application/json; charset=utf-8")
        #expect(first.header("Content-Length") == String(first.body.count))
        #expect(first.header("X-GitHub-Media-Type") == "github.v3; format=json")
        #expect(first.header("X-GitHub-Api-Version-Selected") == "2022-11-28")
        #expect(first.header("X-OAuth-Scopes") == "read:packages")
        #expect(first.header("Access-Control-Allow-Origin") == "*")
        #expect(first.header("ETag")?.hasPrefix("W/\"") == true)
        #expect(first.header("X-RateLimit-Limit") == "5000")
        #expect(first.header("X-RateLimit-Remaining") == "4999")
        #expect(first.header("X-RateLimit-Used") == "1")
        #expect(first.header("X-RateLimit-Resource") == "core")

        // Page 2 of 3, `page` sent before `per_page`: set in place; prev, next, last, first in that order.
        let second = try RawHTTP.get(port: port, Self.listing + "&page=2&per_page=2", token: "ghp_octocatRead")
        #expect(try Self.names(second) == ["octo-worker", "octo-cache"])
        let url = { (page: Int) in
            "<http://127.0.0.1:\(port)/users/octocat/packages?package_type=container&page=\(page)&per_page=2>"
        }
        #expect(second.header("Link") == "\(url(1)); rel=\"prev\", \(url(3)); rel=\"next\", "
                + "\(url(3)); rel=\"last\", \(url(1)); rel=\"first\"")
        #expect(second.header("X-RateLimit-Remaining") == "4998")
        #expect(second.header("X-RateLimit-Used") == "2")
        let firstID = try #require(first.header("X-GitHub-Request-Id"))
        #expect(firstID != second.header("X-GitHub-Request-Id"))

        // A result that fits on one page has no Link.
        let whole = try RawHTTP.get(port: port, Self.listing, token: "ghp_octocatRead")
        #expect(try Self.names(whole)
                == ["octo-app", "octo-api", "octo-worker", "octo-cache", "octo-builder", "octo-docs"])
        #expect(whole.header("Link") == nil)
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var method = "GET"
        var target = LiveHTTPTests.listing
        var token: String?
        var status: Int
        var message: String
        var documentation = "https://docs.github.com/rest/packages/packages#list-packages-for-a-user"
        var testDescription: String { "\(method) \(target) \(token ?? "-") → \(status) \(message)" }
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase(status: 401, message: "Requires authentication"),
        ErrorCase(token: "ghp_unknownToken", status: 401, message: "Bad credentials",
                  documentation: "https://docs.github.com/rest"),
        ErrorCase(token: "ghp_octocatNoScopes", status: 403,
                  message: "You need at least read:packages scope to list packages."),
        ErrorCase(token: "github_pat_octocatFineGrained", status: 403,
                  message: "Resource not accessible by personal access token"),
        ErrorCase(target: "/users/octocat/packages?package_type=maven", token: "ghp_octocatRead", status: 403,
                  message: "You need at least read:packages and repo scopes to list packages."),
        ErrorCase(token: "ghs_actionsInstallation", status: 400, message: "Invalid argument."),
        ErrorCase(target: "/users/octocat/packages", token: "ghp_octocatRead", status: 400,
                  message: "The package_type parameter is required."),
        ErrorCase(target: "/users/nobody-here/packages?package_type=npm", token: "ghp_octocatRead", status: 404,
                  message: "Not Found"),
        ErrorCase(target: "/no/such/path", token: "ghp_octocatRead", status: 404, message: "Not Found",
                  documentation: "https://docs.github.com/rest"),
        ErrorCase(method: "POST", token: "ghp_octocatRead", status: 404, message: "Not Found",
                  documentation: "https://docs.github.com/rest"),
        ErrorCase(method: "BREW", token: "ghp_octocatRead", status: 404, message: "Not Found",
                  documentation: "https://docs.github.com/rest"),
        ErrorCase(method: "get", token: "ghp_octocatRead", status: 404, message: "Not Found",
                  documentation: "https://docs.github.com/rest"),
    ]

    /// Errors arrive in GitHub's JSON shape (never libevent's HTML), with the status as a string.
    @Test(arguments: errorCases)
    func errorsAreGitHubJSON(_ error: ErrorCase) throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let auth = error.token.map { [("Authorization", "token \($0)")] } ?? []
        let response = try RawHTTP.request(port: port, method: error.method, target: error.target, headers: auth)
        #expect(response.status == error.status)
        #expect(response.header("Content-Type") == "application/json; charset=utf-8")
        #expect(response.header("Content-Length") == String(response.body.count))
        #expect(!response.text.contains("<"), "no HTML: \(response.text)")
        let body = try #require(try response.json() as? [String: Any])
        #expect(body["message"] as? String == error.message)
        #expect(body["documentation_url"] as? String == error.documentation)
        #expect(body["status"] as? String == String(error.status))
        // Without a valid token the address's limit applies (60), else the token's (5000).
        let anonymous = error.token == nil || error.token == "ghp_unknownToken"
        #expect(response.header("X-RateLimit-Limit") == (anonymous ? "60" : "5000"))
        if error.token == "ghp_octocatNoScopes" {
            #expect(response.values(of: "X-OAuth-Scopes") == [""])
            #expect(response.header("X-Accepted-OAuth-Scopes") == "read:packages")
        }
    }

    @Test func optionsPreflightIs204WithCORSAndNoBody() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let connection = try HTTPConnection(port: port)
        // Keep-alive: the GET after the 204 parses only if the 204 carried no body bytes.
        try connection.send(RawHTTP.requestText(method: "OPTIONS", target: Self.listing,
                                                headers: [("Origin", "https://example.test"),
                                                          ("Access-Control-Request-Method", "GET")],
                                                host: "127.0.0.1"))
        try connection.send(RawHTTP.requestText(target: "/_emulator/health", host: "127.0.0.1"))
        let preflight = try connection.readResponse()
        #expect(preflight.status == 204)
        #expect(preflight.header("Access-Control-Allow-Origin") == "*")
        #expect(preflight.header("Access-Control-Max-Age") == "86400")
        #expect(preflight.header("Access-Control-Allow-Methods")?.contains("GET") == true)
        let allowed = (preflight.header("Access-Control-Allow-Headers") ?? "").lowercased()
        for name in ["authorization", "content-type", "if-none-match", "x-github-api-version"] {
            #expect(allowed.contains(name), "\(name) in Access-Control-Allow-Headers")
        }
        let health = try connection.readResponse()
        #expect(health.status == 200)
        let body = try #require(try health.json() as? [String: Any])
        #expect(body["status"] as? String == "ok")
        #expect(body["users"] as? Int == 3)
    }

    /// HEAD then GET on one keep-alive connection: both parse, so HEAD sent no body bytes.
    @Test func headHasGetHeadersAndNoBody() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let connection = try HTTPConnection(port: port)
        let auth = [("Authorization", "token ghp_octocatRead")]
        try connection.send(RawHTTP.requestText(method: "HEAD", target: Self.listing + "&per_page=2",
                                                headers: auth, host: "127.0.0.1:\(port)"))
        let head = try connection.readResponse(head: true)
        try connection.send(RawHTTP.requestText(target: Self.listing + "&per_page=2", headers: auth,
                                                host: "127.0.0.1:\(port)"))
        let get = try connection.readResponse()
        #expect(head.status == 200)
        #expect(get.status == 200)
        #expect(try Self.names(get) == ["octo-app", "octo-api"])
        #expect(head.header("Content-Length") == String(get.body.count))
        #expect(head.header("ETag") == get.header("ETag"))
        #expect(head.header("Link") == get.header("Link"))
        #expect(head.header("Content-Type") == get.header("Content-Type"))
        // HEAD counts like GET against the rate limit.
        #expect(head.header("X-RateLimit-Used") == "1")
        #expect(get.header("X-RateLimit-Used") == "2")
        let ignored: Set = ["date", "x-github-request-id", "x-ratelimit-remaining", "x-ratelimit-used"]
        let names = { (response: HTTPResponse) in
            response.headers.map { $0.name.lowercased() }.filter { !ignored.contains($0) }
        }
        #expect(names(head) == names(get))
    }

    /// Refusals that come before the route (SPEC §12: 400, 413, 414, 431) on a HEAD: the GET's status and
    /// `Content-Length`, no body, then the close; a body here would be read as the next answer.
    static let refusedBeforeTheRoute: [(status: Int, request: String)] = [
        (414, "METHOD \(listing)&pad=\(String(repeating: "x", count: 9000)) HTTP/1.1\r\n"),
        (431, "METHOD \(listing) HTTP/1.1\r\nHost: x\r\n"
            + (0..<70).map { "X-H\($0): \(String(repeating: "v", count: 1000))\r\n" }.joined() + "\r\n"),
        (413, "METHOD \(listing) HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n"),
        (400, "METHOD \(listing) HTTP/2.0\r\nHost: x\r\n\r\n"),
        (400, "METHOD \(listing) HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"),
    ]

    @Test(arguments: refusedBeforeTheRoute)
    func refusedHeadHasGetHeadersAndNoBody(status: Int, request: String) throws {
        let text = { (method: String) in request.replacingOccurrences(of: "METHOD", with: method) }
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let getConnection = try HTTPConnection(port: port)
        try getConnection.send(text("GET"))
        let get = try getConnection.readResponse()
        let headConnection = try HTTPConnection(port: port)
        try headConnection.send(text("HEAD"))
        let head = try headConnection.readResponse(head: true)
        #expect(get.status == status)
        #expect(head.status == status)
        #expect(!get.body.isEmpty)
        #expect(head.header("Content-Length") == String(get.body.count))
        #expect(head.header("Connection") == "close")
        #expect(headConnection.readsEOF(), "bytes after the head of a refused HEAD")
    }

    @Test func ifNoneMatchGives304WithoutUsingTheRateLimit() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let first = try RawHTTP.get(port: port, Self.listing, token: "ghp_octocatRead")
        let etag = try #require(first.header("ETag"))
        #expect(first.header("X-RateLimit-Used") == "1")
        let connection = try HTTPConnection(port: port)
        for tag in [etag, "\"other\", \(etag)", "*"] {
            try connection.send(RawHTTP.requestText(
                target: Self.listing, headers: [("Authorization", "token ghp_octocatRead"), ("If-None-Match", tag)],
                host: "127.0.0.1:\(port)"))
            let notModified = try connection.readResponse()
            #expect(notModified.statusLine == "HTTP/1.1 304 Not Modified", "If-None-Match: \(tag)")
            #expect(notModified.body.isEmpty)
            #expect(notModified.header("ETag") == etag)
        }
        let after = try RawHTTP.get(port: port, Self.listing, token: "ghp_octocatRead")
        #expect(after.status == 200)
        #expect(after.header("X-RateLimit-Used") == "2")
        #expect(after.header("X-RateLimit-Remaining") == "4998")
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let connection = try HTTPConnection(port: port)
        let auth = [("Authorization", "token ghp_octocatRead")]
        let host = "127.0.0.1:\(port)"
        // All three requests in one write, before any answer is read.
        try connection.send(
            RawHTTP.requestText(target: Self.listing + "&per_page=1&page=1", headers: auth, host: host)
                + RawHTTP.requestText(method: "HEAD", target: Self.listing + "&per_page=1&page=6",
                                      headers: auth, host: host)
                + RawHTTP.requestText(target: Self.listing + "&per_page=1&page=2", headers: auth, host: host))
        let first = try connection.readResponse()
        let second = try connection.readResponse(head: true)
        let third = try connection.readResponse()
        #expect(try Self.names(first) == ["octo-app"])
        #expect(second.status == 200)
        #expect(second.header("Link")?.contains("rel=\"first\"") == true)
        #expect(try Self.names(third) == ["octo-api"])
        #expect(first.header("X-RateLimit-Used") == "1")
        #expect(second.header("X-RateLimit-Used") == "2")
        #expect(third.header("X-RateLimit-Used") == "3")
    }

    @Test func apiURLAndWebURLOptionsAppearInBodyAndLink() throws {
        let (emulator, port) = try EmulatorProcess.start(
            arguments: ["--api-url", "https://ghe.example/api/v3", "--web-url", "https://ghe.example"])
        defer { emulator.stop() }
        let response = try RawHTTP.get(port: port, Self.listing + "&per_page=2", token: "ghp_octocatRead")
        let api = "https://ghe.example/api/v3"
        #expect(response.header("Link")?.hasPrefix(
            "<\(api)/users/octocat/packages?package_type=container&per_page=2&page=2>; rel=\"next\"") == true)
        let array = try #require(try response.json() as? [[String: Any]])
        let first = try #require(array.first)
        #expect(first["url"] as? String == "\(api)/users/octocat/packages/container/octo-app")
        #expect(first["html_url"] as? String
                == "https://ghe.example/users/octocat/packages/container/package/octo-app")
        let owner = try #require(first["owner"] as? [String: Any])
        #expect(owner["url"] as? String == "\(api)/users/octocat")
        #expect(owner["html_url"] as? String == "https://ghe.example/octocat")
        let repository = try #require(first["repository"] as? [String: Any])
        #expect(repository["url"] as? String == "\(api)/repos/octocat/hello-world")
        #expect(!response.text.contains("127.0.0.1"))
        #expect(!response.text.contains("github.com/"))
    }

    @Test func hostHeaderIsTheDefaultAPIURL() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let response = try RawHTTP.request(port: port, target: Self.listing + "&per_page=2",
                                           headers: [("Authorization", "token ghp_octocatRead")],
                                           host: "example.test:1234")
        #expect(response.header("Link")?.hasPrefix(
            "<http://example.test:1234/users/octocat/packages?package_type=container&per_page=2&page=2>") == true)
        let array = try #require(try response.json() as? [[String: Any]])
        #expect(array.first?["url"] as? String == "http://example.test:1234/users/octocat/packages/container/octo-app")
    }

    struct HostCase: Sendable, CustomTestStringConvertible {
        var version: String
        var host: String
        var testDescription: String { "\(version) Host: \(host.debugDescription)" }
    }

    /// No Host (HTTP/1.0), or a Host that is no authority (not digits after the colon, two ports, an unclosed
    /// `[`): the bound address, and the body stays JSON.
    @Test(arguments: [
        HostCase(version: "HTTP/1.0", host: ""),
        HostCase(version: "HTTP/1.1", host: "bad host\"<>\\"),
        HostCase(version: "HTTP/1.1", host: "x/y?z#\"},"),
        HostCase(version: "HTTP/1.1", host: "example.test:abc"),
        HostCase(version: "HTTP/1.1", host: "example.test:1:2"),
        HostCase(version: "HTTP/1.1", host: "[::1"),
    ])
    func unusableHostFallsBackToTheBoundAddress(_ hostCase: HostCase) throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let response = try RawHTTP.request(port: port, target: Self.listing + "&per_page=2",
                                           headers: [("Authorization", "token ghp_octocatRead")],
                                           host: hostCase.host, version: hostCase.version)
        #expect(response.status == 200)
        let array = try #require(try response.json() as? [[String: Any]])
        #expect(array.count == 2)
        let api = "http://127.0.0.1:\(port)"
        #expect(array.first?["url"] as? String == "\(api)/users/octocat/packages/container/octo-app")
        #expect(response.header("Link")?.hasPrefix("<\(api)/users/octocat/packages?") == true)
    }
}
