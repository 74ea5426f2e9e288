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
    /// Longest request line answered normally; longer ones get 414 (SPEC §12).
    public var maxRequestLine = 8 * 1024

    public init(apiURL: String? = nil, rateLimits: RateLimiter.Limits = .init(),
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.apiURL = apiURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.rateLimits = rateLimits
        self.clock = clock
    }
}

/// The emulator's core: `respond(to:)` turns a request into GitHub's answer. No sockets, no C.
public final class Emulator: Sendable {
    public let store: Store
    public let config: EmulatorConfig
    let rateLimiter: RateLimiter
    private let requestCounter = Atomic<UInt64>(0)
    private let requestIDPrefix: String

    public init(store: Store, config: EmulatorConfig = EmulatorConfig()) {
        self.store = store
        self.config = config
        rateLimiter = RateLimiter(limits: config.rateLimits)
        let seed = UInt32(truncatingIfNeeded: config.clock()) ^ UInt32.random(in: 0...UInt32.max)
        requestIDPrefix = String(seed, radix: 16, uppercase: true)
    }

    public func respond(to request: Request) -> Response {
        if let rejection = framingRejection(request) { return rejection }
        let target = RequestTarget(request.target)
        if target.path == "/_emulator" || target.path.hasPrefix("/_emulator/") {
            return emulatorRoute(request, path: target.path)
        }
        if request.method == "OPTIONS" {
            return Self.preflight
        }
        return apiResponse(request, target: target)
    }

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
        // Absolute form (RFC 9112 §3.2.2): `GET http://host/path`; the path is what routes.
        if rest.hasPrefix("http://") || rest.hasPrefix("https://") {
            let afterScheme = rest.index(rest.firstIndex(of: ":") ?? rest.startIndex, offsetBy: 3)
            rest = rest[afterScheme...]
            rest = rest.firstIndex(where: { $0 == "/" || $0 == "?" }).map { rest[$0...] } ?? ""
        }
        if let mark = rest.firstIndex(of: "?") {
            path = rest[..<mark]
            query = rest[rest.index(after: mark)...]
        } else {
            path = rest
            query = ""
        }
    }
}
