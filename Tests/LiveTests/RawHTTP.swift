import CLibevent
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One HTTP/1.1 answer as read off the wire.
struct HTTPResponse {
    var statusLine: String
    var status: Int
    /// Header fields in the order received, names as sent.
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    /// The first value of `name` (case-insensitive).
    func header(_ name: String) -> String? { values(of: name).first }

    /// Every value of `name` (case-insensitive), in order.
    func values(of name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed with Foundation.
    func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) }
}

/// A TCP connection to `127.0.0.1:port` that sends exact bytes and parses answers itself, so HEAD,
/// keep-alive, pipelining and header bytes can be asserted (no client library normalises anything).
final class HTTPConnection {
    let fd: Int32
    private var buffer: [UInt8] = []
    /// Over TLS once `startTLS` succeeded (SPEC §23): the same requests, encrypted.
    private(set) var tls: TLSTestClient?

    /// Makes the connection HTTPS: a handshake that trusts `caFile` (nil: trusts nothing).
    func startTLS(caFile: String?, host: String = "127.0.0.1", maxVersion: Int32 = TLS1_3_VERSION) throws {
        tls = try TLSTestClient(fd: fd, caFile: caFile, host: host, maxVersion: maxVersion)
    }

    /// Connects; every later read gives up after `timeout` seconds (SO_RCVTIMEO), so no test hangs.
    init(port: Int, timeout: Int = 5) throws {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw LiveTestError("socket: errno \(errno)") }
        var time = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = Socket.loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw LiveTestError("connect to 127.0.0.1:\(port): errno \(code)")
        }
        self.fd = fd
    }

    deinit { close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { raw in
                tls.map { $0.write(raw) } ?? Socket.send(fd, raw.baseAddress, raw.count)
            }
            guard sent > 0 else { throw LiveTestError("send: errno \(errno)") }
            offset += sent
        }
    }

    /// Reads one answer: status line, headers, and a body of exactly `Content-Length` bytes, none after
    /// a HEAD request (`head`) or for 1xx/204/304. Bytes past it stay buffered for the next answer.
    func readResponse(head: Bool = false) throws -> HTTPResponse {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var end: Int?
        while end == nil {
            end = Self.find(separator, in: buffer)
            if end == nil { try fill() }
        }
        let headEnd = end!
        let headText = String(decoding: buffer[..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + separator.count)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw LiveTestError("bad status line \(statusLine.debugDescription)")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw LiveTestError("bad header line \(line)") }
            headers.append((String(line[..<colon]),
                            line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = HTTPResponse(statusLine: statusLine, status: status, headers: headers, body: [])
        if head || status == 204 || status == 304 || status < 200 { return response }
        guard let lengthText = response.header("Content-Length"), let length = Int(lengthText) else {
            throw LiveTestError("answer without Content-Length: \(statusLine)")
        }
        while buffer.count < length { try fill() }
        response.body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return response
    }

    /// Whether the peer closed the connection with nothing more to read (within the read timeout).
    func readsEOF() -> Bool {
        guard buffer.isEmpty else { return false }
        var byte: UInt8 = 0
        if let tls { return withUnsafeMutableBytes(of: &byte) { tls.read($0) } == 0 }
        return recv(fd, &byte, 1, 0) == 0
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 16384)
        let count = chunk.withUnsafeMutableBytes { space in
            tls.map { $0.read(space) } ?? recv(fd, space.baseAddress, space.count, 0)
        }
        guard count > 0 else {
            throw LiveTestError(count == 0 ? "connection closed mid-answer" : "recv: errno \(errno)")
        }
        buffer.append(contentsOf: chunk[..<count])
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { start in
            haystack[start..<start + needle.count].elementsEqual(needle)
        }
    }
}

enum RawHTTP {
    /// One request on a fresh connection. `host` nil sends `Host: 127.0.0.1:PORT`; pass "" for no Host.
    static func request(port: Int, method: String = "GET", target: String,
                        headers: [(String, String)] = [], host: String? = nil,
                        version: String = "HTTP/1.1") throws -> HTTPResponse {
        let connection = try HTTPConnection(port: port)
        try connection.send(requestText(method: method, target: target, headers: headers,
                                        host: host ?? "127.0.0.1:\(port)", version: version, close: true))
        return try connection.readResponse(head: method == "HEAD")
    }

    /// A GET with `Authorization: token TOKEN`.
    static func get(port: Int, _ target: String, token: String? = nil,
                    headers: [(String, String)] = []) throws -> HTTPResponse {
        let auth = token.map { [("Authorization", "token \($0)")] } ?? []
        return try request(port: port, target: target, headers: auth + headers)
    }

    /// The bytes of a request; an empty `host` sends no Host line.
    static func requestText(method: String = "GET", target: String, headers: [(String, String)] = [],
                            host: String, version: String = "HTTP/1.1", close: Bool = false) -> String {
        var text = "\(method) \(target) \(version)\r\n"
        if !host.isEmpty { text += "Host: \(host)\r\n" }
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if close { text += "Connection: close\r\n" }
        return text + "\r\n"
    }

    /// Whether anything accepts TCP connections on `127.0.0.1:port`.
    static func canConnect(port: Int) -> Bool {
        (try? HTTPConnection(port: port, timeout: 2)) != nil
    }
}

/// A socket bound to `127.0.0.1:0`, listening or not: a port in use, or (closed) a port with no server.
final class Socket {
    let fd: Int32
    let port: Int

    init(listen shouldListen: Bool = true) throws {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw LiveTestError("socket: errno \(errno)") }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, !shouldListen || listen(fd, 8) == 0 else {
            close(fd)
            throw LiveTestError("bind/listen: errno \(errno)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: actual.sin_port))
    }

    deinit { close(fd) }

    /// A port that nothing listens on: bound to learn a free number, then closed.
    static func closedPort() throws -> Int {
        try Socket(listen: false).port
    }

    /// `send(2)` without SIGPIPE when the peer has gone.
    static func send(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.send(fd, bytes, count, Int32(MSG_NOSIGNAL))
        #else
        Darwin.send(fd, bytes, count, 0)
        #endif
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
