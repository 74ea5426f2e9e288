import Foundation
import Testing

@testable import PackagesEmulator

/// Version objects (SPEC §18): GitHub's key order, the URL shapes per registry, metadata.
struct VersionRenderingTests {
    static func render(_ version: PackageVersion, _ package: Package, org: Bool = false) throws -> (String, [String: Any]) {
        let owner = Owner(login: org ? "acme" : "octocat", id: 1, name: nil, isOrganization: org, type: "User",
                          siteAdmin: false, enterprise: nil, createdAt: nil, members: [], admins: [])
        let renderer = VersionRenderer(webURL: "https://github.com")
        let template = renderer.render(version, renderer.context(of: package, owner: owner))
        let body = Emulator.body(of: template, api: Array("http://api.test".utf8))
        let text = String(decoding: body, as: UTF8.self)
        return (text, try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]))
    }

    static let date = "2024-01-01T00:00:00Z"

    @Test func keysInGitHubsOrderWithOptionalOnesWhenSet() throws {
        let version = PackageVersion(id: 7, name: "1.0.0", license: "MIT", description: "d", createdAt: Self.date,
                                     updatedAt: Self.date, deletedAt: Self.date)
        let package = Package(id: 3, name: "lib", type: .npm, createdAt: Self.date, updatedAt: Self.date)
        let (text, _) = try Self.render(version, package)
        let keys = ["id", "name", "url", "package_html_url", "license", "created_at", "updated_at", "deleted_at",
                    "description", "html_url", "metadata"]
        let positions = keys.map { text.range(of: "\n  \"\($0)\":")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        let (bare, _) = try Self.render(PackageVersion(id: 7, name: "1.0.0", createdAt: Self.date, updatedAt: Self.date),
                                        package)
        #expect(!bare.contains("\"license\"") && !bare.contains("\"description\"") && !bare.contains("\"deleted_at\""))
    }

    @Test func urlShapesPerRegistry() throws {
        let tagged = PackageVersion(id: 9, name: "sha256:" + String(repeating: "a", count: 64), tags: ["v1"],
                                    createdAt: Self.date, updatedAt: Self.date)
        let container = Package(id: 5, name: "repo/app", type: .container, createdAt: Self.date, updatedAt: Self.date)
        let (_, image) = try Self.render(tagged, container, org: true)
        #expect(image["url"] as? String == "http://api.test/orgs/acme/packages/container/repo%2Fapp/versions/9")
        #expect(image["package_html_url"] as? String == "https://github.com/orgs/acme/packages/container/package/repo%2Fapp")
        #expect(image["html_url"] as? String == "https://github.com/orgs/acme/packages/container/repo%2Fapp/9")
        #expect((image["metadata"] as? [String: Any])?["container"] as? [String: [String]] == ["tags": ["v1"]])

        let docker = Package(id: 6, name: "img", type: .docker, createdAt: Self.date, updatedAt: Self.date,
                             repository: "site")
        let (_, legacy) = try Self.render(tagged, docker)
        #expect(legacy["package_html_url"] as? String == "https://github.com/octocat/site/packages/6")
        // `:` stays as it is in the query (RFC 3986 §3.4).
        #expect(legacy["html_url"] as? String
                == "https://github.com/octocat/site/packages/6?version=sha256:" + String(repeating: "a", count: 64))
        #expect((legacy["metadata"] as? [String: Any])?["docker"] as? [String: [String]] == ["tag": ["v1"]])

        let unlinked = Package(id: 8, name: "tool", type: .npm, createdAt: Self.date, updatedAt: Self.date)
        let (_, npm) = try Self.render(PackageVersion(id: 1, name: "1.0.0 beta", createdAt: Self.date,
                                                      updatedAt: Self.date), unlinked)
        #expect(npm["html_url"] as? String == "https://github.com/users/octocat/packages/npm/package/tool?version=1.0.0%20beta")
        #expect(npm["metadata"] as? [String: String] == ["package_type": "npm"])
    }
}
