#if canImport(Glibc)
import Glibc
#endif

/// `github-packages-emulator healthcheck`: one GET over a plain socket, so a container image needs no
/// curl for its HEALTHCHECK.
public enum HealthCheck {
    /// nil when `url` answered 200 within `timeoutSeconds`, else the reason.
    public static func failure(url: String, timeoutSeconds: Int32 = 2) -> String? {
        guard let (host, port, target) = parse(url) else {
            return "only http:// URLs with a host are supported: \(url)"
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
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let request = Array("GET \(target) HTTP/1.1\r\nHost: \(authority)\r\nConnection: close\r\n\r\n".utf8)
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else {
            return "cannot send the request to \(url)"
        }
        // `HTTP/1.1 200 …`: the status line's first 12 bytes are all that matter.
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        while answer.count < 12 {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            answer.append(contentsOf: chunk[..<count])
        }
        guard answer.count >= 12, answer.starts(with: Array("HTTP/1.".utf8)) else {
            return "no answer from \(url) within \(timeoutSeconds) s"
        }
        let status = String(decoding: answer[9..<12], as: UTF8.self)
        return status == "200" ? nil : "\(url) answered \(status)"
    }

    /// `http://host[:port][/path]`, the host possibly a bracketed IPv6 literal.
    static func parse(_ url: String) -> (host: String, port: Int, target: String)? {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
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
        guard let port = portText.isEmpty ? 80 : Int(portText), (1...65535).contains(port) else { return nil }
        return (String(host), port, target)
    }
}
