import ArgumentParser
import Logging
import PackagesEmulator
import PackagesEmulatorHTTP

#if canImport(Glibc)
import Glibc
#endif

/// Serve a fixtures directory over HTTP until SIGTERM or SIGINT (SPEC §11).
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a fixtures directory (the default command).",
        discussion: """
            Each option can also be set by the environment variable named beside it; a flag wins.
            When ready, prints exactly one line on standard output: `listening on http://HOST:PORT` \
            (`https://` with --tls; `listening on http://HOST:PORT and https://HOST:TLSPORT` with --tls-port).
            """)

    @Option(help: "Address to listen on. [EMULATOR_HOST, default 127.0.0.1]")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free port. [EMULATOR_PORT, default 8080]")
    var port: Int?

    @Option(help: "Fixtures directory. [EMULATOR_FIXTURES, default Fixtures]")
    var fixtures: String?

    @Option(name: .customLong("api-url"),
            help: "API URL in bodies and Link headers. [EMULATOR_API_URL, default: the request's Host]")
    var apiURL: String?

    @Option(name: .customLong("web-url"), help: "Web URL in html_url fields. [EMULATOR_WEB_URL, default https://github.com]")
    var webURL: String?

    @Option(help: "dotcom, or ghes: GHES's permission model and persona (X-GitHub-Enterprise-Version, GET /meta). [EMULATOR_PROFILE, default dotcom]")
    var profile: Profile?

    @Option(name: .customLong("ghes-version"),
            help: "The version --profile ghes announces. [EMULATOR_GHES_VERSION, default \(EmulatorConfig.defaultEnterpriseVersion)]")
    var ghesVersion: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical. [EMULATOR_LOG_LEVEL, default info]")
    var logLevel: Logger.Level?

    @Option(name: .customLong("rate-limit"),
            help: "Requests per hour per token. [EMULATOR_RATE_LIMIT, default 5000]")
    var rateLimit: Int64?

    @Option(name: .customLong("anonymous-rate-limit"),
            help: "Requests per hour per client address without a valid token. [EMULATOR_ANONYMOUS_RATE_LIMIT, default 60]")
    var anonymousRateLimit: Int64?

    @Option(help: "Event loops, one per thread, sharing the port. [EMULATOR_THREADS, default: the number of cores]")
    var threads: Int?

    @Option(name: .customLong("journal-size"),
            help: "Requests kept for GET /_emulator/requests; 0 turns it off. [EMULATOR_JOURNAL_SIZE, default 1000]")
    var journalSize: Int?

    @Option(name: .customLong("control-token"),
            help: "Control writes need Authorization: Bearer TOKEN, from any address. [EMULATOR_CONTROL_TOKEN]")
    var controlToken: String?

    @Flag(name: .customLong("no-control"), help: "Refuse every control write (403). [EMULATOR_NO_CONTROL=1]")
    var noControl = false

    @Flag(help: "Reload the fixtures when their files change (polled every 500 ms). [EMULATOR_WATCH=1]")
    var watch = false

    @Option(name: .customLong("data-dir"),
            help: "Where pushed registry content is kept. [EMULATOR_DATA_DIR, default: a temporary directory removed at exit]")
    var dataDir: String?

    @Option(name: .customLong("max-blob-size"),
            help: "Largest registry blob in bytes; 413 SIZE_INVALID past it. [EMULATOR_MAX_BLOB_SIZE, default 10737418240]")
    var maxBlobSize: Int64?

    @Option(name: .customLong("max-npm-tarball-size"),
            help: "Largest npm tarball in bytes; 413 past it. [EMULATOR_MAX_NPM_TARBALL_SIZE, default 268435456]")
    var maxNpmTarballSize: Int64?

    @OptionGroup(title: "Limits (SPEC §12)")
    var limitOptions: LimitOptions

    @OptionGroup(title: "HTTPS (SPEC §23)")
    var tlsOptions: TLSOptions

    /// Options after flags and environment variables are merged.
    struct Settings {
        var host: String
        var port: Int
        var fixtures: String
        var apiURL: String?
        var webURL: String
        var profile: Profile
        var ghesVersion: String
        var logLevel: Logger.Level
        var threads: Int
        var rateLimit: Int64
        var anonymousRateLimit: Int64
        var journalSize: Int
        var controlToken: String?
        var noControl: Bool
        var watch: Bool
        var dataDir: String?
        var maxBlobSize: Int64
        var maxNpmTarballSize: Int64
        var limits = Server.Limits()
        var tls: TLSOptions.Settings?
    }

    func settings(environment: [String: String] = Environment.current) throws -> Settings {
        func value<T>(_ flag: T?, _ variable: String, _ parse: (String) -> T?, default fallback: T) throws -> T {
            try Environment.option(flag, variable, in: environment, parse, default: fallback)
        }
        var settings = Settings(
            host: try value(host, "EMULATOR_HOST", { $0.isEmpty ? nil : $0 }, default: "127.0.0.1"),
            port: try value(port, "EMULATOR_PORT", { Int($0) }, default: 8080),
            fixtures: try value(fixtures, "EMULATOR_FIXTURES", { $0.isEmpty ? nil : $0 }, default: "Fixtures"),
            apiURL: try value(apiURL.map(Optional.some), "EMULATOR_API_URL", { $0 }, default: nil),
            webURL: try value(webURL, "EMULATOR_WEB_URL", { $0 }, default: "https://github.com"),
            profile: try value(profile, "EMULATOR_PROFILE", { Profile(rawValue: $0) }, default: .dotcom),
            ghesVersion: try value(ghesVersion, "EMULATOR_GHES_VERSION", { $0 },
                                   default: EmulatorConfig.defaultEnterpriseVersion),
            logLevel: try value(logLevel, "EMULATOR_LOG_LEVEL", { Logger.Level(rawValue: $0) }, default: .info),
            threads: try value(threads, "EMULATOR_THREADS", { Int($0) }, default: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))),
            // SPEC §9's numbers live in one place, the core's defaults.
            rateLimit: try value(rateLimit, "EMULATOR_RATE_LIMIT", { Int64($0) },
                                 default: RateLimiter.Limits().perToken),
            anonymousRateLimit: try value(anonymousRateLimit, "EMULATOR_ANONYMOUS_RATE_LIMIT", { Int64($0) },
                                          default: RateLimiter.Limits().anonymous),
            journalSize: try value(journalSize, "EMULATOR_JOURNAL_SIZE", { Int($0) }, default: 1000),
            controlToken: try value(controlToken.map(Optional.some), "EMULATOR_CONTROL_TOKEN",
                                    { $0.isEmpty ? nil : $0 }, default: nil),
            noControl: try value(noControl ? true : nil, "EMULATOR_NO_CONTROL", Self.boolean, default: false),
            watch: try value(watch ? true : nil, "EMULATOR_WATCH", Self.boolean, default: false),
            dataDir: try value(dataDir.map(Optional.some), "EMULATOR_DATA_DIR", { $0.isEmpty ? nil : $0 }, default: nil),
            maxBlobSize: try value(maxBlobSize, "EMULATOR_MAX_BLOB_SIZE", { Int64($0) },
                                   default: EmulatorConfig().maxBlobSize),
            maxNpmTarballSize: try value(maxNpmTarballSize, "EMULATOR_MAX_NPM_TARBALL_SIZE", { Int64($0) },
                                         default: EmulatorConfig().maxNpmTarballSize))
        settings.limits = try limitOptions.limits(environment: environment)
        settings.tls = try tlsOptions.settings(environment: environment)
        // A header value and a JSON string: digits, letters, `.` and `-` (GHES's are `3.17.0`).
        guard !settings.ghesVersion.isEmpty, settings.ghesVersion.utf8.count <= 64, settings.ghesVersion.utf8.allSatisfy({
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0 | 0x20)
                || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }) else {
            throw ValidationError("--ghes-version must be a version such as 3.17.0, not \(settings.ghesVersion).")
        }
        guard (0...1_000_000).contains(settings.journalSize) else {
            throw ValidationError("--journal-size must be between 0 and 1000000, not \(settings.journalSize).")
        }
        if let token = settings.controlToken, token.contains(where: { $0 == " " || $0 == "\t" }) || token.isEmpty {
            throw ValidationError("--control-token must be one word without spaces.")
        }
        guard settings.rateLimit >= 1, settings.anonymousRateLimit >= 1 else {
            throw ValidationError("Rate limits must be at least 1 request per hour.")
        }
        guard settings.maxBlobSize >= 1 else {
            throw ValidationError("--max-blob-size must be at least 1 byte, not \(settings.maxBlobSize).")
        }
        guard settings.maxNpmTarballSize >= 1 else {
            throw ValidationError("--max-npm-tarball-size must be at least 1 byte, not \(settings.maxNpmTarballSize).")
        }
        guard (1...256).contains(settings.threads) else {
            throw ValidationError("--threads must be between 1 and 256, not \(settings.threads).")
        }
        guard (0...65535).contains(settings.port) else {
            throw ValidationError("The port must be between 0 and 65535, not \(settings.port).")
        }
        for (name, url) in [("--api-url", settings.apiURL), ("--web-url", settings.webURL)] {
            if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) || url.contains(" ") {
                throw ValidationError("\(name) must be an http:// or https:// URL, not \(url).")
            }
        }
        return settings
    }

    /// `1`/`true`/`yes` and `0`/`false`/`no` for boolean variables.
    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "true", "yes": true
        case "0", "false", "no", "": false
        default: nil
        }
    }

    func validate() throws {
        _ = try settings()
    }

    func run() throws {
        let settings = try settings()
        let logger = Logging.bootstrapped(level: settings.logLevel)
        let loaded = FixtureLoader.load(directory: settings.fixtures, profile: settings.profile)
        for warning in loaded.warnings { logger.warning("\(warning)") }
        guard let fixtures = loaded.fixtures, loaded.errors.isEmpty else {
            for error in loaded.errors { printError("\(error)") }
            printError("\(settings.fixtures): \(loaded.errors.count) error(s); not serving")
            throw ExitCode.failure
        }
        let store = Store(fixtures, profile: settings.profile, webURL: settings.webURL)
        // Loading parses every file into JSON trees that are garbage now; give their pages back to
        // the system instead of keeping them in the heap for the emulator's whole life.
        Server.returnFreedMemory()
        let limits = RateLimiter.Limits(perToken: settings.rateLimit, anonymous: settings.anonymousRateLimit)
        let control = ControlSettings(journalSize: settings.journalSize, token: settings.controlToken,
                                      writesEnabled: !settings.noControl)
        // Registry content: `--data-dir`, or a temporary directory that goes when the emulator stops.
        let dataDirectory: String
        if let chosen = settings.dataDir {
            dataDirectory = chosen
        } else {
            var template = Array("\(Environment.current["TMPDIR"] ?? "/tmp")/github-packages-emulator.XXXXXX".utf8CString)
            guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
                printError("cannot create a temporary data directory: \(String(cString: strerror(errno)))")
                throw ExitCode.failure
            }
            dataDirectory = String(cString: template)
        }
        defer { if settings.dataDir == nil { Self.removeTree(dataDirectory) } }
        var config = EmulatorConfig(apiURL: settings.apiURL, rateLimits: limits, control: control,
                                    dataDirectory: dataDirectory, maxBlobSize: settings.maxBlobSize)
        config.maxNpmTarballSize = settings.maxNpmTarballSize
        config.enterpriseVersion = settings.ghesVersion
        let emulator = Emulator(store: store, config: config)
        let server = Server(emulator: emulator, logger: logger, limits: settings.limits, threads: settings.threads)
        if settings.profile == .ghes {
            // The persona (SPEC §23): on every answer, as a GHES appliance sends it.
            server.everyAnswerHeaders = [("X-GitHub-Enterprise-Version", settings.ghesVersion)]
        }
        let reloader = FixtureReloader(directory: settings.fixtures, profile: settings.profile,
                                       webURL: settings.webURL, emulator: emulator, logger: logger)
        server.onHangup = { reloader.reload(reason: "SIGHUP") }
        let host = settings.host.contains(":") ? "[\(settings.host)]" : settings.host
        var ready: String
        do {
            let tls = try settings.tls.map { try $0.context(dataDirectory: dataDirectory) }
            let replaces = settings.tls?.replacesHTTP == true
            let port = try server.bind(host: settings.host, port: settings.port, tls: replaces ? tls : nil)
            ready = "listening on \(replaces ? "https" : "http")://\(host):\(port)"
            if let tls, let extra = settings.tls?.extraPort {
                let tlsPort = try server.bind(host: settings.host, port: extra, tls: tls)
                ready += " and https://\(host):\(tlsPort)"
            }
        } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
        if settings.watch {
            let watcher = FixtureWatcher(reloader: reloader)
            server.every(milliseconds: 500) { watcher.poll() }
        }
        logger.info("serving \(settings.fixtures)", metadata: [
            "users": "\(store.userCount)", "packages": "\(store.packageCount)", "tokens": "\(store.tokenCount)",
            "profile": "\(settings.profile.rawValue)", "threads": "\(settings.threads)",
        ])
        print(ready)
        fflush(nil)  // every stream: stdout may be a pipe, and the ready line must arrive now
        server.run()
        logger.info("stopped")
    }
}

