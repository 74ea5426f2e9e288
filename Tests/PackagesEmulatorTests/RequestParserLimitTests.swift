import Testing
@testable import PackagesEmulator

/// RequestParser over time (SPEC §12): limits enforced while bytes still arrive, feeding in pieces,
/// pipelining, 100-continue, idleness and `readInto`.
@Suite struct RequestParserLimitTests {
    // MARK: Limits

    static let lineLimit = RequestParser.Limits(maxRequestLine: 32)
    static let headLimit = RequestParser.Limits(maxRequestLine: 1024, maxHeaderBytes: 64)
    static let bodyLimit = RequestParser.Limits(maxBodyBytes: 10)
    static let uriTooLong = Outcome.failure(414, "URI Too Long")
    static let headersTooLarge = Outcome.failure(431, "Request Header Fields Too Large")
    static let payloadTooLarge = Outcome.failure(413, "Payload Too Large")

    /// A request line of exactly `length` bytes, CRLF not counted.
    static func requestLine(_ length: Int) -> String {
        "GET /" + String(repeating: "a", count: length - 14) + " HTTP/1.1"
    }

    @Test(arguments: [(14, true), (31, true), (32, true), (33, false), (34, false), (5000, false)])
    func requestLineLimit(length: Int, accepted: Bool) {
        let request = Wire.bytes(Self.requestLine(length) + "\r\nHost: h\r\n\r\n")
        for piece in [request.count, 1] {
            let outcomes = Wire.feed(request, piece: piece, limits: Self.lineLimit)
            if accepted {
                #expect(outcomes.map(\.brief) == ["request GET"], "piece \(piece)")
                #expect(outcomes.first?.parsed?.target.utf8.count == length - 13)
            } else {
                #expect(outcomes == [Self.uriTooLong], "piece \(piece)")
            }
        }
    }

