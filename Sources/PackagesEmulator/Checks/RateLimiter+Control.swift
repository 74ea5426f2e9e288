/// Rate-limit windows set from the control route `PUT /_emulator/rate-limits/{key}` (issue 5).
extension RateLimiter {
    /// Sets `key`'s window so that `remaining` requests are left and it resets at `reset` (epoch
    /// seconds); either may be nil to keep the current value. Returns the state after.
    func set(_ key: String, anonymous: Bool, remaining: Int64?, reset: Int64?, now: Int64) -> State {
        let limit = limit(anonymous: anonymous)
        return windows.withLock { windows in
            var window = Self.current(windows[key], now: now, length: limits.window)
            if let remaining { window.used = limit - min(max(0, remaining), limit) }
            if let reset { window.start = reset - limits.window }
            windows[key] = window
            return State(limit: limit, used: window.used, reset: window.start + limits.window)
        }
    }

    /// Every window back to full.
    func resetAll() {
        windows.withLock { $0 = [:] }
    }
}
