import CLibevent
import PackagesEmulator

#if canImport(Glibc)
import Glibc
#endif

/// One client connection: its socket, its parser and the answers not yet written. Lives in its loop's
/// `connections` until it closes; touched only on that loop's thread.
///
/// Reading and answering alternate strictly in request order (RFC 9112 §9.3.2): a delayed answer or a
/// full output queue stops parsing until it is written, and an end of input (a half-close) only ends the
/// connection once every answer to what arrived before it is written (SPEC §12).
final class Connection {
    unowned let loop: EventLoop
    let fd: CInt
    /// The client's address: the anonymous rate limit's key.
    let peer: String
    /// The listener it came through: its address and scheme.
    let endpoint: Endpoint
    var parser: RequestParser
    var readEvent: OpaquePointer?
    var writeEvent: OpaquePointer?
    /// Answer bytes not written yet, in order; `pending[0]` from `pendingOffset` on. A body is queued
    /// by reference (the core's array), never copied.
    var pending: [[UInt8]] = []
    var pendingOffset = 0
    var pendingBytes = 0
    /// The client sent EOF: no more requests will come.
    var readClosed = false
    /// The last queued answer ends the connection (`Connection: close`, a framing error, a drain).
    var closeAfterWrite = false
    /// Our side is shut down; reading only discards what the client still sends (see `lingeringClose`).
    var lingering = false
    /// A delayed answer (a fault rule) must be written before anything after it.
    var waiting = false
    /// Reading is off until the answers owed are written (`updateReading`).
    var readPaused = false
    /// When a lingering close gives up on the client's EOF.
    var lingerDeadline = 0.0
    var closed = false
    /// `--timeout`: for a read, and for a write the client does not make room for.
    var timeout = timeval(tv_sec: 30, tv_usec: 0)
    /// A registry request whose body is streaming into the core (SPEC §21).
    var upload: Upload?
    /// Body parts still to send after the queue (`Response.parts`: blobs, an export's files).
    var partsOut: [BodyPart] = []
    /// The file part being sent: its descriptor, where it is, what is left.
    var fileOut: (fd: CInt, offset: off_t, remaining: Int)?
    /// TLS on this connection (an HTTPS listener's, SPEC §23); nil: plain HTTP.
    var tls: TLSSession?
    /// Nothing has been read yet: a TLS connection still tells a ClientHello from plain HTTP.
    var firstRead = true
    /// Whether body parts are still owed: parsing waits for them.
    var sendingParts: Bool { fileOut != nil || !partsOut.isEmpty }

    struct Upload {
        let sink: RequestBodySink
        let method: String
        let keepAlive: Bool
        let minorVersion: Int
    }

    /// Past this much unwritten output a pipelining client that does not read is not parsed further.
    static let highWater = 1 << 20
    /// How long a closing connection keeps discarding input, so that the client reads our last
    /// answer before a reset (the "lingering close" of Apache and nginx).
    static let lingerSeconds = 2

    init(loop: EventLoop, fd: CInt, peer: String, limits: RequestParser.Limits, endpoint: Endpoint, tls: TLSSession?) {
        self.loop = loop
        self.fd = fd
        self.peer = peer
        self.endpoint = endpoint
        self.tls = tls
        // Registry requests stream their bodies to the core instead of arriving whole (SPEC §21).
        parser = RequestParser(limits: limits, streams: { _, target in Emulator.isRegistry(target: target) })
    }

    /// Registers the socket's events; false when libevent cannot (the caller closes the socket).
    func start(timeoutSeconds: Int32) -> Bool {
        let context = Unmanaged.passUnretained(self).toOpaque()
        readEvent = event_new(loop.base, fd, Int16(EV_READ | EV_PERSIST), onReadable, context)
        writeEvent = event_new(loop.base, fd, Int16(EV_WRITE | EV_PERSIST), onWritable, context)
        guard let readEvent, writeEvent != nil else { return false }
        timeout = timeval(tv_sec: Int(timeoutSeconds), tv_usec: 0)
        event_add(readEvent, &timeout)
        return true
    }

