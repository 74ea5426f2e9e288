import CLibevent

#if canImport(Glibc)
import Glibc
#endif

/// `github-packages-emulator healthcheck`: one GET over a plain socket, or over TLS for an `https://`
/// URL (SPEC §23), so a container image needs no curl for its HEALTHCHECK.
public enum HealthCheck {
    /// nil when `url` answered 200 within `timeoutSeconds`, else the reason. An `https://` URL's
    /// certificate must chain to `caFile` (else the system's trusted CAs) and name the URL's host.
    public static func failure(url: String, caFile: String? = nil, timeoutSeconds: Int32 = 2) -> String? {
        guard let (secure, host, port, target) = parse(url) else {
            return "only http:// and https:// URLs with a host are supported: \(url)"
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let address = result else {
            return "cannot connect to \(host)"
        }
        defer { freeaddrinfo(result) }
        let fd = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return "cannot create a socket" }
        defer { close(fd) }
        // On Linux the send timeout bounds connect(2) too (socket(7), SO_SNDTIMEO).
        var timeout = timeval(tv_sec: Int(timeoutSeconds), tv_usec: 0)
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            setsockopt(fd, SOL_SOCKET, option, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        guard connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
            return "cannot connect to \(host)"
        }
        var tls: TLSClient?
        if secure {
            switch TLSClient.connect(fd: fd, host: host, caFile: caFile) {
            case .success(let client): tls = client
            case .failure(let reason): return "TLS with \(host): \(reason)"
            }
        }
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let request = Array("GET \(target) HTTP/1.1\r\nHost: \(authority)\r\nConnection: close\r\n\r\n".utf8)
        let sent = request.withUnsafeBytes { bytes in
            tls.map { $0.write(bytes) } ?? send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
        }
        guard sent == request.count else {
            return "cannot send the request to \(url)"
        }
        // `HTTP/1.1 200 …`: the status line's first 12 bytes are all that matter.
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        while answer.count < 12 {
            let count = chunk.withUnsafeMutableBytes { space in
                tls.map { $0.read(space) } ?? recv(fd, space.baseAddress, space.count, 0)
            }
            guard count > 0 else { break }
            answer.append(contentsOf: chunk[..<count])
        }
        guard answer.count >= 12, answer.starts(with: Array("HTTP/1.".utf8)) else {
            return "no answer from \(url) within \(timeoutSeconds) s"
        }
        let status = String(decoding: answer[9..<12], as: UTF8.self)
        return status == "200" ? nil : "\(url) answered \(status)"
    }

    /// `http[s]://host[:port][/path]`, the host possibly a bracketed IPv6 literal.
    static func parse(_ url: String) -> (secure: Bool, host: String, port: Int, target: String)? {
        let secure = url.hasPrefix("https://")
        guard secure || url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst(secure ? "https://".count : "http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        let target = slash == rest.endIndex ? "/" : String(rest[slash...])
        var host = authority
        var portText: Substring = ""
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { return nil }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        }
        guard !host.isEmpty else { return nil }
        guard let port = portText.isEmpty ? (secure ? 443 : 80) : Int(portText), (1...65535).contains(port) else {
            return nil
        }
        return (secure, String(host), port, target)
    }
}

/// The health check's TLS: a blocking OpenSSL client that verifies the server's certificate chain and
/// name (RFC 6125) as curl does, so `--cacert` proves what a client would see.
final class TLSClient {
    private let context: OpaquePointer
    private let ssl: OpaquePointer

    private init(context: OpaquePointer, ssl: OpaquePointer) {
        self.context = context
        self.ssl = ssl
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    static func connect(fd: CInt, host: String, caFile: String?) -> Result<TLSClient, TLSContext.Failure> {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else { return .failure(TLSContext.failure("TLS")) }
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            return .failure(TLSContext.failure("TLS"))
        }
        let client = TLSClient(context: context, ssl: ssl)
        SSL_set_verify(ssl, SSL_VERIFY_PEER, nil)
        let trusted = caFile.map { SSL_CTX_load_verify_locations(context, $0, nil) }
            ?? SSL_CTX_set_default_verify_paths(context)
        guard trusted == 1 else { return .failure(TLSContext.failure("--cacert \(caFile ?? "")")) }
        var address = in6_addr()
        if inet_pton(AF_INET, host, &address) == 1 || inet_pton(AF_INET6, host, &address) == 1 {
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1 else {
                return .failure(TLSContext.failure(host))
            }
        } else {
            // SNI (RFC 6066 §3) carries names only.
            guard SSL_set1_host(ssl, host) == 1, copenssl_set_host_name(ssl, host) == 1 else {
                return .failure(TLSContext.failure(host))
            }
        }
        guard SSL_set_fd(ssl, fd) == 1, SSL_connect(ssl) == 1 else {
            let verify = SSL_get_verify_result(ssl)
            if verify != X509_V_OK {
                return .failure(TLSContext.Failure(
                    description: "certificate not trusted: " + String(cString: X509_verify_cert_error_string(verify))))
            }
            return .failure(TLSContext.failure("the handshake"))
        }
        return .success(client)
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> Int {
        Int(SSL_write(ssl, bytes.baseAddress, Int32(bytes.count)))
    }

    func read(_ space: UnsafeMutableRawBufferPointer) -> Int {
        Int(SSL_read(ssl, space.baseAddress, Int32(space.count)))
    }
}
