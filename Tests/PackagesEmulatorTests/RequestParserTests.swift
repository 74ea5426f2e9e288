import Testing
@testable import PackagesEmulator

/// RequestParser on whole requests: what it accepts and how it reads it, and every framing shape SPEC §12
/// (RFC 9112) refuses with 400. Limits, incremental feeding, pipelining and 100-continue are in
/// RequestParserLimitTests.
@Suite struct RequestParserTests {
    // MARK: Accepted

    static let accepted: [Accepted] = [
        Accepted(
            "simple GET, names as sent, values trimmed of OWS",
            "GET /users/octocat/packages?package_type=npm HTTP/1.1\r\nHost: api.example\r\n"
                + "user-AGENT:  curl/8.5 \t\r\nAccept:\t*/*\r\nX-Empty:\r\nX-Inner: a \t b\r\n\r\n",
            Parsed(method: "GET", target: "/users/octocat/packages?package_type=npm", minorVersion: 1,
                   headers: [Field("Host", "api.example"), Field("user-AGENT", "curl/8.5"), Field("Accept", "*/*"),
                             Field("X-Empty", ""), Field("X-Inner", "a \t b")],
                   body: [], keepAlive: true)),
        Accepted(
            "HEAD in absolute form, repeated headers kept in order",
            "HEAD http://api.example/rate_limit HTTP/1.1\r\nX-A: 1\r\nHost: h\r\nX-A: 2\r\n\r\n",
            Parsed(method: "HEAD", target: "http://api.example/rate_limit", minorVersion: 1,
                   headers: [Field("X-A", "1"), Field("Host", "h"), Field("X-A", "2")], body: [], keepAlive: true)),
        Accepted(
            "OPTIONS * over HTTP/1.0",
            "OPTIONS * HTTP/1.0\r\n\r\n",
            Parsed(method: "OPTIONS", target: "*", minorVersion: 0, headers: [], body: [], keepAlive: false)),
        Accepted(
            "CONNECT in authority form",
            "CONNECT api.example:443 HTTP/1.1\r\nHost: api.example:443\r\n\r\n",
            Parsed(method: "CONNECT", target: "api.example:443", minorVersion: 1,
                   headers: [Field("Host", "api.example:443")], body: [], keepAlive: true)),
        Accepted(
            "an unknown lowercase method is a token: the core answers it",
            "brew /pot%20of?x=%zz HTTP/1.1\r\nHost: h\r\n\r\n",
            Parsed(method: "brew", target: "/pot%20of?x=%zz", minorVersion: 1, headers: [Field("Host", "h")],
                   body: [], keepAlive: true)),
    ]

    @Test(arguments: accepted)
    func acceptedRequestIsReadAsSent(_ test: Accepted) {
        #expect(Wire.parse(test.bytes) == [.request(test.expected)])
    }

