import CLibevent

#if canImport(Glibc)
import Glibc
#endif

/// A numeric or named host resolved to one socket address, and the sockets bound to it.
struct ListenAddress {
    enum Failure: Error, CustomStringConvertible {
        case addressInUse(String)
        case cannotBind(String, String)

        var description: String {
            switch self {
            case .addressInUse(let address): "cannot listen on \(address): address already in use"
            case .cannotBind(let address, let reason): "cannot listen on \(address): \(reason)"
            }
        }
    }

    let host: String
    let requestedPort: Int
    private let storage: sockaddr_storage
    let length: socklen_t

    init(host: String, port: Int) throws {
        self.host = host
        requestedPort = port
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        defer { if let result { freeaddrinfo(result) } }
        guard status == 0, let first = result, let address = first.pointee.ai_addr else {
            let reason = status == 0 ? "no address" : String(cString: gai_strerror(status))
            throw Failure.cannotBind(Self.authority(host: host, port: port), reason)
        }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(first.pointee.ai_addrlen)))
        }
        self.storage = storage
        length = first.pointee.ai_addrlen
    }

    static func authority(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    func authority(port: UInt16) -> String {
        Self.authority(host: host, port: Int(port))
    }

    var family: CInt { CInt(storage.ss_family) }

    /// The address with `port` set.
    func withAddress<T>(port: UInt16, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        var copy = storage
        return withUnsafeMutableBytes(of: &copy) { bytes in
            if family == AF_INET6 {
                bytes.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self).pointee.sin6_port = port.bigEndian
            } else {
                bytes.baseAddress!.assumingMemoryBound(to: sockaddr_in.self).pointee.sin_port = port.bigEndian
            }
            return body(bytes.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }

    /// Binds a plain socket (no SO_REUSEPORT) to learn whether the port is free, and which port
    /// the kernel picks for port 0; then lets it go.
    func probe() throws -> UInt16 {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw failure(errno) }
        defer { close(fd) }
        var one: CInt = 1
        // SO_REUSEADDR so a port in TIME_WAIT still counts as free, as it will for the listeners.
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<CInt>.size))
        let bound = withAddress(port: UInt16(clamping: requestedPort)) { Glibc.bind(fd, $0, $1) }
        guard bound == 0 else { throw failure(errno) }
        return Self.port(of: fd)
    }

    func failure(_ code: CInt) -> Failure {
        let address = Self.authority(host: host, port: requestedPort)
        return code == EADDRINUSE ? .addressInUse(address) : .cannotBind(address, String(cString: strerror(code)))
    }

    static func port(of fd: CInt) -> UInt16 {
        var bound = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutableBytes(of: &bound) {
            getsockname(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
        }
        let family = bound.ss_family
        return withUnsafeBytes(of: bound) { bytes in
            if family == sa_family_t(AF_INET6) {
                return UInt16(bigEndian: bytes.load(as: sockaddr_in6.self).sin6_port)
            }
            return UInt16(bigEndian: bytes.load(as: sockaddr_in.self).sin_port)
        }
    }
}
