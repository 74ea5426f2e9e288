/// One problem of a fixtures data set, with the file and the JSON path it is at (SPEC §10).
public struct FixtureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Relative to the fixtures directory (`tokens.json`, `users/octocat.json`), the directory itself when
    /// it is missing, or the name a caller gave an in-memory document (`request body`).
    public var file: String
    /// A JSON path like `$.packages[2].package_type`; `$` for the whole document; empty when the file
    /// could not be read at all.
    public var path: String
    public var message: String

    public init(file: String, path: String, message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    /// `users/octocat.json: $.packages[2].package_type: "pypi" is not one of …`
    /// (`file: message` when there is no path).
    public var description: String {
        path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)"
    }
}

/// What loading or validating fixtures produced: a data set, or every error found.
public struct FixtureLoadResult: Sendable {
    /// The validated data set; nil whenever `errors` is not empty.
    public var fixtures: FixtureSet?
    /// All errors, in a stable order: by file name (`tokens.json` first), then in document order.
    public var errors: [FixtureError]
    /// Things skipped without failing, e.g. `users/README.md: skipped, not a .json file`.
    public var warnings: [String]

    public init(fixtures: FixtureSet?, errors: [FixtureError], warnings: [String]) {
        self.fixtures = errors.isEmpty ? fixtures : nil
        self.errors = errors
        self.warnings = warnings
    }
}
