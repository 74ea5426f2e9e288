import Testing
@testable import PackagesEmulator

/// Streamed bodies (SPEC §21): for the requests `streams` names, the parser hands out the head, the body
/// in pieces as they arrive (chunk framing removed), and the end; `maxBodyBytes` does not apply to them.
@Suite struct RequestParserStreamingTests {
    static let limits = RequestParser.Limits(maxRequestLine: 64, maxHeaderBytes: 256, maxBodyBytes: 32)
    static let streamsV2: @Sendable (String, String) -> Bool = { _, target in target.hasPrefix("/v2/") }

    /// Every event of `bytes` fed `piece` bytes at a time, with neighbouring body pieces merged.
    static func events(_ bytes: [UInt8], piece: Int) -> [String] {
        var parser = RequestParser(limits: limits, streams: streamsV2)
        var out: [String] = []
        var offset = 0
        repeat {
            let end = min(bytes.count, offset + piece)
            bytes[offset..<end].withUnsafeBytes { parser.append($0) }
            offset = end
            while let event = parser.next() {
                let brief = Outcome(event).brief
                if brief.hasPrefix("body "), let last = out.last, last.hasPrefix("body ") {
                    out[out.count - 1] = last + brief.dropFirst(5)
                } else {
                    out.append(brief)
                }
                if case .failure = event { return out }
            }
        } while offset < bytes.count
        return out
    }

    static let cases: [(String, String, [String])] = [
        ("a body over maxBodyBytes streams: 33 bytes with a limit of 32",
         "PATCH /v2/o/n/blobs/uploads/u HTTP/1.1\r\nHost: h\r\nContent-Length: 33\r\n\r\n" + String(repeating: "x", count: 33),
         ["head PATCH body", "body " + String(repeating: "x", count: 33), "end"]),
        ("no body: head and end",
         "GET /v2/o/n/tags/list HTTP/1.1\r\nHost: h\r\n\r\n",
         ["head GET", "end"]),
        ("Content-Length: 0 is no body",
         "PUT /v2/o/n/blobs/uploads/u?digest=x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
         ["head PUT", "end"]),
        ("chunked: the data without its framing, trailers ignored",
         "PATCH /v2/o/n/blobs/uploads/u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n1;ext=1\r\n \r\n14\r\n" + String(repeating: "w", count: 20) + "\r\n0\r\nX-T: 1\r\n\r\n",
         ["head PATCH body", "body hello " + String(repeating: "w", count: 20), "end"]),
        ("a chunk over maxBodyBytes streams too",
         "PATCH /v2/o/n/blobs/uploads/u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "21\r\n" + String(repeating: "y", count: 33) + "\r\n0\r\n\r\n",
         ["head PATCH body", "body " + String(repeating: "y", count: 33), "end"]),
        ("pipelined: a streamed request, then an ordinary one",
         "PUT /v2/o/n/manifests/t HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}"
            + "POST /other HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc",
         ["head PUT body", "body {}", "end", "request POST abc"]),
        ("the same body elsewhere is limited: 413",
         "PATCH /other HTTP/1.1\r\nHost: h\r\nContent-Length: 33\r\n\r\n" + String(repeating: "x", count: 33),
         ["failure 413"]),
        ("bad chunk framing after the head fails the stream",
         "PATCH /v2/o/n/blobs/uploads/u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
         ["head PATCH body", "body abc", "failure 400"]),
        ("framing is checked before the head is handed out",
         "PATCH /v2/o/n/blobs/uploads/u HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
         ["failure 400"]),
        ("100-continue: the head first, then the interim answer while the body is awaited",
         "PATCH /v2/o/n/blobs/uploads/u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
         ["head PATCH body", "continue"]),
    ]

    @Test(arguments: cases.indices)
    func streamedRequests(_ index: Int) {
        let (name, text, expected) = Self.cases[index]
        let bytes = Array(text.utf8)
        // Whole, byte by byte and 5 bytes at a time: the same events.
        for piece in [bytes.count, 1, 5] {
            #expect(Self.events(bytes, piece: max(1, piece)) == expected, "\(name), pieces of \(piece)")
        }
    }

    @Test func keepAliveIsKnownAtTheHead() {
        var parser = RequestParser(limits: Self.limits, streams: Self.streamsV2)
        Array("GET /v2/ HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n".utf8).withUnsafeBytes { parser.append($0) }
        guard case .head(let head, hasBody: false)? = parser.next() else {
            Issue.record("no head")
            return
        }
        #expect(head.keepAlive == false)
        #expect(head.target == "/v2/")
        guard case .end? = parser.next() else {
            Issue.record("no end")
            return
        }
        #expect(parser.isIdle)
    }
}
