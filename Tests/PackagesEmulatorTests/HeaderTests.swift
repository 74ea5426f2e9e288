import Foundation
import Synchronization
import Testing

@testable import PackagesEmulator

/// Headers of SPEC §4, §7 and §9, ETags, rate limits and the emulator's own routes.
struct HeaderTests {
    func get(_ target: String, token: String? = "ghp_read", headers: [(String, String)] = [], method: String = "GET",
             emulator: Emulator = TestData.emulator()) -> Response {
        var scenario = Scenario(name: "", token: token, target: target, method: method, status: 0)
        scenario.headers = headers
        return emulator.respond(to: request(scenario))
    }

    @Test(arguments: [
        // (token, package_type, X-OAuth-Scopes, X-Accepted-OAuth-Scopes)
        ("ghp_read", "npm", "read:packages", "read:packages"),
        ("ghp_read", "maven", "read:packages", "read:packages, repo"),
        ("ghp_write", "docker", "repo, write:packages", "read:packages, repo"),
        ("ghp_none", "npm", "", "read:packages"),
        ("ghp_read", "pypi", "read:packages", "read:packages"),
    ])
    func oauthScopeHeaders(token: String, type: String, scopes: String, accepted: String) {
        let response = get("\(packages)?package_type=\(type)", token: token)
        #expect(response.header("X-OAuth-Scopes") == scopes)
        #expect(response.header("X-Accepted-OAuth-Scopes") == accepted)
    }

    @Test(arguments: [nil, "github_pat_fine", "ghs_app", "ghp_nope"])
    func noScopeHeadersWithoutAClassicToken(token: String?) {
        let response = get("\(packages)?package_type=npm", token: token)
        #expect(response.header("X-OAuth-Scopes") == nil)
        #expect(response.header("X-Accepted-OAuth-Scopes") == nil)
    }

    @Test(arguments: [
        // (X-GitHub-Api-Version sent, X-GitHub-Api-Version-Selected)
        (nil, "2022-11-28"), ("2022-11-28", "2022-11-28"), ("2026-03-10", "2026-03-10"), ("2026-03-11", nil),
        ("", nil),
    ] as [(String?, String?)])
    func versionSelected(sent: String?, selected: String?) {
        let response = get("\(packages)?package_type=npm", headers: sent.map { [("X-GitHub-Api-Version", $0)] } ?? [])
        #expect(response.header("X-GitHub-Api-Version-Selected") == selected)
        #expect(response.status == (selected == nil ? 400 : 200))
    }

    @Test func githubHeadersOnEveryAPIAnswer() {
        for response in [get("\(packages)?package_type=npm"), get("/nope"), get(packages, token: nil)] {
            #expect(response.header("X-GitHub-Media-Type") == "github.v3; format=json")
            #expect(response.header("Access-Control-Allow-Origin") == "*")
            #expect(response.header("Access-Control-Expose-Headers")?.contains("X-RateLimit-Remaining") == true)
            #expect(response.header("X-RateLimit-Resource") == "core")
            #expect(response.header("X-GitHub-Request-Id") != nil)
            #expect(response.header("Content-Length") == String(response.body.count))
        }
    }

    @Test func requestIDsAreUnique() {
        let emulator = TestData.emulator()
        let ids = (0..<100).compactMap { _ in get("/nope", emulator: emulator).header("X-GitHub-Request-Id") }
        #expect(Set(ids).count == 100)
    }

    @Test func etagAndNotModified() throws {
        let emulator = TestData.emulator()
        let first = get("\(packages)?package_type=npm", emulator: emulator)
        let etag = try #require(first.header("ETag"))
        #expect(etag.hasPrefix("W/\""))
        #expect(get("\(packages)?package_type=container").header("ETag") != etag)
        for ifNoneMatch in [etag, String(etag.dropFirst(2)), "\"other\", \(etag)", "*"] {
            let response = get("\(packages)?package_type=npm", headers: [("If-None-Match", ifNoneMatch)], emulator: emulator)
            #expect(response.status == 304)
            #expect(response.body.isEmpty)
            #expect(response.header("ETag") == etag)
            // A 304 does not use up the rate limit.
            #expect(response.header("X-RateLimit-Used") == "1")
        }
        let changed = get("\(packages)?package_type=npm", headers: [("If-None-Match", "W/\"other\"")], emulator: emulator)
        #expect(changed.status == 200)
        #expect(changed.header("X-RateLimit-Used") == "2")
        // Errors come before a 304, and carry no ETag.
        let error = get("\(packages)?package_type=maven", headers: [("If-None-Match", "*")], emulator: emulator)
        #expect(error.status == 403)
        #expect(error.header("ETag") == nil)
    }

