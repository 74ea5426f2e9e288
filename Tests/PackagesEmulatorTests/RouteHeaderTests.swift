import Foundation
import Testing

@testable import PackagesEmulator

/// Headers and conditional requests on every read route (SPEC §9, §13, §15, §19).
struct RouteHeaderTests {
    static func send(_ method: String, _ target: String, token: String?, headers: [(String, String)] = [],
                     emulator: Emulator = RouteTestData.emulator()) -> Response {
        var all: [(name: String, value: String)] = [("Host", "api.test")] + headers.map { ($0.0, $0.1) }
        if let token { all.append(("Authorization", "token \(token)")) }
        return emulator.respond(to: Request(method: method, target: target, headers: all))
    }

    /// One target per GET operation of the route table, each answering 200 to `ghp_repo` (octocat).
    static let targets: [String] = [
        "/orgs/octo-org/packages?package_type=container", "/orgs/octo-org/packages/container/base",
        "/orgs/octo-org/packages/container/base/versions", "/orgs/octo-org/packages/container/base/versions/30200001",
        "/orgs/octo-org/docker/conflicts",
        "/user/packages?package_type=container", "/user/packages/container/c-public",
        "/user/packages/container/c-public/versions", "/user/packages/container/c-public/versions/100001",
        "/user/docker/conflicts",
        "/users/octocat/packages?package_type=container", "/users/octocat/packages/container/c-public",
        "/users/octocat/packages/container/c-public/versions", "/users/octocat/packages/container/c-public/versions/100001",
        "/users/octocat/docker/conflicts",
        "/user", "/users/octocat", "/rate_limit", "/meta",
    ]

    @Test func everyGetOperationHasATarget() {
        let covered = Set(Self.targets.compactMap { Route.resolve(method: "GET", path: RequestTarget($0).path)?.operation.id })
        let gets = Set(RouteTable.operations.filter { $0.method == "GET" }.map(\.id))
        #expect(covered == gets)
    }

    @Test(arguments: targets)
    func headAnswersAsGetAndETagsRevalidate(target: String) throws {
        let emulator = RouteTestData.emulator()
        let get = Self.send("GET", target, token: "ghp_repo", emulator: emulator)
        #expect(get.status == 200)
        let head = Self.send("HEAD", target, token: "ghp_repo", emulator: emulator)
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == get.header("Content-Length"))
        #expect(head.header("ETag") == get.header("ETag"))
        let etag = try #require(get.header("ETag"))
        #expect(etag.hasPrefix("W/\""))
        let cached = Self.send("GET", target, token: "ghp_repo", headers: [("If-None-Match", etag)], emulator: emulator)
        #expect(cached.status == 304)
        #expect(cached.body.isEmpty)
    }

    @Test func acceptedScopesNameRepoWhicheverCheckAnswers() {
        // A repository-scoped registry in the path: `, repo` on the scope 403, the repo 403 and the 200.
        let path = "/users/octocat/packages/maven/m-public"
        for (token, status) in [("ghp_none", 403), ("ghp_read", 403), ("ghp_repo", 200)] {
            let response = Self.send("GET", path, token: token)
            #expect(response.status == status, "\(token)")
            #expect(response.header("X-Accepted-OAuth-Scopes") == "read:packages, repo", "\(token)")
        }
        #expect(Self.send("GET", "/users/octocat/packages/npm/n-public", token: "ghp_read")
            .header("X-Accepted-OAuth-Scopes") == "read:packages")
        #expect(Self.send("GET", "/users/octocat", token: "ghp_read").header("X-Accepted-OAuth-Scopes") == "")
    }

    @Test func appTokensGetNoOAuthHeaders() {
        for token in ["ghu_app", "ghs_repo", "github_pat_fine"] {
            let response = Self.send("GET", "/orgs/octo-org/packages/container/base", token: token)
            #expect(response.header("X-OAuth-Scopes") == nil, "\(token)")
            #expect(response.header("X-Accepted-OAuth-Scopes") == nil, "\(token)")
            #expect(response.header("X-RateLimit-Limit") == "5000", "\(token)")
        }
    }

    @Test func rateLimitBodyHasTheCallersBucketAndGitHubsDefaults() throws {
        let emulator = RouteTestData.emulator()
        _ = Self.send("GET", "/user", token: "ghp_read", emulator: emulator)
        let answer = Self.send("GET", "/rate_limit", token: "ghp_read", emulator: emulator)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
        let resources = try #require(body["resources"] as? [String: [String: Int]])
        #expect(resources["core"]?["limit"] == 5000 && resources["core"]?["used"] == 1)
        #expect(resources["core"]?["remaining"] == 4999)
        #expect(resources["search"]?["limit"] == 30 && resources["search"]?["used"] == 0)
        #expect(resources["graphql"]?["limit"] == 5000 && resources["graphql"]?["used"] == 0)
        #expect(body["rate"] as? [String: Int] == resources["core"])
        // Not counted: the header still says one request was used.
        #expect(answer.header("X-RateLimit-Used") == "1")
        #expect(answer.header("X-OAuth-Scopes") == "read:packages")
    }

    @Test func bodiesFollowTheAPIVersion() throws {
        // `has_downloads` only in 2022-11-28 (a package with a repository), so the tags differ too.
        let target = "/users/octocat/packages/container/c-public"
        let old = Self.send("GET", target, token: "ghp_repo", headers: [("X-GitHub-Api-Version", "2022-11-28")])
        let new = Self.send("GET", target, token: "ghp_repo", headers: [("X-GitHub-Api-Version", "2026-03-10")])
        #expect(String(decoding: old.body, as: UTF8.self).contains("\"has_downloads\""))
        #expect(!String(decoding: new.body, as: UTF8.self).contains("\"has_downloads\""))
        #expect(old.header("ETag") != new.header("ETag"))
        #expect(new.header("X-GitHub-Api-Version-Selected") == "2026-03-10")
    }
}
