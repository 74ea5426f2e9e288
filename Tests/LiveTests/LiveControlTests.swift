import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Control from tests (issue 5) against the real server: the README's scenario end to end, reloads,
/// delays that do not block the loop, dropped connections, and who may write.
@Suite struct LiveControlTests {
    static let testerListing = "/users/tester/packages?package_type=npm"
    static let demoListing = "/users/octocat/packages?package_type=container"

    /// The data set a test suite loads for itself: user `tester`, token `ghp_testerToken`.
    static let dataSet = #"""
        {"tokens": [{"token": "ghp_testerToken", "login": "tester", "scopes": ["read:packages"]}],
         "users": [{"login": "tester", "id": 77,
                    "packages": [{"id": 7001, "name": "tester-tool", "package_type": "npm",
                                  "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z"}]}]}
        """#

    /// One request with a body, on a fresh connection.
    static func call(_ port: Int, _ method: String, _ target: String, body: String = "",
                     headers: [(String, String)] = []) throws -> HTTPResponse {
        let connection = try HTTPConnection(port: port)
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        text += "Content-Length: \(body.utf8.count)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        try connection.send(text + "\r\n" + body)
        return try connection.readResponse(head: method == "HEAD")
    }

    static func object(_ response: HTTPResponse) throws -> [String: Any] {
        try #require(try response.json() as? [String: Any])
    }

    /// Polls `condition` until it holds or `timeout` seconds pass (a reload happens asynchronously).
    static func eventually(timeout: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }

    @Test func loadRequestJournalFaultsRateLimitReset() throws {
        let (emulator, port) = try EmulatorProcess.start(arguments: ["--threads", "2"])
        defer { emulator.stop() }
        // Load our own data set.
        let put = try Self.call(port, "PUT", "/_emulator/fixtures", body: Self.dataSet)
        #expect(put.status == 200)
        #expect(try Self.object(try Self.call(port, "GET", "/_emulator/fixtures"))["users"] as? Int == 1)
        // Make a request, and read it back from the journal.
        let listed = try RawHTTP.get(port: port, Self.testerListing, token: "ghp_testerToken")
        #expect(listed.status == 200)
        #expect(listed.text.contains("tester-tool"))
        let journal = try Self.call(port, "GET", "/_emulator/requests")
        #expect(!journal.text.contains("ghp_testerToken"))
        let requests = try #require(try Self.object(journal)["requests"] as? [[String: Any]])
        let entry = try #require(requests.last { $0["path"] as? String == "/users/tester/packages" })
        #expect(entry["status"] as? Int == 200)
        #expect(entry["query"] as? String == "package_type=npm")
        #expect((entry["headers"] as? [String: String])?["authorization"] == "token ghp_test…")
        // Inject a 502, then a secondary rate limit: each is seen once.
        #expect(try Self.call(port, "POST", "/_emulator/faults",
                              body: #"{"kind": "status", "status": 502, "times": 1}"#).status == 201)
        #expect(try Self.call(port, "POST", "/_emulator/faults",
                              body: #"{"kind": "secondary_rate_limit", "status": 429, "retry_after": 30, "times": 1}"#)
                .status == 201)
        let bad = try RawHTTP.get(port: port, Self.testerListing, token: "ghp_testerToken")
        #expect(bad.status == 502)
        #expect(try Self.object(bad)["message"] as? String == "Server Error")
        let secondary = try RawHTTP.get(port: port, Self.testerListing, token: "ghp_testerToken")
        #expect(secondary.status == 429)
        #expect(secondary.header("Retry-After") == "30")
        #expect((try Self.object(secondary)["message"] as? String)?.hasPrefix(
            "You have exceeded a secondary rate limit.") == true)
        #expect(try RawHTTP.get(port: port, Self.testerListing, token: "ghp_testerToken").status == 200)
        // Exhaust the rate limit in one call.
        let set = try Self.call(port, "PUT", "/_emulator/rate-limits/tester", body: #"{"remaining": 0}"#)
        #expect(set.status == 200)
        let limited = try RawHTTP.get(port: port, Self.testerListing, token: "ghp_testerToken")
        #expect(limited.status == 403)
        #expect(limited.header("X-RateLimit-Remaining") == "0")
        #expect(try Self.object(limited)["message"] as? String == "API rate limit exceeded for user ID 77.")
        // Reset: the demo data set, full limits, no faults, an empty journal.
        #expect(try Self.call(port, "POST", "/_emulator/reset").status == 200)
        #expect(try RawHTTP.get(port: port, Self.testerListing, token: "ghp_testerToken").status == 401)
        #expect(try RawHTTP.get(port: port, Self.demoListing, token: "ghp_octocatRead").status == 200)
        let after = try #require(try Self.object(try Self.call(port, "GET", "/_emulator/requests"))["requests"]
                                 as? [[String: Any]])
        #expect(after.map { $0["status"] as? Int } == [401, 200])  // the two listings since the reset
    }

    static let tokensWithNew = #"""
        {"tokens": [{"token": "ghp_testerRead", "login": "tester", "scopes": ["read:packages"]},
                    {"token": "ghp_testerNew", "login": "tester", "scopes": ["read:packages"]}]}
        """#
    static let invalidUser = #"""
        {"login": "tester", "id": 77,
         "packages": [{"id": 7001, "name": "tester-tool", "package_type": "pypi",
                       "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z"}]}
        """#

    /// A valid change is served; an invalid one is refused with its errors logged, and the
    /// previous set keeps serving.
    func checkReload(_ fixtures: TemporaryFixtures, _ emulator: EmulatorProcess, _ port: Int,
                     trigger: () -> Void, reason: String) throws {
        let root = URL(fileURLWithPath: fixtures.path)
        #expect(try RawHTTP.get(port: port, Self.testerListing, token: "ghp_testerNew").status == 401)
        try Self.tokensWithNew.write(to: root.appendingPathComponent("tokens.json"), atomically: true, encoding: .utf8)
        trigger()
        #expect(try Self.eventually {
            try RawHTTP.get(port: port, Self.testerListing, token: "ghp_testerNew").status == 200
        })
        try Self.invalidUser.write(to: root.appendingPathComponent("users/tester.json"), atomically: true,
                                   encoding: .utf8)
        trigger()
        #expect(Self.eventually { emulator.stderr.contains("reload refused (\(reason))") })
        #expect(emulator.stderr.contains("$.packages[0].package_type"))
        #expect(try RawHTTP.get(port: port, Self.testerListing, token: "ghp_testerNew").status == 200)
    }

    @Test func sighupReloads() throws {
        let fixtures = try TemporaryFixtures.valid()
        let (emulator, port) = try EmulatorProcess.start(fixtures: fixtures.path)
        defer { emulator.stop() }
        try checkReload(fixtures, emulator, port, trigger: { emulator.send(SIGHUP) }, reason: "SIGHUP")
        #expect(emulator.stop().status == 0)
    }

    @Test func watchReloadsOnFileChanges() throws {
        let fixtures = try TemporaryFixtures.valid()
        let (emulator, port) = try EmulatorProcess.start(fixtures: fixtures.path, arguments: ["--watch"])
        defer { emulator.stop() }
        try checkReload(fixtures, emulator, port, trigger: {}, reason: "files changed")
    }

    /// Whether the server has sent anything on `connection` yet, without waiting.
    static func hasData(_ connection: HTTPConnection) -> Bool {
        var byte: UInt8 = 0
        return recv(connection.fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) > 0
    }

    @Test func aDelayDoesNotBlockTheLoop() throws {
        // One loop: if the delay blocked it, the second connection could not be answered first.
        let (emulator, port) = try EmulatorProcess.start(arguments: ["--threads", "1"])
        defer { emulator.stop() }
        #expect(try Self.call(port, "POST", "/_emulator/faults",
                              body: #"{"kind": "delay", "milliseconds": 3000, "token": "ghp_octocatRead", "times": 1}"#)
                .status == 201)
        let delayed = try HTTPConnection(port: port, timeout: 20)
        try delayed.send(RawHTTP.requestText(target: Self.demoListing, headers: [("Authorization", "token ghp_octocatRead")],
                                             host: "127.0.0.1:\(port)"))
        // The journal shows the delayed request once the core has answered it; then a later request
        // on another connection is answered while the delayed one still waits.
        #expect(try Self.eventually {
            try Self.call(port, "GET", "/_emulator/requests").text.contains("\"delay_ms\": 3000")
        })
        let later = try RawHTTP.get(port: port, Self.demoListing, token: "ghp_octocatRead")
        #expect(later.status == 200)
        #expect(!Self.hasData(delayed))
        let answer = try delayed.readResponse()
        #expect(answer.status == 200)
        #expect(answer.body == later.body)
    }

    @Test func aClientLeavingDuringADelayIsHarmless() throws {
        let (emulator, port) = try EmulatorProcess.start(arguments: ["--threads", "1"])
        defer { emulator.stop() }
        #expect(try Self.call(port, "POST", "/_emulator/faults",
                              body: #"{"kind": "delay", "milliseconds": 300, "times": 2}"#).status == 201)
        do {
            let leaving = try HTTPConnection(port: port)
            try leaving.send(RawHTTP.requestText(target: Self.demoListing,
                                                 headers: [("Authorization", "token ghp_octocatRead")],
                                                 host: "127.0.0.1:\(port)"))
            #expect(try Self.eventually {
                try Self.call(port, "GET", "/_emulator/requests").text.contains("\"delay_ms\": 300")
            })
        }  // closed here, before its answer
        // The second delayed answer's timer fires after the first one's, so the server has sent (or
        // discarded) the first answer by the time this one arrives.
        let second = try RawHTTP.get(port: port, Self.demoListing, token: "ghp_octocatRead")
        #expect(second.status == 200)
        #expect(try RawHTTP.get(port: port, Self.demoListing, token: "ghp_octocatRead").status == 200)
        #expect(emulator.stop().status == 0)
    }

    @Test func aGracefulStopWaitsForADelayedAnswer() throws {
        let (emulator, port) = try EmulatorProcess.start(arguments: ["--threads", "1"])
        defer { emulator.stop() }
        #expect(try Self.call(port, "POST", "/_emulator/faults",
                              body: #"{"kind": "delay", "milliseconds": 1000, "times": 1}"#).status == 201)
        let delayed = try HTTPConnection(port: port, timeout: 20)
        try delayed.send(RawHTTP.requestText(target: Self.demoListing, headers: [("Authorization", "token ghp_octocatRead")],
                                             host: "127.0.0.1:\(port)"))
        #expect(try Self.eventually {
            try Self.call(port, "GET", "/_emulator/requests").text.contains("\"delay_ms\": 1000")
        })
        emulator.send(SIGTERM)
        #expect(try delayed.readResponse().status == 200)
        #expect(emulator.waitForExit(timeout: 10))
        #expect(emulator.outcome.status == 0)
    }

    @Test func aDropClosesTheConnectionWithoutAnAnswer() throws {
        let (emulator, port) = try EmulatorProcess.start(arguments: ["--threads", "1"])
        defer { emulator.stop() }
        #expect(try Self.call(port, "POST", "/_emulator/faults", body: #"{"kind": "drop", "times": 1}"#).status == 201)
        let connection = try HTTPConnection(port: port)
        try connection.send(RawHTTP.requestText(target: Self.demoListing, headers: [("Authorization", "token ghp_octocatRead")],
                                                host: "127.0.0.1:\(port)"))
        var byte: UInt8 = 0
        let received = recv(connection.fd, &byte, 1, 0)
        let code = errno
        // Closed: EOF, or a reset if unread bytes were pending; never an answer, never a timeout.
        #expect(received == 0 || (received < 0 && code == ECONNRESET))
        // The server keeps serving.
        #expect(try RawHTTP.get(port: port, Self.demoListing, token: "ghp_octocatRead").status == 200)
        let journal = try Self.call(port, "GET", "/_emulator/requests").text
        #expect(journal.contains("\"fault\": \"drop\""))
        #expect(emulator.stop().status == 0)
    }

    @Test func noControlRefusesWrites() throws {
        let (emulator, port) = try EmulatorProcess.start(arguments: ["--no-control", "--journal-size", "2"])
        defer { emulator.stop() }
        let refused = try Self.call(port, "PUT", "/_emulator/fixtures", body: Self.dataSet)
        #expect(refused.status == 403)
        #expect(try Self.object(refused)["status"] as? String == "403")
        for _ in 0..<3 { _ = try RawHTTP.get(port: port, Self.demoListing, token: "ghp_octocatRead") }
        let requests = try #require(try Self.object(try Self.call(port, "GET", "/_emulator/requests"))["requests"]
                                    as? [[String: Any]])
        #expect(requests.count == 2)
    }

    @Test func controlTokenIsRequired() throws {
        let (emulator, port) = try EmulatorProcess.start(arguments: ["--control-token", "s3cret"])
        defer { emulator.stop() }
        #expect(try Self.call(port, "POST", "/_emulator/reset").status == 401)
        #expect(try Self.call(port, "POST", "/_emulator/reset", headers: [("Authorization", "Bearer nope")]).status == 401)
        #expect(try Self.call(port, "POST", "/_emulator/reset", headers: [("Authorization", "Bearer s3cret")]).status
                == 200)
        let journal = try Self.call(port, "GET", "/_emulator/requests").text
        #expect(!journal.contains("s3cret"))
    }

    @Test(arguments: [
        (["--journal-size", "-1"], [:]),
        (["--journal-size", "many"], [:]),
        (["--control-token", ""], [:]),
        ([], ["EMULATOR_NO_CONTROL": "maybe"]),
        ([], ["EMULATOR_JOURNAL_SIZE": "x"]),
    ] as [([String], [String: String])])
    func badControlOptionsExit64(arguments: [String], environment: [String: String]) throws {
        let outcome = try EmulatorProcess.run(["--fixtures", EmulatorProcess.demoFixtures] + arguments,
                                              environment: environment)
        #expect(outcome.status == 64, "\(outcome.stderr)")
    }

    @Test func controlOptionsFromTheEnvironment() throws {
        let (emulator, port) = try EmulatorProcess.start(
            environment: ["EMULATOR_CONTROL_TOKEN": "envtoken", "EMULATOR_JOURNAL_SIZE": "1"])
        defer { emulator.stop() }
        #expect(try Self.call(port, "DELETE", "/_emulator/faults").status == 401)
        #expect(try Self.call(port, "DELETE", "/_emulator/faults", headers: [("Authorization", "Bearer envtoken")])
                .status == 200)
        let journal = try Self.object(try Self.call(port, "GET", "/_emulator/requests"))
        #expect(journal["capacity"] as? Int == 1)
        let (disabled, disabledPort) = try EmulatorProcess.start(environment: ["EMULATOR_NO_CONTROL": "1"])
        defer { disabled.stop() }
        #expect(try Self.call(disabledPort, "POST", "/_emulator/reset").status == 403)
    }
}
