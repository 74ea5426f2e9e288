import CLibevent
import Logging
import PackagesEmulator

#if canImport(Glibc)
import Glibc
#endif

/// One thread's event loop: an `event_base`, an `evhttp` and its `SO_REUSEPORT` listener.
final class EventLoop {
    unowned let server: Server
    let base: OpaquePointer
    let http: OpaquePointer
    private var bound: OpaquePointer?
    /// Woken from the signal's thread to start this loop's graceful stop.
    private var shutdownEvent: OpaquePointer?
    private var drainTimer: OpaquePointer?
    private var drainDeadline: Double = 0
    /// Open connections (adopted in EventLoop+Connections), so a graceful stop can wait for their
    /// queued answers.
    var connections: Set<OpaquePointer> = []
    /// Delayed answers (fault rules) whose timers have not fired yet.
    var delayedReplies = 0
    /// The connection cap's state (EventLoop+Connections.swift).
    let admission = ConnectionAdmission()

    init(server: Server) {
        self.server = server
        // The changelist folds the epoll_ctl calls evhttp makes per answer (add EPOLLOUT, then
        // remove it) into one per loop iteration (libevent's event_config docs).
        let config = event_config_new()
        event_config_set_flag(config, Int32(EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST.rawValue))
        base = event_base_new_with_config(config)
        event_config_free(config)
        http = evhttp_new(base)
        let limits = server.limits
        // Every method, known or not, reaches the core, which answers in GitHub's JSON shape;
        // otherwise evhttp answers 405/501 in HTML (STYLE.md).
        evhttp_set_allowed_methods(http, 0xFFFF)
        evhttp_set_max_headers_size(http, limits.maxHeadersSize)
        evhttp_set_max_body_size(http, limits.maxBodySize)
        // Without it, idle keep-alive connections live forever (STYLE.md).
        evhttp_set_timeout(http, limits.timeoutSeconds)
        let context = Unmanaged.passUnretained(self).toOpaque()
        evhttp_set_gencb(http, handleRequest, context)
        shutdownEvent = event_new(base, -1, 0, onShutdown, context)
        installConnectionLimit()
    }

    deinit {
        if let shutdownEvent { event_free(shutdownEvent) }
        if let drainTimer { event_free(drainTimer) }
        // evhttp_free closes the remaining connections, calling their close callbacks while the server
        // is deinitializing: they must not touch it.
        admission.closing = true
        evhttp_free(http)
        admission.freeEvents()
        event_base_free(base)
    }

    func listen(on address: ListenAddress, port: UInt16) throws {
        let flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT
        let listener = address.withAddress(port: port) { sockaddr, length in
            evconnlistener_new_bind(base, nil, nil, flags, 1024, sockaddr, CInt(length))
        }
        guard let listener else { throw address.failure(errno) }
        // evhttp never sets TCP_NODELAY; without it answers over ~16 KiB stall on Nagle and delayed
        // ACKs. Linux hands the option from the listening socket to accepted ones (STYLE.md).
        var one: CInt = 1
        setsockopt(evconnlistener_get_fd(listener), CInt(IPPROTO_TCP), TCP_NODELAY, &one,
                   socklen_t(MemoryLayout<CInt>.size))
        bound = evhttp_bind_listener(http, listener)
        admission.listener = listener
    }

    func run() {
        event_base_dispatch(base)
    }

    /// Thread-safe: wakes this loop, which then stops accepting and drains.
    func requestShutdown() {
        if let shutdownEvent { event_active(shutdownEvent, 0, 0) }
    }

    /// On this loop's thread: stop accepting, then leave once every queued answer is written, or at
    /// the deadline.
    func beginShutdown() {
        guard drainTimer == nil else { return }
        if let bound {
            evhttp_del_accept_socket(http, bound)
            self.bound = nil
            admission.listener = nil
        }
        drainDeadline = Self.monotonicSeconds() + server.limits.drainTimeoutSeconds
        drainTimer = event_new(base, -1, Int16(EV_PERSIST), onDrainTick, Unmanaged.passUnretained(self).toOpaque())
        var interval = timeval(tv_sec: 0, tv_usec: 10_000)
        if let drainTimer { event_add(drainTimer, &interval) }
        checkDrained()
    }

    func checkDrained() {
        let pending = connections.contains { connection in
            guard let bufferevent = evhttp_connection_get_bufferevent(connection) else { return false }
            return evbuffer_get_length(bufferevent_get_output(bufferevent)) > 0
        }
        if (!pending && delayedReplies == 0) || Self.monotonicSeconds() >= drainDeadline {
            event_base_loopexit(base, nil)
        }
    }

    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

private func onShutdown(_ fd: CInt, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<EventLoop>.fromOpaque(context).takeUnretainedValue().beginShutdown()
}

private func onDrainTick(_ fd: CInt, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<EventLoop>.fromOpaque(context).takeUnretainedValue().checkDrained()
}
