import Foundation
import Testing
@testable import PackagesEmulator

/// SPEC §21's credentials and permissions: who may pull and who may push, with ghcr.io's answers.
@Suite struct RegistryAuthTests {
    @Test func baseAndTokenExchange() throws {
        let harness = RegistryHarness()
        let anonymous = harness.send("GET", "/v2/", token: nil)
        #expect(anonymous.status == 401)
        #expect(anonymous.header("WWW-Authenticate") == "Bearer realm=\"http://registry.test/token\",service=\"ghcr.io\"")
        #expect(RegistryHarness.code(anonymous) == "UNAUTHORIZED")
        #expect(RegistryHarness.message(anonymous) == "authentication required")
        #expect(harness.send("GET", "/v2/").status == 200)
        #expect(harness.send("GET", "/v2/").body == Array("{}".utf8))
        // Basic: the user name is not checked.
        let basic = "Basic " + Data("anyone:ghp_read".utf8).base64EncodedString()
        #expect(harness.send("GET", "/v2/", authorization: basic).status == 200)
        // A token the fixtures do not know, or a bare token on /v2, is not a credential.
        #expect(harness.send("GET", "/v2/", token: "ghp_unknown").status == 401)
        #expect(harness.send("GET", "/v2/", authorization: "Bearer ghp_admin").status == 401)
        #expect(harness.send("GET", "/v2/", authorization: "Digest x").status == 401)

        let exchanged = harness.send("GET", "/token?scope=repository:acme-org/web:pull&service=ghcr.io", authorization: basic)
        #expect(exchanged.status == 200)
        let token = try #require((try JSONSerialization.jsonObject(with: Data(exchanged.body)) as? [String: Any])?["token"] as? String)
        #expect(token == Data("ghp_read".utf8).base64EncodedString())
        #expect(harness.send("GET", "/v2/", authorization: "Bearer " + token).status == 200)
        // Anonymous: a token good for public pulls only.
        let anonymousToken = harness.send("GET", "/token?scope=repository:acme-org/popular:pull&service=ghcr.io", token: nil)
        let value = try #require((try JSONSerialization.jsonObject(with: Data(anonymousToken.body)) as? [String: Any])?["token"] as? String)
        #expect(harness.send("GET", "/v2/acme-org/popular/tags/list", authorization: "Bearer " + value).status == 200)
        #expect(harness.send("GET", "/v2/acme-org/web/tags/list", authorization: "Bearer " + value).status == 401)
        #expect(harness.send("GET", "/token?scope=x", authorization: "Basic " + Data("x:nope".utf8).base64EncodedString()).status == 401)
    }

