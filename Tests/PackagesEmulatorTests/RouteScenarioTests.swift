import Foundation
import Testing

@testable import PackagesEmulator

/// Request → answer scenarios of every read route (SPEC §13–§16, §18–§19) against the core in process.
struct RouteScenario: Sendable, CustomTestStringConvertible {
    enum Expect: Sendable {
        /// A 200 list: the `name` of each element, in order.
        case names([String])
        /// A 200 list of versions: their ids, in order.
        case ids([Int64])
        /// A 200 object with this `name` (or `login`).
        case object(String)
        case error(Int, String, doc: String? = nil)
    }

    var name: String
    var token: String?
    var target: String
    var expect: Expect

    var testDescription: String { name }

    init(_ name: String, _ token: String?, _ target: String, _ expect: Expect) {
        self.name = name
        self.token = token
        self.target = target
        self.expect = expect
    }
}

private let org = "/orgs/octo-org/packages"
private let web = "\(org)/container/octo-repo%2Fweb"
private let doc = "https://docs.github.com/rest/packages/packages#"

let routeScenarios: [RouteScenario] = [
    // §13: owners and routes.
    .init("org list, admin member", "ghp_read", "\(org)?package_type=container", .names(["octo-repo/web", "base", "secret"])),
    .init("org list, member reads public and what it administers", "ghp_hubot", "\(org)?package_type=container",
          .names(["base"])),
    .init("org list, package admin", "ghp_mona", "\(org)?package_type=container", .names(["octo-repo/web", "base"])),
    .init("org list, stranger", "ghp_stranger", "\(org)?package_type=container", .names(["base"])),
    .init("org list, internal for members and the enterprise", "ghp_hubot", "\(org)?package_type=npm",
          .names(["sdk", "lib"])),
    .init("org list, internal hidden from outsiders", "ghp_mona", "\(org)?package_type=npm", .names(["lib"])),
    .init("org login on /users/", "ghp_read", "/users/octo-org/packages?package_type=container",
          .names(["octo-repo/web", "base", "secret"])),
    .init("user login on /orgs/", "ghp_read", "/orgs/octocat/packages?package_type=container",
          .error(404, "Not Found", doc: doc + "list-packages-for-an-organization")),
    .init("/user/packages is the token's user", "ghp_hubot", "/user/packages?package_type=container", .names([])),
    .init("/user/packages for octocat", "ghp_repo", "/user/packages?package_type=docker", .names(["d-public"])),
    .init("the GHES prefix", "ghp_read", "/api/v3\(org)?package_type=container", .names(["octo-repo/web", "base", "secret"])),
    .init("get a package, %2F in its name", "ghp_read", web, .object("octo-repo/web")),
    .init("names match case-insensitively", "ghp_read", "\(org)/container/OCTO-REPO%2FWEB", .object("octo-repo/web")),
    .init("a raw slash matches no route", "ghp_read", "\(org)/container/octo-repo/web",
          .error(404, "Not Found", doc: "https://docs.github.com/rest")),
    .init("get under /users/ for an org", "ghp_read", "/users/octo-org/packages/container/base", .object("base")),
    .init("get under the prefix", "ghp_read", "/api/v3/users/octocat/packages/npm/n-public", .object("n-public")),
    .init("/user/ get", "ghp_read", "/user/packages/container/c-private", .object("c-private")),
    .init("an organisation as a user", nil, "/users/octo-org", .object("Octo-Org")),
    // §5, §16 step 9: unreadable, absent and deleted packages answer alike.
    .init("unreadable package", "ghp_stranger", web,
          .error(404, "Package not found.", doc: doc + "get-a-package-for-an-organization")),
    .init("absent package", "ghp_stranger", "\(org)/container/nope", .error(404, "Package not found.")),
    .init("deleted package", "ghp_read", "\(org)/container/gone", .error(404, "Package not found.")),
    .init("another type's package", "ghp_read", "\(org)/npm/base", .error(404, "Package not found.")),
    // §18: versions.
    .init("versions newest first, then higher id", "ghp_read", "\(web)/versions", .ids([9004, 9003, 9002])),
    .init("deleted versions for an admin", "ghp_read", "\(web)/versions?state=deleted", .ids([9001])),
    .init("deleted versions for a package admin", "ghp_mona", "\(web)/versions?state=deleted", .ids([9001])),
    .init("empty state is active", "ghp_read", "\(web)/versions?state=", .ids([9004, 9003, 9002])),
    .init("deleted versions need admin", "ghp_hubot", "/users/octocat/packages/container/c-inherit/versions?state=deleted",
          .error(404, "Package not found.")),
    .init("admin before state", "ghp_hubot", "/users/octocat/packages/container/c-inherit/versions?state=bogus",
          .error(400, "Invalid argument.")),
    .init("state before page depth", "ghp_read", "\(web)/versions?state=bogus&page=1000&per_page=100",
          .error(400, "Invalid argument.")),
    .init("page depth of versions", "ghp_read", "\(web)/versions?page=1000&per_page=100",
          .error(400, "The value of `per_page` multiplied by `page` cannot be greater than 10000.")),
    .init("generated versions, newest first", "ghp_read", "\(org)/npm/sdk/versions?per_page=3",
          .ids([30_300_045, 30_300_044, 30_300_043])),
    .init("generated versions, last page", "ghp_read", "\(org)/npm/sdk/versions?per_page=20&page=3",
          .ids([30_300_005, 30_300_004, 30_300_003, 30_300_002, 30_300_001])),
    .init("past the end", "ghp_read", "\(org)/npm/sdk/versions?per_page=50&page=2", .ids([])),
    .init("get a version", "ghp_read", "\(web)/versions/9003", .object(RouteTestData.digest(3))),
    .init("get a generated version", "ghp_read", "\(org)/npm/sdk/versions/30300045", .object("1.0.44")),
    .init("a deleted version is not found", "ghp_read", "\(web)/versions/9001",
          .error(404, "Package version not found.", doc: doc + "get-a-package-version-for-an-organization")),
    .init("another package's version", "ghp_read", "\(web)/versions/9101", .error(404, "Package version not found.")),
    .init("a generated id past the count", "ghp_read", "\(org)/npm/sdk/versions/30300046",
          .error(404, "Package version not found.")),
    .init("a version id beyond 64 bits", "ghp_read", "\(web)/versions/99999999999999999999",
          .error(404, "Package version not found.")),
    .init("a version id that is not digits", "ghp_read", "\(web)/versions/9003a", .error(404, "Not Found")),
    // §18: conflicts.
    .init("conflicts without a token", nil, "/orgs/octo-org/docker/conflicts", .names(["base"])),
    .init("conflicts of /user need a token", nil, "/user/docker/conflicts",
          .error(401, "Requires authentication",
                 doc: doc + "get-list-of-conflicting-packages-during-docker-migration-for-authenticated-user")),
    .init("conflicts take fine-grained tokens", "github_pat_fine", "/users/octo-org/docker/conflicts", .names(["base"])),
    // §15: token kinds.
    .init("fine-grained on a get", "github_pat_fine", web, .error(403, "Resource not accessible by personal access token")),
    .init("installation token on a list", "ghs_repo", "\(org)?package_type=container", .error(400, "Invalid argument.")),
    .init("installation token on its repository's package", "ghs_repo", web, .object("octo-repo/web")),
    .init("installation token on a public package", "ghs_app", "\(org)/container/base", .object("base")),
    .init("installation token elsewhere", "ghs_app", web, .error(404, "Package not found.")),
    .init("installation token on its repository's versions", "ghs_repo", "\(web)/versions", .ids([9004, 9003, 9002])),
    .init("installation token sees deleted versions it administers", "ghs_repo", "\(web)/versions?state=deleted",
          .ids([9001])),
    .init("installation token on /user/", "ghs_repo", "/user/packages/container/x",
          .error(403, "Resource not accessible by integration")),
    .init("app user token on a list", "ghu_app", "\(org)?package_type=container", .error(400, "Invalid argument.")),
    .init("app user token on a get, as its user", "ghu_app", web, .object("octo-repo/web")),
    // §15: scopes, §16: order.
    .init("get without read:packages", "ghp_none", web, .error(403, "You need at least read:packages scope to get a package.")),
    .init("versions without read:packages", "ghp_none", "\(web)/versions",
          .error(403, "You need at least read:packages scope to get a package's versions.")),
    .init("version without read:packages", "ghp_none", "\(web)/versions/9003",
          .error(403, "You need at least read:packages scope to get a package version.")),
    .init("get without repo", "ghp_read", "/users/octocat/packages/maven/m-public",
          .error(403, "You need at least read:packages and repo scopes to get a package.")),
    .init("versions without repo", "ghp_read", "/users/octocat/packages/maven/m-public/versions",
          .error(403, "You need at least read:packages and repo scopes to get a package's versions.")),
    .init("repo given", "ghp_repo", "/users/octocat/packages/maven/m-public/versions", .ids([1_000_002, 1_000_001])),
    .init("path type before owner", "ghp_read", "/users/nobody/packages/pypi/x", .error(400, "Invalid argument.")),
    .init("repo before owner", "ghp_read", "/users/nobody/packages/maven/x",
          .error(403, "You need at least read:packages and repo scopes to get a package.")),
    .init("owner before package", "ghp_read", "/users/nobody/packages/npm/x",
          .error(404, "Not Found", doc: doc + "get-a-package-for-a-user")),
    .init("scopes before path type", "ghp_none", "/users/octocat/packages/pypi/x",
          .error(403, "You need at least read:packages scope to get a package.")),
    .init("bad percent-encoding of a name", "ghp_read", "\(org)/container/%zz", .error(400, "Invalid percent-encoding \"%zz\" in the path.")),
    .init("a method the route does not have", "ghp_read", "\(web)/versions/9003/restore", .error(404, "Not Found")),
    // §19: account routes.
    .init("the authenticated user", "ghp_hubot", "/user", .object("hubot")),
    .init("the authenticated user under the prefix", "github_pat_fine", "/api/v3/user", .object("octocat")),
    .init("/user without a token", nil, "/user",
          .error(401, "Requires authentication", doc: "https://docs.github.com/rest/users/users#get-the-authenticated-user")),
    .init("/user with an installation token", "ghs_repo", "/user", .error(403, "Resource not accessible by integration")),
    .init("a user", nil, "/users/OCTOCAT", .object("octocat")),
    .init("an unknown user", "ghp_read", "/users/nobody",
          .error(404, "Not Found", doc: "https://docs.github.com/rest/users/users#get-a-user")),
]

