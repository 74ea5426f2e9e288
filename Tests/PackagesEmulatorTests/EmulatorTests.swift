import Foundation
import Testing

@testable import PackagesEmulator

/// Request → answer scenarios against the core in process (SPEC §1–§9).
struct Scenario: Sendable, CustomTestStringConvertible {
    var name: String
    var token: String?
    var target: String
    var method = "GET"
    var headers: [(String, String)] = []
    var profile = Profile.dotcom
    var status: Int
    /// The error message, or the package names of a 200.
    var message: String? = nil
    var names: [String]? = nil
    var documentationURL: String? = nil

    var testDescription: String { name }
}

func request(_ scenario: Scenario) -> Request {
    var headers = scenario.headers.map { (name: $0.0, value: $0.1) }
    headers.append((name: "Host", value: "api.test:8080"))
    if let token = scenario.token { headers.append((name: "Authorization", value: "token \(token)")) }
    return Request(method: scenario.method, target: scenario.target, headers: headers)
}

func json(_ response: Response) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(response.body))
}

func names(_ response: Response) throws -> [String] {
    try #require(try json(response) as? [[String: Any]]).map { $0["name"] as? String ?? "?" }
}

let packages = "/users/octocat/packages"
let endpointDoc = "https://docs.github.com/rest/packages/packages#list-packages-for-a-user"