    @Test func headAnswersLikeGetWithoutBody() {
        let emulator = TestData.emulator()
        let get = get("\(packages)?package_type=container", emulator: emulator)
        let head = self.get("\(packages)?package_type=container", method: "HEAD", emulator: emulator)
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == String(get.body.count))
        #expect(head.header("ETag") == get.header("ETag"))
        #expect(!head.sendsBody(method: "HEAD"))
        #expect(head.header("X-RateLimit-Used") == "2")  // HEAD counts like GET
    }

    @Test func linkUsesHostOrConfiguredURL() throws {
        let target = "/users/OctoCat/packages?package_type=container&per_page=2&x=%3C"
        let fromHost = get(target)
        #expect(fromHost.header("Link") == "<http://api.test:8080/users/OctoCat/packages?package_type=container&per_page=2&x=%3C&page=2>; rel=\"next\", "
            + "<http://api.test:8080/users/OctoCat/packages?package_type=container&per_page=2&x=%3C&page=4>; rel=\"last\"")
        let configured = TestData.emulator(config: EmulatorConfig(apiURL: "https://ghe.example/api/v3/"))
        let fromConfig = get(target, emulator: configured)
        #expect(fromConfig.header("Link")?.hasPrefix("<https://ghe.example/api/v3/users/OctoCat/packages?") == true)
        let body = try #require(try json(fromConfig) as? [[String: Any]])
        #expect(body[0]["url"] as? String == "https://ghe.example/api/v3/users/octocat/packages/container/c-public")
        // Logins in the body carry the fixture's casing.
        #expect((body[0]["owner"] as? [String: Any])?["login"] as? String == "octocat")
    }

    @Test(arguments: [
        // (Host headers, {api})
        ([], "http://127.0.0.1:8080"), ([""], "http://127.0.0.1:8080"), (["a\"b"], "http://127.0.0.1:8080"),
        (["h:1", "h:2"], "http://127.0.0.1:8080"), (["example.test:1234"], "http://example.test:1234"),
        (["[::1]:80"], "http://[::1]:80"),
    ])
    func hostFallback(hosts: [String], api: String) throws {
        let emulator = TestData.emulator()
        var headers = hosts.map { (name: "Host", value: $0) }
        headers.append((name: "Authorization", value: "token ghp_read"))
        let response = emulator.respond(to: Request(
            method: "GET", target: "\(packages)?package_type=npm&per_page=1", headers: headers,
            localAuthority: "127.0.0.1:8080"))
        let body = try #require(try json(response) as? [[String: Any]])
        #expect(body[0]["url"] as? String == "\(api)/users/octocat/packages/npm/n-private")
        #expect(response.header("Link")?.hasPrefix("<\(api)/users/octocat/packages?") == true)
    }

    @Test func paginationCollectsEverythingInOrder() throws {
        let emulator = TestData.emulator()
        var target: String? = "/users/bulk-publisher/packages?package_type=npm&per_page=100"
        var collected: [String] = []
        var pages = 0
        while let next = target {
            let response = get(next, emulator: emulator)
            #expect(response.status == 200)
            collected += try names(response)
            pages += 1
            target = response.header("Link")
                .flatMap { $0.split(separator: ", ").first { $0.hasSuffix("rel=\"next\"") } }
                .map { String($0.dropFirst().prefix { $0 != ">" }.dropFirst("http://api.test:8080".count)) }
        }
        #expect(pages == 3)
        #expect(collected == (1...250).map { "pkg-\($0)" })
        let past = get("/users/bulk-publisher/packages?package_type=npm&per_page=100&page=4", emulator: emulator)
        #expect(String(decoding: past.body, as: UTF8.self) == "[\n\n]")
    }

    @Test func rateLimitPerToken() throws {
        let clock = Mutex<Int64>(1_000)
        let config = EmulatorConfig(
            rateLimits: .init(perToken: 3, anonymous: 2), clock: { clock.withLock { $0 } })
        let emulator = TestData.emulator(config: config)
        let target = "\(packages)?package_type=npm"
        for used in 1...3 {
            let response = get(target, emulator: emulator)
            #expect(response.status == 200)
            #expect(response.header("X-RateLimit-Limit") == "3")
            #expect(response.header("X-RateLimit-Used") == String(used))
            #expect(response.header("X-RateLimit-Remaining") == String(3 - used))
            #expect(response.header("X-RateLimit-Reset") == "4600")
        }
        let over = get(target, emulator: emulator)
        #expect(over.status == 403)
        #expect(over.header("X-RateLimit-Remaining") == "0")
        // A refused request is not counted: `X-RateLimit-Used` stays at the limit.
        #expect(over.header("X-RateLimit-Used") == "3")
        #expect(get(target, emulator: emulator).header("X-RateLimit-Used") == "3")
        // GET /rate_limit still answers with the window spent (SPEC §19: it does not count).
        #expect(get("/rate_limit", emulator: emulator).status == 200)
        let body = try #require(try json(over) as? [String: String])
        #expect(body["message"] == "API rate limit exceeded for user ID 583231.")
        #expect(body["documentation_url"] == "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api")
        // Another token of the same user has its own bucket; bad credentials still answer 401 first.
        #expect(get(target, token: "ghp_repo", emulator: emulator).status == 200)
        #expect(get(target, token: "ghp_nope", emulator: emulator).status == 401)
        // The window's last second is still in it; a new window begins at its reset second.
        clock.withLock { $0 = 4_599 }
        #expect(get(target, emulator: emulator).status == 403)
        clock.withLock { $0 = 4_600 }
        #expect(get(target, emulator: emulator).header("X-RateLimit-Used") == "1")
    }

    @Test func anonymousRequestsCountAgainstTheAddress() {
        let config = EmulatorConfig(rateLimits: .init(perToken: 5, anonymous: 2), clock: { 0 })
        let emulator = TestData.emulator(config: config)
        let first = get("/nope", token: nil, emulator: emulator)
        #expect(first.header("X-RateLimit-Limit") == "2")
        #expect(first.header("X-RateLimit-Used") == "1")
        #expect(get(packages, token: "ghp_nope", emulator: emulator).header("X-RateLimit-Used") == "2")
        #expect(get(packages, token: nil, emulator: emulator).header("X-RateLimit-Remaining") == "0")
    }

    @Test func preflight() {
        let response = get(packages, token: nil, method: "OPTIONS")
        #expect(response.status == 204)
        #expect(response.header("Access-Control-Allow-Origin") == "*")
        #expect(response.header("Access-Control-Max-Age") == "86400")
        let allowed = response.header("Access-Control-Allow-Headers") ?? ""
        for name in ["Authorization", "Content-Type", "If-None-Match", "X-GitHub-Api-Version"] {
            #expect(allowed.contains(name))
        }
        #expect(response.header("Access-Control-Allow-Methods")?.contains("GET") == true)
        #expect(response.body.isEmpty)
        #expect(response.header("X-RateLimit-Used") == nil)  // not counted
    }

    @Test func health() throws {
        let emulator = TestData.emulator()
        let response = get("/_emulator/health", token: nil, emulator: emulator)
        #expect(response.status == 200)
        let body = try #require(try json(response) as? [String: Any])
        #expect(body["status"] as? String == "ok")
        #expect(body["users"] as? Int == 5)
        #expect(body["packages"] as? Int == 263)
        #expect(body["tokens"] as? Int == 13)
        #expect(response.header("X-RateLimit-Used") == nil)
        #expect(get("/_emulator/other", token: nil, emulator: emulator).status == 404)
    }
}
