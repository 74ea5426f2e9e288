import Foundation
import Testing

/// No token ever appears whole in the logs, even at `--log-level trace` (issue 7, item 5).
@Suite struct TokenLogLiveTests {
    @Test func tokensNeverAppearInTraceLogs() throws {
        let (emulator, port) = try EmulatorProcess.start(arguments: ["--log-level", "trace"])
        let known = ["ghp_octocatRead", "ghp_octocatReadRepo", "github_pat_octocatFineGrained", "ghs_actionsInstallation"]
        let unknown = "ghp_NotAKnownToken0123456789"
        let basicSecret = "ghp_basicSecretPassword42"
        for token in known + [unknown] {
            for scheme in ["token", "Bearer"] {
                _ = try RawHTTP.request(port: port, target: "/users/octocat/packages?package_type=npm",
                                        headers: [("Authorization", "\(scheme) \(token)")])
            }
        }
        let basic = Data("octocat:\(basicSecret)".utf8).base64EncodedString()
        _ = try RawHTTP.request(port: port, target: "/users/octocat/packages?package_type=npm",
                                headers: [("Authorization", "Basic \(basic)")])
        _ = try RawHTTP.request(port: port, target: "/users/octocat/packages?package_type=npm",
                                headers: [("Authorization", "token \(unknown)"), ("Authorization", "token ghp_octocatRead")])
        let outcome = emulator.stop()
        #expect(outcome.status == 0)
        // The run did log requests at trace level, so the check below means something.
        #expect(outcome.stderr.contains("/users/octocat/packages"))
        for secret in known + [unknown, basicSecret, basic] {
            #expect(!outcome.stderr.contains(secret), "\(secret) appears in the log")
        }
    }
}
