import ArgumentParser

/// `github-packages-emulator [serve] [options]`, `validate DIR`, `healthcheck`.
struct EmulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "github-packages-emulator",
        abstract: "A local emulator of GitHub's REST API for GitHub Packages (GET /users/{username}/packages).",
        subcommands: [Serve.self, Validate.self, HealthCheckCommand.self],
        defaultSubcommand: Serve.self)
}
