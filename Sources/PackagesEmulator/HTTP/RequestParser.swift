/// An incremental HTTP/1.1 request parser (RFC 9112), sans-I/O: bytes go in as they arrive, complete
/// requests or a precise error come out (h11's design; picohttpparser's "incomplete is a result").
///
/// Lines are validated as soon as they end, so a limit is enforced before the bytes past it are kept:
/// a request line over `maxRequestLine` is 414 while it is still arriving, a head over
/// `maxHeaderBytes` 431, a body (announced or chunked) over `maxBodyBytes` 413. After an error the
/// parser stays failed: nothing after it on the connection is read as a request (SPEC §12).
public struct RequestParser: Sendable {
    public struct Limits: Sendable {
        public var maxRequestLine: Int
        public var maxHeaderBytes: Int
        public var maxBodyBytes: Int

        public init(maxRequestLine: Int = 8 * 1024, maxHeaderBytes: Int = 64 * 1024,
                    maxBodyBytes: Int = 1024 * 1024) {
            self.maxRequestLine = maxRequestLine
            self.maxHeaderBytes = maxHeaderBytes
            self.maxBodyBytes = maxBodyBytes
        }
    }

    // Unchecked: `body` points into the parser's buffer and is used at once, on the parser's thread.
    public enum Event: @unchecked Sendable {
        case request(ParsedRequest)
        /// The head of a request whose body streams (`streams` said so): `body` pieces and `end` follow.
        /// `hasBody`: a body was announced (Content-Length above 0, or chunked).
        case head(ParsedRequest, hasBody: Bool)
        /// The next piece of a streamed body, valid until the parser is used again.
        case body(UnsafeRawBufferPointer)
        /// The streamed body is whole.
        case end
        /// The head asked for `Expect: 100-continue` and its body has not all arrived: send the interim
        /// answer (RFC 9110 §10.1.1). At most once per request.
        case expectContinue
        case failure(ParseError)
    }

    enum State: Sendable {
        case requestLine
        case headers
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        /// A streamed request's body is whole: `end` is next.
        case endOfStream
        case failed(ParseError)
    }

    public let limits: Limits
    /// Received bytes; `storage[consumed..<end]` are not parsed yet.
    var storage: [UInt8] = []
    var end = 0
    var consumed = 0
    /// Where the search for the current line's LF resumes, so a slow line is scanned once.
    var searchFrom = 0
    var state = State.requestLine
    /// The request being assembled.
    var head = ParsedRequest()
    var framing = Framing()
    var headBytes = 0
    var continueSent = false
    /// Which requests stream their body (by method and target) instead of arriving whole; their body
    /// is not limited by `maxBodyBytes` but by whoever takes the pieces (registry uploads, SPEC §21).
    let streams: @Sendable (_ method: String, _ target: String) -> Bool
    /// The request being read streams its body.
    var streaming = false

    public init(limits: Limits = Limits(),
                streams: @escaping @Sendable (_ method: String, _ target: String) -> Bool = { _, _ in false }) {
        self.limits = limits
        self.streams = streams
    }

    /// Whether bytes of a request that is not complete yet are held (a graceful stop closes only idle
    /// connections).
    public var isIdle: Bool {
        if case .requestLine = state { return consumed == end }
        return false
    }

    public var hasFailed: Bool {
        if case .failed = state { return true }
        return false
    }

    /// The method of the request being read: after a failure, of the refused one (its request line's first
    /// word, as far as it arrived), so that a refused `HEAD` is answered without a body (SPEC §12).
    public var method: String { head.method }

