import Foundation
import Testing

/// The read routes of the packages family on the real server over real sockets (SPEC §13, §18, §19):
/// following a listed package's `url` and a version list's `Link`s, through the GHES prefix too; HEAD,
/// 304 and the account routes; the demo organisation of `Fixtures/`.
@Suite struct LiveRouteTests {
    static let token = "ghp_octocatReadRepo"

    /// The path and query of an absolute URL the emulator rendered.
    static func target(_ url: String, port: Int) -> String {
        String(url.dropFirst("http://127.0.0.1:\(port)".count))
    }

    /// `<URL>; rel="next"` of a Link header.
    static func next(_ link: String?) -> String? {
        link?.components(separatedBy: ", ").first { $0.hasSuffix("rel=\"next\"") }
            .map { String($0.dropFirst().prefix { $0 != ">" }) }
    }

    @Test(arguments: ["", "/api/v3"])
    func followsURLsAndLinksOfAnOrganisation(prefix: String) throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let list = try RawHTTP.get(port: port, "\(prefix)/orgs/octo-org/packages?package_type=container", token: Self.token)
        #expect(list.statusLine == "HTTP/1.1 200 OK")
        let packages = try #require(try list.json() as? [[String: Any]])
        #expect(packages.compactMap { $0["name"] as? String } == ["octo-repo/web", "octo-base", "octo-sdk", "octo-multi"])
        let url = try #require(packages[0]["url"] as? String)
        #expect(url == "http://127.0.0.1:\(port)\(prefix)/orgs/octo-org/packages/container/octo-repo%2Fweb")
        let package = try RawHTTP.get(port: port, Self.target(url, port: port), token: Self.token)
        #expect((try package.json() as? [String: Any])?["name"] as? String == "octo-repo/web")

        // The generated versions of octo-sdk, newest first, three at a time, by following rel="next".
        var next: String? = "http://127.0.0.1:\(port)\(prefix)/orgs/octo-org/packages/container/octo-sdk/versions?per_page=20"
        var ids: [Int] = []
        var pages = 0
        while let link = next {
            let page = try RawHTTP.get(port: port, Self.target(link, port: port), token: Self.token)
            #expect(page.statusLine == "HTTP/1.1 200 OK")
            ids += try #require(try page.json() as? [[String: Any]]).compactMap { $0["id"] as? Int }
            next = Self.next(page.header("Link"))
            if let next { #expect(next.hasPrefix("http://127.0.0.1:\(port)\(prefix)/orgs/")) }
            pages += 1
        }
        #expect(pages == 3)
        #expect(ids == (1...45).reversed().map { 40_300_000 + $0 })
    }

    @Test func versionsHeadAnd304() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let path = "/orgs/octo-org/packages/container/octo-repo%2Fweb/versions"
        let get = try RawHTTP.get(port: port, path, token: Self.token)
        let versions = try #require(try get.json() as? [[String: Any]])
        #expect(versions.compactMap { $0["id"] as? Int } == [9004, 9003, 9002])
        let metadata = try #require(versions[0]["metadata"] as? [String: Any])
        #expect((metadata["container"] as? [String: Any])?["tags"] as? [String] == ["latest", "1.3"])
        let etag = try #require(get.header("ETag"))
        let head = try RawHTTP.request(port: port, method: "HEAD", target: path,
                                       headers: [("Authorization", "token \(Self.token)")])
        #expect(head.statusLine == "HTTP/1.1 200 OK")
        #expect(head.body.isEmpty)
        #expect(head.header("Content-Length") == get.header("Content-Length"))
        let cached = try RawHTTP.get(port: port, path, token: Self.token, headers: [("If-None-Match", etag)])
        #expect(cached.statusLine == "HTTP/1.1 304 Not Modified")
        let deleted = try RawHTTP.get(port: port, path + "?state=deleted", token: Self.token)
        #expect(try #require(try deleted.json() as? [[String: Any]]).compactMap { $0["deleted_at"] as? String }
                == ["2025-01-20T08:00:00Z"])
        let refused = try RawHTTP.get(port: port, path + "?state=deleted", token: "ghp_monalisaReadRepo")
        // SPEC §16 step 11: a reader who is not an admin is told the package is not there.
        #expect(refused.statusLine == "HTTP/1.1 404 Not Found")
        #expect((try refused.json() as? [String: String])?["message"] == "Package not found.")
    }

    @Test func accountRoutes() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let user = try RawHTTP.get(port: port, "/user", token: Self.token)
        #expect((try user.json() as? [String: Any])?["login"] as? String == "octocat")
        #expect(user.header("X-OAuth-Scopes") == "read:packages, repo")
        let org = try RawHTTP.get(port: port, "/users/OCTO-ORG")
        #expect((try org.json() as? [String: Any])?["type"] as? String == "Organization")
        let before = try RawHTTP.get(port: port, "/rate_limit", token: Self.token)
        let after = try RawHTTP.get(port: port, "/rate_limit", token: Self.token)
        let rate = try #require((try after.json() as? [String: Any])?["rate"] as? [String: Any])
        #expect(rate["used"] as? Int == 1)  // `GET /user` counted; the two `GET /rate_limit` did not
        #expect(before.header("X-RateLimit-Used") == after.header("X-RateLimit-Used"))
        #expect(after.header("X-OAuth-Scopes") == "read:packages, repo")
        let installation = try RawHTTP.get(port: port, "/user", token: "ghs_octoRepoWorkflow")
        #expect(installation.statusLine == "HTTP/1.1 403 Forbidden")
    }
}