struct RouteScenarioTests {
    @Test(arguments: routeScenarios)
    func answers(_ scenario: RouteScenario) throws {
        var headers: [(name: String, value: String)] = [("Host", "api.test:8080")]
        if let token = scenario.token { headers.append(("Authorization", "Bearer \(token)")) }
        let response = RouteTestData.emulator().respond(to: Request(method: "GET", target: scenario.target,
                                                                   headers: headers))
        #expect(response.header("Content-Length") == String(response.body.count))
        let body = try JSONSerialization.jsonObject(with: Data(response.body))
        switch scenario.expect {
        case .names(let names):
            #expect(response.status == 200)
            #expect(try #require(body as? [[String: Any]]).map { $0["name"] as? String } == names)
        case .ids(let ids):
            #expect(response.status == 200)
            #expect(try #require(body as? [[String: Any]]).map { ($0["id"] as? NSNumber)?.int64Value } == ids)
        case .object(let name):
            #expect(response.status == 200)
            let object = try #require(body as? [String: Any])
            #expect((object["name"] as? String ?? object["login"] as? String) == name)
        case .error(let status, let message, let doc):
            #expect(response.status == status)
            let object = try #require(body as? [String: String])
            #expect(object["message"] == message)
            #expect(object["status"] == String(status))
            if let doc { #expect(object["documentation_url"] == doc) }
        }
    }
}
