import CLibevent
import Logging
import PackagesEmulator

#if canImport(Glibc)
import Glibc
#endif

/// The evhttp callback: translate the request, ask the core, send its answer.
/// A global function: C calls it on the loop's thread (STYLE.md: no main-actor closures).
func handleRequest(_ request: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let request, let context else { return }
    let loop = Unmanaged<EventLoop>.fromOpaque(context).takeUnretainedValue()
    loop.handle(request)
}

extension EventLoop {
    func handle(_ evRequest: OpaquePointer) {
        // The connection is already in `connections`: adopted when it opened (EventLoop+Connections).
        let connection = evhttp_request_get_connection(evRequest)
        let request = Request(
            method: Self.method(of: evRequest),
            target: evhttp_request_get_uri(evRequest).map { String(cString: $0) } ?? "/",
            headers: Self.headers(of: evRequest),
            clientAddress: Self.peer(of: connection),
            localAuthority: server.localAuthority,
            body: Self.body(of: evRequest))
        let response = server.emulator.respond(to: request)
        if response.delayMilliseconds > 0 || response.dropConnection {
            deliverFault(response, for: request, to: evRequest)
        } else {
            send(response, for: request, to: evRequest)
        }
        server.logger.debug("\(request.method) \(request.target) \(response.status)")
    }

    func send(_ response: Response, for request: Request, to evRequest: OpaquePointer) {
        let output = evhttp_request_get_output_headers(evRequest)
        for (name, value) in response.headers {
            evhttp_add_header(output, name, value)
        }
        let reason = Response.reason(for: response.status)
        // evhttp_send_reply writes the body it is given even for HEAD, which garbles keep-alive
        // streams (STYLE.md): only send one when the answer has one.
        guard response.sendsBody(method: request.method), !response.body.isEmpty else {
            evhttp_send_reply(evRequest, CInt(response.status), reason, nil)
            return
        }
        let buffer = evbuffer_new()
        response.body.withUnsafeBytes { bytes in
            _ = evbuffer_add(buffer, bytes.baseAddress, bytes.count)
        }
        evhttp_send_reply(evRequest, CInt(response.status), reason, buffer)
        evbuffer_free(buffer)
    }

    static func method(of request: OpaquePointer) -> String {
        switch evhttp_request_get_command(request) {
        case EVHTTP_REQ_GET: "GET"
        case EVHTTP_REQ_HEAD: "HEAD"
        case EVHTTP_REQ_POST: "POST"
        case EVHTTP_REQ_PUT: "PUT"
        case EVHTTP_REQ_DELETE: "DELETE"
        case EVHTTP_REQ_OPTIONS: "OPTIONS"
        case EVHTTP_REQ_TRACE: "TRACE"
        case EVHTTP_REQ_CONNECT: "CONNECT"
        case EVHTTP_REQ_PATCH: "PATCH"
        // evhttp with every method allowed passes unknown method names on; the core answers 404.
        default: "UNKNOWN"
        }
    }

    static func headers(of request: OpaquePointer) -> [(name: String, value: String)] {
        guard let list = evhttp_request_get_input_headers(request) else { return [] }
        var headers: [(name: String, value: String)] = []
        // TAILQ_FOREACH is a macro: walk tqh_first / next.tqe_next.
        var entry = list.pointee.tqh_first
        while let current = entry {
            if let key = current.pointee.key, let value = current.pointee.value {
                headers.append((String(cString: key), String(cString: value)))
            }
            entry = current.pointee.next.tqe_next
        }
        return headers
    }

    static func peer(of connection: OpaquePointer?) -> String {
        guard let connection else { return "unknown" }
        var address: UnsafeMutablePointer<CChar>?
        var port: UInt16 = 0
        evhttp_connection_get_peer(connection, &address, &port)
        return address.map { String(cString: $0) } ?? "unknown"
    }
}