    /// Appends received bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        _ = readInto(minimum: bytes.count) { space in
            space.copyMemory(from: bytes)
            return bytes.count
        }
    }

    /// Lets `body` write up to `space.count` (at least `minimum`) bytes straight into the buffer, as
    /// `read(2)` does, and keeps the count it returns (negative or zero: nothing).
    public mutating func readInto(minimum: Int, _ body: (UnsafeMutableRawBufferPointer) -> Int) -> Int {
        // Parsed bytes are dropped when everything is parsed (free), or when room is short: moving the
        // unparsed rest on every read would cost a pipelining client's whole backlog each time.
        if consumed == end || storage.count - end < minimum { compact() }
        if storage.count - end < minimum {
            storage.append(contentsOf: repeatElement(0, count: max(minimum, storage.count) - (storage.count - end)))
        }
        let count = storage.withUnsafeMutableBytes { all in
            body(UnsafeMutableRawBufferPointer(rebasing: all[end...]))
        }
        if count > 0 { end += count }
        return count
    }

    /// Drops parsed bytes so the buffer holds only what is not parsed yet.
    mutating func compact() {
        guard consumed > 0 else { return }
        if consumed == end {
            end = 0
            // A large body grew the buffer: give it back rather than keep it per idle connection.
            if storage.count > Self.keptCapacity { storage = [] }
        } else {
            storage.withUnsafeMutableBytes { all in
                guard let base = all.baseAddress else { return }
                (base + 0).copyMemory(from: base + consumed, byteCount: end - consumed)
            }
            end -= consumed
        }
        searchFrom = max(0, searchFrom - consumed)
        consumed = 0
    }

    /// The next complete request, the interim 100-continue, or an error; nil until more bytes arrive.
    public mutating func next() -> Event? {
        while true {
            switch state {
            case .failed(let error):
                return .failure(error)
            case .requestLine, .headers, .trailers, .chunkSize:
                guard let line = nextLine() else {
                    if let error = partialLineError() {
                        if case .requestLine = state { head.method = leadingMethod(consumed, end) }
                        return fail(error)
                    }
                    // A chunked body not begun yet is a body the client may be waiting to send.
                    if case .chunkSize = state { return continueIfExpected() }
                    return nil
                }
                if let event = take(line: line) { return event }
            case .endOfStream:
                return complete()
            case .fixedBody(let remaining) where streaming:
                let count = min(remaining, end - consumed)
                if count == 0 { return continueIfExpected() }
                consumed += count
                state = remaining == count ? .endOfStream : .fixedBody(remaining: remaining - count)
                return .body(piece(count))
            case .fixedBody(let remaining):
                let available = end - consumed
                if available < remaining {
                    return continueIfExpected()
                }
                head.body = Array(storage[consumed..<(consumed + remaining)])
                consumed += remaining
                return complete()
            case .chunkData(let remaining):
                let count = min(remaining, end - consumed)
                if count == 0 { return continueIfExpected() }
                consumed += count
                state = remaining == count ? .chunkDataEnd : .chunkData(remaining: remaining - count)
                if streaming { return .body(piece(count)) }
                head.body.append(contentsOf: storage[(consumed - count)..<consumed])
            case .chunkDataEnd:
                guard end - consumed >= 2 else { return continueIfExpected() }
                // RFC 9112 §7.1: chunk-data is followed by exactly CRLF.
                guard storage[consumed] == 0x0D, storage[consumed + 1] == 0x0A else {
                    return fail(.init(400, "Invalid chunked body: chunk data not followed by CRLF."))
                }
                consumed += 2
                searchFrom = consumed
                state = .chunkSize
            }
        }
    }

    /// The `count` bytes just consumed, in place. The storage is not touched again before the next call.
    func piece(_ count: Int) -> UnsafeRawBufferPointer {
        storage.withUnsafeBytes { all in UnsafeRawBufferPointer(rebasing: all[(consumed - count)..<consumed]) }
    }

    mutating func fail(_ error: ParseError) -> Event {
        state = .failed(error)
        return .failure(error)
    }

    /// RFC 9110 §10.1.1: the expectation is ignored in HTTP/1.0, which has no 1xx answers (§15.2).
    mutating func continueIfExpected() -> Event? {
        guard framing.expectsContinue, head.minorVersion >= 1, !continueSent else { return nil }
        continueSent = true
        return .expectContinue
    }

    /// The request is whole: hand it over and start on the next one.
    mutating func complete() -> Event {
        let streamed = streaming
        streaming = false
        var request = head
        request.keepAlive = framing.keepAlive(minorVersion: request.minorVersion)
        head = ParsedRequest()
        framing = Framing()
        headBytes = 0
        continueSent = false
        state = .requestLine
        searchFrom = consumed
        return streamed ? .end : .request(request)
    }

    /// The range of the next whole line without its CRLF, or nil while its LF has not arrived. A bare LF
    /// (RFC 9112 §2.2 allows, we refuse: SPEC §12) is reported through an empty range marker.
    mutating func nextLine() -> Line? {
        let found: Int? = storage.withUnsafeBufferPointer { bytes in
            var index = searchFrom
            while index < end {
                if bytes[index] == 0x0A { return index }
                index += 1
            }
            return nil
        }
        guard let lf = found else {
            searchFrom = end
            return nil
        }
        let start = consumed
        consumed = lf + 1
        searchFrom = consumed
        guard lf > start, storage[lf - 1] == 0x0D else { return Line(start: start, end: lf, bareLF: true) }
        return Line(start: start, end: lf - 1, bareLF: false)
    }

    struct Line {
        var start: Int
        var end: Int
        var bareLF: Bool
        var count: Int { end - start }
    }

    /// A line still arriving that is already past its limit.
    func partialLineError() -> ParseError? {
        lineLimitError(bytesBeforeLF: end - consumed)
    }

    /// The limit a line of this many bytes before its LF (CR included) is past. A whole line is measured
    /// the same way, before anything else is checked, so that the verdict never depends on how the bytes
    /// were split into reads (a long line ending in a bare LF is 414 whole as well as in pieces).
    func lineLimitError(bytesBeforeLF length: Int) -> ParseError? {
        switch state {
        case .requestLine where length > limits.maxRequestLine + 1:
            return .uriTooLong
        case .headers where headBytes + length > limits.maxHeaderBytes,
             .trailers where headBytes + length > limits.maxHeaderBytes:
            return .headersTooLarge
        case .chunkSize where length > Self.maxChunkLine:
            return .init(400, "Invalid chunked body: chunk size line too long.")
        default:
            return nil
        }
    }

    /// A chunk-size line holds the size and extensions we ignore; longer than this is an attack.
    static let maxChunkLine = 4096
    static let keptCapacity = 64 * 1024
}

/// A request as the parser assembled it: the core's `Request` is built from it by the shell.
public struct ParsedRequest: Sendable {
    public var method = ""
    public var target = ""
    /// 0 for HTTP/1.0; 1 for HTTP/1.1 and every later 1.y (RFC 9110 §2.5: answered as 1.1).
    public var minorVersion = 1
    public var headers: [(name: String, value: String)] = []
    public var body: [UInt8] = []
    /// Whether the connection stays open after the answer (RFC 9112 §9.3).
    public var keepAlive = true
}

/// Why a request cannot be read; every one is answered in GitHub's JSON shape with `Connection: close`.
public struct ParseError: Error, Sendable, Equatable {
    public let status: Int
    public let message: String

    init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    static let uriTooLong = ParseError(414, "URI Too Long")
    static let headersTooLarge = ParseError(431, "Request Header Fields Too Large")
    static let payloadTooLarge = ParseError(413, "Payload Too Large")
}
