import Synchronization

/// GitHub's primary rate limit, per token or per client address, in fixed windows (SPEC §9).
///
/// Thread-safe: every event loop shares one limiter.
public final class RateLimiter: Sendable {
    public struct Limits: Sendable {
        public var perToken: Int64
        public var anonymous: Int64
        public var window: Int64

        public init(perToken: Int64 = 5000, anonymous: Int64 = 60, window: Int64 = 3600) {
            self.perToken = perToken
            self.anonymous = anonymous
            self.window = window
        }
    }

    /// What the `X-RateLimit-*` headers say after an answer.
    public struct State: Sendable, Equatable {
        public var limit: Int64
        public var used: Int64
        public var reset: Int64
        public var remaining: Int64 { max(0, limit - used) }
    }

    struct Window {
        var start: Int64
        var used: Int64
    }

    public let limits: Limits
    let windows = Mutex<[String: Window]>([:])

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    func limit(anonymous: Bool) -> Int64 {
        anonymous ? limits.anonymous : limits.perToken
    }

    /// The state of `key` now, without counting.
    func peek(_ key: String, anonymous: Bool, now: Int64) -> State {
        let limit = limit(anonymous: anonymous)
        return windows.withLock { windows in
            let window = Self.current(windows[key], now: now, length: limits.window)
            return State(limit: limit, used: window.used, reset: window.start + limits.window)
        }
    }

    /// Counts one request against `key` (when `counts`) and returns the state after it.
    func record(_ key: String, anonymous: Bool, counts: Bool, now: Int64) -> State {
        let limit = limit(anonymous: anonymous)
        return windows.withLock { windows in
            var window = Self.current(windows[key], now: now, length: limits.window)
            if counts && window.used < limit { window.used += 1 }
            windows[key] = window
            return State(limit: limit, used: window.used, reset: window.start + limits.window)
        }
    }

    static func current(_ window: Window?, now: Int64, length: Int64) -> Window {
        if let window, now < window.start + length { return window }
        return Window(start: now, used: 0)
    }
}
