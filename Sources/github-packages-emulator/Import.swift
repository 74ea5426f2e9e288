import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import PackagesEmulator

/// `import --api-url URL --token T [--user LOGIN]... [--org LOGIN]... --out DIR`: a fixtures directory from a
/// real account, read through GitHub's REST API (issue 13).
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a fixtures directory from the packages of real GitHub accounts.",
        discussion: """
            Reads each owner's packages and versions through GitHub's REST API (following Link headers, \
            waiting out rate limits) and writes tokens.json, users/ and orgs/ in the emulator's format, with \
            placeholder tokens and an IMPORTED.md of what the API does not show. Nothing is written unless \
            the whole import succeeds.
            """)

    @Option(help: "GitHub's REST API root: https://api.github.com, or https://HOST/api/v3 for GHES.")
    var apiURL: String

    @Option(help: "A token that can read the owners' packages (read:packages). It is never written.")
    var token: String

    @Option(name: .customLong("user"), help: "A user (or organisation) whose packages to import; repeatable.")
    var users: [String] = []

    @Option(name: .customLong("org"), help: "An organisation whose packages to import; repeatable.")
    var orgs: [String] = []

    @Option(name: .customLong("package-type"), help: "Only these registries (default: all six); repeatable.")
    var packageTypes: [PackageType] = []

    @Option(help: "At most this many versions per package, the newest.")
    var maxVersions: Int?

    @Option(help: "Versions and packages per page (1-100).")
    var pageSize: Int = 100

    @Option(help: "The directory to write; it must not exist.")
    var out: String

    @Option(help: "PEM CA certificates the API's certificate must chain to, instead of the system's (a GHES with its own CA, an emulator's ca.pem).")
    var cacert: String?

    func validate() throws {
        guard !users.isEmpty || !orgs.isEmpty else { throw ValidationError("give at least one --user or --org") }
        guard (1...100).contains(pageSize) else { throw ValidationError("--page-size must be 1 to 100") }
        if let maxVersions, maxVersions < 1 { throw ValidationError("--max-versions must be at least 1") }
        guard apiURL.hasPrefix("http://") || apiURL.hasPrefix("https://") else {
            throw ValidationError("--api-url must start with http:// or https://")
        }
    }

    func run() throws {
        guard !FileManager.default.fileExists(atPath: out) else {
            printError("import: \(out) exists; give a new directory")
            throw ExitCode.failure
        }
        let reader: GitHubReader
        do {
            reader = try GitHubReader(apiURL: apiURL, token: token, caFile: cacert)
        } catch {
            printError("import: --cacert \(cacert ?? ""): \(error)")
            throw ExitCode.failure
        }
        defer { reader.shutdown() }
        do {
            try write(try collect(reader))
        } catch let failure as ImportFailure {
            printError("import: \(failure)")
            printError("import: nothing written")
            throw ExitCode.failure
        }
    }

    func collect(_ reader: GitHubReader) throws -> FixtureImport {
        var imported = FixtureImport()
        var importer: String?
        // Who the token is: imported as a user with a placeholder token that reads what this one read
        // (an admin of the imported organisations, and the grants of `grantReads`).
        if let me = try? reader.get("/user").value, case .string(let login)? = me["login"] {
            importer = login
        }
        let types = packageTypes.isEmpty ? PackageType.allCases : packageTypes
        var owners: [(login: String, isOrg: Bool)] = []
        for login in users + orgs where !owners.contains(where: { $0.login.lowercased() == login.lowercased() }) {
            let account = try reader.get("/users/\(Self.segment(login))").value
            switch imported.addOwner(account) {
            case .success(let owner): owners.append((owner.login, owner.isOrg))
            case .failure(let failure): throw failure
            }
        }
        if let importer, !owners.contains(where: { $0.login.lowercased() == importer.lowercased() }) {
            _ = imported.addOwner(try reader.get("/users/\(Self.segment(importer))").value)
        }
        for owner in owners {
            let base = (owner.isOrg ? "/orgs/" : "/users/") + Self.segment(owner.login)
            for type in types {
                let packages = try reader.getAll("\(base)/packages?package_type=\(type.rawValue)&per_page=\(pageSize)")
                progress("\(owner.login): \(packages.count) \(type.rawValue) package(s)")
                for package in packages {
                    guard case .string(let name)? = package["name"] else { continue }
                    let versions = try reader.getAll(
                        "\(base)/packages/\(type.rawValue)/\(Self.segment(name))/versions?per_page=\(pageSize)",
                        limit: maxVersions)
                    progress("\(owner.login)/\(type.rawValue)/\(name): \(versions.count) version(s)")
                    imported.addPackage(package, versions: versions, owner: owner.login)
                }
            }
        }
        if let importer {
            imported.addAdmin(importer)
            imported.grantReads(to: importer)
        }
        return imported
    }

    /// Writes into a temporary directory beside `out`, validates it, then renames it into place.
    func write(_ imported: FixtureImport) throws {
        let fixtures = imported.fixtureSet()
        let target = URL(fileURLWithPath: out).standardizedFileURL
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).import-\(ProcessInfo.processInfo.processIdentifier)")
        let manager = FileManager.default
        try? manager.removeItem(at: temporary)
        do {
            for folder in ["users", "orgs"] {
                try manager.createDirectory(at: temporary.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
            for file in FixtureExport.files(fixtures) {
                try Data(file.bytes).write(to: temporary.appendingPathComponent(file.path))
            }
            try Data(Self.notes(imported, fixtures).utf8).write(to: temporary.appendingPathComponent("IMPORTED.md"))
            let loaded = FixtureLoader.load(directory: temporary.path, profile: .dotcom)
            guard loaded.errors.isEmpty else {
                throw ImportFailure("the import does not validate:\n" + loaded.errors.map { "  \($0)" }.joined(separator: "\n"))
            }
            try manager.moveItem(at: temporary, to: target)
        } catch {
            try? manager.removeItem(at: temporary)
            throw error as? ImportFailure ?? ImportFailure("writing \(out): \(error)")
        }
        let packages = fixtures.users.reduce(0) { $0 + $1.packages.count } + fixtures.orgs.reduce(0) { $0 + $1.packages.count }
        print("\(out): \(fixtures.users.count) users, \(fixtures.orgs.count) orgs, \(packages) packages, "
              + "\(fixtures.tokens.count) placeholder tokens")
    }

    static func notes(_ imported: FixtureImport, _ fixtures: FixtureSet) -> String {
        var text = """
            # Imported fixtures

            Written by `github-packages-emulator import`. The REST API shows each package, its versions and \
            the repository it links; it does not show the rest, which is left at the emulator's defaults. Add \
            it by hand where your tests need it, then run `github-packages-emulator validate DIR`.

            - `readers`, `admins` and `inherit_access` of packages: none (default), but for the grants below.
            - `collaborators` of repositories: none, but for the grants below. Repositories are only those linked \
            by imported packages.
            - Organisation `members`: only the importing token's user, as an `admin` (the API does not list members).
            - `enterprise` of users and organisations: none.
            - Version `downloads`: 0 (not in the API). Deleted versions and deleted packages: not imported.
            - `docker_migration_conflict`: false (the conflicts lists are not read).
            - Tokens are placeholders, one per imported user, with `read:packages`, `write:packages`,
              `delete:packages` and `repo`: \(fixtures.tokens.map { "`\($0.value)`" }.joined(separator: ", ")).
              The token used to import is not written anywhere.

            """
        if !imported.grants.isEmpty {
            text += "\n## Grants for the importing token's user\n\nIt read these packages of other users on the "
                + "source; the API does not say why, so each got the narrowest grant that lets it read them here.\n\n"
                + imported.grants.map { "- \($0)\n" }.joined()
        }
        if !imported.notes.isEmpty {
            text += "\n## Left out or changed\n\n" + imported.notes.map { "- \($0)\n" }.joined()
        }
        return text
    }

    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    func progress(_ line: String) {
        printError("import: \(line)")
    }
}

