import ArgumentParser
import PackagesEmulatorHTTP

/// `healthcheck [--url URL]`: exit 0 when the emulator answers 200 within 2 s (Docker HEALTHCHECK).
struct HealthCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 if /_emulator/health answers 200 within 2 s, else 1 with the reason.")

    @Option(help: "Default: http://127.0.0.1:$EMULATOR_PORT/_emulator/health (port 8080 when unset).")
    var url: String?

    func run() throws {
        let port = Environment.current["EMULATOR_PORT"] ?? "8080"
        let target = url ?? "http://127.0.0.1:\(port)/_emulator/health"
        if let failure = HealthCheck.failure(url: target) {
            printError("unhealthy: \(failure)")
            throw ExitCode.failure
        }
        print("healthy: \(target)")
    }
}
