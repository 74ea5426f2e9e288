import Foundation
import Testing

/// `github-packages-emulator import` against the emulator itself (issue 13): no internet needed.
@Suite struct ImportLiveTests {
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func importArguments(port: Int, token: String, out: String, extra: [String] = []) -> [String] {
        ["import", "--api-url", "http://127.0.0.1:\(port)", "--token", token, "--user", "octocat", "--org", "octo-org",
         "--out", out] + extra
    }

    /// Every listing, package, version list and version of `owners`, as `token` reads them on `port`, sent with
    /// `Host: host` so that both servers render the same `{api}`.
    static func answers(port: Int, host: String, token: String, owners: [String]) throws -> [String: (String, String?)] {
        var seen: [String: (String, String?)] = [:]
        func get(_ target: String) throws -> Any? {
            let response = try RawHTTP.request(port: port, target: target, headers: [("Authorization", "token \(token)")],
                                               host: host)
            seen[target] = ("\(response.statusLine)\n" + String(decoding: response.body, as: UTF8.self),
                            response.header("ETag"))
            return try? response.json()
        }
        for owner in owners {
            for type in ["npm", "maven", "rubygems", "docker", "nuget", "container"] {
                for package in try get("\(owner)/packages?package_type=\(type)&per_page=100") as? [[String: Any]] ?? [] {
                    guard let url = package["url"] as? String else { continue }
                    let path = String(url.dropFirst("http://\(host)".count))
                    _ = try get(path)
                    for version in try get("\(path)/versions?per_page=100") as? [[String: Any]] ?? [] {
                        if let id = version["id"] as? Int { _ = try get("\(path)/versions/\(id)") }
                    }
                }
            }
        }
        return seen
    }

    @Test func aRoundTripServesTheSameAnswers() throws {
        let (original, port) = try EmulatorProcess.start()
        defer { original.stop() }
        let work = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let out = work.appendingPathComponent("imported").path
        // Seven to a page: octo-sdk's 45 versions take seven pages, all by following Link.
        let run = try EmulatorProcess.run(Self.importArguments(port: port, token: "ghp_octocatAdmin", out: out,
                                                               extra: ["--page-size", "7"]), timeout: 120)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("import: octo-org/container/octo-sdk: 45 version(s)"))
        #expect(!(try String(contentsOfFile: out + "/tokens.json", encoding: .utf8)).contains("ghp_octocatAdmin"))
        #expect(FileManager.default.fileExists(atPath: out + "/IMPORTED.md"))
        let validate = try EmulatorProcess.run(["validate", out])
        #expect(validate.status == 0, "\(validate.stderr)")

