#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Loads and validates fixtures (SPEC §10, §12, §14): from a directory, from in-memory files, or from one
/// document.
public enum FixtureLoader {
    /// Files above this size are refused before they are read (SPEC §12).
    public static let defaultMaxFileSize = 64 << 20

    /// Reads `dir/tokens.json`, `dir/users/*.json` and, when the directory exists, `dir/orgs/*.json`.
    public static func load(directory: String, profile: Profile) -> FixtureLoadResult {
        load(directory: directory, profile: profile, maxFileSize: defaultMaxFileSize)
    }

    /// `load(directory:profile:)` with another size limit (tests use a small one).
    static func load(directory: String, profile: Profile, maxFileSize: Int) -> FixtureLoadResult {
        var reader = FixtureDirectoryReader(directory: directory, maxFileSize: maxFileSize)
        guard reader.checkDirectory() else {
            return FixtureLoadResult(fixtures: nil, errors: reader.errors, warnings: [])
        }
        let tokens = reader.read(relative: "tokens.json", missing: "missing; a fixtures directory needs tokens.json")
        let users = reader.readOwners(folder: "users", required: true)
        let orgs = reader.readOwners(folder: "orgs", required: false)
        var result = check(tokens: tokens.map { ("tokens.json", $0) }, tokensFile: "tokens.json",
                           users: users, orgs: orgs, ioErrors: reader.errors, warnings: reader.warnings, profile: profile)
        // Registry content is checked against the packages it belongs to, once they are valid.
        guard var fixtures = result.fixtures else { return result }
        var errors: [FixtureError] = []
        var content = RegistryLayouts.load(directory: directory, into: &fixtures, errors: &errors)
        NpmTarballs.load(directory: directory, into: &fixtures, content: &content, errors: &errors)
        fixtures.registry = content
        result = FixtureLoadResult(fixtures: fixtures, errors: errors, warnings: result.warnings)
        return result
    }

    /// The same validation on in-memory documents (tests). `tokens.name` is reported as given; each user
    /// name is reported as `users/<name>`, each organisation name as `orgs/<name>`, and, without its `.json`,
    /// must be the login.
    public static func validate(tokens: (name: String, bytes: [UInt8]), users: [(name: String, bytes: [UInt8])],
                                orgs: [(name: String, bytes: [UInt8])] = [], profile: Profile) -> FixtureLoadResult {
        func sorted(_ files: [(name: String, bytes: [UInt8])]) -> [(name: String, bytes: [UInt8]?)] {
            files.map { (name: $0.name, bytes: Optional($0.bytes)) }.sorted { $0.name < $1.name }
        }
        return check(tokens: tokens, tokensFile: tokens.name, users: sorted(users), orgs: sorted(orgs),
                     ioErrors: [], warnings: [], profile: profile)
    }

    /// One JSON document `{"tokens": [...], "users": [{user}, ...], "orgs": [{organization}, ...]}`
    /// (`PUT /_emulator/fixtures`), reported as file `name` with paths like `$.users[1].packages[0].id`.
    public static func validate(document: [UInt8], name: String, profile: Profile) -> FixtureLoadResult {
        let value: JSONValue
        do {
            value = try JSONParser.parse(document)
        } catch {
            return FixtureLoadResult(fixtures: nil, errors: [FixtureError(file: name, path: error.path,
                                                                          message: error.message)], warnings: [])
        }
        let (fixtures, errors) = FixtureDecoder.decodeDataSet(value, file: name, profile: profile)
        return FixtureLoadResult(fixtures: fixtures, errors: errors, warnings: [])
    }

    /// Parses what could be read, decodes it, and orders every error by file (tokens first, users by name,
    /// organisations by name). `users` and `orgs` hold names inside `users/` and `orgs/`; nil bytes mean the
    /// file's read error is already in `ioErrors`.
    private static func check(tokens: (name: String, bytes: [UInt8])?, tokensFile: String,
                              users: [(name: String, bytes: [UInt8]?)], orgs: [(name: String, bytes: [UInt8]?)],
                              ioErrors: [FixtureError], warnings: [String], profile: Profile) -> FixtureLoadResult {
        var errors = ioErrors
        var tokensDocument: (site: FixtureDecoder.Site, value: JSONValue)?
        if let tokens, let value = unwrap(parseResult(tokens.bytes), file: tokensFile, into: &errors) {
            tokensDocument = (FixtureDecoder.Site(file: tokensFile, path: "$"), value)
        }
        let userSources = sources(users, folder: "users", errors: &errors)
        let orgSources = sources(orgs, folder: "orgs", errors: &errors)
        let (fixtures, decodeErrors) = FixtureDecoder.decode(tokens: tokensDocument, users: userSources,
                                                             orgs: orgSources, profile: profile)
        errors += decodeErrors
        // Stable order: the fixtures directory itself, tokens.json, users/ and its files by name, then orgs/.
        var rank: [String: Int] = [tokensFile: 1]
        for (folder, files) in [("users", users), ("orgs", orgs)] {
            if rank[folder] == nil { rank[folder] = rank.count + 1 }
            for file in files where rank["\(folder)/\(file.name)"] == nil {
                rank["\(folder)/\(file.name)"] = rank.count + 1
            }
        }
        let ordered = errors.enumerated().sorted { left, right in
            let leftRank = rank[left.element.file] ?? 0, rightRank = rank[right.element.file] ?? 0
            return leftRank != rightRank ? leftRank < rightRank : left.offset < right.offset
        }.map(\.element)
        return FixtureLoadResult(fixtures: fixtures, errors: ordered, warnings: warnings)
    }

    /// The parsed documents of `folder`'s files (parse errors go to `errors`), each with its file stem.
    private static func sources(_ files: [(name: String, bytes: [UInt8]?)], folder: String,
                                errors: inout [FixtureError]) -> [FixtureDecoder.OwnerSource] {
        // Files parse independently: on every core.
        let parsed = files.map(\.bytes).concurrentMap { bytes in bytes.map(parseResult) }
        var sources: [FixtureDecoder.OwnerSource] = []
        for (file, result) in zip(files, parsed) {
            let path = "\(folder)/\(file.name)"
            guard let result, let value = unwrap(result, file: path, into: &errors) else { continue }
            let base = file.name.split(separator: "/").last.map(String.init) ?? file.name
            let stem = base.hasSuffix(".json") ? String(base.dropLast(5)) : base
            sources.append(.init(site: .init(file: path, path: "$"), value: value, fileStem: stem))
        }
        return sources
    }

    private static func parseResult(_ bytes: [UInt8]) -> Result<JSONValue, JSONParseError> {
        do {
            return .success(try JSONParser.parse(bytes))
        } catch {
            return .failure(error)
        }
    }

    private static func unwrap(_ result: Result<JSONValue, JSONParseError>, file: String,
                               into errors: inout [FixtureError]) -> JSONValue? {
        switch result {
        case .success(let value):
            return value
        case .failure(let error):
            errors.append(FixtureError(file: file, path: error.path, message: error.message))
            return nil
        }
    }
}
