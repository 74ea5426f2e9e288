import Foundation
import Testing

@testable import PackagesEmulator

/// The 200 body's shape (SPEC §8): GitHub's key order, URLs as GitHub forms them, per API version.
struct RenderingTests {
    func body(version: String? = nil, per_page: Int = 1) throws -> (text: String, json: [[String: Any]]) {
        var headers = [(name: "Host", value: "api.test"), (name: "Authorization", value: "token ghp_read")]
        if let version { headers.append((name: "X-GitHub-Api-Version", value: version)) }
        let emulator = Emulator(store: Store(TestData.fixtures, profile: .dotcom, webURL: "https://web.test"))
        let response = emulator.respond(to: Request(
            method: "GET", target: "/users/octocat/packages?package_type=container&per_page=\(per_page)",
            headers: headers))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]])
        return (String(decoding: response.body, as: UTF8.self), json)
    }

    /// Keys of the objects whose members sit at `indent` spaces, in document order.
    func keys(_ text: String, indent: Int) -> [String] {
        let prefix = String(repeating: " ", count: indent) + "\""
        return text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix(prefix), !line.dropFirst(indent + 1).hasPrefix(" ") else { return nil }
            return line.dropFirst(indent + 1).split(separator: "\"").first.map(String.init)
        }
    }

    @Test func packageKeysInGitHubsOrder() throws {
        let (text, _) = try body()
        #expect(keys(text, indent: 4) == [
            "id", "name", "package_type", "owner", "version_count", "visibility", "url", "created_at",
            "updated_at", "repository", "html_url",
        ])
        // The package without a repository has no `repository` key at all.
        let second = try body(per_page: 2).text.components(separatedBy: "\n  },\n  {")[1]
        #expect(!second.contains("\"repository\""))
    }

    @Test func ownerAndURLs() throws {
        let package = try #require(try body().json.first)
        #expect(package["url"] as? String == "http://api.test/users/octocat/packages/container/c-public")
        #expect(package["html_url"] as? String == "https://web.test/users/octocat/packages/container/package/c-public")
        let owner = try #require(package["owner"] as? [String: Any])
        let expected: [String: Any] = [
            "login": "octocat", "id": 583231, "node_id": "MDQ6VXNlcjU4MzIzMQ==",
            "avatar_url": "https://avatars.githubusercontent.com/u/583231?v=4", "gravatar_id": "",
            "url": "http://api.test/users/octocat", "html_url": "https://web.test/octocat",
            "followers_url": "http://api.test/users/octocat/followers",
            "following_url": "http://api.test/users/octocat/following{/other_user}",
            "gists_url": "http://api.test/users/octocat/gists{/gist_id}",
            "starred_url": "http://api.test/users/octocat/starred{/owner}{/repo}",
            "subscriptions_url": "http://api.test/users/octocat/subscriptions",
            "organizations_url": "http://api.test/users/octocat/orgs",
            "repos_url": "http://api.test/users/octocat/repos",
            "events_url": "http://api.test/users/octocat/events{/privacy}",
            "received_events_url": "http://api.test/users/octocat/received_events",
            "type": "User", "user_view_type": "public",
        ]
        #expect(Set(owner.keys) == Set(expected.keys).union(["site_admin"]))
        #expect(try body().text.contains("\"site_admin\": false\n"))
        for (key, value) in expected {
            #expect("\(owner[key] ?? "missing")" == "\(value)", "owner.\(key)")
        }
    }

    @Test(arguments: [("2022-11-28", true), ("2026-03-10", false)])
    func repositoryPerVersion(version: String, hasDownloads: Bool) throws {
        let package = try #require(try body(version: version).json.first)
        let repository = try #require(package["repository"] as? [String: Any])
        #expect(repository["full_name"] as? String == "octocat/hello-world")
        #expect(repository["node_id"] as? String == "MDEwOlJlcG9zaXRvcnkxMjk2MjY5")
        #expect(repository["html_url"] as? String == "https://web.test/octocat/hello-world")
        #expect(repository["url"] as? String == "http://api.test/repos/octocat/hello-world")
        #expect(repository["archive_url"] as? String == "http://api.test/repos/octocat/hello-world/{archive_format}{/ref}")
        #expect(repository["description"] as? String == "My first repo")
        #expect(repository["private"] as? Bool == false)
        #expect((repository["has_downloads"] != nil) == hasDownloads)
        #expect(repository.count == (hasDownloads ? 47 : 46))
        #expect((repository["owner"] as? [String: Any])?["login"] as? String == "octocat")
    }

    @Test func nullDescriptionIsKept() throws {
        let emulator = TestData.emulator()
        let response = emulator.respond(to: Request(
            method: "GET", target: "/users/octocat/packages?package_type=maven&visibility=private",
            headers: [(name: "Authorization", value: "token ghp_repo")]))
        #expect(String(decoding: response.body, as: UTF8.self).contains("\"description\": null,"))
    }
}
