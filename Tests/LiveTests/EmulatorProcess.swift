import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a live-test helper gave up.
struct LiveTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The real `github-packages-emulator` executable, run as a child process.
///
/// Every process started here is stopped by its PID: `stop` sends a signal and waits for the exit,
/// and `deinit` sends SIGKILL to one still running, so a failing test never leaks a server.
final class EmulatorProcess: @unchecked Sendable {
    /// The repository's root, from this file's path (`Tests/LiveTests/EmulatorProcess.swift`).
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let demoFixtures = repositoryRoot.appendingPathComponent("Fixtures").path

    /// The executable, found in the build products directory that also holds the test bundle.
    static let binary: String? = {
        var directories: [URL] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            directories.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
        }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        if let first = CommandLine.arguments.first {
            directories.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        directories.append(Bundle.main.bundleURL)
        for directory in directories {
            let candidate = directory.appendingPathComponent("github-packages-emulator").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    let process = Process()
    private let exited = DispatchSemaphore(value: 0)
    private var hasExited = false
    private let stdoutPipe = Pipe()
    private let stdoutFile: URL?
    private let stderrFile: URL
    /// The ready line, once read (`listening on https://…`, `… and https://…` with `--tls-port`).
    private(set) var readyLine = ""

    /// Launches the executable with exactly `arguments`; `environment` is added to this process's
    /// environment without any `EMULATOR_*` variable, so an outer setting never leaks into a test.
    /// With `captureStdoutInFile` stdout goes to a file (commands that exit); otherwise to a pipe
    /// that `waitUntilReady` reads.
    init(arguments: [String], environment: [String: String] = [:], captureStdoutInFile: Bool = false) throws {
        guard let binary = Self.binary else {
            throw LiveTestError("github-packages-emulator not found next to the test bundle")
        }
        let scratch = FileManager.default.temporaryDirectory
        let stamp = UUID().uuidString
        stderrFile = scratch.appendingPathComponent("live-\(stamp).stderr")
        stdoutFile = captureStdoutInFile ? scratch.appendingPathComponent("live-\(stamp).stdout") : nil
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("EMULATOR_") }
        env.merge(environment) { $1 }
        process.environment = env
        process.currentDirectoryURL = Self.repositoryRoot
        process.standardInput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        if let stdoutFile {
            _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        } else {
            process.standardOutput = stdoutPipe
        }
        let exited = self.exited
        process.terminationHandler = { _ in exited.signal() }
        try Self.launchWithCleanSignalMask(process)
    }

    var pid: Int32 { process.processIdentifier }

    /// `Process.run()` on a fresh thread whose signal mask is empty.
    ///
    /// The child inherits the signal mask of the thread that spawns it, and Swift Testing runs tests on
    /// libdispatch worker threads, which block almost every signal: spawned from there, the emulator
    /// would start with SIGTERM, SIGINT and SIGHUP blocked, and the signal tests would test nothing.
    private static func launchWithCleanSignalMask(_ process: Process) throws {
        final class Launch: @unchecked Sendable {
            let process: Process
            var error: (any Error)?
            let done = DispatchSemaphore(value: 0)
            init(_ process: Process) { self.process = process }
        }
        let launch = Launch(process)
        let thread = Thread {
            var empty = sigset_t()
            sigemptyset(&empty)
            pthread_sigmask(SIG_SETMASK, &empty, nil)
            do { try launch.process.run() } catch { launch.error = error }
            launch.done.signal()
        }
        thread.start()
        launch.done.wait()
        if let error = launch.error { throw error }
    }

    /// Starts a server on `127.0.0.1:0` and waits for its ready line.
    static func start(fixtures: String = demoFixtures, arguments extra: [String] = [],
                      environment: [String: String] = [:]) throws -> (EmulatorProcess, Int) {
        let emulator = try EmulatorProcess(
            arguments: ["--host", "127.0.0.1", "--port", "0", "--fixtures", fixtures] + extra,
            environment: environment)
        let port = try emulator.waitUntilReady()
        return (emulator, port)
    }

    /// Runs a command that exits by itself (`validate`, a bad start) and returns its outcome.
    static func run(_ arguments: [String], environment: [String: String] = [:],
                    timeout: Double = 20) throws -> Outcome {
        let child = try EmulatorProcess(arguments: arguments, environment: environment, captureStdoutInFile: true)
        guard child.waitForExit(timeout: timeout) else {
            throw LiveTestError("\(arguments) still running after \(timeout) s; stderr: \(child.stderr)")
        }
        return child.outcome
    }

    /// Exit status, whether the process exited normally (not by a signal), and what it printed.
    struct Outcome {
        var status: Int32
        var exitedNormally: Bool
        var stdout: String
        var stderr: String
        var stderrLines: [Substring] { stderr.split(separator: "\n", omittingEmptySubsequences: true) }
        var stdoutLines: [Substring] { stdout.split(separator: "\n", omittingEmptySubsequences: true) }
    }

    var outcome: Outcome {
        Outcome(status: process.terminationStatus, exitedNormally: process.terminationReason == .exit,
                stdout: stdoutFile.flatMap { try? String(contentsOf: $0, encoding: .utf8) } ?? "",
                stderr: stderr)
    }

    var stderr: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    /// Reads stdout until the ready line `listening on http://127.0.0.1:PORT` and returns PORT.
    /// Polls the pipe with a timeout and gives up early when the process exits.
    func waitUntilReady(timeout: Double = 20) throws -> Int {
        let fd = stdoutPipe.fileHandleForReading.fileDescriptor
        let deadline = Date().addingTimeInterval(timeout)
        var line: [UInt8] = []
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 100)
            if ready > 0 {
                var byte: UInt8 = 0
                let count = read(fd, &byte, 1)
                if count == 1 {
                    if byte == UInt8(ascii: "\n") {
                        readyLine = String(decoding: line, as: UTF8.self)
                        return try Self.port(fromReadyLine: line)
                    }
                    line.append(byte)
                    continue
                }
                if count == 0 { break }  // EOF: the process closed stdout
            }
            if !process.isRunning { break }
        }
        throw LiveTestError("no ready line (got \(String(decoding: line, as: UTF8.self).debugDescription)); "
                            + "running: \(process.isRunning); stderr: \(stderr)")
    }

    static func port(fromReadyLine bytes: [UInt8]) throws -> Int {
        let line = String(decoding: bytes, as: UTF8.self)
        // `… and https://127.0.0.1:Q` follows with `--tls-port`; the first port is returned.
        let first = line.components(separatedBy: " and ")[0]
        let prefix = first.hasPrefix("listening on https://") ? "listening on https://127.0.0.1:" : "listening on http://127.0.0.1:"
        guard first.hasPrefix(prefix), let port = Int(first.dropFirst(prefix.count)), port > 0 else {
            throw LiveTestError("unexpected ready line \(line.debugDescription)")
        }
        return port
    }

    /// Its peak resident set so far (`VmHWM` of /proc/PID/status), in KiB; 0 when unreadable.
    var peakKiB: Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// Sends `signal` to this process (by PID only).
    func send(_ signal: Int32) {
        if !hasExited { kill(pid, signal) }
    }

    /// Waits for the exit; false on timeout.
    func waitForExit(timeout: Double) -> Bool {
        if hasExited { return true }
        guard exited.wait(timeout: .now() + timeout) == .success else { return false }
        hasExited = true
        process.waitUntilExit()  // the status is set once the handler ran; this returns at once
        return true
    }

    /// Sends `signal` and waits for the exit; SIGKILL after `timeout`. Returns the outcome.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Double = 10) -> Outcome {
        send(signal)
        if !waitForExit(timeout: timeout) {
            kill(pid, SIGKILL)
            _ = waitForExit(timeout: timeout)
        }
        return outcome
    }

    deinit {
        if !hasExited && !waitForExit(timeout: 0) {
            kill(pid, SIGKILL)
            _ = waitForExit(timeout: 10)
        }
        try? FileManager.default.removeItem(at: stderrFile)
        if let stdoutFile { try? FileManager.default.removeItem(at: stdoutFile) }
    }
}

