import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Settings of the core that do not come from fixtures (SPEC §11).
public struct EmulatorConfig: Sendable {
    /// `{api}` in bodies and `Link` URLs; nil: the request's scheme and `Host`.
    public var apiURL: String?
    public var rateLimits: RateLimiter.Limits
    /// Seconds since the epoch; injectable so tests control rate-limit windows.
    public var clock: @Sendable () -> Int64
    /// Who may use the control routes, and the journal's size (issue 5).
    public var control: ControlSettings
    /// `--data-dir`: the registry's content (SPEC §21); nil: a temporary directory made at first use.
    public var dataDirectory: String?
    /// `--max-blob-size` (SPEC §21: 10 GiB by default).
    public var maxBlobSize: Int64
    /// `--max-npm-tarball-size` (SPEC §22: 256 MB, GitHub's limit).
    public var maxNpmTarballSize: Int64 = NpmRequest.defaultMaxTarballSize
    /// `--ghes-version`: the GHES persona's version (SPEC §23), in `X-GitHub-Enterprise-Version` and
    /// `GET /meta`'s `installed_version` under `--profile ghes`.
    public var enterpriseVersion = EmulatorConfig.defaultEnterpriseVersion
    public static let defaultEnterpriseVersion = "3.17.0"

    public init(apiURL: String? = nil, rateLimits: RateLimiter.Limits = .init(),
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) },
                control: ControlSettings = ControlSettings(), dataDirectory: String? = nil,
                maxBlobSize: Int64 = 10 * 1024 * 1024 * 1024) {
        self.apiURL = apiURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.rateLimits = rateLimits
        self.clock = clock
        self.control = control
        self.dataDirectory = dataDirectory
        self.maxBlobSize = maxBlobSize
    }
}

/// The emulator's core: `respond(to:)` turns a request into GitHub's answer. No sockets, no C.
public final class Emulator: Sendable {
    /// The data set answering now. Replaced whole by the control routes and reloads; a request reads
    /// it once, so no answer mixes two data sets.
    public var store: Store { current.withLock { $0 } }
    public let config: EmulatorConfig
    let rateLimiter: RateLimiter
    private let current: Mutex<Store>
    /// What `POST /_emulator/reset` restores: the set loaded at start, or by the last reload.
    let baseline: Mutex<Store>
    let journal: Journal
    let faults = Faults()
    private let requestCounter = Atomic<UInt64>(0)
    /// The emulator's clock (SPEC §20): seconds added to the real clock, and whether a test set it.
    let clockOffset = Atomic<Int64>(0)
    let clockIsSet = Atomic<Bool>(false)
    private let requestIDPrefix: String
    /// The registry's content store, made at its first use.
    let content = Mutex<ContentStore?>(nil)

    public init(store: Store, config: EmulatorConfig = EmulatorConfig()) {
        current = Mutex(store)
        baseline = Mutex(store)
        self.config = config
        rateLimiter = RateLimiter(limits: config.rateLimits)
        journal = Journal(capacity: config.control.journalSize)
        let seed = UInt32(truncatingIfNeeded: config.clock()) ^ UInt32.random(in: 0...UInt32.max)
        requestIDPrefix = String(seed, radix: 16, uppercase: true)
    }

    /// Replaces the data set; `asBaseline` also makes it what a reset restores (reloads from disk).
    public func replaceStore(_ store: Store, asBaseline: Bool = false) {
        current.withLock { $0 = store }
        if asBaseline { baseline.withLock { $0 = store } }
        content.withLock { $0?.setFixtures(store.registry) }
    }

    public func respond(to request: Request) -> Response {
        let started = ContinuousClock.now
        let target = RequestTarget(request.target)
        var fault: Fault?
        let response: Response
        if target.path == "/_emulator" || target.path.hasPrefix("/_emulator/") {
            response = emulatorRoute(request, path: target.path)
        } else if RegistryOperation.owns(target.path) || NpmOperation.owns(target.path) {
            // Journaled by the registry itself, which also answers streamed bodies.
            return registryResponse(request)
        } else if request.method == "OPTIONS" {
            response = Self.preflight
        } else {
            let store = self.store
            fault = faults.isEmpty ? nil : faults.take(matching: FaultSubject(request, target: target))
            response = answer(request, target: target, store: store, fault: fault)
        }
        if journal.isEnabled && !Self.clearsJournal(request, path: target.path) {
            journal.record(request, response: response, fault: fault,
                           elapsed: ContinuousClock.now - started, time: config.clock())
        }
        return response
    }

    /// The emulator's clock: rate-limit windows, `deleted_at` and the 30-day restore window. A set clock
    /// keeps running from where it was set.
    public func now() -> Int64 { config.clock() &+ clockOffset.load(ordering: .acquiring) }

    /// A unique `X-GitHub-Request-Id`, shaped like GitHub's (`C0DE:1A2B3C:...`).
    func nextRequestID() -> String {
        let count = requestCounter.add(1, ordering: .relaxed).newValue
        let hex = String(count, radix: 16, uppercase: true)
        return "\(requestIDPrefix):\(String(repeating: "0", count: max(0, 8 - hex.count)))\(hex)"
    }
}

/// A request-target split into the raw path and the raw query.
struct RequestTarget {
    let path: Substring
    let query: Substring

    init(_ target: String) {
        var rest = Substring(target)
        // Absolute form (RFC 9112 §3.2.2): `GET http://host/path`; the path is what routes. The first
        // byte settles the common origin form without comparing Characters (this runs for every request).
        if rest.utf8.first == UInt8(ascii: "h"), rest.hasPrefix("http://") || rest.hasPrefix("https://") {
            let afterScheme = rest.index(rest.firstIndex(of: ":") ?? rest.startIndex, offsetBy: 3)
            rest = rest[afterScheme...]
            rest = rest.firstIndex(where: { $0 == "/" || $0 == "?" }).map { rest[$0...] } ?? ""
        }
        if let mark = rest.utf8.firstIndex(of: UInt8(ascii: "?")) {
            path = rest[..<mark]
            query = rest[rest.utf8.index(after: mark)...]
        } else {
            path = rest
            query = ""
        }
    }
}
