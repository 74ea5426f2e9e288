/// One HTTP request as the HTTP shell received it, before any interpretation.
///
/// The core parses the target itself (STYLE.md: "Hand the core the raw query string"), so libevent's
/// parsing quirks never decide an answer.
public struct Request: Sendable {
    public var method: String
    /// The request-target exactly as sent: `/users/octocat/packages?package_type=npm`.
    public var target: String
    /// Header fields in the order received; names as sent (compare case-insensitively).
    public var headers: [(name: String, value: String)]
    /// The client's address, the key of the anonymous rate limit.
    public var clientAddress: String
    /// `host:port` of the socket the request came in on: the `{api}` authority when `Host` is unusable.
    public var localAuthority: String
    /// It came over TLS (SPEC §23): `{api}` then starts with `https://`.
    public var secure: Bool
    /// The request body as received (control routes read it; the API ignores it).
    public var body: [UInt8]

    public init(method: String, target: String, headers: [(name: String, value: String)] = [],
                clientAddress: String = "127.0.0.1", localAuthority: String = "127.0.0.1:8080",
                secure: Bool = false, body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.headers = headers
        self.clientAddress = clientAddress
        self.localAuthority = localAuthority
        self.secure = secure
        self.body = body
    }

    /// Every value of the header `name` (given in lowercase; matched case-insensitively), in order.
    public func values(of name: String) -> [String] {
        headers.compactMap { $0.name.equalsASCIILowercase(name) ? $0.value : nil }
    }

    /// The single value of `name`, the values joined by ", " when it was sent more than once.
    public func value(of name: String) -> String? {
        let all = values(of: name)
        return all.isEmpty ? nil : all.joined(separator: ", ")
    }
}

extension String {
    /// Whether this equals `lowercase` ignoring ASCII case, without allocating.
    func equalsASCIILowercase(_ lowercase: String) -> Bool {
        guard utf8.count == lowercase.utf8.count else { return false }
        return zip(utf8, lowercase.utf8).allSatisfy { byte, expected in
            (byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte) == expected
        }
    }

    /// ASCII-only lowercasing: header names and logins are ASCII, and this avoids Unicode tables.
    func asciiLowercased() -> String {
        if !utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) { return self }
        return String(decoding: utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }
}