    static let overlong: [(request: String, limits: RequestParser.Limits, expected: Outcome)] = [
        (requestLine(100) + "\nHost: h\r\n\r\n", lineLimit, uriTooLong),
        (requestLine(100) + "\r\rHost: h\r\n\r\n", lineLimit, uriTooLong),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "v", count: 100) + "\n\r\n", headLimit,
         headersTooLarge),
    ]

    /// A line past its limit gets the limit's answer whatever ends it, whole or in pieces.
    @Test(arguments: overlong)
    func overlongLineEndingBadlyIsStillOverTheLimit(request: String, limits: RequestParser.Limits,
                                                   expected: Outcome) {
        for piece in [request.utf8.count, 1, 10] {
            #expect(Wire.feed(Wire.bytes(request), piece: piece, limits: limits) == [expected], "piece \(piece)")
        }
    }

    /// 414 comes while the line is still arriving, as soon as it is longer than the limit plus a CR.
    @Test(arguments: [1, 3, 16, 40])
    func requestLineOverTheLimitFailsBeforeItEnds(piece: Int) {
        let limit = Self.lineLimit.maxRequestLine
        let line = Wire.bytes(Self.requestLine(200))
        let failedAt = Self.firstFailure(feeding: line, piece: piece, limits: Self.lineLimit,
                                         expected: Self.uriTooLong)
        #expect(failedAt == Self.boundary(after: limit + 1, piece: piece))
    }

    static let heads: [(name: String, head: String, accepted: Bool)] = [
        ("32 bytes", head(total: 32), true),
        ("63 bytes", head(total: 63), true),
        ("exactly the limit", head(total: 64), true),
        ("one byte over", head(total: 65), false),
        ("1000 bytes", head(total: 1000), false),
        ("many small fields",
         "GET / HTTP/1.1\r\nHost: h\r\n" + String(repeating: "A: 1\r\n", count: 7) + "\r\n", false),
        ("a long request line", "GET /" + String(repeating: "a", count: 60) + " HTTP/1.1\r\nHost: h\r\n\r\n", false),
    ]

    /// A head of `total` bytes, its blank line included (the limit counts the request line too).
    static func head(total: Int) -> String {
        "GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "v", count: total - 32) + "\r\n\r\n"
    }

    @Test(arguments: heads)
    func headLimit(name: String, head: String, accepted: Bool) {
        for piece in [head.utf8.count, 1] {
            let outcomes = Wire.feed(Wire.bytes(head), piece: piece, limits: Self.headLimit)
            if accepted {
                #expect(outcomes.map(\.brief) == ["request GET"], "\(name), piece \(piece)")
            } else {
                #expect(outcomes == [Self.headersTooLarge], "\(name), piece \(piece)")
            }
        }
    }

    /// 431 comes while a header line is still arriving, as soon as the head so far is over the limit.
    @Test(arguments: [1, 7, 50])
    func headerOverTheLimitFailsBeforeItEnds(piece: Int) {
        let bytes = Wire.bytes("GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "v", count: 500))
        let failedAt = Self.firstFailure(feeding: bytes, piece: piece, limits: Self.headLimit,
                                         expected: Self.headersTooLarge)
        #expect(failedAt == Self.boundary(after: Self.headLimit.maxHeaderBytes, piece: piece))
    }

    /// Trailers have a head's budget of their own, enforced the same way (also while a line arrives).
    @Test func trailersOverTheHeaderLimitAre431() {
        let limits = RequestParser.Limits(maxHeaderBytes: 64)
        let trailer = "0\r\nX-T: " + String(repeating: "t", count: 100) + "\r\n\r\n"
        let bytes = Wire.bytes(RequestParserTests.chunked + trailer)
        #expect(Wire.parse(bytes, limits: limits) == [Self.headersTooLarge])
        #expect(Wire.feed(bytes, piece: 1, limits: limits) == [Self.headersTooLarge])
        let start = RequestParserTests.chunked.utf8.count + 3
        let failedAt = Self.firstFailure(feeding: Array(bytes.dropLast(4)), piece: 1, limits: limits,
                                         expected: Self.headersTooLarge)
        #expect(failedAt == start + 65)
        let within = "0\r\nX-T: " + String(repeating: "t", count: 53) + "\r\n\r\n"
        #expect(Wire.parse(Wire.bytes(RequestParserTests.chunked + within), limits: limits).map(\.brief)
            == ["request POST"])
    }

    /// An announced body over the limit is refused once the head ends, before any of it arrives.
    // 18 significant digits are read as a number, 19 or more saturate: 19 nines would overflow `Int`.
    @Test(arguments: ["11", "1000", "1048577", "999999999999999999", "9223372036854775807", "9999999999999999999",
                      "99999999999999999999999"])
    func contentLengthOverTheLimitIs413AfterTheHead(length: String) {
        let head = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \(length)\r\n"
        #expect(Wire.parse(Wire.bytes(head + "\r\n"), limits: Self.bodyLimit) == [Self.payloadTooLarge])
        // Refused rather than invited with a 100 Continue.
        let expecting = head + "Expect: 100-continue\r\n\r\n"
        #expect(Wire.parse(Wire.bytes(expecting), limits: Self.bodyLimit) == [Self.payloadTooLarge])
    }

    /// RFC 9112 §6.3, §7.1: Content-Length is `1*DIGIT` and chunk-size `1*HEXDIG`; leading zeros do not
    /// make a small value large.
    @Test(arguments: [
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: " + String(repeating: "0", count: 20) + "5\r\n\r\nhello",
         "request POST hello"),
        (RequestParserTests.chunked + String(repeating: "0", count: 20) + "5\r\nhello\r\n0\r\n\r\n",
         "request POST hello"),
    ])
    func leadingZerosAreTheSameNumber(request: String, brief: String) {
        #expect(Wire.parse(Wire.bytes(request)).map(\.brief) == [brief])
    }

    /// 15 significant hex digits are a size (past the limit: 413), 16 overflow (400), leading zeros aside.
    @Test(arguments: [(String(repeating: "f", count: 15), "failure 413"),
                      (String(repeating: "0", count: 20) + String(repeating: "f", count: 15), "failure 413"),
                      ("1" + String(repeating: "0", count: 15), "failure 400"),
                      (String(repeating: "0", count: 30) + "a", "request POST 0123456789")])
    func chunkSizeDigits(size: String, expected: String) {
        let request = RequestParserTests.chunked + size + "\r\n0123456789\r\n0\r\n\r\n"
        #expect(Wire.parse(Wire.bytes(request), limits: Self.bodyLimit).map(\.brief) == [expected])
    }

    /// A chunk-size line (size and extensions) is bounded too, while it is still arriving.
    @Test(arguments: [1, 100, 1000])
    func chunkSizeLineOverItsBoundFailsBeforeItEnds(piece: Int) {
        let line = Wire.bytes(RequestParserTests.chunked + "5;" + String(repeating: "e", count: 10_000))
        var parser = RequestParser()
        var outcomes: [Outcome] = []
        var fed = 0
        for slice in line.pieces(piece) where outcomes.isEmpty {
            parser.feed(Array(slice))
            fed += slice.count
            outcomes = parser.drain()
        }
        #expect(outcomes.map(\.brief) == ["failure 400"])
        #expect(fed < line.count)
    }

    @Test(arguments: [0, 1, 9, 10])
    func contentLengthWithinTheLimitIsRead(length: Int) {
        let body = String(repeating: "b", count: length)
        let head = Wire.bytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \(length)\r\n\r\n")
        var parser = RequestParser(limits: Self.bodyLimit)
        parser.feed(head)
        #expect(parser.drain().map(\.brief) == (length == 0 ? ["request POST"] : []))
        guard length > 0 else { return }
        parser.feed(body)
        #expect(parser.drain().map(\.brief) == ["request POST " + body])
    }

    static let chunkSizes: [[Int]] = [[10], [6, 4], [1, 2, 3, 4], [11], [6, 5], Array(repeating: 1, count: 11),
                                      [4, 0x7FFF_FFFF], [0xF_FFFF_FFFF_FFFF]]

    /// A chunked body is refused with 413 as soon as the chunk-size line that takes it past the limit ends.
    @Test(arguments: chunkSizes)
    func chunkedBodyLimit(sizes: [Int]) {
        var parser = RequestParser(limits: Self.bodyLimit)
        parser.feed(RequestParserTests.chunked)
        #expect(parser.drain() == [])
        var total = 0
        for size in sizes {
            total += size
            parser.feed(String(size, radix: 16) + "\r\n")
            if total > Self.bodyLimit.maxBodyBytes {
                #expect(parser.drain() == [Self.payloadTooLarge], "after \(sizes)")
                return
            }
            #expect(parser.drain() == [])
            parser.feed(String(repeating: "c", count: size) + "\r\n")
            #expect(parser.drain() == [])
        }
        parser.feed("0\r\n\r\n")
        #expect(parser.drain().map(\.brief) == ["request POST " + String(repeating: "c", count: total)])
    }

    // MARK: Feeding in pieces

    static let requests: [String] = [
        "GET /users/octocat/packages?package_type=npm HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n",
        "\r\n\r\nPOST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello\r\nworl",
        RequestParserTests.chunked + "5;ext=1\r\nhello\r\n1A\r\n" + String(repeating: "z", count: 26)
            + "\r\n0\r\nX-Trailer: yes\r\nX-Other: 2\r\n\r\n",
        "PUT /x HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 4\r\n\r\n\r\n\r\n",
    ]

    /// The same bytes in any pieces give one identical request, and nothing before the last byte.
    @Test(arguments: requests, [1, 2, 3, 7, 64])
    func piecesGiveTheSameRequest(request: String, piece: Int) throws {
        let bytes = Wire.bytes(request)
        let whole = try #require(Wire.request(bytes))
        var parser = RequestParser()
        var fed = 0
        for slice in bytes.pieces(piece) {
            parser.feed(Array(slice))
            fed += slice.count
            let outcomes = parser.drain()
            #expect(outcomes == (fed == bytes.count ? [.request(whole)] : []), "after \(fed) bytes")
        }
        #expect(parser.next() == nil)
    }

    // MARK: Pipelining

    static let three = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
        + "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
        + "PATCH /3 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n"

    @Test(arguments: [Int.max, 1, 5, 33])
    func pipelinedRequestsComeOutInOrder(piece: Int) {
        let outcomes = Wire.feed(Wire.bytes(Self.three), piece: piece)
        #expect(outcomes.map(\.brief) == ["request GET", "request POST abc", "request PATCH de"])
        #expect(outcomes.compactMap(\.parsed?.target) == ["/1", "/2", "/3"])
    }

    @Test func pipelinedRequestsAfterTheFirstWaitForTheirBytes() {
        var parser = RequestParser()
        let bytes = Wire.bytes(Self.three)
        parser.feed(Array(bytes[..<70]))
        #expect(parser.drain().map(\.brief) == ["request GET"])
        #expect(parser.next() == nil)
        parser.feed(Array(bytes[70...]))
        #expect(parser.drain().map(\.brief) == ["request POST abc", "request PATCH de"])
        #expect(parser.next() == nil)
    }

    static let poisons: [String] = [
        "GET /bad HTTP/1.1\nHost: h\r\n\r\n",
        "POST /bad HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
        "POST /bad HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST /bad HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "GET /bad HTTP/1.1\r\nHost: h\r\nX: 1\r\n folded\r\n\r\n",
        "GET /bad HTTP/1.1\r\nHost: h\r\nHost: h\r\n\r\n",
        RequestParserTests.chunked + "5\r\nhelloGET /x HTTP/1.1\r\n\r\n",
    ]

    /// After a framing error nothing more is read as a request, however many bytes follow (SPEC §12).
    @Test(arguments: poisons)
    func nothingAfterAFramingErrorIsARequest(poison: String) throws {
        let good = "GET /next HTTP/1.1\r\nHost: h\r\n\r\n"
        var parser = RequestParser()
        parser.feed("GET /first HTTP/1.1\r\nHost: h\r\n\r\n" + poison + good)
        let outcomes = parser.drain()
        #expect(outcomes.map(\.brief) == ["request GET", "failure 400"])
        let failure = try #require(outcomes.last)
        #expect(parser.hasFailed)
        for _ in 0..<3 {
            parser.feed(good)
            #expect(parser.next().map(Outcome.init) == failure)
        }
    }

    // MARK: the method of a refused request

    static let long = String(repeating: "a", count: 40)
    /// A refusal before the route still knows the request's method, its request line's first word once that
    /// has arrived, so that a refused `HEAD` gets no body (SPEC §12): bytes, limits, status, method.
    static let refusedMethods: [(bytes: String, limits: RequestParser.Limits, status: Int, method: String)] = [
        ("HEAD /" + long, lineLimit, 414, "HEAD"),
        ("HEAD /" + long + " HTTP/1.1\r\nHost: h\r\n\r\n", lineLimit, 414, "HEAD"),
        ("HEAD" + long, lineLimit, 414, ""),
        // The word is looked for within the limit only, so that whole and in pieces give the same.
        (String(repeating: "M", count: 31) + " /" + long, lineLimit, 414, String(repeating: "M", count: 31)),
        (String(repeating: "M", count: 32) + " /" + long, lineLimit, 414, ""),
        ("GET /" + long, lineLimit, 414, "GET"),
        ("HEAD / HTTP/1.1\r\nHost: h\r\nX: " + long + long + "\r\n\r\n", headLimit, 431, "HEAD"),
        ("HEAD / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", bodyLimit, 413, "HEAD"),
        ("HEAD / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n", bodyLimit, 413, "HEAD"),
        ("HEAD / HTTP/2.0\r\nHost: h\r\n\r\n", .init(), 400, "HEAD"),
        ("HEAD / HTTP/1.1\nHost: h\r\n\r\n", .init(), 400, "HEAD"),
        ("HEAD  / HTTP/1.1\r\nHost: h\r\n\r\n", .init(), 400, "HEAD"),
        ("HEAD / HTTP/1.1\r\nHost: h\r\nHost: h\r\n\r\n", .init(), 400, "HEAD"),
        ("HEAD / HTTP/1.1\r\n\r\n", .init(), 400, "HEAD"),
        ("HEAD\r\n", .init(), 400, ""),
        ("HEAD\t/ HTTP/1.1\r\n", .init(), 400, ""),
        ("\r\nHEAD /x\r\n", .init(), 400, "HEAD"),
        ("GET / HTTP/1.1\r\nHost: h\r\nHost: h\r\n\r\n", .init(), 400, "GET"),
        // A later request on the connection is refused with its own method, never the one before it.
        ("HEAD / HTTP/1.1\r\nHost: h\r\n\r\nbad\r\n", .init(), 400, ""),
        ("HEAD / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/3.0\r\n", .init(), 400, "GET"),
        ("GET / HTTP/1.1\r\nHost: h\r\n\r\nHEAD /" + long, lineLimit, 414, "HEAD"),
    ]

    @Test(arguments: refusedMethods, [Int.max, 1, 5])
    func aRefusalKnowsItsMethod(refusal: (bytes: String, limits: RequestParser.Limits, status: Int, method: String),
                                piece: Int) throws {
        var parser = RequestParser(limits: refusal.limits)
        var failure: Int?
        for slice in Array(refusal.bytes.utf8).pieces(piece) where failure == nil {
            parser.feed(Array(slice))
            while failure == nil, let event = parser.next() {
                if case .failure(let error) = event { failure = error.status }
            }
        }
        #expect(failure == refusal.status)
        #expect(parser.method == refusal.method)
    }

    // MARK: 100-continue

    static let expects: [(name: String, head: String, rest: String, first: [String], then: [String])] = [
        ("body not yet sent", "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
         "hello", ["continue"], ["request POST hello"]),
        ("expectation is case-insensitive",
         "POST / HTTP/1.1\r\nHost: h\r\nexpect: 100-Continue\r\nContent-Length: 5\r\n\r\n",
         "hello", ["continue"], ["request POST hello"]),
        ("body sent with the head", "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"
            + "hello", "", ["request POST hello"], []),
        // The code asks for the rest once whenever the body is not complete (RFC 9110 §10.1.1 lets it).
        ("part of the body sent", "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhe",
         "llo", ["continue"], ["request POST hello"]),
        ("no body", "GET / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n", "", ["request GET"], []),
        ("another expectation", "POST / HTTP/1.1\r\nHost: h\r\nExpect: nothing\r\nContent-Length: 5\r\n\r\n",
         "hello", [], ["request POST hello"]),
        // RFC 9110 §10.1.1: the server sends 100 (or a final status) when content will follow; chunked counts.
        ("chunked body not yet sent",
         "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n",
         "5\r\nhello\r\n0\r\n\r\n", ["continue"], ["request POST hello"]),
        ("chunked body half sent",
         "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhe",
         "llo\r\n0\r\n\r\n", ["continue"], ["request POST hello"]),
        // RFC 9110 §10.1.1: "A server that receives a 100-continue expectation in an HTTP/1.0 request MUST ignore
        // that expectation."
        ("HTTP/1.0 expectation is ignored", "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
         "hello", [], ["request POST hello"]),
    ]

    @Test(arguments: expects)
    func expectContinue(name: String, head: String, rest: String, first: [String], then: [String]) {
        var parser = RequestParser()
        parser.feed(head)
        #expect(parser.drain().map(\.brief) == first, "\(name)")
        #expect(parser.drain() == [], "at most once: \(name)")
        parser.feed(rest)
        #expect(parser.drain().map(\.brief) == then, "\(name)")
    }

    @Test func everyPipelinedRequestGetsItsOwnContinue() {
        let head = "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"
        var parser = RequestParser()
        parser.feed(head)
        #expect(parser.drain().map(\.brief) == ["continue"])
        parser.feed("ab" + head)
        #expect(parser.drain().map(\.brief) == ["request POST ab", "continue"])
        parser.feed("cd")
        #expect(parser.drain().map(\.brief) == ["request POST cd"])
    }

    // MARK: Idleness and reading

    static let idles: [(bytes: String, idle: Bool)] = [
        ("", true),
        ("GET", false),
        ("GET / HTTP/1.1\r\nHost: h\r\n", false),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhel", false),
        ("GET / HTTP/1.1\r\nHost: h\r\n\r\n", true),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nab", true),
        (RequestParserTests.chunked + "0\r\n\r\n", true),
        (RequestParserTests.chunked + "0\r\n", false),
        ("GET / HTTP/1.1\r\nHost: h\r\n\r\nG", false),
        ("\r\n\r\n", true),
    ]

    /// Idle: nothing of an unfinished request is held (a graceful stop closes only idle connections).
    @Test(arguments: idles)
    func isIdleAfterTakingEverything(bytes: String, idle: Bool) {
        var parser = RequestParser()
        #expect(parser.isIdle)
        parser.feed(bytes)
        #expect(parser.isIdle == bytes.isEmpty, "bytes not read yet are held")
        _ = parser.drain()
        #expect(parser.isIdle == idle)
        #expect(!parser.hasFailed)
    }

    static let stream = three + "POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\n"
        + String(repeating: "0123456789", count: 10_000) + three

    /// `readInto` gives the same requests as `append`, whatever the read sizes (and across buffer compaction).
    @Test(arguments: [1, 5, 4096, 200_000])
    func readIntoWorksLikeAppend(readSize: Int) {
        let bytes = Wire.bytes(Self.stream)
        let expected = Wire.parse(bytes)
        #expect(expected.count == 7)
        var parser = RequestParser()
        var outcomes: [Outcome] = []
        var offset = 0
        var spaceTooSmall = false
        var readsLost = false
        while offset < bytes.count {
            let count = min(readSize, bytes.count - offset)
            let read = parser.readInto(minimum: readSize) { space in
                if space.count < readSize { spaceTooSmall = true }
                space.copyBytes(from: bytes[offset..<(offset + count)])
                return count
            }
            if read != count { readsLost = true }
            offset += count
            outcomes += parser.drain()
        }
        #expect(!spaceTooSmall)
        #expect(!readsLost)
        #expect(outcomes == expected)
        #expect(parser.isIdle)
    }

    /// A read that returns 0 (EOF) or -1 (an error) keeps nothing.
    @Test(arguments: [0, -1])
    func readIntoKeepsNothingOnEOFOrError(result: Int) {
        var parser = RequestParser()
        parser.feed("GET / HTTP/1.1\r\n")
        let read = parser.readInto(minimum: 16) { space in
            // A bare LF: kept, it would make the request a 400.
            space.storeBytes(of: 0x0A, as: UInt8.self)
            return result
        }
        #expect(read == result)
        parser.feed("Host: h\r\n\r\n")
        #expect(parser.drain().map(\.brief) == ["request GET"])
        #expect(parser.isIdle)
    }

    // MARK: Helpers

    /// The number of bytes fed when the first event came (it must be `expected`), or nil if none came.
    static func firstFailure(feeding bytes: [UInt8], piece: Int, limits: RequestParser.Limits,
                             expected: Outcome) -> Int? {
        var parser = RequestParser(limits: limits)
        var fed = 0
        for slice in bytes.pieces(piece) {
            parser.feed(Array(slice))
            fed += slice.count
            let outcomes = parser.drain()
            guard outcomes.isEmpty else {
                #expect(outcomes == [expected])
                return fed
            }
        }
        return nil
    }

    /// The first multiple of `piece` past `count`: where bytes fed in pieces first exceed it.
    static func boundary(after count: Int, piece: Int) -> Int {
        (count / piece + 1) * piece
    }
}