extension Serve {
    /// Removes a data directory the emulator made: its two levels of folders and their files.
    static func removeTree(_ path: String) {
        for folder in ["/blobs/sha256", "/blobs", "/uploads", ""] {
            guard let directory = opendir(path + folder) else { continue }
            while let entry = readdir(directory) {
                // Up to the name's NUL only: the bytes of `d_name` after it are not initialised (valgrind
                // saw a 16-byte scan read them when the whole array was copied).
                let name = withUnsafeMutablePointer(to: &entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                if name != "." && name != ".." { unlink(path + folder + "/" + name) }
            }
            closedir(directory)
            rmdir(path + folder)
        }
    }
}

extension Profile: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}

/// One line on standard error.
func printError(_ line: String) {
    let text = line + "\n"
    _ = text.withCString { write(STDERR_FILENO, $0, strlen($0)) }
}

enum Environment {
    /// A flag's value, else its environment variable's, else the default (SPEC §11: a flag wins).
    /// A variable that does not parse is a usage error (exit 64).
    static func option<T>(_ flag: T?, _ variable: String, in environment: [String: String],
                          _ parse: (String) -> T?, default fallback: T) throws -> T {
        if let flag { return flag }
        guard let text = environment[variable] else { return fallback }
        guard let parsed = parse(text) else { throw ValidationError("\(variable)=\(text) is not a valid value.") }
        return parsed
    }

    static var current: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}

enum Logging {
    /// Logs go to standard error; standard output carries only the ready line.
    static func bootstrapped(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "github-packages-emulator")
        logger.logLevel = level
        return logger
    }
}
