import CLibevent

#if canImport(Glibc)
import Glibc
#endif

/// One connection's TLS: OpenSSL's `SSL` over the non-blocking socket. `read` and `write` answer as
/// `recv` and `send` do (bytes, 0 at the end, -1 with `errno`), so the connection's code is the same
/// for both schemes; the handshake happens inside the first reads.
final class TLSSession {
    let ssl: OpaquePointer
    /// The last read could not go on until the socket is writable (a handshake message or a TLS 1.3
    /// key update to send): the connection then waits for writability to read again.
    private(set) var readWantsWrite = false

    init(ssl: OpaquePointer) {
        self.ssl = ssl
    }

    deinit {
        SSL_free(ssl)
    }

    /// Decrypted bytes into `space`: the count, 0 when the client ended the session (or the socket),
    /// -1 with `errno` EAGAIN when more must arrive first, or EPROTO for anything TLS refuses (garbage
    /// instead of a ClientHello, a renegotiation, a bad record).
    func read(into space: UnsafeMutableRawBufferPointer) -> Int {
        readWantsWrite = false
        ERR_clear_error()
        let count = SSL_read(ssl, space.baseAddress, Int32(min(space.count, Int(Int32.max))))
        if count > 0 { return Int(count) }
        switch SSL_get_error(ssl, count) {
        case SSL_ERROR_WANT_READ:
            errno = EAGAIN
            return -1
        case SSL_ERROR_WANT_WRITE:
            readWantsWrite = true
            errno = EAGAIN
            return -1
        case SSL_ERROR_ZERO_RETURN:
            return 0
        case SSL_ERROR_SYSCALL where errno == 0 || errno == ECONNRESET:
            // The socket ended without close_notify: an end, as a plain connection's.
            return 0
        default:
            errno = EPROTO
            return -1
        }
    }

    /// Encrypts and sends up to `bytes.count` bytes: the count taken (a partial write is allowed), or -1
    /// with `errno` EAGAIN when the socket is full. A retry after EAGAIN must offer the same bytes again
    /// (OpenSSL's rule; the queue and the file reads do).
    func write(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard !bytes.isEmpty else { return 0 }
        ERR_clear_error()
        let count = SSL_write(ssl, bytes.baseAddress, Int32(min(bytes.count, 1 << 30)))
        if count > 0 { return Int(count) }
        // A write that would need a read first (a renegotiation) is refused, as is every error.
        errno = SSL_get_error(ssl, count) == SSL_ERROR_WANT_WRITE ? EAGAIN : EPIPE
        return -1
    }

    /// `writev` over TLS: each buffer in order until one is not taken whole.
    func write(vectors: UnsafeBufferPointer<iovec>) -> Int {
        var total = 0
        for vector in vectors where vector.iov_len > 0 {
            let written = write(UnsafeRawBufferPointer(start: vector.iov_base, count: vector.iov_len))
            if written < 0 { return total > 0 ? total : -1 }
            total += written
            if written < vector.iov_len { break }
        }
        return total
    }

    /// Bytes OpenSSL holds, decrypted or not, that the socket will not announce again.
    var hasPending: Bool { SSL_has_pending(ssl) == 1 }

    /// close_notify, once, without waiting for the client's (RFC 8446 §6.1 allows it).
    func shutdown() {
        if SSL_is_init_finished(ssl) == 1 { _ = SSL_shutdown(ssl) }
    }
}
