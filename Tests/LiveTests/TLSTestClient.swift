import CLibevent

#if canImport(Glibc)
import Glibc
#endif

/// A blocking OpenSSL client over a test's socket: verifies the server as curl does (the chain to
/// `caFile`, the name or address `host`), and can misbehave on purpose (a renegotiation).
final class TLSTestClient {
    private let context: OpaquePointer
    let ssl: OpaquePointer

    init(fd: Int32, caFile: String?, host: String, maxVersion: Int32 = TLS1_3_VERSION) throws {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw LiveTestError("SSL_CTX_new") }
        // Before SSL_new: a session takes its context's settings when it is made.
        _ = copenssl_ctx_set_max_version(context, maxVersion)
        if let caFile { SSL_CTX_load_verify_locations(context, caFile, nil) }
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw LiveTestError("SSL_new")
        }
        self.context = context
        self.ssl = ssl
        SSL_set_verify(ssl, SSL_VERIFY_PEER, nil)
        var address = in6_addr()
        if inet_pton(AF_INET, host, &address) == 1 || inet_pton(AF_INET6, host, &address) == 1 {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
        } else {
            SSL_set1_host(ssl, host)
            _ = copenssl_set_host_name(ssl, host)
        }
        let protocols: [UInt8] = [8] + Array("http/1.1".utf8)
        _ = SSL_set_alpn_protos(ssl, protocols, UInt32(protocols.count))
        SSL_set_fd(ssl, fd)
        guard SSL_connect(ssl) == 1 else {
            let verify = SSL_get_verify_result(ssl)
            throw LiveTestError(verify == X509_V_OK ? "TLS handshake failed"
                : "certificate not trusted: \(String(cString: X509_verify_cert_error_string(verify)))")
        }
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> Int { Int(SSL_write(ssl, bytes.baseAddress, Int32(bytes.count))) }

    func read(_ space: UnsafeMutableRawBufferPointer) -> Int { Int(SSL_read(ssl, space.baseAddress, Int32(space.count))) }

    /// `TLSv1.3`, `TLSv1.2`.
    var version: String { String(cString: SSL_get_version(ssl)) }

    var alpn: String {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data else { return "" }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// Asks for a TLS 1.2 renegotiation and completes it: true only if the server went along.
    func renegotiate() -> Bool {
        guard SSL_renegotiate(ssl) == 1 else { return false }
        guard SSL_do_handshake(ssl) == 1 else { return false }
        // The server's answer comes with the next read; a refusal is an alert there.
        var byte: UInt8 = 0
        return withUnsafeMutableBytes(of: &byte) { read($0) } > 0
    }
}