    static let connections: [(request: String, minorVersion: Int, keepAlive: Bool)] = [
        ("GET / HTTP/1.1\r\nHost: h\r\n\r\n", 1, true),
        ("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", 1, false),
        ("GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, Close\r\n\r\n", 1, false),
        ("GET / HTTP/1.1\r\nHost: h\r\nConnection: foo,\tclose , bar\r\n\r\n", 1, false),
        ("GET / HTTP/1.1\r\nHost: h\r\nCONNECTION: CLOSE\r\n\r\n", 1, false),
        ("GET / HTTP/1.1\r\nHost: h\r\nConnection: foo\r\nConnection: close\r\n\r\n", 1, false),
        ("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n", 1, true),
        ("GET / HTTP/1.1\r\nHost: h\r\nConnection: closed, enclose\r\n\r\n", 1, true),
        ("GET / HTTP/1.0\r\n\r\n", 0, false),
        ("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 0, true),
        ("GET / HTTP/1.0\r\nConnection: Upgrade, Keep-Alive\r\n\r\n", 0, true),
        ("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", 0, false),
        ("GET / HTTP/1.0\r\nConnection: keep-alives\r\n\r\n", 0, false),
    ]

    /// RFC 9112 §9.3: HTTP/1.1 persists unless `close` is a token of Connection; HTTP/1.0 only with `keep-alive`.
    @Test(arguments: connections)
    func connectionTokensDecideKeepAlive(request: String, minorVersion: Int, keepAlive: Bool) throws {
        let parsed = try #require(Wire.request(Wire.bytes(request)))
        #expect(parsed.minorVersion == minorVersion)
        #expect(parsed.keepAlive == keepAlive)
    }

    /// RFC 9110 §2.5: a later 1.y is answered as HTTP/1.1 (and needs Host like it).
    @Test(arguments: 1...9)
    func laterMinorVersionsAreHTTP11(minor: Int) throws {
        let parsed = try #require(Wire.request(Wire.bytes("GET / HTTP/1.\(minor)\r\nHost: h\r\n\r\n")))
        #expect(parsed.minorVersion == 1)
        #expect(parsed.keepAlive)
        #expect(Wire.parse(Wire.bytes("GET / HTTP/1.\(minor)\r\n\r\n")).first?.status == 400)
    }

    /// RFC 9112 §2.2: empty lines (CRLF) before the request line are ignored.
    @Test(arguments: ["\r\n", "\r\n\r\n", String(repeating: "\r\n", count: 100)])
    func emptyLinesBeforeTheRequestLineAreIgnored(prefix: String) {
        let request = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n"
        let plain = Wire.parse(Wire.bytes(request))
        #expect(plain.count == 1)
        #expect(Wire.parse(Wire.bytes(prefix + request)) == plain)
    }

    static let chunked = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
    static let bodies: [(name: String, request: String, body: String, headerNames: [String])] = [
        ("Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello", "hello",
         ["Host", "Content-Length"]),
        ("Content-Length with leading zeros", "PUT / HTTP/1.1\r\nHost: h\r\ncontent-length: 005\r\n\r\nhello", "hello",
         ["Host", "content-length"]),
        ("Content-Length 0", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", "",
         ["Host", "Content-Length"]),
        ("a GET body is read", "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc", "abc",
         ["Host", "Content-Length"]),
        ("HTTP/1.0 Content-Length", "POST / HTTP/1.0\r\nContent-Length: 2\r\n\r\nok", "ok", ["Content-Length"]),
        ("chunked", chunked + "5\r\nhello\r\n0\r\n\r\n", "hello", ["Host", "Transfer-Encoding"]),
        ("several chunks", chunked + "3\r\nabc\r\n2\r\nde\r\n1\r\nf\r\n0\r\n\r\n", "abcdef",
         ["Host", "Transfer-Encoding"]),
        ("uppercase hex", chunked + "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n", "abcdefghijklmnopqrstuvwxyz",
         ["Host", "Transfer-Encoding"]),
        ("Transfer-Encoding: Chunked", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n"
            + "2\r\nhi\r\n0\r\n\r\n", "hi", ["Host", "Transfer-Encoding"]),
        ("chunk extension 1f;ext=1", chunked + "1f;ext=1\r\n" + String(repeating: "x", count: 31) + "\r\n0\r\n\r\n",
         String(repeating: "x", count: 31), ["Host", "Transfer-Encoding"]),
        ("chunk extension after BWS", chunked + "5 ;a=b\r\nhello\r\n0\t;c\r\n\r\n", "hello",
         ["Host", "Transfer-Encoding"]),
        ("quoted chunk extension", chunked + "5;name=\"a b;c\"\r\nhello\r\n0\r\n\r\n", "hello",
         ["Host", "Transfer-Encoding"]),
        ("quoted-pair in a chunk extension", chunked + "5;q=\"a\\\"b\";flag\r\nhello\r\n0\r\n\r\n", "hello",
         ["Host", "Transfer-Encoding"]),
        ("BWS around = in a chunk extension", chunked + "5 ; a = b ;c\r\nhello\r\n0\r\n\r\n", "hello",
         ["Host", "Transfer-Encoding"]),
        ("empty chunked body", chunked + "0\r\n\r\n", "", ["Host", "Transfer-Encoding"]),
        ("trailers are ignored", chunked + "5\r\nhello\r\n0\r\nX-Checksum: abc\r\nHost: other\r\n\r\n", "hello",
         ["Host", "Transfer-Encoding"]),
        ("chunk data holding CRLF", chunked + "4\r\n\r\n\r\n\r\n0\r\n\r\n", "\r\n\r\n", ["Host", "Transfer-Encoding"]),
    ]

    @Test(arguments: bodies)
    func bodyIsFramed(name: String, request: String, body: String, headerNames: [String]) throws {
        let parsed = try #require(Wire.request(Wire.bytes(request)), "\(name)")
        #expect(parsed.body == Array(body.utf8))
        #expect(parsed.headers.map(\.name) == headerNames)
    }

    /// RFC 9110 §5.5: obs-text (0x80–0xFF) is allowed in a field value.
    @Test(arguments: Array(UInt8(0x80)...UInt8(0xFF)))
    func obsTextInAValueIsAccepted(byte: UInt8) throws {
        let request = Wire.bytes("GET / HTTP/1.1\r\nHost: h\r\nX-Raw: a") + [byte, 0x62] + Wire.bytes("\r\n\r\n")
        let parsed = try #require(Wire.request(request))
        #expect(parsed.headers.map(\.name) == ["Host", "X-Raw"])
        #expect(parsed.headers.last?.value.hasPrefix("a") == true)
    }

    @Test func utf8InAValueIsKept() throws {
        let parsed = try #require(Wire.request(Wire.bytes("GET / HTTP/1.1\r\nHost: h\r\nX-Name: café ☕\r\n\r\n")))
        #expect(parsed.headers.last == Field("X-Name", "café ☕"))
    }

    static let hosts: [(request: String, headers: [Field])] = [
        ("GET / HTTP/1.0\r\n\r\n", []),
        ("GET / HTTP/1.0\r\nHost: h\r\n\r\n", [Field("Host", "h")]),
        ("GET / HTTP/1.1\r\nHost:\r\n\r\n", [Field("Host", "")]),
        ("GET / HTTP/1.1\r\nhost:   \r\n\r\n", [Field("host", "")]),
        ("GET / HTTP/1.1\r\nHOST: [::1]:8080\r\n\r\n", [Field("HOST", "[::1]:8080")]),
    ]

    /// RFC 9112 §3.2: only HTTP/1.1 needs Host, and an empty one is a valid (empty) authority.
    @Test(arguments: hosts)
    func hostRules(request: String, headers: [Field]) throws {
        let parsed = try #require(Wire.request(Wire.bytes(request)))
        #expect(parsed.headers == headers)
    }

    // MARK: Rejected with 400

    @Test(arguments: Rejected.framing)
    func framingShapeIsRefused(_ test: Rejected) {
        Self.expectRefused(test.bytes, fragment: test.fragment)
    }

    static let valueControls: [UInt8] = Array(UInt8(0x00)...0x08) + [0x0B, 0x0C] + Array(UInt8(0x0E)...0x1F) + [0x7F]

    /// RFC 9110 §5.5: NUL, controls and DEL are never part of a field value.
    @Test(arguments: valueControls)
    func controlByteInAValueIsRefused(byte: UInt8) {
        let request = Wire.bytes("GET / HTTP/1.1\r\nHost: h\r\nX-Raw: a") + [byte] + Wire.bytes("b\r\n\r\n")
        Self.expectRefused(request, fragment: "invalid character")
        let trailer = Wire.bytes(Self.chunked + "0\r\nX-Raw: ") + [byte] + Wire.bytes("\r\n\r\n")
        Self.expectRefused(trailer, fragment: "invalid character")
    }

    /// RFC 9112 §3.2: a request-target is visible ASCII (a URI); NUL, controls, DEL and raw 8-bit bytes are not.
    @Test(arguments: [0x00, 0x01, 0x09, 0x0B, 0x1F, 0x7F, 0x80, 0xC3, 0xFF] as [UInt8])
    func targetByteIsRefused(byte: UInt8) {
        Self.expectRefused(Wire.bytes("GET /a") + [byte] + Wire.bytes("b HTTP/1.1\r\nHost: h\r\n\r\n"), fragment: nil)
    }

    @Test(arguments: [0x00, 0x01, 0x1F, 0x7F] as [UInt8])
    func controlByteInAChunkExtensionIsRefused(byte: UInt8) {
        let request = Wire.bytes(Self.chunked + "5;a=") + [byte] + Wire.bytes("\r\nhello\r\n0\r\n\r\n")
        Self.expectRefused(request, fragment: "chunk extension")
    }

    /// The only answer is the 400; it stays the answer to every later `next()`, whatever arrives.
    static func expectRefused(_ bytes: [UInt8], fragment: String?,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        var parser = RequestParser()
        parser.feed(bytes)
        let outcomes = parser.drain()
        #expect(outcomes.count == 1, "\(outcomes)", sourceLocation: sourceLocation)
        guard case .failure(let status, let message)? = outcomes.first else {
            Issue.record("not refused: \(outcomes)", sourceLocation: sourceLocation)
            return
        }
        #expect(status == 400, "\(message)", sourceLocation: sourceLocation)
        if let fragment {
            #expect(message.lowercased().contains(fragment.lowercased()), "\(message)", sourceLocation: sourceLocation)
        }
        #expect(parser.hasFailed, sourceLocation: sourceLocation)
        parser.feed("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(parser.drain() == [.failure(status, message)], sourceLocation: sourceLocation)
        // The verdict does not depend on how the bytes were split into reads.
        #expect(Wire.feed(bytes, piece: 1) == outcomes, "byte by byte", sourceLocation: sourceLocation)
    }
}

// MARK: Test support, shared with RequestParserLimitTests

/// One header field as the parser hands it over.
struct Field: Equatable, Sendable, CustomStringConvertible {
    var name: String
    var value: String
    init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
    var description: String { "\(name): \(value)" }
}

/// A `ParsedRequest` that `#expect` can compare.
struct Parsed: Equatable, Sendable {
    var method: String
    var target: String
    var minorVersion: Int
    var headers: [Field]
    var body: [UInt8]
    var keepAlive: Bool
}

extension Parsed {
    init(_ request: ParsedRequest) {
        self.init(method: request.method, target: request.target, minorVersion: request.minorVersion,
                  headers: request.headers.map { Field($0.name, $0.value) }, body: request.body,
                  keepAlive: request.keepAlive)
    }
}

/// What one `next()` returned.
enum Outcome: Equatable, Sendable {
    case request(Parsed)
    case expectContinue
    case failure(Int, String)
    /// A streamed request: its head, each body piece, its end.
    case head(Parsed, hasBody: Bool)
    case body([UInt8])
    case end

    init(_ event: RequestParser.Event) {
        switch event {
        case .request(let request): self = .request(Parsed(request))
        case .head(let request, let hasBody): self = .head(Parsed(request), hasBody: hasBody)
        case .body(let bytes): self = .body(Array(bytes))
        case .end: self = .end
        case .expectContinue: self = .expectContinue
        case .failure(let error): self = .failure(error.status, error.message)
        }
    }

    var status: Int? {
        if case .failure(let status, _) = self { return status }
        return nil
    }
}

extension RequestParser {
    mutating func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    mutating func feed(_ text: String) {
        feed(Array(text.utf8))
    }

    /// Every event the bytes so far give, up to nil or the first failure (which would repeat forever).
    mutating func drain() -> [Outcome] {
        var outcomes: [Outcome] = []
        while outcomes.count < 1000, let event = next() {
            outcomes.append(Outcome(event))
            if case .failure = event { break }
        }
        return outcomes
    }
}

enum Wire {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// The events of `bytes` appended at once.
    static func parse(_ bytes: [UInt8], limits: RequestParser.Limits = .init()) -> [Outcome] {
        var parser = RequestParser(limits: limits)
        parser.feed(bytes)
        return parser.drain()
    }

    /// The request when `bytes` are exactly one, else nil.
    static func request(_ bytes: [UInt8], limits: RequestParser.Limits = .init()) -> Parsed? {
        guard case .request(let parsed)? = parse(bytes, limits: limits).only else { return nil }
        return parsed
    }
}

extension Array {
    var only: Element? { count == 1 ? first : nil }
}

extension Rejected {
    static let get = "GET / HTTP/1.1\r\nHost: h\r\n"
    static let chunked = RequestParserTests.chunked

    /// SPEC §12's smuggling and malformed shapes, each answered 400 (RFC 9112 §2.2, §3, §5, §6, §7.1).
    static let framing: [Rejected] = [
        // A bare LF (RFC 9112 §2.2 lets a recipient accept it; SPEC §12 does not).
        Rejected("bare LF ending the request line", "GET / HTTP/1.1\nHost: h\r\n\r\n", "bare LF"),
        Rejected("bare LF ending a header", "GET / HTTP/1.1\r\nHost: h\n\r\n", "bare LF"),
        Rejected("bare LF ending the head", get + "\n", "bare LF"),
        Rejected("bare LF as an empty line before the request line", "\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", "bare LF"),
        Rejected("bare LF ending a chunk size line", chunked + "5\nhello\r\n0\r\n\r\n", "bare LF"),
        Rejected("bare LF ending the last chunk", chunked + "5\r\nhello\r\n0\n\r\n", "bare LF"),
        Rejected("bare LF ending a trailer", chunked + "0\r\nX-T: 1\n\r\n", "bare LF"),
        Rejected("bare LF ending the trailers", chunked + "0\r\n\n", "bare LF"),
        // A bare CR inside a line.
        Rejected("bare CR in the target", "GET /a\rb HTTP/1.1\r\nHost: h\r\n\r\n", "bare CR"),
        Rejected("bare CR before CRLF on the request line", "GET / HTTP/1.1\r\r\nHost: h\r\n\r\n"),
        Rejected("bare CR in a value", "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", "bare CR"),
        Rejected("bare CR before CRLF on a header", "GET / HTTP/1.1\r\nHost: h\r\r\n\r\n", "bare CR"),
        Rejected("bare CR in a name", get + "X\rY: 1\r\n\r\n", "bare CR"),
        Rejected("bare CR line before the request line", "\r\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"),
        Rejected("bare CR in a chunk extension", chunked + "5;a\rb\r\nhello\r\n0\r\n\r\n", "bare CR"),
        // RFC 9112 §5.2: obs-fold.
        Rejected("obs-fold with SP", get + "X-A: 1\r\n  folded\r\n\r\n", "folding"),
        Rejected("obs-fold with HTAB", get + "X-A: 1\r\n\tfolded\r\n\r\n", "folding"),
        Rejected("whitespace before the first header", "GET / HTTP/1.1\r\n Host: h\r\n\r\n", "folding"),
        Rejected("obs-fold in a trailer", chunked + "0\r\nX-T: 1\r\n 2\r\n\r\n", "folding"),
        // RFC 9112 §5.1: whitespace between the name and the colon.
        Rejected("SP before the colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", "whitespace"),
        Rejected("HTAB before the colon", get + "X-A\t: 1\r\n\r\n", "whitespace"),
        // RFC 9110 §5.1: a field name is a token.
        Rejected("name with a parenthesis", get + "X(a): 1\r\n\r\n"),
        Rejected("name with a slash", get + "X/a: 1\r\n\r\n"),
        Rejected("name with a quote", get + "X\"a: 1\r\n\r\n"),
        Rejected("name with brackets", get + "[x]: 1\r\n\r\n"),
        Rejected("name with non-ASCII", get + "Ä: 1\r\n\r\n"),
        Rejected("empty name", get + ": 1\r\n\r\n"),
        Rejected("header without a colon", get + "NoColonHere\r\n\r\n"),
        Rejected("trailer without a colon", chunked + "0\r\nNoColon\r\n\r\n"),
        // RFC 9112 §3: `method SP request-target SP HTTP-version`.
        Rejected("GARBAGE", "GARBAGE\r\n\r\n"),
        Rejected("method alone", "GET\r\nHost: h\r\n\r\n"),
        Rejected("no version", "GET /\r\nHost: h\r\n\r\n"),
        Rejected("a fourth word", "GET / HTTP/1.1 extra\r\nHost: h\r\n\r\n"),
        Rejected("a trailing space", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n"),
        Rejected("double space after the method", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n"),
        Rejected("double space after the target", "GET /  HTTP/1.1\r\nHost: h\r\n\r\n"),
        Rejected("a leading space", " GET / HTTP/1.1\r\nHost: h\r\n\r\n"),
        Rejected("HTAB as the separator", "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n"),
        Rejected("method not a token", "GE(T / HTTP/1.1\r\nHost: h\r\n\r\n"),
        Rejected("FTP/1.1", "GET / FTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.x"),
        Rejected("http/1.1 in lowercase", "GET / http/1.1\r\nHost: h\r\n\r\n", "HTTP/1.x"),
        Rejected("HTTP/2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", "HTTP/1.x"),
        Rejected("HTTP/9.9", "GET / HTTP/9.9\r\nHost: h\r\n\r\n", "HTTP/1.x"),
        Rejected("HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", "HTTP/1.x"),
        Rejected("HTTP/1.10", "GET / HTTP/1.10\r\nHost: h\r\n\r\n", "HTTP/1.x"),
        Rejected("HTTP/1", "GET / HTTP/1\r\nHost: h\r\n\r\n", "HTTP/1.x"),
        Rejected("HTTP/1.x", "GET / HTTP/1.x\r\nHost: h\r\n\r\n", "HTTP/1.x"),
        Rejected("HTTP/11", "GET / HTTP/11\r\nHost: h\r\n\r\n", "HTTP/1.x"),
        // RFC 9112 §3.2: origin-, absolute-, asterisk- (or, for CONNECT, authority-) form.
        Rejected("a relative target", "GET users/octocat HTTP/1.1\r\nHost: h\r\n\r\n", "target"),
        Rejected("authority form without CONNECT", "GET api.example:443 HTTP/1.1\r\nHost: h\r\n\r\n", "target"),
        Rejected("an absolute URI with an empty authority", "GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n", "target"),
        Rejected("* followed by more", "OPTIONS *x HTTP/1.1\r\nHost: h\r\n\r\n", "target"),
        // RFC 9112 §3.2: Host.
        Rejected("HTTP/1.1 without Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", "missing host"),
        Rejected("two Host headers", get + "host: h\r\n\r\n", "more than one host"),
        Rejected("two Host headers in HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", "more than one host"),
        // RFC 9112 §6.3: Content-Length.
        Rejected("two equal Content-Lengths", get + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
                 "Content-Length"),
        Rejected("two different Content-Lengths", get + "Content-Length: 5\r\ncontent-length: 6\r\n\r\nhello!",
                 "Content-Length"),
        Rejected("Content-Length list", get + "Content-Length: 5, 5\r\n\r\nhello", "Content-Length"),
        Rejected("Content-Length -1", get + "Content-Length: -1\r\n\r\n", "Content-Length"),
        Rejected("Content-Length +5", get + "Content-Length: +5\r\n\r\nhello", "Content-Length"),
        Rejected("Content-Length empty", get + "Content-Length:\r\n\r\n", "Content-Length"),
        Rejected("Content-Length 0x10", get + "Content-Length: 0x10\r\n\r\n", "Content-Length"),
        Rejected("Content-Length 5.0", get + "Content-Length: 5.0\r\n\r\nhello", "Content-Length"),
        Rejected("Content-Length 1e2", get + "Content-Length: 1e2\r\n\r\n", "Content-Length"),
        Rejected("Content-Length 5 5", get + "Content-Length: 5 5\r\n\r\n", "Content-Length"),
        Rejected("Content-Length in Arabic-Indic digits", get + "Content-Length: ٥\r\n\r\n", "Content-Length"),
        Rejected("Content-Length of 20 non-digits", get + "Content-Length: 1234567890123456789x\r\n\r\n",
                 "Content-Length"),
        // RFC 9112 §6.1, §6.3: Transfer-Encoding.
        Rejected("Content-Length then Transfer-Encoding",
                 get + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                 "Content-Length and Transfer-Encoding"),
        Rejected("Transfer-Encoding then Content-Length",
                 get + "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n0\r\n\r\n",
                 "Content-Length and Transfer-Encoding"),
        Rejected("Transfer-Encoding: gzip", get + "Transfer-Encoding: gzip\r\n\r\n", "Transfer-Encoding"),
        Rejected("Transfer-Encoding: identity", get + "Transfer-Encoding: identity\r\n\r\n", "Transfer-Encoding"),
        Rejected("Transfer-Encoding: gzip, chunked", get + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                 "Transfer-Encoding"),
        Rejected("Transfer-Encoding: chunked, gzip", get + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
                 "Transfer-Encoding"),
        Rejected("Transfer-Encoding: chunked, chunked",
                 get + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", "Transfer-Encoding"),
        Rejected("two Transfer-Encoding headers",
                 get + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                 "Transfer-Encoding"),
        Rejected("gzip then chunked in two headers",
                 get + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                 "Transfer-Encoding"),
        Rejected("Transfer-Encoding in HTTP/1.0",
                 "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "HTTP/1.0"),
        // RFC 9112 §7.1: chunk-size, chunk-data CRLF.
        Rejected("chunk size not hex", chunked + "zz\r\nhello\r\n0\r\n\r\n", "chunk size"),
        Rejected("chunk size empty", chunked + "\r\nhello\r\n0\r\n\r\n", "chunk size"),
        Rejected("chunk size negative", chunked + "-5\r\nhello\r\n0\r\n\r\n", "chunk size"),
        Rejected("chunk size 0x5", chunked + "0x5\r\nhello\r\n0\r\n\r\n", "chunk size"),
        Rejected("chunk size after a space", chunked + " 5\r\nhello\r\n0\r\n\r\n", "chunk size"),
        Rejected("chunk size then a word", chunked + "5 x\r\nhello\r\n0\r\n\r\n", "chunk size"),
        // RFC 9112 §7.1.1: BWS belongs before a `;` only.
        Rejected("chunk size then whitespace", chunked + "5 \r\nhello\r\n0\r\n\r\n", "chunk size"),
        Rejected("chunk extension without a name", chunked + "5;\r\nhello\r\n0\r\n\r\n", "chunk extension"),
        Rejected("chunk extension value without a name", chunked + "5;=b\r\nhello\r\n0\r\n\r\n",
                 "chunk extension"),
        Rejected("chunk extension of two words", chunked + "5;a b\r\nhello\r\n0\r\n\r\n", "chunk extension"),
        Rejected("chunk extension with an unterminated quote", chunked + "5;a=\"b\r\nhello\r\n0\r\n\r\n",
                 "chunk extension"),
        Rejected("chunk extension with an empty value", chunked + "5;a=\r\nhello\r\n0\r\n\r\n", "chunk extension"),
        Rejected("chunk size of 16 hex digits", chunked + "FFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n", "overflow"),
        Rejected("chunk size of 17 hex digits", chunked + "10000000000000000\r\n\r\n0\r\n\r\n", "overflow"),
        Rejected("chunk size of 40 hex digits", chunked + String(repeating: "f", count: 40) + "\r\n", "overflow"),
        Rejected("chunk data followed by other bytes", chunked + "5\r\nhelloXX0\r\n\r\n", "CRLF"),
        Rejected("chunk data followed by a bare LF", chunked + "5\r\nhello\n0\r\n\r\n", "CRLF"),
        Rejected("chunk data followed by another byte and LF", chunked + "5\r\nhelloX\n0\r\n\r\n", "CRLF"),
        Rejected("chunk data longer than its size", chunked + "3\r\nhello\r\n0\r\n\r\n", "CRLF"),
        Rejected("chunk data followed by LF CR", chunked + "5\r\nhello\n\r0\r\n\r\n", "CRLF"),
    ]
}

struct Accepted: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var expected: Parsed
    init(_ name: String, _ text: String, _ expected: Parsed) {
        self.name = name
        self.bytes = Array(text.utf8)
        self.expected = expected
    }
    var testDescription: String { name }
}

/// A request refused with 400; `fragment`, when given, is a stable part of the message.
struct Rejected: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var fragment: String?
    init(_ name: String, _ text: String, _ fragment: String? = nil) {
        self.name = name
        self.bytes = Array(text.utf8)
        self.fragment = fragment
    }
    var testDescription: String { name }
}