/// A throwaway fixtures directory under the temporary directory, removed in `deinit`.
final class TemporaryFixtures {
    let path: String

    /// `files` maps relative paths (`tokens.json`, `users/tester.json`) to their contents.
    init(_ files: [String: String]) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("live-fixtures-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("users"),
                                                withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(to: root.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        path = root.path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    static let tokens = #"{"tokens": [{"token": "ghp_testerRead", "login": "tester", "scopes": ["read:packages"]}, "#
        + #"{"token": "ghp_testerAdmin", "login": "tester", "scopes": ["read:packages", "delete:packages"]}]}"#

    /// One user `tester` with one public npm package `tester-tool`, and the tokens `ghp_testerRead` and
    /// `ghp_testerAdmin` (`delete:packages` too).
    static func valid() throws -> TemporaryFixtures {
        try TemporaryFixtures([
            "tokens.json": tokens,
            "users/tester.json": #"""
                {"login": "tester", "id": 77,
                 "packages": [{"id": 7001, "name": "tester-tool", "package_type": "npm",
                               "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z"}]}
                """#,
        ])
    }

    /// Valid tokens, and a user whose first package has an unknown `package_type`.
    static func invalid() throws -> TemporaryFixtures {
        try TemporaryFixtures([
            "tokens.json": tokens,
            "users/tester.json": #"""
                {"login": "tester", "id": 77,
                 "packages": [{"id": 7001, "name": "tester-tool", "package_type": "pypi",
                               "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z"}]}
                """#,
        ])
    }
}
