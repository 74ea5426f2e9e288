import Foundation
import Testing

@testable import PackagesEmulator

/// Every 200 body of every packages route validates against GitHub's description of that operation,
/// both API versions (SPEC §18): a crawl that follows the answers themselves — each owner's lists,
/// each listed package's `url`, its versions (every page) and each version's `url` — through the
/// `/orgs/`, `/users/` and `/user/` routes, with and without the GHES prefix.
struct RouteSchemaTests {
    struct Crawl {
        let emulator: Emulator
        let version: String
        var checked: [String: Int] = [:]
        var failures: [String] = []

        mutating func get(_ target: String, token: String?) -> Any? {
            var headers: [(name: String, value: String)] = [("Host", "api.test"), ("X-GitHub-Api-Version", version)]
            if let token { headers.append(("Authorization", "token \(token)")) }
            let response = emulator.respond(to: Request(method: "GET", target: target, headers: headers))
            guard response.status == 200 else {
                failures.append("\(target): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
                return nil
            }
            let path = RequestTarget(target).path
            guard let route = Route.resolve(method: "GET", path: path) else { return nil }
            // The one documented exception (SPEC §5): an internal package is rendered as `"internal"`.
            let violations = OpenAPISchemas.violations(of: response.body, operationID: route.operation.id,
                                                       version: version)
                .filter { !($0.path.hasSuffix(".visibility") && $0.message.hasPrefix("\"internal\" ")) }
            failures += violations.map { "\(target) (\(version)): \($0)" }
            checked[route.operation.id, default: 0] += 1
            return try? JSONSerialization.jsonObject(with: Data(response.body))
        }

        /// The path of a rendered `url` (`http://api.test/...`).
        static func path(_ url: Any?) -> String? {
            (url as? String).map { String($0.dropFirst("http://api.test".count)) }
        }

        mutating func crawl(owner prefix: String, token: String) {
            for type in PackageType.allCases {
                let list = get("\(prefix)/packages?package_type=\(type.rawValue)&per_page=100", token: token)
                for package in list as? [[String: Any]] ?? [] {
                    guard let url = Self.path(package["url"]) else { continue }
                    // `/user/…` serves the token's own namespace, whose `url`s are `/users/{login}/…`.
                    let base = prefix.hasSuffix("/user")
                        ? prefix + url[(url.range(of: "/packages/")?.lowerBound ?? url.startIndex)...] : url
                    _ = get(base, token: token)
                    var page = 1
                    while let versions = get("\(base)/versions?per_page=7&page=\(page)", token: token) as? [[String: Any]],
                          !versions.isEmpty {
                        for version in versions {
                            if let versionURL = Self.path(version["url"]), !prefix.hasSuffix("/user") {
                                _ = get(versionURL, token: token)
                            } else if let id = version["id"] as? Int {
                                _ = get("\(base)/versions/\(id)", token: token)
                            }
                        }
                        page += 1
                    }
                    _ = get("\(base)/versions?state=deleted", token: token)
                }
            }
            _ = get("\(prefix)/docker/conflicts", token: token)
        }
    }

    static func check(_ emulator: Emulator, owners: [(prefix: String, token: String)]) {
        for version in OpenAPISchemas.versions {
            var crawl = Crawl(emulator: emulator, version: version)
            for (prefix, token) in owners {
                crawl.crawl(owner: prefix, token: token)
                crawl.crawl(owner: "/api/v3" + prefix, token: token)
            }
            #expect(crawl.failures.isEmpty, "\(crawl.failures.prefix(20))")
            // Every read operation of the packages family answered at least one 200.
            let reads = OpenAPISchemas.operationIDs.filter { id in
                !["delete", "restore"].contains { id.contains($0) }
            }
            let missing = reads.filter { crawl.checked[$0] == nil }
            #expect(missing.isEmpty, "no 200 was checked for \(missing)")
        }
    }

    @Test func demoFixtures() throws {
        let emulator = try DemoAnswers.emulator(.dotcom)
        Self.check(emulator, owners: [
            ("/users/octocat", "ghp_octocatReadRepo"), ("/users/hubot", "ghp_hubotReadRepo"),
            ("/users/monalisa", "ghp_monalisaReadRepo"), ("/orgs/octo-org", "ghp_octocatReadRepo"),
            ("/users/octo-org", "ghp_octocatReadRepo"), ("/user", "ghp_octocatReadRepo"),
        ])
    }

    @Test func inMemoryOrganisation() {
        Self.check(RouteTestData.emulator(), owners: [
            ("/orgs/octo-org", "ghp_repo"), ("/users/octocat", "ghp_repo"), ("/user", "ghp_repo"),
        ])
    }
}
