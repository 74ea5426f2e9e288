import ArgumentParser
import PackagesEmulator

/// `validate DIR`: check a fixtures directory without serving it (SPEC §11).
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a fixtures directory without serving it.",
        discussion: "Exit 0 with a one-line summary on standard output, or exit 1 with every error on standard error.")

    @Argument(help: "The fixtures directory.")
    var directory: String

    @Option(help: "Permission model to check under: dotcom or ghes.")
    var profile: Profile = .dotcom

    func run() throws {
        let loaded = FixtureLoader.load(directory: directory, profile: profile)
        for warning in loaded.warnings { printError("warning: \(warning)") }
        guard let fixtures = loaded.fixtures, loaded.errors.isEmpty else {
            for error in loaded.errors { printError("\(error)") }
            printError("\(directory): \(loaded.errors.count) error(s)")
            throw ExitCode.failure
        }
        let packages = fixtures.users.reduce(0) { $0 + $1.packages.count } + fixtures.orgs.reduce(0) { $0 + $1.packages.count }
        let versions = (fixtures.users.flatMap(\.packages) + fixtures.orgs.flatMap(\.packages)).reduce(0) {
            $0 + ($1.versions?.count ?? Int($1.versionCount))
        }
        print("\(directory): valid (\(profile.rawValue)): \(fixtures.users.count) users, \(fixtures.orgs.count) orgs, "
            + "\(packages) packages, \(versions) versions, \(fixtures.tokens.count) tokens")
    }
}
