import CLibevent
import PackagesEmulator

#if canImport(Glibc)
import Glibc
#endif

/// Writing answers: the head from the loop's scratch buffer and the body by reference in one `writev`;
/// what the socket does not take is queued and written when it becomes writable.
extension Connection {
    /// Writes `response` (no body for HEAD, 204, 304); ends the connection after it unless it keeps
    /// the connection alive and the loop is not draining.
    func send(_ response: Response, method: String, keepAlive: Bool, minorVersion: Int) {
        let stays = keepAlive && !loop.draining
        loop.scratch.removeAll(keepingCapacity: true)
        let open = ResponseWriter.appendHead(of: response, keepAlive: stays, minorVersion: minorVersion,
                                             date: loop.dateLine(), to: &loop.scratch)
        let body = response.sendsBody(method: method) ? response.body : []
        if tls != nil && !body.isEmpty && loop.scratch.count + body.count <= Self.tlsRecordBytes {
            // One TLS record for head and body, not two: a record costs a header, a MAC and a syscall.
            loop.scratch.append(contentsOf: body)
            write(head: loop.scratch, body: [])
        } else {
            write(head: loop.scratch, body: body)
        }
        if !response.parts.isEmpty, response.sendsBody(method: method), !closed {
            partsOut = response.parts
            if pending.isEmpty && !sendParts(), !closed, let writeEvent { event_add(writeEvent, &timeout) }
        }
        if closed { return }
        if !open { closeAfterWrite = true }
        if closeAfterWrite && pending.isEmpty && !sendingParts { lingeringClose() }
    }

    /// The most plaintext one TLS record carries (RFC 8446 §5.1).
    static let tlsRecordBytes = 1 << 14

    /// Sends the body parts in order while the socket takes them: bytes through the queue, files with
    /// `sendfile`. True once all are sent (or the connection is gone); false while the socket is full.
    func sendParts() -> Bool {
        while !closed {
            if fileOut != nil {
                guard sendFile() else { return false }
                continue
            }
            guard pending.isEmpty, !partsOut.isEmpty else { return pending.isEmpty }
            switch partsOut.removeFirst() {
            case .bytes(let bytes):
                write(head: bytes, body: [])
            case .file(let file):
                let descriptor = Glibc.open(file.path, O_RDONLY | O_CLOEXEC)
                // The head promised the bytes: without them the connection cannot go on.
                guard descriptor >= 0 else {
                    close()
                    return true
                }
                fileOut = (descriptor, off_t(file.offset), Int(file.length))
            }
        }
        return true
    }

    /// Sends what the socket takes of the current file part, without copying; true once it is all sent
    /// (or the connection is gone).
    func sendFile() -> Bool {
        guard var file = fileOut else { return true }
        while file.remaining > 0 {
            let sent = tls == nil
                ? sendfile(fd, file.fd, &file.offset, min(file.remaining, 1 << 30))
                : sendFileOverTLS(file.fd, offset: &file.offset, count: file.remaining)
            if sent < 0 && errno == EINTR { continue }
            if sent < 0 && errno == EAGAIN {
                fileOut = file
                return false
            }
            // An error, or a file shorter than announced: the answer cannot be completed.
            guard sent > 0 else {
                close()
                return true
            }
            file.remaining -= sent
        }
        _ = Glibc.close(file.fd)
        fileOut = nil
        return true
    }

    func write(head: [UInt8], body: [UInt8]) {
        guard !closed else { return }
        guard pending.isEmpty else {
            queue(head)
            queue(body)
            return
        }
        let written = head.withUnsafeBytes { headBytes in
            body.withUnsafeBytes { bodyBytes in
                var vectors = (
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: headBytes.baseAddress), iov_len: headBytes.count),
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: bodyBytes.baseAddress), iov_len: bodyBytes.count))
                return withUnsafeMutableBytes(of: &vectors) { raw in
                    send(vectors: UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: iovec.self),
                                                      count: bodyBytes.isEmpty ? 1 : 2))
                }
            }
        }
        if written < 0 && errno != EAGAIN && errno != EINTR {
            close()
            return
        }
        let sent = max(0, written)
        guard sent < head.count + body.count else { return }
        if sent < head.count {
            queue(Array(head[sent...]))
            queue(body)
        } else {
            queue(body)
            pendingOffset = sent - head.count
            pendingBytes -= pendingOffset
        }
        if let writeEvent { event_add(writeEvent, &timeout) }
    }

    private func queue(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        pending.append(bytes)
        pendingBytes += bytes.count
    }

    /// The socket is writable: write as much of the queue as it takes; once empty, go on with the
    /// requests that waited for it, or close.
    func flush() {
        guard !closed else { return }
        while !pending.isEmpty {
            let count = min(pending.count, 64)
            let written = withUnsafeTemporaryAllocation(of: iovec.self, capacity: count) { vectors in
                // The arrays stay alive in `pending` during the call; their buffers do not move.
                for index in 0..<count {
                    let offset = index == 0 ? pendingOffset : 0
                    let (base, length) = pending[index].withUnsafeBytes { ($0.baseAddress, $0.count) }
                    vectors[index] = iovec(iov_base: UnsafeMutableRawPointer(mutating: base.map { $0 + offset }),
                                           iov_len: length - offset)
                }
                return send(vectors: UnsafeBufferPointer(vectors))
            }
            if written < 0 {
                if errno == EAGAIN || errno == EINTR { return }
                close()
                return
            }
            advance(by: written)
            if written == 0 { return }
        }
        if sendingParts {
            guard sendParts() else { return }
            if closed || !pending.isEmpty { return }
        }
        if let writeEvent { event_del(writeEvent) }
        if closeAfterWrite {
            lingeringClose()
        } else {
            process()
        }
    }

    private func advance(by written: Int) {
        var left = written
        pendingBytes -= written
        while left > 0, let first = pending.first {
            let remaining = first.count - pendingOffset
            if left < remaining {
                pendingOffset += left
                return
            }
            left -= remaining
            pending.removeFirst()
            pendingOffset = 0
        }
    }
}