extension PackageType: ExpressibleByArgument {}

/// GitHub's REST API over HTTPS (async-http-client), one request at a time: follows `Link: rel="next"`,
/// waits out `Retry-After` and a spent primary rate limit, and names the route and status of a failure.
final class GitHubReader {
    let base: String
    let token: String
    let client: HTTPClient
    /// Longest wait for a rate limit before giving up.
    let maxWait: Int64 = 3600

    init(apiURL: String, token: String, caFile: String? = nil) throws {
        base = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        self.token = token
        var configuration = HTTPClient.Configuration()
        if let caFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            configuration.tlsConfiguration = tls
        }
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() { try? client.syncShutdown() }

    /// `path` is relative to the API root, or an absolute URL (a `Link`).
    func get(_ path: String) throws -> (value: JSONValue, next: String?) {
        let url = path.hasPrefix("http://") || path.hasPrefix("https://") ? path : base + path
        for attempt in 1...6 {
            var headers = HTTPHeaders()
            headers.add(name: "Authorization", value: "token \(token)")
            headers.add(name: "Accept", value: "application/vnd.github+json")
            headers.add(name: "X-GitHub-Api-Version", value: "2022-11-28")
            headers.add(name: "User-Agent", value: "github-packages-emulator-import")
            let request: HTTPClient.Request
            do {
                request = try HTTPClient.Request(url: url, method: .GET, headers: headers)
            } catch {
                throw ImportFailure("GET \(url): not a URL (\(error))")
            }
            let response: HTTPClient.Response
            do {
                response = try client.execute(request: request, deadline: .now() + .seconds(60)).wait()
            } catch {
                throw ImportFailure("GET \(url): \(error)")
            }
            let body = response.body.map { Array($0.readableBytesView) } ?? []
            let status = Int(response.status.code)
            if status == 200 {
                guard let value = try? JSONParser.parse(body) else {
                    throw ImportFailure("GET \(url): 200 with a body that is not JSON")
                }
                return (value, Self.next(response.headers["Link"].first))
            }
            let message = (try? JSONParser.parse(body)).flatMap { value -> String? in
                if case .string(let text)? = value["message"] { text } else { nil }
            } ?? String(decoding: body.prefix(200), as: UTF8.self)
            // Secondary limits carry Retry-After; a spent primary limit says when it resets.
            if status == 403 || status == 429, attempt < 6 {
                if let retry = response.headers["Retry-After"].first.flatMap({ Int64($0) }), retry <= maxWait {
                    printError("import: \(status) on GET \(url), Retry-After \(retry) s: waiting")
                    Thread.sleep(forTimeInterval: Double(retry))
                    continue
                }
                if response.headers["X-RateLimit-Remaining"].first == "0",
                   let reset = response.headers["X-RateLimit-Reset"].first.flatMap({ Int64($0) }) {
                    let wait = reset - Int64(Date().timeIntervalSince1970) + 1
                    guard wait <= maxWait else {
                        throw ImportFailure("GET \(url): \(status) \(message) (rate limit resets at \(reset))")
                    }
                    printError("import: rate limit spent on GET \(url); waiting \(max(wait, 0)) s until \(reset)")
                    if wait > 0 { Thread.sleep(forTimeInterval: Double(wait)) }
                    continue
                }
            }
            let scopes = response.headers["X-Accepted-OAuth-Scopes"].first.map { " (needs: \($0))" } ?? ""
            throw ImportFailure("GET \(url): \(status) \(message)\(status == 403 ? scopes : "")")
        }
        throw ImportFailure("GET \(url): still limited after 6 attempts")
    }

    /// Every element of a paginated list, following `rel="next"`; at most `limit`.
    func getAll(_ path: String, limit: Int? = nil) throws -> [JSONValue] {
        var items: [JSONValue] = []
        var next: String? = path
        while let url = next {
            let (value, following) = try get(url)
            guard case .array(let page) = value else { throw ImportFailure("GET \(url): not a list") }
            items += page
            if let limit, items.count >= limit { return Array(items.prefix(limit)) }
            next = following
        }
        return items
    }

    /// `rel="next"` of a `Link` header.
    static func next(_ link: String?) -> String? {
        guard let link else { return nil }
        for part in link.components(separatedBy: ",") where part.contains("rel=\"next\"") {
            guard let start = part.firstIndex(of: "<"), let end = part.firstIndex(of: ">") else { continue }
            return String(part[part.index(after: start)..<end])
        }
        return nil
    }
}