    /// Pull follows §15's read rule: anonymous callers are challenged, credentialed ones told "unknown".
    @Test(arguments: [
        (nil, "acme-org/popular", 200),         // public: anyone
        (nil, "acme-org/web", 401),             // private: log in
        ("ghp_stranger", "acme-org/web", 404),  // not readable: unknown
        ("ghp_hubot", "acme-org/web", 404),     // an org member reads internal packages, not private ones
        ("ghp_mona", "acme-org/web", 200),      // collaborator of the linked repository (inherit_access)
        ("ghp_admin", "acme-org/web", 200),     // org admin
        ("ghp_delete_only", "acme-org/web", 403), // classic token without read:packages
        ("ghp_admin", "acme-org/nothing", 404),
        (nil, "acme-org/nothing", 401),
        ("ghp_admin", "nobody/web", 404),
        ("ghs_app", "acme-org/web", 200),       // installation token of the linked repository
        ("ghs_other", "acme-org/web", 404),
    ] as [(String?, String, Int)])
    func pull(_ token: String?, _ name: String, _ status: Int) {
        let harness = RegistryHarness()
        let response = harness.send("GET", "/v2/\(name)/tags/list", token: token)
        #expect(response.status == status, "\(String(decoding: response.body, as: UTF8.self))")
        switch status {
        case 401:
            #expect(response.header("WWW-Authenticate")
                == "Bearer realm=\"http://registry.test/token\",service=\"ghcr.io\",scope=\"repository:\(name):pull\"")
        case 403:
            #expect(RegistryHarness.message(response) == "permission_denied: The token provided does not match expected scopes.")
        case 404:
            #expect(RegistryHarness.code(response) == "NAME_UNKNOWN")
        default: break
        }
    }

    /// Push: `write:packages` and write permission (SPEC §21).
    @Test(arguments: [
        (nil, "acme-org/new", 401, "UNAUTHORIZED"),
        ("ghp_read", "acme-org/new", 403, "permission_denied: The token provided does not match expected scopes."),
        ("github_pat_octo", "octocat/new", 403, "permission_denied: The token provided does not match expected scopes."),
        ("ghp_admin", "acme-org/new", 202, nil),       // org admin
        ("ghp_hubot", "acme-org/new", 202, nil),       // any member may create a package (choice)
        ("ghp_hubot", "acme-org/web", 403, "permission_denied: write_package"), // member, not the package's admin
        ("ghp_mona", "acme-org/web", 202, nil),        // the package's admin
        ("ghp_stranger", "acme-org/new", 403, "permission_denied: write_package"),
        ("ghp_admin", "octocat/new", 202, nil),        // one's own namespace
        ("ghp_hubot", "octocat/new", 403, "permission_denied: write_package"),
        ("ghp_admin", "nobody/new", 403, "permission_denied: write_package"),
        ("ghs_app", "acme-org/web", 202, nil),         // linked to its repository
        ("ghs_app", "acme-org/new", 202, nil),         // created, linked to it
        ("ghs_app", "acme-org/popular", 403, "permission_denied: write_package"),
        ("ghs_other", "acme-org/new", 403, "permission_denied: write_package"),
    ] as [(String?, String, Int, String?)])
    func push(_ token: String?, _ name: String, _ status: Int, _ message: String?) {
        let harness = RegistryHarness()
        let response = harness.send("POST", "/v2/\(name)/blobs/uploads/", token: token)
        #expect(response.status == status, "\(String(decoding: response.body, as: UTF8.self))")
        if status == 401 {
            #expect(response.header("WWW-Authenticate")?.hasSuffix("scope=\"repository:\(name):pull,push\"") == true)
        }
        if let message, status == 403 {
            #expect(RegistryHarness.code(response) == "DENIED")
            #expect(RegistryHarness.message(response) == message)
        }
    }

    @Test func installationTokenLinksTheNewPackageToItsRepository() throws {
        let harness = RegistryHarness()
        #expect(harness.pushImage("acme-org/built", "v1", seed: "ci", token: "ghs_app").response.status == 201)
        let package = harness.emulator.store.partition(harness.emulator.store.owner(login: "acme-org")!.index)
            .container(named: "built")?.package
        #expect(package?.repository == "app")
        #expect(package?.visibility == .private)
    }

    @Test func everyAnswerNamesTheAPIVersionAndNoRESTHeaders() {
        let harness = RegistryHarness()
        for response in [
            harness.send("GET", "/v2/"), harness.send("GET", "/v2/", token: nil), harness.send("GET", "/v2/Bad/name/tags/list"),
            harness.send("GET", "/v2/acme-org/web/manifests/nope"), harness.send("DELETE", "/v2/acme-org/web/manifests/x"),
            harness.send("GET", "/v2/acme-org/web/nothing"), harness.send("POST", "/v2/acme-org/web/tags/list"),
        ] {
            #expect(response.header("Docker-Distribution-API-Version") == "registry/2.0")
            #expect(response.header("X-RateLimit-Limit") == nil)
            #expect(response.header("Content-Length") != nil)
        }
    }

    @Test func registryRequestsDoNotCountAgainstTheRESTRateLimit() {
        let harness = RegistryHarness()
        for _ in 0..<5 { _ = harness.send("GET", "/v2/acme-org/web/tags/list") }
        let rest = harness.emulator.respond(to: Request(method: "GET", target: "/user/packages?package_type=container",
                                                        headers: [("Authorization", "token ghp_admin"), ("Host", "x")]))
        #expect(rest.header("X-RateLimit-Used") == "1")
    }
}
