import CLibevent
import PackagesEmulator

#if canImport(Glibc)
import Glibc
#endif

/// Moving bytes: the socket itself for plain HTTP, OpenSSL over it for HTTPS (SPEC §23). Both answer
/// as the system calls do, so reading, queueing and writing are the same code for both schemes.
extension Connection {
    func receive(into space: UnsafeMutableRawBufferPointer) -> Int {
        if let tls { return tls.read(into: space) }
        return recv(fd, space.baseAddress, space.count, 0)
    }

    func send(vectors: UnsafeBufferPointer<iovec>) -> Int {
        if let tls { return tls.write(vectors: vectors) }
        return writev(fd, vectors.baseAddress, CInt(vectors.count))
    }

    /// `sendfile` cannot encrypt: a piece of the file through the loop's buffer instead. After EAGAIN the
    /// next call reads the same bytes from the same offset, as OpenSSL asks of a retried write.
    func sendFileOverTLS(_ file: CInt, offset: inout off_t, count: Int) -> Int {
        guard let tls else { return -1 }
        return loop.fileBuffer.withUnsafeMutableBytes { buffer in
            let read = pread(file, buffer.baseAddress, min(count, buffer.count), offset)
            guard read > 0 else { return read }
            let written = tls.write(UnsafeRawBufferPointer(rebasing: buffer[..<read]))
            if written > 0 { offset += off_t(written) }
            return written
        }
    }

    /// Plain HTTP sent to an HTTPS listener: answered 400 in plain text, as nginx does, instead of a TLS
    /// alert the client cannot read. A TLS record starts with its content type, 22 for a handshake
    /// (RFC 8446 §5.1); a request line starts with a method's letters. Anything else is left to
    /// OpenSSL, which refuses it. True when the connection was answered.
    func refusePlainHTTP() -> Bool {
        var first: UInt8 = 0
        guard recv(fd, &first, 1, CInt(MSG_PEEK)) == 1, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) else {
            return false
        }
        tls = nil
        let body = Array("The plain HTTP request was sent to the HTTPS port. Use https://.\n".utf8)
        let response = Response(status: 400, headers: [("Content-Type", "text/plain; charset=utf-8"),
                                                        ("Content-Length", String(body.count))], body: body)
        send(response, method: "GET", keepAlive: false, minorVersion: 1)
        return true
    }
}
