import CLibevent
import PackagesEmulator
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The listener and the cap on concurrent connections (SPEC §12). Every accepted connection is
/// counted across the loops and uncounted when it closes. When the count reaches the cap every loop
/// disables its listener (`evconnlistener_disable`): new connections wait in the kernel's backlog and
/// existing ones keep being served. A paused loop re-checks every 20 ms on its own timer and resumes
/// below the cap (a timer, not a wake-up from the closing thread: a cross-thread `event_active` from a
/// close callback was seen lost on 2.1.12). The accepting loop pauses at once and wakes the others, so
/// other loops may accept at most one connection each before they pause.
final class ConnectionAdmission {
    /// One per bound address (the HTTP port, and the HTTPS one of `--tls-port`).
    var listeners: [(listener: OpaquePointer, endpoint: Unmanaged<Endpoint>)] = []
    var adjustEvent: OpaquePointer?
    /// Persistent while paused: re-checks the count.
    var recheckTimer: OpaquePointer?
    var paused = false

    func install(base: OpaquePointer, context: UnsafeMutableRawPointer) {
        adjustEvent = event_new(base, -1, 0, onAdjust, context)
        recheckTimer = event_new(base, -1, Int16(EV_PERSIST), onAdjust, context)
    }

    /// Stops accepting for good (a graceful stop); the listening socket closes with it.
    func closeListener() {
        for (listener, endpoint) in listeners {
            evconnlistener_free(listener)
            endpoint.release()
        }
        listeners = []
    }

    /// Before the loop's base is freed (an event freed after its base reads freed memory).
    func free() {
        closeListener()
        for event in [adjustEvent, recheckTimer] {
            if let event { event_free(event) }
        }
        adjustEvent = nil
        recheckTimer = nil
    }
}

/// What a listener's connections share: their loop, the address they came in on (the `{api}` fallback)
/// and their scheme; retained by the loop's admission while it listens.
final class Endpoint {
    unowned let loop: EventLoop
    let authority: String
    let tls: TLSContext?

    init(loop: EventLoop, authority: String, tls: TLSContext?) {
        self.loop = loop
        self.authority = authority
        self.tls = tls
    }
}

extension EventLoop {
    func listen(on address: ListenAddress, port: UInt16, tls: TLSContext?) throws {
        let flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT
        let endpoint = Unmanaged.passRetained(Endpoint(loop: self, authority: address.authority(port: port), tls: tls))
        let listener = address.withAddress(port: port) { sockaddr, length in
            evconnlistener_new_bind(base, onAccept, endpoint.toOpaque(), flags, 1024, sockaddr, CInt(length))
        }
        guard let listener else {
            endpoint.release()
            throw address.failure(errno)
        }
        // Without TCP_NODELAY answers over ~16 KiB stall on Nagle and delayed ACKs. Linux hands the
        // option from the listening socket to accepted ones (STYLE.md).
        var one: CInt = 1
        setsockopt(evconnlistener_get_fd(listener), CInt(IPPROTO_TCP), TCP_NODELAY, &one,
                   socklen_t(MemoryLayout<CInt>.size))
        admission.listeners.append((listener, endpoint))
    }

    /// A new connection (already non-blocking and close-on-exec: evconnlistener accepts with
    /// `accept4`): count it, pause the listeners at the cap, and start reading.
    func accept(_ fd: CInt, peer: String, endpoint: Endpoint) {
        let open = server.openConnections.add(1, ordering: .relaxed).newValue
        if open >= server.limits.maxConnections {
            adjustListener()
            if open == server.limits.maxConnections {
                server.logger.notice("connection limit reached; new connections wait", metadata: ["open": "\(open)"])
                server.adjustListeners()
            }
        }
        let session = endpoint.tls.flatMap { $0.session(fd: fd) }
        let connection = Connection(loop: self, fd: fd, peer: peer, limits: parserLimits, endpoint: endpoint,
                                    tls: session)
        connections[ObjectIdentifier(connection)] = connection
        if (endpoint.tls != nil && session == nil) || !connection.start(timeoutSeconds: server.limits.timeoutSeconds) {
            connection.close()
        }
    }

    func connectionClosed(_ connection: Connection) {
        connections[ObjectIdentifier(connection)] = nil
        let open = server.openConnections.subtract(1, ordering: .relaxed).newValue
        if open == server.limits.maxConnections - 1 { adjustListener() }
        if draining { checkDrained() }
    }

    /// On this loop's thread: the listener accepts exactly when the count is below the cap.
    func adjustListener() {
        guard !admission.listeners.isEmpty else { return }
        let full = server.openConnections.load(ordering: .relaxed) >= server.limits.maxConnections
        if full && !admission.paused {
            for (listener, _) in admission.listeners { evconnlistener_disable(listener) }
            admission.paused = true
            var interval = timeval(tv_sec: 0, tv_usec: 20_000)
            if let timer = admission.recheckTimer { event_add(timer, &interval) }
        } else if !full && admission.paused {
            for (listener, _) in admission.listeners { evconnlistener_enable(listener) }
            admission.paused = false
            if let timer = admission.recheckTimer { event_del(timer) }
        }
    }

    /// Thread-safe: wakes this loop to adjust its listener.
    func wakeToAdjust() {
        if let event = admission.adjustEvent { event_active(event, 0, 0) }
    }

    /// The numeric address of a peer (`127.0.0.1`, `::1`).
    static func numericHost(_ address: UnsafePointer<sockaddr>?) -> String {
        guard let address else { return "unknown" }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch CInt(address.pointee.sa_family) {
        case AF_INET:
            address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ipv4 in
                var raw = ipv4.pointee.sin_addr
                _ = inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
            }
        case AF_INET6:
            address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { ipv6 in
                var raw = ipv6.pointee.sin6_addr
                _ = inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
            }
        default:
            return "unknown"
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension Server {
    /// Thread-safe: every loop re-checks the cap on its own thread.
    func adjustListeners() {
        for loop in loops { loop.wakeToAdjust() }
    }
}

private func onAccept(_ listener: OpaquePointer?, _ fd: CInt, _ address: UnsafeMutablePointer<sockaddr>?,
                      _ length: CInt, _ context: UnsafeMutableRawPointer?) {
    guard let context else {
        close(fd)
        return
    }
    let endpoint = Unmanaged<Endpoint>.fromOpaque(context).takeUnretainedValue()
    endpoint.loop.accept(fd, peer: EventLoop.numericHost(UnsafePointer(address)), endpoint: endpoint)
}

private func onAdjust(_ fd: CInt, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<EventLoop>.fromOpaque(context).takeUnretainedValue().adjustListener()
}