        let (copy, copyPort) = try EmulatorProcess.start(fixtures: out)
        defer { copy.stop() }
        let owners = ["/users/octocat", "/orgs/octo-org"]
        let host = "127.0.0.1:\(port)"
        let before = try Self.answers(port: port, host: host, token: "ghp_octocatAdmin", owners: owners)
        let after = try Self.answers(port: copyPort, host: host, token: "ghp_imported_octocat", owners: owners)
        #expect(before.count > 150)
        #expect(Set(before.keys) == Set(after.keys))
        for (target, answer) in before {
            #expect(after[target]?.0 == answer.0, "\(target)")
            #expect(after[target]?.1 == answer.1, "ETag of \(target)")
        }
    }

    /// The grants IMPORTED.md lists for each importer of the demo data: what it read on the source through
    /// another user's repository, `readers` or enterprise.
    static let grants: [String: [String]] = [
        "octocat": ["- octocat is a reader of `hubot/container/hubot-runner`.",
                    "- octocat is a collaborator of `monalisa/sketchbook`, so it reads `monalisa/docker/sketchbook`."],
        "hubot": ["- hubot is a collaborator of `octocat/octo-lib`, so it reads `octocat/maven/com.example.octo-lib`.",
                  "- hubot is a reader of `octocat/container/octo-api`.",
                  "- hubot is a reader of `octocat/container/octo-cache`."],
        "monalisa": ["- monalisa is a reader of `octocat/container/octo-worker`."],
    ]

    /// Issue 20: an import made with the token of a user who owns none of what it imports lets that user read
    /// everything it read on the source (collaborators, readers, enterprise and organisation members): every
    /// login of the demo data with a classic `read:packages` and `repo` token imports every owner, and its
    /// placeholder token gets the same answers for every owner and registry as its token on the source.
    @Test(arguments: [("octocat", "ghp_octocatReadRepo"), ("hubot", "ghp_hubotReadRepo"),
                      ("monalisa", "ghp_monalisaReadRepo")])
    func theImporterReadsWhatItRead(login: String, token: String) throws {
        let (original, port) = try EmulatorProcess.start()
        defer { original.stop() }
        let work = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let out = work.appendingPathComponent("imported").path
        let run = try EmulatorProcess.run(["import", "--api-url", "http://127.0.0.1:\(port)", "--token", token,
                                           "--user", "octocat", "--user", "hubot", "--user", "monalisa",
                                           "--org", "octo-org", "--out", out], timeout: 120)
        #expect(run.status == 0, "\(run.stderr)")
        let (copy, copyPort) = try EmulatorProcess.start(fixtures: out)
        defer { copy.stop() }
        let owners = ["/users/octocat", "/users/hubot", "/users/monalisa", "/orgs/octo-org", "/users/octo-org"]
        let host = "127.0.0.1:\(port)"
        let before = try Self.answers(port: port, host: host, token: token, owners: owners)
        let after = try Self.answers(port: copyPort, host: host, token: "ghp_imported_\(login)", owners: owners)
        #expect(before.count > 100)
        #expect(Set(before.keys) == Set(after.keys))
        for (target, answer) in before {
            #expect(after[target]?.0 == answer.0, "\(login): \(target)")
        }
        let notes = try String(contentsOfFile: out + "/IMPORTED.md", encoding: .utf8)
        let grants = notes.components(separatedBy: "\n").filter { $0.hasPrefix("- \(login) is a ") }
        #expect(grants == Self.grants[login], "\(notes)")
    }

    @Test func a403HalfWayWritesNothingAndNamesTheRoute() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let work = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let out = work.appendingPathComponent("imported").path
        // read:packages without repo: the npm listing answers, the maven one is refused.
        let run = try EmulatorProcess.run(Self.importArguments(port: port, token: "ghp_octocatRead", out: out),
                                          timeout: 60)
        #expect(run.status == 1)
        #expect(run.stderr.contains("GET http://127.0.0.1:\(port)/users/octocat/packages?package_type=maven&per_page=100: "
                                    + "403 You need at least read:packages and repo scopes to list packages. "
                                    + "(needs: read:packages, repo)"), "\(run.stderr)")
        #expect(run.stderr.contains("import: nothing written"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).isEmpty)
    }

    @Test func aRateLimitWithRetryAfterIsWaitedOut() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let rule = #"{"kind": "secondary_rate_limit", "status": 429, "retry_after": 1, "times": 1, "#
            + #""operation": "packages/get-all-package-versions-for-package-owned-by-org"}"#
        let control = try HTTPConnection(port: port)
        try control.send("POST /_emulator/faults HTTP/1.1\r\nHost: x\r\nContent-Length: \(rule.utf8.count)\r\n\r\n" + rule)
        #expect(try control.readResponse().statusLine == "HTTP/1.1 201 Created")
        let work = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let out = work.appendingPathComponent("imported").path
        let run = try EmulatorProcess.run(Self.importArguments(port: port, token: "ghp_octocatAdmin", out: out,
                                                               extra: ["--package-type", "container",
                                                                       "--max-versions", "2"]), timeout: 60)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("429 on GET"), "\(run.stderr)")
        #expect(run.stderr.contains("Retry-After 1 s: waiting"))
        // Only containers, and the two newest versions of each.
        let org = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: out + "/orgs/octo-org.json"))) as? [String: Any])
        let packages = try #require(org["packages"] as? [[String: Any]])
        #expect(Set(packages.compactMap { $0["package_type"] as? String }) == ["container"])
        let sdk = try #require(packages.first { $0["name"] as? String == "octo-sdk" }?["versions"] as? [[String: Any]])
        #expect(sdk.compactMap { $0["id"] as? Int } == [40_300_045, 40_300_044])
    }

    @Test func badOptionsPrintUsage() throws {
        let none = try EmulatorProcess.run(["import", "--api-url", "http://127.0.0.1:1", "--token", "t", "--out", "/tmp/x"])
        #expect(none.status == 64)
        #expect(none.stderr.contains("give at least one --user or --org"))
        let scheme = try EmulatorProcess.run(["import", "--api-url", "ftp://x", "--token", "t", "--user", "u",
                                              "--out", "/tmp/x"])
        #expect(scheme.status == 64)
    }
}