    func readable(timedOut: Bool) {
        if timedOut {
            // Idle keep-alive, or a client that stopped mid-request (SPEC §12). A client waiting for a
            // delayed answer, or one we are still writing to (the write has its own timeout), is not idle.
            if lingering || (!waiting && pending.isEmpty) { close() }
            return
        }
        if lingering {
            // Only EOF or an error matters now; what the client still sends is discarded.
            let count = withUnsafeTemporaryAllocation(byteCount: 4096, alignment: 1) { space in
                receive(into: space)
            }
            if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR)
                || EventLoop.monotonicSeconds() > lingerDeadline {
                close()
            }
            return
        }
        if firstRead, tls != nil {
            firstRead = false
            if refusePlainHTTP() { return }
        }
        // TLS may hold decrypted bytes the socket will not announce again: read them while parsing goes on.
        repeat {
            let count = parser.readInto(minimum: 4096) { space in
                receive(into: space)
            }
            if count > 0 {
                process()
            } else if count == 0 {
                readClosed = true
                if let readEvent { event_del(readEvent) }
                process()
                return
            } else {
                if errno != EAGAIN && errno != EINTR {
                    close()
                } else if tls?.readWantsWrite == true, let writeEvent {
                    event_add(writeEvent, &timeout)
                }
                return
            }
        } while !closed && !readPaused && !lingering && tls?.hasPending == true
    }

    /// Answers every complete request that can be answered now, in order.
    func process() {
        while !closed && !waiting && !closeAfterWrite && pendingBytes < Self.highWater && !sendingParts {
            guard let event = parser.next() else { break }
            switch event {
            case .expectContinue:
                write(head: ResponseWriter.continueHead, body: [])
            case .head(let parsed, let hasBody):
                startStream(parsed, hasBody: hasBody)
            case .body(let bytes):
                if let upload, let refused = upload.sink.write(bytes) {
                    self.upload = nil
                    send(refused, method: upload.method, keepAlive: false, minorVersion: upload.minorVersion)
                }
            case .end:
                // Nothing is owed when the head was answered already (a request without a body).
                if let upload {
                    self.upload = nil
                    loop.deliver(upload.sink.finish(), method: upload.method, keepAlive: upload.keepAlive,
                                 minorVersion: upload.minorVersion, on: self)
                }
            case .failure(let error):
                upload?.sink.abort()
                upload = nil
                let response = loop.server.emulator.framingResponse(error)
                loop.server.logger.debug("refused: \(error.status) \(error.message)")
                send(response, method: parser.method, keepAlive: false, minorVersion: 1)
            case .request(let parsed):
                loop.answer(parsed, on: self)
            }
        }
        finishIfDone()
        updateReading()
    }

    /// A registry request: answered at once, or its body streams into the sink the core hands out. A
    /// request refused before its body arrived ends the connection: the body is then not read.
    func startStream(_ parsed: ParsedRequest, hasBody: Bool) {
        let request = loop.request(from: parsed, on: self)
        switch loop.server.emulator.registryExchange(request, hasBody: hasBody) {
        case .answer(let response):
            loop.deliver(response, method: parsed.method, keepAlive: parsed.keepAlive && !hasBody,
                         minorVersion: parsed.minorVersion, on: self)
        case .body(let sink):
            upload = Upload(sink: sink, method: parsed.method, keepAlive: parsed.keepAlive,
                            minorVersion: parsed.minorVersion)
        }
    }

    /// Reading pauses while parsing does (a delayed answer is due, or a megabyte of answers is not
    /// written yet), so a client that pipelines without reading cannot grow our buffers; it resumes
    /// when they are written.
    func updateReading() {
        guard !closed, !readClosed, !lingering, let readEvent else { return }
        let blocked = waiting || pendingBytes >= Self.highWater || sendingParts
        if blocked && !readPaused {
            event_del(readEvent)
            readPaused = true
        } else if !blocked && readPaused {
            event_add(readEvent, &timeout)
            readPaused = false
            // Bytes TLS decrypted already would wait for the next packet otherwise.
            if tls?.hasPending == true { event_active(readEvent, Int32(EV_READ), 0) }
        }
    }

    /// After EOF: close once nothing more is owed to the client.
    func finishIfDone() {
        guard readClosed, !closed, !waiting, pending.isEmpty, !sendingParts, !closeAfterWrite else { return }
        close()
    }

    /// Ends the connection after its last answer. With input still unread (a refused request whose
    /// body is still arriving), closing would reset the connection before the client has read the
    /// answer (RFC 9112 §9.6): then shut down our side and discard what the client sends for a moment.
    /// Otherwise close at once, as nginx does.
    func lingeringClose() {
        guard !closed else { return }
        var unread: CInt = 0
        if readClosed || (parser.isIdle && ioctl(fd, UInt(FIONREAD), &unread) == 0 && unread == 0) {
            close()
            return
        }
        tls?.shutdown()
        shutdown(fd, CInt(SHUT_WR))
        lingering = true
        lingerDeadline = EventLoop.monotonicSeconds() + Double(Self.lingerSeconds)
        if let readEvent {
            event_del(readEvent)
            var timeout = timeval(tv_sec: Self.lingerSeconds, tv_usec: 0)
            event_add(readEvent, &timeout)
        }
    }

    func close() {
        guard !closed else { return }
        abandon()
        loop.connectionClosed(self)
    }

    /// Frees the events and the socket, without telling the loop (which may be going away).
    func abandon() {
        guard !closed else { return }
        closed = true
        for event in [readEvent, writeEvent] {
            if let event { event_free(event) }
        }
        readEvent = nil
        writeEvent = nil
        pending = []
        // A client gone mid-upload: nothing it sent becomes visible (SPEC §21).
        upload?.sink.abort()
        upload = nil
        if let file = fileOut { _ = Glibc.close(file.fd) }
        fileOut = nil
        partsOut = []
        tls?.shutdown()
        tls = nil
        _ = Glibc.close(fd)
    }
}

private func onReadable(_ fd: CInt, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    let connection = Unmanaged<Connection>.fromOpaque(context).takeUnretainedValue()
    connection.readable(timedOut: events & Int16(EV_TIMEOUT) != 0)
}

private func onWritable(_ fd: CInt, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    let connection = Unmanaged<Connection>.fromOpaque(context).takeUnretainedValue()
    // A client that reads nothing of its answer for `--timeout` seconds is gone.
    if events & Int16(EV_TIMEOUT) != 0 {
        connection.close()
    } else {
        // A TLS read that waited for room to send (a handshake message) reads again once it is there.
        let readWaited = connection.tls?.readWantsWrite == true
        connection.flush()
        if readWaited && !connection.closed && !connection.readPaused { connection.readable(timedOut: false) }
    }
}
