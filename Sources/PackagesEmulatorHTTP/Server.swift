import CLibevent
import Logging
import PackagesEmulator

#if canImport(Glibc)
import Glibc
#endif

/// Serves an `Emulator` over HTTP/1.1 on a libevent evhttp loop.
///
/// Lifecycle: `bind` (the socket is listening when it returns, so the ready line can follow), then
/// `run`, which returns after SIGTERM or SIGINT once the answers already queued are written (at
/// most `drainTimeout`).
public final class Server: @unchecked Sendable {
    // @unchecked: libevent objects are touched only on the loop's thread, after `bind` returns.

    public struct Limits: Sendable {
        public var maxHeadersSize = 64 * 1024
        public var maxBodySize = 1024 * 1024
        public var timeoutSeconds: Int32 = 30
        public var drainTimeoutSeconds: Double = 5

        public init() {}
    }

    public enum BindError: Error, CustomStringConvertible {
        case addressInUse(String)
        case cannotBind(String, String)

        public var description: String {
            switch self {
            case .addressInUse(let address): "cannot listen on \(address): address already in use"
            case .cannotBind(let address, let reason): "cannot listen on \(address): \(reason)"
            }
        }
    }

    let emulator: Emulator
    let logger: Logger
    let limits: Limits
    private let base: OpaquePointer
    private let http: OpaquePointer
    private var boundSocket: OpaquePointer?
    private var signalEvents: [OpaquePointer] = []
    private var drainTimer: OpaquePointer?
    private var drainDeadline: Double = 0
    /// Connections seen, so a graceful stop can wait for their queued answers.
    var connections: Set<OpaquePointer> = []
    /// `host:port` as bound; the `{api}` fallback when a request's `Host` is unusable.
    public private(set) var localAuthority = ""
    public private(set) var port = 0

    public init(emulator: Emulator, logger: Logger, limits: Limits = Limits()) {
        // Before the first base, so another thread could stop the loop (STYLE.md).
        evthread_use_pthreads()
        self.emulator = emulator
        self.logger = logger
        self.limits = limits
        base = event_base_new()
        http = evhttp_new(base)
        // Every method, known or not, reaches the core, which answers in GitHub's JSON shape;
        // otherwise evhttp answers 405/501 in HTML (STYLE.md).
        evhttp_set_allowed_methods(http, 0xFFFF)
        evhttp_set_max_headers_size(http, limits.maxHeadersSize)
        evhttp_set_max_body_size(http, limits.maxBodySize)
        // Without it, idle keep-alive connections live forever (STYLE.md).
        evhttp_set_timeout(http, limits.timeoutSeconds)
        evhttp_set_gencb(http, handleRequest, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        for event in signalEvents { event_free(event) }
        if let drainTimer { event_free(drainTimer) }
        evhttp_free(http)
        event_base_free(base)
    }

    /// Starts listening on `host:port` (`port` 0: any free port).
    public func bind(host: String, port: Int) throws {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        errno = 0
        guard let handle = evhttp_bind_socket_with_handle(http, host, UInt16(clamping: port)) else {
            if errno == EADDRINUSE { throw BindError.addressInUse(address) }
            let reason = errno == 0 ? "cannot resolve or bind the address" : String(cString: strerror(errno))
            throw BindError.cannotBind(address, reason)
        }
        boundSocket = handle
        let fd = evhttp_bound_socket_get_fd(handle)
        // evhttp never sets TCP_NODELAY; without it answers over ~16 KiB stall on Nagle and delayed
        // ACKs. Linux hands the option from the listening socket to accepted ones (STYLE.md).
        var one: CInt = 1
        setsockopt(fd, CInt(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<CInt>.size))
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(Self.port(of: storage))
        localAuthority = host.contains(":") ? "[\(host)]:\(self.port)" : "\(host):\(self.port)"
    }

    private static func port(of storage: sockaddr_storage) -> UInt16 {
        var storage = storage
        let family = storage.ss_family
        return withUnsafePointer(to: &storage) { pointer in
            if family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    }

    /// Runs the loop until SIGTERM or SIGINT, then drains. SIGHUP and SIGPIPE are ignored.
    public func run() {
        signal(SIGPIPE, SIG_IGN)
        // SPEC §12: SIGHUP never kills the emulator (fixture reload will use it).
        signal(SIGHUP, SIG_IGN)
        let context = Unmanaged.passUnretained(self).toOpaque()
        for number in [SIGTERM, SIGINT] {
            // evsignal_new is a macro Swift cannot see.
            if let event = event_new(base, number, Int16(EV_SIGNAL | EV_PERSIST), onSignal, context) {
                event_add(event, nil)
                signalEvents.append(event)
            }
        }
        event_base_dispatch(base)
    }

    /// Stop accepting, then leave the loop once every queued answer is written, or at the deadline.
    func beginShutdown(signal number: CInt) {
        guard drainTimer == nil else { return }
        logger.info("stopping", metadata: ["signal": "\(number)"])
        if let boundSocket {
            evhttp_del_accept_socket(http, boundSocket)
            self.boundSocket = nil
        }
        for event in signalEvents { event_del(event) }
        drainDeadline = Self.monotonicSeconds() + limits.drainTimeoutSeconds
        drainTimer = event_new(base, -1, Int16(EV_PERSIST), onDrainTick,
                               Unmanaged.passUnretained(self).toOpaque())
        var interval = timeval(tv_sec: 0, tv_usec: 10_000)
        if let drainTimer { event_add(drainTimer, &interval) }
        checkDrained()
    }

    func checkDrained() {
        let pending = connections.contains { connection in
            guard let bufferevent = evhttp_connection_get_bufferevent(connection) else { return false }
            return evbuffer_get_length(bufferevent_get_output(bufferevent)) > 0
        }
        if !pending || Self.monotonicSeconds() >= drainDeadline {
            event_base_loopexit(base, nil)
        }
    }

    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

private func onSignal(_ fd: CInt, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<Server>.fromOpaque(context).takeUnretainedValue().beginShutdown(signal: fd)
}

private func onDrainTick(_ fd: CInt, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<Server>.fromOpaque(context).takeUnretainedValue().checkDrained()
}