extension Wire {
    /// The events of `bytes` appended `piece` bytes at a time, draining after each.
    static func feed(_ bytes: [UInt8], piece: Int, limits: RequestParser.Limits = .init()) -> [Outcome] {
        var parser = RequestParser(limits: limits)
        var outcomes: [Outcome] = []
        for slice in bytes.pieces(piece) where !parser.hasFailed {
            parser.feed(Array(slice))
            outcomes += parser.drain()
        }
        return outcomes
    }
}

extension Outcome {
    /// `request METHOD body`, `continue` or `failure STATUS`: enough to compare event sequences.
    var brief: String {
        switch self {
        case .request(let parsed):
            parsed.body.isEmpty
                ? "request \(parsed.method)"
                : "request \(parsed.method) " + String(decoding: parsed.body, as: UTF8.self)
        case .expectContinue: "continue"
        case .failure(let status, _): "failure \(status)"
        case .head(let parsed, let hasBody): "head \(parsed.method)\(hasBody ? " body" : "")"
        case .body(let bytes): "body " + String(decoding: bytes, as: UTF8.self)
        case .end: "end"
        }
    }

    var parsed: Parsed? {
        if case .request(let parsed) = self { return parsed }
        return nil
    }
}

extension Array {
    /// Consecutive slices of `size` elements (the last may be shorter).
    func pieces(_ size: Int) -> [ArraySlice<Element>] {
        let step = Swift.max(1, size)
        return stride(from: 0, to: count, by: step).map { self[$0..<($0 + Swift.min(step, count - $0))] }
    }
}
