import CLibevent
import PackagesEmulator

#if canImport(Glibc)
import Glibc
#endif

/// Hands each parsed request to the core and writes its answer: at once, later (a delay fault), or
/// never (a drop fault, issue 5).
extension EventLoop {
    func request(from parsed: ParsedRequest, on connection: Connection) -> Request {
        Request(method: parsed.method, target: parsed.target, headers: parsed.headers,
                clientAddress: connection.peer, localAuthority: connection.endpoint.authority,
                secure: connection.endpoint.tls != nil, body: parsed.body)
    }

    func answer(_ parsed: ParsedRequest, on connection: Connection) {
        let request = request(from: parsed, on: connection)
        let response = server.emulator.respond(to: request)
        server.logger.debug("\(request.method) \(request.target) \(response.status)")
        deliver(response, method: parsed.method, keepAlive: parsed.keepAlive, minorVersion: parsed.minorVersion,
                on: connection)
    }

    /// Writes an answer at once, later (a delay fault), or never (a drop fault).
    func deliver(_ response: Response, method: String, keepAlive: Bool, minorVersion: Int, on connection: Connection) {
        let parsed = (method: method, keepAlive: keepAlive, minorVersion: minorVersion)
        if response.dropConnection {
            // Closed without a byte of answer.
            connection.close()
        } else if response.delayMilliseconds > 0 {
            delay(response, method: parsed.method, keepAlive: parsed.keepAlive,
                  minorVersion: parsed.minorVersion, on: connection)
        } else {
            connection.send(response, method: parsed.method, keepAlive: parsed.keepAlive,
                            minorVersion: parsed.minorVersion)
        }
    }

    /// Sends `response` after its delay on a one-shot timer; the loop serves everyone else meanwhile,
    /// and the connection parses nothing more until it is sent (answers stay in order).
    private func delay(_ response: Response, method: String, keepAlive: Bool, minorVersion: Int,
                       on connection: Connection) {
        let reply = DelayedReply(connection: connection, response: response, method: method,
                                 keepAlive: keepAlive, minorVersion: minorVersion)
        let context = Unmanaged.passRetained(reply).toOpaque()
        guard let event = event_new(base, -1, 0, onDelayedReply, context) else {
            Unmanaged<DelayedReply>.fromOpaque(context).release()
            connection.send(response, method: method, keepAlive: keepAlive, minorVersion: minorVersion)
            return
        }
        reply.event = event
        connection.waiting = true
        let milliseconds = max(0, response.delayMilliseconds)
        var delay = timeval(tv_sec: milliseconds / 1000, tv_usec: Int((milliseconds % 1000) * 1000))
        event_add(event, &delay)
        // A graceful stop waits for it (checkDrained).
        delayedReplies += 1
    }

    fileprivate func fire(_ reply: DelayedReply) {
        delayedReplies -= 1
        if let event = reply.event { event_free(event) }
        let connection = reply.connection
        // The client may have left meanwhile: then the answer goes nowhere.
        guard !connection.closed else {
            if draining { checkDrained() }
            return
        }
        connection.waiting = false
        connection.send(reply.response, method: reply.method, keepAlive: reply.keepAlive,
                        minorVersion: reply.minorVersion)
        connection.process()
    }
}

/// A delayed answer waiting on its timer; retained through the timer's `void *` until it fires.
private final class DelayedReply {
    let connection: Connection
    let response: Response
    let method: String
    let keepAlive: Bool
    let minorVersion: Int
    var event: OpaquePointer?

    init(connection: Connection, response: Response, method: String, keepAlive: Bool, minorVersion: Int) {
        self.connection = connection
        self.response = response
        self.method = method
        self.keepAlive = keepAlive
        self.minorVersion = minorVersion
    }
}

private func onDelayedReply(_ fd: CInt, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    let reply = Unmanaged<DelayedReply>.fromOpaque(context).takeRetainedValue()
    reply.connection.loop.fire(reply)
}
