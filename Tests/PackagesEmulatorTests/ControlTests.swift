import Foundation
import Testing

@testable import PackagesEmulator

/// The control routes of issue 5, in process: data set, journal, faults, rate limits, safety.
struct ControlTests {
    static let listing = "\(packages)?package_type=npm"

    /// A data set of one user `tester` with one npm package, as `PUT /_emulator/fixtures` takes it.
    static let otherDataSet = #"""
        {"tokens": [{"token": "ghp_testerToken", "login": "tester", "scopes": ["read:packages"]}],
         "users": [{"login": "tester", "id": 77,
                    "packages": [{"id": 7001, "name": "tester-tool", "package_type": "npm",
                                  "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z"}]}]}
        """#

    static func call(_ emulator: Emulator, _ method: String, _ target: String, body: String = "",
                     headers: [(String, String)] = [], client: String = "127.0.0.1") -> Response {
        emulator.respond(to: Request(method: method, target: target,
                                     headers: headers.map { (name: $0.0, value: $0.1) } + [(name: "Host", value: "api.test")],
                                     clientAddress: client, body: Array(body.utf8)))
    }

    static func get(_ emulator: Emulator, _ target: String = listing, token: String = "ghp_read") -> Response {
        call(emulator, "GET", target, headers: [("Authorization", "token \(token)")])
    }

    static func object(_ response: Response) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    static func messages(_ response: Response) throws -> [String] {
        let errors = try #require(try object(response)["errors"] as? [[String: Any]])
        return errors.compactMap { "\($0["path"] ?? ""): \($0["message"] ?? "")" }
    }

    // MARK: Data set

    @Test func fixturesSummary() throws {
        let response = Self.call(TestData.emulator(), "GET", "/_emulator/fixtures")
        #expect(response.status == 200)
        let summary = try Self.object(response)
        #expect(summary["users"] as? Int == 5)
        #expect(summary["tokens"] as? Int == TestData.tokens.count)
        #expect(summary["profile"] as? String == "dotcom")
        #expect(response.header("Content-Type") == "application/json; charset=utf-8")
    }

    @Test func putReplacesTheDataSetAndResetRestoresIt() throws {
        let emulator = TestData.emulator()
        let put = Self.call(emulator, "PUT", "/_emulator/fixtures", body: Self.otherDataSet)
        #expect(put.status == 200)
        #expect(try Self.object(put)["users"] as? Int == 1)
        #expect(Self.get(emulator, "/users/tester/packages?package_type=npm", token: "ghp_testerToken").status == 200)
        #expect(Self.get(emulator).status == 401)  // the old tokens are gone
        #expect(Self.call(emulator, "POST", "/_emulator/reset").status == 200)
        #expect(Self.get(emulator).status == 200)
        #expect(Self.get(emulator, "/users/tester/packages?package_type=npm", token: "ghp_testerToken").status == 401)
    }

    @Test(arguments: [
        // (body, status, a message expected among the errors)
        ("{not json", 400, "$: invalid JSON"),
        ("", 400, "$: invalid JSON"),
        (#"{"tokens": [], "users": [{"login": "x", "id": 1, "packages": [{"id": 1, "name": "p", "package_type": "pypi", "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}]}], "extra": 1}"#,
         422, "$.users[0].packages[0].package_type"),
    ])
    func badDataSetsAreRefusedAndTheOldOneKeepsServing(body: String, status: Int, expected: String) throws {
        let emulator = TestData.emulator()
        let response = Self.call(emulator, "PUT", "/_emulator/fixtures", body: body)
        #expect(response.status == status)
        let object = try Self.object(response)
        #expect(object["status"] as? String == String(status))
        #expect(object["documentation_url"] as? String == DocURL.control)
        #expect(try Self.messages(response).contains { $0.hasPrefix(expected) })
        #expect(Self.get(emulator).status == 200)
    }

    @Test func invalidDataSetListsEveryError() throws {
        let body = #"""
            {"tokens": [{"token": "ghp_a", "login": "nobody"}],
             "users": [{"login": "x", "id": 1, "colour": "red",
                        "packages": [{"id": 1, "name": "p", "package_type": "npm", "created_at": "yesterday",
                                      "updated_at": "2024-01-01T00:00:00Z"}]}]}
            """#
        let response = Self.call(TestData.emulator(), "PUT", "/_emulator/fixtures", body: body)
        #expect(response.status == 422)
        #expect(try Self.object(response)["message"] as? String == "Validation Failed")
        let errors = try Self.messages(response)
        #expect(errors.count >= 3)
        #expect(errors.contains { $0.hasPrefix("$.tokens[0].login") })
        #expect(errors.contains { $0.hasPrefix("$.users[0].colour") || $0.contains("colour") })
        #expect(errors.contains { $0.hasPrefix("$.users[0].packages[0].created_at") })
        let first = try #require((try Self.object(response)["errors"] as? [[String: Any]])?.first)
        #expect(first["file"] as? String == "request body")
    }

    // MARK: Journal

    @Test func journalRecordsRequestsWithRedactedTokens() throws {
        let emulator = TestData.emulator()
        _ = Self.get(emulator, Self.listing, token: "ghp_secretvalue123")
        _ = Self.get(emulator)
        let journal = try Self.object(Self.call(emulator, "GET", "/_emulator/requests"))
        let requests = try #require(journal["requests"] as? [[String: Any]])
        #expect(requests.count == 2)
        #expect(requests[0]["path"] as? String == "/users/octocat/packages")
        #expect(requests[0]["query"] as? String == "package_type=npm")
        #expect(requests[0]["status"] as? Int == 401)
        #expect(requests[1]["status"] as? Int == 200)
        let headers = try #require(requests[0]["headers"] as? [String: String])
        #expect(headers["authorization"] == "token ghp_secr…")
        #expect(headers["host"] == "api.test")
        let text = String(decoding: Self.call(emulator, "GET", "/_emulator/requests").body, as: UTF8.self)
        #expect(!text.contains("secretvalue"))
    }

    @Test(arguments: [
        ("token ghp_abcdefghij", "token ghp_abcd…"), ("Bearer github_pat_11ABCDEFG", "Bearer github_pat_11AB…"),
        ("token ghp_ab", "token ghp_a…"), ("token legacy", "token leg…"), ("token x", "token …"),
        ("Basic dXNlcjpnaHBfc2VjcmV0", "Basic …"), ("garbage", "gar…"),
    ])
    func redaction(header: String, redacted: String) {
        #expect(Redaction.authorization(header) == redacted)
    }

    @Test func journalIsACappedRing() throws {
        let emulator = TestData.emulator(config: EmulatorConfig(control: ControlSettings(journalSize: 3)))
        for page in 1...5 { _ = Self.get(emulator, Self.listing + "&page=\(page)") }
        let requests = try #require(try Self.object(Self.call(emulator, "GET", "/_emulator/requests"))["requests"]
                                    as? [[String: Any]])
        #expect(requests.map { $0["query"] as? String } == (3...5).map { "package_type=npm&page=\($0)" })
        #expect(requests.map { $0["id"] as? Int } == [3, 4, 5])
    }

    @Test func deleteClearsTheJournalAndIsNotRecorded() throws {
        let emulator = TestData.emulator()
        _ = Self.get(emulator)
        #expect(Self.call(emulator, "DELETE", "/_emulator/requests").status == 200)
        let requests = try #require(try Self.object(Self.call(emulator, "GET", "/_emulator/requests"))["requests"]
                                    as? [[String: Any]])
        #expect(requests.isEmpty)
    }

    @Test func journalSizeZeroRecordsNothing() throws {
        let emulator = TestData.emulator(config: EmulatorConfig(control: ControlSettings(journalSize: 0)))
        _ = Self.get(emulator)
        let journal = try Self.object(Self.call(emulator, "GET", "/_emulator/requests"))
        #expect((journal["requests"] as? [Any])?.isEmpty == true)
    }

    // MARK: Faults

    @Test(arguments: [
        // (rule, status, message prefix)
        (#"{"kind": "status", "status": 502}"#, 502, "Server Error"),
        (#"{"kind": "status", "status": 500}"#, 500, "Server Error"),
        (#"{"kind": "status", "status": 503}"#, 503, "No server is currently available"),
        (#"{"kind": "secondary_rate_limit"}"#, 403, "You have exceeded a secondary rate limit."),
        (#"{"kind": "secondary_rate_limit", "status": 429, "retry_after": 7}"#, 429,
         "You have exceeded a secondary rate limit."),
    ])
    func statusFaultsAnswerOnceWithGitHubsBody(rule: String, status: Int, message: String) throws {
        let emulator = TestData.emulator()
        let withTimes = rule.dropLast() + #", "times": 1}"#
        #expect(Self.call(emulator, "POST", "/_emulator/faults", body: String(withTimes)).status == 201)
        let faulted = Self.get(emulator)
        #expect(faulted.status == status)
        #expect((try Self.object(faulted)["message"] as? String)?.hasPrefix(message) == true)
        #expect(faulted.header("X-GitHub-Request-Id") != nil)
        #expect(faulted.header("Content-Length") == String(faulted.body.count))
        if status == 403 || status == 429 {
            #expect(faulted.header("Retry-After") == (status == 429 ? "7" : "60"))
            let body = try Self.object(faulted)
            #expect(body["documentation_url"] as? String == DocURL.secondaryRateLimits)
            #expect((body["message"] as? String)?.contains(faulted.header("X-GitHub-Request-Id") ?? "?") == true)
        }
        #expect(Self.get(emulator).status == 200)  // `times` ran out
        let list = try #require(try Self.object(Self.call(emulator, "GET", "/_emulator/faults"))["faults"] as? [Any])
        #expect(list.isEmpty)
    }

    @Test func faultsMatchOnUserTokenAndPackageType() throws {
        let emulator = TestData.emulator()
        let rule = #"{"kind": "status", "status": 503, "user": "OctoCat", "token": "ghp_rea", "package_type": "npm"}"#
        #expect(Self.call(emulator, "POST", "/_emulator/faults", body: rule).status == 201)
        #expect(Self.get(emulator, "\(packages)?package_type=maven").status != 503)
        #expect(Self.get(emulator, Self.listing, token: "ghp_repo").status == 200)  // not "ghp_rea…"
        #expect(Self.get(emulator, Self.listing, token: "ghp_write").status == 200)
        #expect(Self.get(emulator, "/users/hubot/packages?package_type=npm").status == 200)
        #expect(Self.get(emulator).status == 503)
        #expect(Self.get(emulator).status == 503)  // no `times`: until deleted
        #expect(Self.call(emulator, "DELETE", "/_emulator/faults").status == 200)
        #expect(Self.get(emulator).status == 200)
    }

    @Test func faultsApplyInOrderAndCountDown() throws {
        let emulator = TestData.emulator()
        _ = Self.call(emulator, "POST", "/_emulator/faults", body: #"{"kind": "status", "status": 502, "times": 2}"#)
        _ = Self.call(emulator, "POST", "/_emulator/faults", body: #"{"kind": "secondary_rate_limit", "times": 1}"#)
        #expect([Self.get(emulator), Self.get(emulator), Self.get(emulator), Self.get(emulator)].map(\.status)
                == [502, 502, 403, 200])
    }

    @Test func deleteOneFaultByID() throws {
        let emulator = TestData.emulator()
        let added = try Self.object(Self.call(emulator, "POST", "/_emulator/faults", body: #"{"kind": "drop"}"#))
        let id = try #require(added["id"] as? Int)
        #expect(Self.call(emulator, "DELETE", "/_emulator/faults/\(id)").status == 200)
        #expect(Self.call(emulator, "DELETE", "/_emulator/faults/\(id)").status == 404)
        #expect(Self.get(emulator).status == 200)
    }

    @Test func delayAndDropAreInstructionsForTheShell() {
        let emulator = TestData.emulator()
        _ = Self.call(emulator, "POST", "/_emulator/faults", body: #"{"kind": "delay", "milliseconds": 250, "times": 1}"#)
        _ = Self.call(emulator, "POST", "/_emulator/faults", body: #"{"kind": "drop", "times": 1}"#)
        let delayed = Self.get(emulator)
        #expect(delayed.status == 200 && delayed.delayMilliseconds == 250 && !delayed.dropConnection)
        let dropped = Self.get(emulator)
        #expect(dropped.dropConnection)
        let normal = Self.get(emulator)
        #expect(normal.delayMilliseconds == 0 && !normal.dropConnection)
    }

    @Test(arguments: [
        (#"{"kind": "teapot"}"#, "$.kind"),
        (#"{}"#, "$.kind"),
        (#"{"kind": "status"}"#, "$.status"),
        (#"{"kind": "status", "status": 404}"#, "$.status"),
        (#"{"kind": "delay"}"#, "$.milliseconds"),
        (#"{"kind": "delay", "milliseconds": 0}"#, "$.milliseconds"),
        (#"{"kind": "delay", "milliseconds": 10, "status": 500}"#, "$.status"),
        (#"{"kind": "drop", "times": 0}"#, "$.times"),
        (#"{"kind": "drop", "times": "once"}"#, "$.times"),
        (#"{"kind": "drop", "package_type": "pypi"}"#, "$.package_type"),
        (#"{"kind": "drop", "colour": "red"}"#, "$.colour"),
        (#"{"kind": "secondary_rate_limit", "status": 500}"#, "$.status"),
        (#"[]"#, "$"),
    ])
    func invalidFaultRules(body: String, path: String) throws {
        let emulator = TestData.emulator()
        let response = Self.call(emulator, "POST", "/_emulator/faults", body: body)
        #expect(response.status == 422)
        #expect(try Self.messages(response).contains { $0.hasPrefix(path + ":") })
        #expect(Self.get(emulator).status == 200)
    }

    @Test func badJSONFaultIs400() throws {
        let response = Self.call(TestData.emulator(), "POST", "/_emulator/faults", body: "{")
        #expect(response.status == 400)
        #expect(try Self.object(response)["message"] as? String == "Problems parsing JSON")
    }

    @Test func faultsDoNotTouchControlRoutes() {
        let emulator = TestData.emulator()
        _ = Self.call(emulator, "POST", "/_emulator/faults", body: #"{"kind": "status", "status": 500}"#)
        #expect(Self.call(emulator, "GET", "/_emulator/health").status == 200)
        #expect(Self.call(emulator, "GET", "/_emulator/faults").status == 200)
    }

    // MARK: Rate limits

    @Test func setRemainingToZeroByLoginThenReset() throws {
        let now: Int64 = 1_700_000_000
        let emulator = TestData.emulator(config: EmulatorConfig(clock: { now }))
        let set = Self.call(emulator, "PUT", "/_emulator/rate-limits/hubot", body: #"{"remaining": 0}"#)
        #expect(set.status == 200)
        let limits = try #require(try Self.object(set)["rate_limits"] as? [[String: Any]])
        #expect(limits.count == 1 && limits[0]["remaining"] as? Int == 0 && limits[0]["login"] as? String == "hubot")
        #expect(limits[0]["token"] as? String == "ghp_hu…")
        let limited = Self.get(emulator, "/users/octocat/packages?package_type=npm", token: "ghp_hubot")
        #expect(limited.status == 403)
        #expect(limited.header("X-RateLimit-Remaining") == "0")
        #expect(try Self.object(limited)["message"] as? String == "API rate limit exceeded for user ID 2.")
        #expect(Self.get(emulator).status == 200)  // other tokens keep their limit
        #expect(Self.call(emulator, "POST", "/_emulator/reset").status == 200)
        #expect(Self.get(emulator, Self.listing, token: "ghp_hubot").status == 200)
    }

    @Test func setByTokenPrefixWithReset() throws {
        let now: Int64 = 1_700_000_000
        let emulator = TestData.emulator(config: EmulatorConfig(clock: { now }))
        let set = Self.call(emulator, "PUT", "/_emulator/rate-limits/ghp_mona", body: #"{"remaining": 3, "reset": 1700000100}"#)
        #expect(set.status == 200)
        let answer = Self.get(emulator, Self.listing, token: "ghp_mona")
        #expect(answer.header("X-RateLimit-Remaining") == "2")
        #expect(answer.header("X-RateLimit-Reset") == "1700000100")
    }

    @Test(arguments: [
        ("nobody-at-all", #"{"remaining": 0}"#, 422),
        ("hubot", #"{"remaining": -1}"#, 422),
        ("hubot", #"{"left": 1}"#, 422),
        ("hubot", #"{}"#, 422),
        ("hubot", #"nope"#, 400),
    ])
    func badRateLimitRequests(key: String, body: String, status: Int) {
        let response = Self.call(TestData.emulator(), "PUT", "/_emulator/rate-limits/\(key)", body: body)
        #expect(response.status == status)
    }

    // MARK: Safety

    @Test(arguments: [
        // (settings, client, Authorization, status of a control write)
        (ControlSettings(), "127.0.0.1", nil, 200),
        (ControlSettings(), "::1", nil, 200),
        (ControlSettings(), "::ffff:127.0.0.1", nil, 200),
        // All of 127.0.0.0/8 is this machine.
        (ControlSettings(), "127.0.0.2", nil, 200),
        (ControlSettings(), "127.255.255.254", nil, 200),
        (ControlSettings(), "128.0.0.1", nil, 403),
        (ControlSettings(), "10.0.0.7", nil, 403),
        (ControlSettings(writesEnabled: false), "127.0.0.1", nil, 403),
        (ControlSettings(token: "s3cret"), "10.0.0.7", "Bearer s3cret", 200),
        (ControlSettings(token: "s3cret"), "127.0.0.1", nil, 401),
        (ControlSettings(token: "s3cret"), "127.0.0.1", "Bearer wrong", 401),
        (ControlSettings(token: "s3cret"), "127.0.0.1", "token s3cret", 401),
        (ControlSettings(token: "s3cret", writesEnabled: false), "127.0.0.1", "Bearer s3cret", 403),
    ] as [(ControlSettings, String, String?, Int)])
    func whoMayWrite(settings: ControlSettings, client: String, authorization: String?, status: Int) throws {
        let emulator = TestData.emulator(config: EmulatorConfig(control: settings))
        let response = Self.call(emulator, "DELETE", "/_emulator/faults",
                                 headers: authorization.map { [("Authorization", $0)] } ?? [], client: client)
        #expect(response.status == status)
        if status != 200 {
            #expect(try Self.object(response)["status"] as? String == String(status))
        }
        // Reads stay open to everyone.
        #expect(Self.call(emulator, "GET", "/_emulator/faults", client: client).status == 200)
    }

    @Test func bodyOverTheCapIs413() throws {
        let emulator = TestData.emulator(config: EmulatorConfig(control: ControlSettings(maxBodySize: 16)))
        let response = Self.call(emulator, "POST", "/_emulator/faults", body: #"{"kind": "status", "status": 502}"#)
        #expect(response.status == 413)
        #expect(try Self.object(response)["status"] as? String == "413")
    }

    @Test(arguments: [
        ("POST", "/_emulator/fixtures"), ("GET", "/_emulator/reset"), ("PUT", "/_emulator/requests"),
        ("PUT", "/_emulator/faults"), ("GET", "/_emulator/rate-limits/hubot"), ("GET", "/_emulator/nothing"),
        ("PUT", "/_emulator/rate-limits/"),
    ])
    func unknownControlRoutesAre404(method: String, path: String) {
        #expect(Self.call(TestData.emulator(), method, path).status == 404)
    }

    @Test func aSwapIsAtomicForConcurrentRequests() async {
        let emulator = TestData.emulator()
        let other = try? #require(FixtureLoader.validate(document: Array(Self.otherDataSet.utf8), name: "x",
                                                       profile: .dotcom).fixtures)
        guard let other else { return }
        let stores = [Store(other, profile: .dotcom), Store(TestData.fixtures, profile: .dotcom)]
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for index in 0..<200 { emulator.replaceStore(stores[index % 2]) }
                return true
            }
            for _ in 0..<4 {
                group.addTask {
                    // Every answer comes from one whole data set: octocat's token lists, or is unknown.
                    (0..<200).allSatisfy { _ in [200, 401].contains(Self.get(emulator).status) }
                }
            }
            for await ok in group { #expect(ok) }
        }
    }
}
