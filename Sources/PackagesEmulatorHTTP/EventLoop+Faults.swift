import CLibevent
import PackagesEmulator

#if canImport(Glibc)
import Glibc
#endif

/// A delayed answer waiting on its timer; retained through the timer's `void *` until it fires.
private final class DelayedReply {
    let loop: EventLoop
    let evRequest: OpaquePointer
    let request: Request
    let response: Response
    var event: OpaquePointer?

    init(loop: EventLoop, evRequest: OpaquePointer, request: Request, response: Response) {
        self.loop = loop
        self.evRequest = evRequest
        self.request = request
        self.response = response
    }
}

/// Fault answers the core asks for (issue 5): later, or never.
extension EventLoop {
    /// The request body, as evhttp read it (bounded by `evhttp_set_max_body_size`).
    static func body(of request: OpaquePointer) -> [UInt8] {
        guard let input = evhttp_request_get_input_buffer(request) else { return [] }
        let length = evbuffer_get_length(input)
        guard length > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: length)
        let copied = bytes.withUnsafeMutableBytes { evbuffer_copyout(input, $0.baseAddress, length) }
        return copied > 0 ? Array(bytes.prefix(copied)) : []
    }

    /// Sends `response` after its delay on a one-shot timer, so the loop keeps serving meanwhile; or
    /// drops the connection.
    func deliverFault(_ response: Response, for request: Request, to evRequest: OpaquePointer) {
        if response.dropConnection {
            drop(evRequest)
            return
        }
        let reply = DelayedReply(loop: self, evRequest: evRequest, request: request, response: response)
        let context = Unmanaged.passRetained(reply).toOpaque()
        guard let event = event_new(base, -1, 0, onDelayedReply, context) else {
            Unmanaged<DelayedReply>.fromOpaque(context).release()
            send(response, for: request, to: evRequest)
            return
        }
        reply.event = event
        let milliseconds = max(0, response.delayMilliseconds)
        var delay = timeval(tv_sec: milliseconds / 1000, tv_usec: Int((milliseconds % 1000) * 1000))
        event_add(event, &delay)
        // A graceful stop waits for it (checkDrained).
        delayedReplies += 1
    }

    fileprivate func fire(_ reply: DelayedReply) {
        delayedReplies -= 1
        if let event = reply.event { event_free(event) }
        // If the client left meanwhile, evhttp has detached the request from its connection (it is
        // not done yet), and sending frees it (http.c: evhttp_connection_incoming_fail, evhttp_send).
        send(reply.response, for: reply.request, to: reply.evRequest)
    }

    /// Closes the connection without a byte of answer. `shutdown` makes the socket unusable; the
    /// reply then fails to write, and evhttp frees the connection and the request itself (never free
    /// them inside the callback).
    private func drop(_ evRequest: OpaquePointer) {
        if let connection = evhttp_request_get_connection(evRequest),
           let bufferevent = evhttp_connection_get_bufferevent(connection) {
            let fd = bufferevent_getfd(bufferevent)
            if fd >= 0 { shutdown(fd, CInt(SHUT_RDWR)) }
        }
        evhttp_send_reply(evRequest, 502, "Bad Gateway", nil)
    }
}

private func onDelayedReply(_ fd: CInt, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    let reply = Unmanaged<DelayedReply>.fromOpaque(context).takeRetainedValue()
    reply.loop.fire(reply)
}
