import ArgumentParser

/// `github-packages-emulator [serve] [options]`, `validate DIR`, `healthcheck`, `import`.
struct EmulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "github-packages-emulator",
        abstract: "A local emulator of GitHub's REST API for GitHub Packages.",
        subcommands: [Serve.self, Validate.self, HealthCheckCommand.self, Import.self],
        defaultSubcommand: Serve.self)
}
