import CLibevent
import PackagesEmulator
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The cap on concurrent connections (SPEC §12). libevent 2.1.12 has no `evhttp_set_max_connections`,
/// so it is kept at the listeners: every connection is counted when evhttp asks for its bufferevent
/// (`evhttp_set_bevcb`) and uncounted in its close callback (http.c calls it exactly once, from
/// `evhttp_connection_reset_` or `evhttp_connection_free`). When the count reaches the cap every loop
/// disables its listener (`evconnlistener_disable`): new connections wait in the kernel's backlog and
/// existing ones keep being served. A paused loop re-checks every 20 ms on its own timer and resumes
/// below the cap (a timer, not a wake-up from the closing thread: a cross-thread `event_active` from a
/// close callback was seen lost on 2.1.12). The accepting loop pauses at once and wakes the others, so
/// other loops may accept at most one connection each before they pause.
final class ConnectionAdmission {
    /// Bufferevents handed to evhttp whose connection has not been adopted yet.
    var pending: [OpaquePointer] = []
    var adoptEvent: OpaquePointer?
    var adjustEvent: OpaquePointer?
    /// Persistent while paused: re-checks the count.
    var recheckTimer: OpaquePointer?
    var listener: OpaquePointer?
    var paused = false
    /// Set while the loop is freed: close callbacks then leave the server alone.
    var closing = false

    /// Before the loop's base is freed (an event freed after its base reads freed memory).
    func freeEvents() {
        for event in [adoptEvent, adjustEvent, recheckTimer] {
            if let event { event_free(event) }
        }
        adoptEvent = nil
        adjustEvent = nil
        recheckTimer = nil
    }
}

extension EventLoop {
    /// In `init`, before any connection: counts connections from their first byte on.
    func installConnectionLimit() {
        let context = Unmanaged.passUnretained(self).toOpaque()
        evhttp_set_bevcb(http, newBufferevent, context)
        admission.adoptEvent = event_new(base, -1, 0, onAdopt, context)
        admission.adjustEvent = event_new(base, -1, 0, onAdjust, context)
        admission.recheckTimer = event_new(base, -1, Int16(EV_PERSIST), onAdjust, context)
    }

    /// A new connection: count it, pause the listeners at the cap, and adopt the connection once
    /// evhttp has built it (right after this callback, in the same accept).
    func admit(_ bufferevent: OpaquePointer) {
        let open = server.openConnections.add(1, ordering: .relaxed).newValue
        if open >= server.limits.maxConnections {
            adjustListener()
            if open == server.limits.maxConnections {
                server.logger.notice("connection limit reached; new connections wait", metadata: ["open": "\(open)"])
                server.adjustListeners()
            }
        }
        admission.pending.append(bufferevent)
        if let event = admission.adoptEvent { event_active(event, 0, 0) }
    }

    /// Registers the close callback of each connection evhttp built since the last call.
    func adoptPending() {
        let context = Unmanaged.passUnretained(self).toOpaque()
        for bufferevent in admission.pending {
            // evhttp set itself up as the bufferevent's callbacks, with the connection as their argument.
            var argument: UnsafeMutableRawPointer?
            bufferevent_getcb(bufferevent, nil, nil, nil, &argument)
            guard let argument else { continue }
            let connection = OpaquePointer(argument)
            connections.insert(connection)
            evhttp_connection_set_closecb(connection, onCountedClose, context)
        }
        admission.pending.removeAll(keepingCapacity: true)
    }

    func connectionClosed(_ connection: OpaquePointer) {
        guard !admission.closing else { return }
        connections.remove(connection)
        let open = server.openConnections.subtract(1, ordering: .relaxed).newValue
        if open == server.limits.maxConnections - 1 { adjustListener() }
    }

    /// On this loop's thread: the listener accepts exactly when the count is below the cap.
    func adjustListener() {
        guard let listener = admission.listener else { return }
        let full = server.openConnections.load(ordering: .relaxed) >= server.limits.maxConnections
        if full && !admission.paused {
            evconnlistener_disable(listener)
            admission.paused = true
            var interval = timeval(tv_sec: 0, tv_usec: 20_000)
            if let timer = admission.recheckTimer { event_add(timer, &interval) }
        } else if !full && admission.paused {
            evconnlistener_enable(listener)
            admission.paused = false
            if let timer = admission.recheckTimer { event_del(timer) }
        }
    }

    /// Thread-safe: wakes this loop to adjust its listener.
    func wakeToAdjust() {
        if let event = admission.adjustEvent { event_active(event, 0, 0) }
    }
}

extension Server {
    /// Thread-safe: every loop re-checks the cap on its own thread.
    func adjustListeners() {
        for loop in loops { loop.wakeToAdjust() }
    }
}

private func newBufferevent(_ base: OpaquePointer?, _ context: UnsafeMutableRawPointer?) -> OpaquePointer? {
    // Exactly what evhttp creates when no callback is set (http.c, evhttp_connection_base_bufferevent_new):
    // options 0. With BEV_OPT_CLOSE_ON_FREE, evhttp_connection_free would call shutdown() on the fd
    // after bufferevent_free closed it, hitting whatever socket another loop was given that number.
    guard let context, let bufferevent = bufferevent_socket_new(base, -1, 0) else { return nil }
    Unmanaged<EventLoop>.fromOpaque(context).takeUnretainedValue().admit(bufferevent)
    return bufferevent
}

private func onAdopt(_ fd: CInt, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<EventLoop>.fromOpaque(context).takeUnretainedValue().adoptPending()
}

private func onAdjust(_ fd: CInt, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<EventLoop>.fromOpaque(context).takeUnretainedValue().adjustListener()
}

private func onCountedClose(_ connection: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let connection, let context else { return }
    Unmanaged<EventLoop>.fromOpaque(context).takeUnretainedValue().connectionClosed(connection)
}
