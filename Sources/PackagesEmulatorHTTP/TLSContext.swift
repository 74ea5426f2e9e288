import CLibevent

#if canImport(Glibc)
import Glibc
#endif

/// A server's TLS settings (SPEC §23): OpenSSL's `SSL_CTX` with the certificate, TLS 1.2 and 1.3 only,
/// ALPN `http/1.1`, renegotiation refused. Shared by every loop: OpenSSL locks what an `SSL_CTX`
/// changes at run time (its session cache).
public final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// From PEM bytes: the certificate chain (the server's certificate first) and its private key.
    public convenience init(certificateChainPEM: [UInt8], privateKeyPEM: [UInt8]) throws {
        try self.init { context in
            let chain = try Self.certificates(certificateChainPEM)
            defer { chain.forEach { X509_free($0) } }
            guard let first = chain.first else { throw Failure(description: "no certificate in the PEM") }
            guard SSL_CTX_use_certificate(context, first) == 1 else { throw Self.failure("the certificate") }
            for extra in chain.dropFirst() {
                guard copenssl_ctx_add_chain_certificate(context, extra) == 1 else {
                    throw Self.failure("the certificate chain")
                }
            }
            let key = privateKeyPEM.withUnsafeBytes { bytes -> OpaquePointer? in
                let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count))
                defer { BIO_free(bio) }
                return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
            }
            guard let key else { throw Self.failure("the private key") }
            defer { EVP_PKEY_free(key) }
            guard SSL_CTX_use_PrivateKey(context, key) == 1 else { throw Self.failure("the private key") }
        }
    }

    /// From files, as `--tls-cert` and `--tls-key` name them.
    public convenience init(certificateFile: String, keyFile: String) throws {
        try self.init { context in
            guard SSL_CTX_use_certificate_chain_file(context, certificateFile) == 1 else {
                throw Self.failure("--tls-cert \(certificateFile)")
            }
            guard SSL_CTX_use_PrivateKey_file(context, keyFile, SSL_FILETYPE_PEM) == 1 else {
                throw Self.failure("--tls-key \(keyFile)")
            }
        }
    }

    private init(loadCredentials: (OpaquePointer) throws -> Void) throws {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw Self.failure("a TLS context") }
        self.context = context
        guard copenssl_ctx_set_protocols(context) == 1 else { throw Self.failure("TLS 1.2 and 1.3") }
        copenssl_ctx_set_options(context)
        _ = copenssl_ctx_set_modes(context)
        copenssl_ctx_use_alpn_http11(context)
        try loadCredentials(context)
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw Self.failure("the private key, which does not match the certificate")
        }
    }

    deinit {
        SSL_CTX_free(context)
    }

    /// A new session for an accepted socket, in the server's role.
    func session(fd: CInt) -> TLSSession? {
        guard let ssl = SSL_new(context) else { return nil }
        guard SSL_set_fd(ssl, fd) == 1 else {
            SSL_free(ssl)
            return nil
        }
        SSL_set_accept_state(ssl)
        return TLSSession(ssl: ssl)
    }

    /// Every certificate of a PEM text, in order.
    static func certificates(_ pem: [UInt8]) throws -> [OpaquePointer] {
        pem.withUnsafeBytes { bytes in
            let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count))
            defer { BIO_free(bio) }
            var result: [OpaquePointer] = []
            while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) { result.append(certificate) }
            ERR_clear_error()  // the end of the text reads as an error
            return result
        }
    }

    /// What OpenSSL says went wrong, after `what`.
    static func failure(_ what: String) -> Failure {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return Failure(description: "TLS: cannot use \(what)"
            + (reasons.isEmpty ? "" : ": " + reasons.joined(separator: "; ")))
    }
}
