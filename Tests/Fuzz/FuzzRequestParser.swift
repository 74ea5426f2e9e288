// libFuzzer harness: the incremental HTTP/1.1 request parser (SPEC §12, RFC 9112), with small limits so
// that every limit is reached. Input: two bytes that seed how the rest is cut into pieces, then the byte
// stream. Fed in those pieces (through `append` and `readInto` in turn) and fed whole, the parser must
// yield the same requests and end in the same verdict (and the same method of a refused request); after a failure it keeps returning that failure;
// its buffer indices stay in order; no body passes the limit; 100-continue comes at most once a request.
// Requests to /v2/ stream their bodies (head, pieces, end: SPEC §21): reassembled, they must equal what
// feeding whole gives, whatever the pieces, and no limit applies to their bodies.
// Compiled by Tests/Fuzz/run.sh together with every file of Sources/PackagesEmulator/; never by SwiftPM.

let parserLimits = RequestParser.Limits(maxRequestLine: 64, maxHeaderBytes: 256, maxBodyBytes: 128)

/// Which requests stream, as the server's registry routes do.
let streamsV2: @Sendable (String, String) -> Bool = { _, target in target.hasPrefix("/v2/") }

struct ParserRun {
    var requests: [ParsedRequest] = []
    /// A streamed request being reassembled from its head and pieces.
    var streaming: ParsedRequest?
    var failure: ParseError?
    /// The method the parser reports after a failure.
    var failedMethod = ""
    var idle = true
}

func checkIndices(_ parser: RequestParser) {
    precondition(0 <= parser.consumed && parser.consumed <= parser.end && parser.end <= parser.storage.count,
                 "buffer indices out of order: consumed \(parser.consumed), end \(parser.end)")
    switch parser.state {
    case .requestLine, .headers, .trailers, .chunkSize:
        precondition(parser.consumed <= parser.searchFrom && parser.searchFrom <= parser.end,
                     "line search outside the unparsed bytes")
    default:
        break
    }
}

/// Takes every event the parser has; true once it has failed.
func drain(_ parser: inout RequestParser, into run: inout ParserRun, continues: inout Int) -> Bool {
    while let event = parser.next() {
        checkIndices(parser)
        switch event {
        case .request(let request):
            precondition(run.streaming == nil, "a request inside a streamed one")
            precondition(request.body.count <= parserLimits.maxBodyBytes, "a body past the limit")
            precondition(!streamsV2(request.method, request.target), "a streamed request arrived whole")
            run.requests.append(request)
            continues = 0
        case .head(let request, let hasBody):
            precondition(run.streaming == nil, "a head inside a streamed request")
            precondition(streamsV2(request.method, request.target), "an ordinary request streamed")
            precondition(request.body.isEmpty, "a streamed head with a body")
            _ = hasBody
            run.streaming = request
        case .body(let piece):
            precondition(run.streaming != nil, "a body piece outside a streamed request")
            precondition(!piece.isEmpty, "an empty body piece")
            run.streaming?.body.append(contentsOf: piece)
        case .end:
            guard let request = run.streaming else { preconditionFailure("an end outside a streamed request") }
            run.requests.append(request)
            run.streaming = nil
            continues = 0
        case .expectContinue:
            continues += 1
            precondition(continues == 1, "100-continue twice for one request")
        case .failure(let error):
            run.failure = error
            for _ in 0..<2 {
                guard case .failure(let again) = parser.next(), again == error else {
                    preconditionFailure("a failed parser did not keep its failure")
                }
            }
            return true
        }
    }
    return false
}

/// After a failure, more bytes change nothing.
func checkStaysFailed(_ parser: inout RequestParser, _ error: ParseError) {
    parser.append(UnsafeRawBufferPointer(start: nil, count: 0))
    [UInt8]("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8).withUnsafeBytes { parser.append($0) }
    guard case .failure(let again) = parser.next(), again == error else {
        preconditionFailure("bytes after a failure were parsed")
    }
}

/// Feeds `bytes` in pieces of 1...maxPiece bytes (nil: all at once).
func parse(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt32, maxPiece: Int?) -> ParserRun {
    var parser = RequestParser(limits: parserLimits, streams: streamsV2)
    var run = ParserRun()
    var continues = 0
    var random = seed | 1
    var offset = 0
    var piece = 0
    while offset < bytes.count {
        random ^= random << 13
        random ^= random >> 17
        random ^= random << 5
        let size = maxPiece.map { min(bytes.count - offset, 1 + Int(random % UInt32($0))) } ?? bytes.count
        let slice = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[offset..<(offset + size)])
        piece += 1
        if piece % 2 == 0 {
            parser.append(slice)
        } else {
            // A read that returns nothing (EAGAIN, or 0 at EOF) must not change what is held.
            if random & 8 == 0 {
                // (readInto compacts first, so the held bytes may move to the front; they must not change.)
                let held = Array(parser.storage[parser.consumed..<parser.end])
                _ = parser.readInto(minimum: 1) { _ in random & 16 == 0 ? 0 : -1 }
                precondition(parser.storage[parser.consumed..<parser.end].elementsEqual(held),
                             "a read of nothing changed the unparsed bytes")
            }
            let count = parser.readInto(minimum: size) { space in
                precondition(space.count >= size, "readInto gave less room than asked")
                space.copyMemory(from: slice)
                return size
            }
            precondition(count == size, "readInto lost the count")
        }
        offset += size
        checkIndices(parser)
        if drain(&parser, into: &run, continues: &continues) {
            run.failedMethod = parser.method
            if let error = run.failure { checkStaysFailed(&parser, error) }
            return run
        }
    }
    run.idle = parser.isIdle
    precondition(!parser.hasFailed, "failed without a failure event")
    return run
}

func sameRequest(_ a: ParsedRequest, _ b: ParsedRequest) -> Bool {
    a.method == b.method && a.target == b.target && a.minorVersion == b.minorVersion && a.body == b.body
        && a.keepAlive == b.keepAlive && a.headers.count == b.headers.count
        && zip(a.headers, b.headers).allSatisfy { $0.name == $1.name && $0.value == $1.value }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let seed = UInt32(data[0]) << 8 | UInt32(data[1])
    let stream = UnsafeBufferPointer(start: data + 2, count: size - 2)
    let pieces = parse(stream, seed: seed, maxPiece: Int(data[0] & 0x3F) + 1)
    let whole = parse(stream, seed: 0, maxPiece: nil)
    precondition(pieces.requests.count == whole.requests.count, "pieces and whole yield different requests")
    for (a, b) in zip(pieces.requests, whole.requests) {
        precondition(sameRequest(a, b), "pieces and whole yield different requests")
    }
    precondition(pieces.failure == whole.failure, "pieces and whole end in different verdicts")
    precondition(pieces.failedMethod == whole.failedMethod, "pieces and whole refuse different methods")
    precondition(pieces.idle == whole.idle, "pieces and whole leave different bytes pending")
    return 0
}
