import CLibevent
import Logging
import PackagesEmulator

#if canImport(Glibc)
import Glibc
#endif

/// One thread's event loop: an `event_base`, its `SO_REUSEPORT` listener and the connections it
/// accepted, each read, parsed and answered by the emulator's own HTTP/1.1 layer (Connection.swift).
final class EventLoop {
    unowned let server: Server
    let base: OpaquePointer
    /// Woken from the signal's thread to start this loop's graceful stop.
    private var shutdownEvent: OpaquePointer?
    private var drainTimer: OpaquePointer?
    private var drainDeadline: Double = 0
    /// Set once a graceful stop began: answers then close their connection.
    private(set) var draining = false
    /// Open connections, by identity; each is released when it closes.
    var connections: [ObjectIdentifier: Connection] = [:]
    /// Delayed answers (fault rules) whose timers have not fired yet.
    var delayedReplies = 0
    /// The connection cap's state (EventLoop+Accept.swift).
    let admission = ConnectionAdmission()
    let parserLimits: RequestParser.Limits
    /// The head of the answer being written; reused, so writing a head allocates nothing.
    var scratch: [UInt8] = []
    /// File bodies on their way through TLS (`sendfile` cannot encrypt); made at first use.
    lazy var fileBuffer = [UInt8](repeating: 0, count: 1 << 16)
    private var dateSecond = -1
    private var cachedDateLine: [UInt8] = []

    init(server: Server) {
        self.server = server
        // The changelist folds the epoll_ctl calls of one loop iteration into one (libevent's
        // event_config docs): a connection's write event is often added and removed in one pass.
        let config = event_config_new()
        event_config_set_flag(config, Int32(EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST.rawValue))
        base = event_base_new_with_config(config)
        event_config_free(config)
        let limits = server.limits
        parserLimits = RequestParser.Limits(maxRequestLine: limits.maxRequestLine,
                                            maxHeaderBytes: limits.maxHeadersSize,
                                            maxBodyBytes: limits.maxBodySize)
        scratch.reserveCapacity(4096)
        let context = Unmanaged.passUnretained(self).toOpaque()
        shutdownEvent = event_new(base, -1, 0, onShutdown, context)
        admission.install(base: base, context: context)
    }

    deinit {
        // Closing must not call back into a loop that is being freed.
        for connection in connections.values { connection.abandon() }
        if let shutdownEvent { event_free(shutdownEvent) }
        if let drainTimer { event_free(drainTimer) }
        admission.free()
        event_base_free(base)
    }

    func run() {
        event_base_dispatch(base)
    }

    /// `Date: …` for the current second, rendered once a second, and the fields every answer carries.
    func dateLine() -> [UInt8] {
        let now = time(nil)
        if now != dateSecond {
            dateSecond = now
            cachedDateLine = HTTPDate.line(epochSeconds: Int64(now))
            for (name, value) in server.everyAnswerHeaders {
                cachedDateLine.append(contentsOf: Array("\(name): \(value)\r\n".utf8))
            }
        }
        return cachedDateLine
    }

    /// Thread-safe: wakes this loop, which then stops accepting and drains.
    func requestShutdown() {
        if let shutdownEvent { event_active(shutdownEvent, 0, 0) }
    }

    /// On this loop's thread: stop accepting, close idle connections, then leave once every owed answer
    /// is written, or at the deadline.
    func beginShutdown() {
        guard drainTimer == nil else { return }
        draining = true
        admission.closeListener()
        for connection in Array(connections.values) where connection.isIdle {
            connection.close()
        }
        drainDeadline = Self.monotonicSeconds() + server.limits.drainTimeoutSeconds
        drainTimer = event_new(base, -1, Int16(EV_PERSIST), onDrainTick, Unmanaged.passUnretained(self).toOpaque())
        var interval = timeval(tv_sec: 0, tv_usec: 10_000)
        if let drainTimer { event_add(drainTimer, &interval) }
        checkDrained()
    }

    func checkDrained() {
        // A lingering connection has had its last answer written.
        let owed = connections.values.contains { !$0.lingering }
        if (!owed && delayedReplies == 0) || Self.monotonicSeconds() >= drainDeadline {
            event_base_loopexit(base, nil)
        }
    }

    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

extension Connection {
    /// Nothing arrived of a next request and nothing is owed: a graceful stop may close it.
    var isIdle: Bool { parser.isIdle && pending.isEmpty && !waiting }
}

private func onShutdown(_ fd: CInt, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<EventLoop>.fromOpaque(context).takeUnretainedValue().beginShutdown()
}

private func onDrainTick(_ fd: CInt, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<EventLoop>.fromOpaque(context).takeUnretainedValue().checkDrained()
}
