import ArgumentParser
import PackagesEmulatorHTTP

/// `healthcheck [--url URL] [--cacert FILE]`: exit 0 when the emulator answers 200 within 2 s (Docker
/// HEALTHCHECK), over HTTPS too (SPEC §23).
struct HealthCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 if /_emulator/health answers 200 within 2 s, else 1 with the reason.")

    @Option(help: """
        Default: http://127.0.0.1:$EMULATOR_PORT/_emulator/health (port 8080 when unset); https:// when \
        EMULATOR_TLS=1.
        """)
    var url: String?

    @Option(help: """
        The CA an https:// URL's certificate must chain to. Default: $EMULATOR_TLS_DIR/ca.pem when \
        EMULATOR_TLS=1 and EMULATOR_TLS_DIR are set (the emulator's own CA), else the system's CAs.
        """)
    var cacert: String?

    func run() throws {
        let environment = Environment.current
        let port = environment["EMULATOR_PORT"] ?? "8080"
        // In a container started with EMULATOR_TLS=1 the same variables tell where and how to ask.
        let tls = Serve.boolean(environment["EMULATOR_TLS"] ?? "") == true
        let target = url ?? "\(tls ? "https" : "http")://127.0.0.1:\(port)/_emulator/health"
        let ca = cacert ?? (tls ? environment["EMULATOR_TLS_DIR"].map { $0 + "/ca.pem" } : nil)
        if let failure = HealthCheck.failure(url: target, caFile: ca) {
            printError("unhealthy: \(failure)")
            throw ExitCode.failure
        }
        print("healthy: \(target)")
    }
}