let scenarios: [Scenario] = [
    // §5: who may read what, and the visibility filter.
    Scenario(name: "owner reads all, fixture order", token: "ghp_read", target: "\(packages)?package_type=container",
             status: 200, names: ["c-public", "c-internal", "c-readers", "c-inherit", "c-private", "c-internal-reader",
                                  "c-no-inherit", "octo/nested"]),
    Scenario(name: "enterprise member: public, internal, inherited", token: "ghp_hubot",
             target: "\(packages)?package_type=container",
             status: 200, names: ["c-public", "c-internal", "c-inherit", "c-internal-reader", "octo/nested"]),
    Scenario(name: "reader outside the enterprise: public, readers", token: "ghp_mona",
             target: "\(packages)?package_type=container",
             status: 200, names: ["c-public", "c-readers", "c-internal-reader", "octo/nested"]),
    Scenario(name: "stranger in another enterprise: public only", token: "ghp_stranger",
             target: "\(packages)?package_type=container", status: 200, names: ["c-public", "octo/nested"]),
    Scenario(name: "filter public", token: "ghp_read", target: "\(packages)?package_type=container&visibility=public",
             status: 200, names: ["c-public", "octo/nested"]),
    Scenario(name: "filter private", token: "ghp_read", target: "\(packages)?package_type=container&visibility=private",
             status: 200, names: ["c-readers", "c-inherit", "c-private", "c-no-inherit"]),
    Scenario(name: "filter internal on a granular registry", token: "ghp_read",
             target: "\(packages)?package_type=container&visibility=internal",
             status: 200, names: ["c-internal", "c-internal-reader"]),
    Scenario(name: "filter internal, reader sees only the one they read", token: "ghp_mona",
             target: "\(packages)?package_type=container&visibility=internal", status: 200, names: ["c-internal-reader"]),
    Scenario(name: "empty visibility is no filter", token: "ghp_stranger",
             target: "\(packages)?package_type=container&visibility=", status: 200, names: ["c-public", "octo/nested"]),
    Scenario(name: "maven: collaborator reads the private repository's package", token: "ghp_hubot",
             target: "\(packages)?package_type=maven", status: 200, names: ["m-public", "m-private"]),
    Scenario(name: "maven: non-collaborator does not", token: "ghp_mona", target: "\(packages)?package_type=maven",
             status: 200, names: ["m-public"]),
    Scenario(name: "maven: internal means private", token: "ghp_repo",
             target: "\(packages)?package_type=maven&visibility=internal", status: 200, names: ["m-private"]),
    Scenario(name: "maven: private", token: "ghp_repo", target: "\(packages)?package_type=maven&visibility=private",
             status: 200, names: ["m-private"]),
    Scenario(name: "npm on dotcom is granular: no inherit, no access", token: "ghp_hubot",
             target: "\(packages)?package_type=npm", status: 200, names: ["n-public"]),
    Scenario(name: "npm on ghes is repository-scoped: collaborator reads", token: "ghp_hubot",
             target: "\(packages)?package_type=npm", profile: .ghes, status: 200, names: ["n-private", "n-public"]),
    Scenario(name: "npm on ghes needs repo", token: "ghp_read", target: "\(packages)?package_type=npm",
             profile: .ghes, status: 403, message: "You need at least read:packages and repo scopes to list packages."),
    Scenario(name: "npm on ghes: internal means private", token: "ghp_repo",
             target: "\(packages)?package_type=npm&visibility=internal", profile: .ghes, status: 200, names: ["n-private"]),
    Scenario(name: "container on ghes stays granular", token: "ghp_read",
             target: "\(packages)?package_type=container&visibility=internal", profile: .ghes, status: 200,
             names: ["c-internal", "c-internal-reader"]),
    Scenario(name: "a user without packages of the type", token: "ghp_read",
             target: "/users/hubot/packages?package_type=npm", status: 200, names: []),
    Scenario(name: "username is case-insensitive", token: "ghp_repo",
             target: "/users/OCTOCAT/packages?package_type=docker", status: 200, names: ["d-public"]),
    Scenario(name: "percent-encoded username", token: "ghp_read", target: "/users/%6Fctocat/packages?package_type=npm",
             status: 200, names: ["n-private", "n-public"]),
    // §3: credentials and token kinds.
    Scenario(name: "no Authorization", target: "\(packages)?package_type=npm", status: 401,
             message: "Requires authentication", documentationURL: endpointDoc),
    Scenario(name: "unknown token", token: "ghp_nope", target: "\(packages)?package_type=npm", status: 401,
             message: "Bad credentials", documentationURL: "https://docs.github.com/rest"),
    Scenario(name: "unparseable header", target: "\(packages)?package_type=npm",
             headers: [("Authorization", "ghp_read")], status: 401, message: "Bad credentials"),
    Scenario(name: "two Authorization headers", token: "ghp_read", target: "\(packages)?package_type=npm",
             headers: [("Authorization", "token ghp_read")], status: 401, message: "Bad credentials"),
    Scenario(name: "Bearer", target: "\(packages)?package_type=npm", headers: [("Authorization", "Bearer ghp_read")],
             status: 200, names: ["n-private", "n-public"]),
    Scenario(name: "Basic with the token as user", target: "\(packages)?package_type=npm",
             headers: [("Authorization", CredentialsTests.basic("ghp_read:x-oauth-basic"))], status: 200,
             names: ["n-private", "n-public"]),
    Scenario(name: "Basic with the token as password", target: "\(packages)?package_type=npm",
             headers: [("Authorization", CredentialsTests.basic("octocat:ghp_read"))], status: 200,
             names: ["n-private", "n-public"]),
    // Both tokens: the password wins (ghp_none, without read:packages, would be 403).
    Scenario(name: "Basic with a token on both sides", target: "\(packages)?package_type=npm",
             headers: [("Authorization", CredentialsTests.basic("ghp_none:ghp_read"))], status: 200,
             names: ["n-private", "n-public"]),
    Scenario(name: "Basic with no token", target: "\(packages)?package_type=npm",
             headers: [("Authorization", CredentialsTests.basic("octocat:secret"))], status: 401, message: "Bad credentials"),
    Scenario(name: "token without a known prefix is classic", token: "legacy", target: "\(packages)?package_type=npm",
             status: 200, names: ["n-private", "n-public"]),
    Scenario(name: "fine-grained", token: "github_pat_fine", target: "\(packages)?package_type=npm", status: 403,
             message: "Resource not accessible by personal access token", documentationURL: endpointDoc),
    Scenario(name: "installation token", token: "ghs_app", target: "\(packages)?package_type=npm", status: 400,
             message: "Invalid argument."),
    Scenario(name: "user-to-server token", token: "ghu_app", target: "\(packages)?package_type=npm", status: 400,
             message: "Invalid argument."),
    Scenario(name: "kind named by the fixture", token: "custom-app", target: "\(packages)?package_type=npm",
             status: 400, message: "Invalid argument."),
    // §4: scopes.
    Scenario(name: "no scopes", token: "ghp_none", target: "\(packages)?package_type=npm", status: 403,
             message: "You need at least read:packages scope to list packages."),
    Scenario(name: "repo alone", token: "ghp_repoonly", target: "\(packages)?package_type=npm", status: 403,
             message: "You need at least read:packages scope to list packages."),
    Scenario(name: "write includes read", token: "ghp_write", target: "\(packages)?package_type=maven", status: 200,
             names: ["m-public", "m-private"]),
    Scenario(name: "maven without repo", token: "ghp_read", target: "\(packages)?package_type=maven", status: 403,
             message: "You need at least read:packages and repo scopes to list packages."),
    Scenario(name: "docker without repo", token: "ghp_read", target: "\(packages)?package_type=docker", status: 403,
             message: "You need at least read:packages and repo scopes to list packages."),
    Scenario(name: "docker with repo", token: "ghp_repo", target: "\(packages)?package_type=docker", status: 200,
             names: ["d-public"]),
    // §6: the other checks.
    Scenario(name: "package_type missing", token: "ghp_read", target: packages, status: 400,
             message: "The package_type parameter is required."),
    Scenario(name: "package_type empty", token: "ghp_read", target: "\(packages)?package_type=", status: 400,
             message: "The package_type parameter is required."),
    Scenario(name: "package_type unknown", token: "ghp_read", target: "\(packages)?package_type=pypi", status: 400,
             message: "Invalid argument."),
    Scenario(name: "package_type is case-sensitive", token: "ghp_read", target: "\(packages)?package_type=NPM",
             status: 400, message: "Invalid argument."),
    Scenario(name: "parameter names are case-sensitive", token: "ghp_read", target: "\(packages)?Package_Type=npm",
             status: 400, message: "The package_type parameter is required."),
    Scenario(name: "visibility unknown", token: "ghp_read", target: "\(packages)?package_type=npm&visibility=secret",
             status: 400, message: "Invalid argument."),
    Scenario(name: "unknown user", token: "ghp_read", target: "/users/octodog/packages?package_type=npm", status: 404,
             message: "Not Found", documentationURL: endpointDoc),
    Scenario(name: "invalid login", token: "ghp_read", target: "/users/-octocat/packages?package_type=npm",
             status: 404, message: "Not Found"),
    Scenario(name: "decoded slash in a login", token: "ghp_read", target: "/users/octo%2Fcat/packages?package_type=npm",
             status: 404, message: "Not Found"),
    Scenario(name: "page too deep", token: "ghp_read", target: "\(packages)?package_type=npm&per_page=100&page=101",
             status: 400, message: "The value of `per_page` multiplied by `page` cannot be greater than 10000."),
    Scenario(name: "per_page normalised before the depth check", token: "ghp_read",
             target: "\(packages)?package_type=npm&per_page=500&page=101", status: 400,
             message: "The value of `per_page` multiplied by `page` cannot be greater than 10000."),
    Scenario(name: "depth 10000 is allowed", token: "ghp_read", target: "\(packages)?package_type=npm&per_page=100&page=100",
             status: 200, names: []),
    Scenario(name: "huge page saturates, never overflows", token: "ghp_read",
             target: "\(packages)?package_type=npm&page=99999999999999999999999", status: 400,
             message: "The value of `per_page` multiplied by `page` cannot be greater than 10000."),
    // §6 step 1: routes.
    Scenario(name: "unknown path", token: "ghp_read", target: "/users/octocat/repos", status: 404, message: "Not Found",
             documentationURL: "https://docs.github.com/rest"),
    Scenario(name: "unknown path without credentials", target: "/nope", status: 404, message: "Not Found"),
    Scenario(name: "trailing slash is not normalised", token: "ghp_read", target: "\(packages)/?package_type=npm",
             status: 404, message: "Not Found"),
    Scenario(name: "double slash", token: "ghp_read", target: "/users//octocat/packages?package_type=npm", status: 404,
             message: "Not Found"),
    Scenario(name: "dot segment", token: "ghp_read", target: "/users/x/../octocat/packages?package_type=npm",
             status: 404, message: "Not Found"),
    Scenario(name: "POST", token: "ghp_read", target: "\(packages)?package_type=npm", method: "POST", status: 404,
             message: "Not Found"),
    Scenario(name: "unknown method", token: "ghp_read", target: "\(packages)?package_type=npm", method: "BREW",
             status: 404, message: "Not Found"),
    Scenario(name: "bad escape in the path", token: "ghp_read", target: "/users/oct%zzcat/packages?package_type=npm",
             status: 400, message: "Invalid percent-encoding \"%zz\" in the path."),
    Scenario(name: "NUL in the query", token: "ghp_read", target: "\(packages)?package_type=npm%00", status: 400,
             message: "A NUL byte (%00) is not allowed in the query."),
    Scenario(name: "non-UTF-8 in the query", token: "ghp_read", target: "\(packages)?package_type=%FF", status: 400,
             message: "The percent-decoded query is not valid UTF-8."),
    Scenario(name: "lone percent", token: "ghp_read", target: "\(packages)?package_type=npm&x=%", status: 400,
             message: "Invalid percent-encoding \"%\" in the query."),
    // §6: the order of checks.
    Scenario(name: "route before credentials", token: "ghp_nope", target: "/nope", status: 404, message: "Not Found"),
    Scenario(name: "credentials before version", token: "ghp_nope", target: "\(packages)?package_type=npm",
             headers: [("X-GitHub-Api-Version", "1999-01-01")], status: 401, message: "Bad credentials"),
    Scenario(name: "version before token kind", token: "github_pat_fine", target: "\(packages)?package_type=npm",
             headers: [("X-GitHub-Api-Version", "1999-01-01")], status: 400,
             message: "The version you specified in the \"X-GitHub-API-Version\" request header, \"1999-01-01\", is not a "
                + "supported version. The following versions are currently supported: \"2026-03-10\" (most recent), "
                + "\"2022-11-28\"."),
    Scenario(name: "token kind before scopes", token: "github_pat_fine", target: packages, status: 403,
             message: "Resource not accessible by personal access token"),
    Scenario(name: "read:packages before package_type", token: "ghp_none", target: packages, status: 403,
             message: "You need at least read:packages scope to list packages."),
    Scenario(name: "package_type before repo", token: "ghp_read", target: "\(packages)?package_type=pypi", status: 400,
             message: "Invalid argument."),
    Scenario(name: "repo before visibility", token: "ghp_read", target: "\(packages)?package_type=maven&visibility=x",
             status: 403, message: "You need at least read:packages and repo scopes to list packages."),
    Scenario(name: "visibility before user", token: "ghp_read", target: "/users/nobody/packages?package_type=npm&visibility=x",
             status: 400, message: "Invalid argument."),
    Scenario(name: "user before page depth", token: "ghp_read",
             target: "/users/nobody/packages?package_type=npm&page=1000&per_page=100", status: 404, message: "Not Found"),
]

struct EmulatorScenarioTests {
    @Test(arguments: scenarios)
    func answers(_ scenario: Scenario) throws {
        let response = TestData.emulator(profile: scenario.profile).respond(to: request(scenario))
        #expect(response.status == scenario.status)
        #expect(response.header("Content-Length") == String(response.body.count))
        #expect(response.header("Content-Type") == "application/json; charset=utf-8")
        if let expected = scenario.names {
            #expect(try names(response) == expected)
        } else {
            let body = try #require(try json(response) as? [String: String])
            #expect(body["message"] == scenario.message)
            #expect(body["status"] == String(scenario.status))
            #expect(body["documentation_url"] == (scenario.documentationURL ?? body["documentation_url"]))
            #expect(body.count == 3)
        }
    }
}
