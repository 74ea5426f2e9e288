import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The executable as a process: signals, exit codes, options, environment variables, subcommands.
@Suite struct LiveProcessTests {
    static let listing = "/users/octocat/packages?package_type=container"

    /// One answered request: the event loop runs, so the signal handlers are installed.
    static func answers(_ port: Int) throws -> Bool {
        try RawHTTP.get(port: port, listing, token: "ghp_octocatRead").status == 200
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func stopSignalExitsZero(_ signal: Int32) throws {
        let (emulator, port) = try EmulatorProcess.start()
        #expect(try Self.answers(port))
        let outcome = emulator.stop(signal: signal)
        #expect(outcome.exitedNormally)
        #expect(outcome.status == 0)
        #expect(!RawHTTP.canConnect(port: port))
    }

    @Test func sighupDoesNotKill() throws {
        let (emulator, port) = try EmulatorProcess.start()
        #expect(try Self.answers(port))
        emulator.send(SIGHUP)
        #expect(try Self.answers(port))
        #expect(try Self.answers(port))
        let outcome = emulator.stop()
        #expect(outcome.exitedNormally, "killed by a signal: \(outcome.status)")
        #expect(outcome.status == 0)
    }

    @Test func badFixturesExitOneNamingFileAndPath() throws {
        let fixtures = try TemporaryFixtures.invalid()
        let port = try Socket.closedPort()
        let outcome = try EmulatorProcess.run(["--host", "127.0.0.1", "--port", String(port),
                                               "--fixtures", fixtures.path])
        #expect(outcome.exitedNormally)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.isEmpty, "no ready line")
        #expect(outcome.stderr.contains("users/tester.json"))
        #expect(outcome.stderr.contains("$.packages[0].package_type"))
        #expect(outcome.stderr.contains("pypi"))
        #expect(!RawHTTP.canConnect(port: port))
    }

    @Test func missingFixturesDirectoryExitsOneNamingIt() throws {
        let missing = FileManager.default.temporaryDirectory
            .appendingPathComponent("no-such-\(UUID().uuidString)").path
        let outcome = try EmulatorProcess.run(["--host", "127.0.0.1", "--port", "0", "--fixtures", missing])
        #expect(outcome.status == 1)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.contains(missing))
    }

    @Test func validateDemoFixturesPrintsOneSummaryLine() throws {
        let outcome = try EmulatorProcess.run(["validate", EmulatorProcess.demoFixtures])
        #expect(outcome.status == 0)
        #expect(outcome.stdoutLines.count == 1, "\(outcome.stdout)")
        #expect(outcome.stderr.isEmpty, "\(outcome.stderr)")
    }

    @Test func validateBadFixturesExitsOne() throws {
        let fixtures = try TemporaryFixtures.invalid()
        let outcome = try EmulatorProcess.run(["validate", fixtures.path])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("users/tester.json: $.packages[0].package_type"), "\(outcome.stderr)")
    }

    struct UsageCase: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var environment: [String: String] = [:]
        var testDescription: String { "\(environment) \(arguments.joined(separator: " "))" }
    }

    @Test(arguments: [
        UsageCase(arguments: ["--port", "abc"]),
        UsageCase(arguments: ["--profile", "nope"]),
        UsageCase(arguments: ["--no-such-flag"]),
        UsageCase(arguments: ["--fixtures", EmulatorProcess.demoFixtures], environment: ["EMULATOR_PORT": "abc"]),
    ])
    func badUsageExits64(_ usage: UsageCase) throws {
        let outcome = try EmulatorProcess.run(usage.arguments, environment: usage.environment)
        #expect(outcome.status == 64)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.localizedCaseInsensitiveContains("usage"), "\(outcome.stderr)")
    }

    @Test func portInUseExitsOneWithOneLine() throws {
        let taken = try Socket()
        let outcome = try EmulatorProcess.run(["--host", "127.0.0.1", "--port", String(taken.port),
                                               "--fixtures", EmulatorProcess.demoFixtures])
        #expect(outcome.exitedNormally)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderrLines.count == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("127.0.0.1:\(taken.port)"))
    }

    /// No flags: EMULATOR_PORT, EMULATOR_FIXTURES and EMULATOR_WEB_URL decide.
    @Test func environmentVariablesApplyWithoutFlags() throws {
        let fixtures = try TemporaryFixtures.valid()
        let emulator = try EmulatorProcess(arguments: [], environment: [
            "EMULATOR_PORT": "0", "EMULATOR_FIXTURES": fixtures.path, "EMULATOR_WEB_URL": "https://env.example",
        ])
        defer { emulator.stop() }
        let port = try emulator.waitUntilReady()
        let response = try RawHTTP.get(port: port, "/users/tester/packages?package_type=npm", token: "ghp_testerRead")
        #expect(response.status == 200)
        #expect(response.text.contains("\"tester-tool\""))
        #expect(response.text.contains("\"https://env.example/users/tester/packages/npm/package/tester-tool\""))
    }

    /// Flags win over variables, even over variables that would not parse or would not start.
    @Test func flagsWinOverEnvironmentVariables() throws {
        let fixtures = try TemporaryFixtures.valid()
        let (emulator, port) = try EmulatorProcess.start(
            fixtures: fixtures.path, arguments: ["--profile", "dotcom"],
            environment: ["EMULATOR_PORT": "abc", "EMULATOR_HOST": "256.0.0.1",
                          "EMULATOR_FIXTURES": "/nonexistent-fixtures", "EMULATOR_PROFILE": "nope"])
        defer { emulator.stop() }
        let response = try RawHTTP.get(port: port, "/users/tester/packages?package_type=npm", token: "ghp_testerRead")
        #expect(response.status == 200)
        #expect(response.text.contains("\"tester-tool\""))
    }

    @Test func healthcheckAgainstRunningAndClosedPort() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let healthy = try EmulatorProcess.run(["healthcheck", "--url", "http://127.0.0.1:\(port)/_emulator/health"])
        #expect(healthy.status == 0, "\(healthy.stderr)")
        let closed = try Socket.closedPort()
        let unhealthy = try EmulatorProcess.run(
            ["healthcheck", "--url", "http://127.0.0.1:\(closed)/_emulator/health"])
        #expect(unhealthy.exitedNormally)
        #expect(unhealthy.status == 1)
    }
}
