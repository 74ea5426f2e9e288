/// The lines of a request: the request line, header and trailer fields, chunk sizes (RFC 9112 §3, §5,
/// §7.1), each validated as a whole once its CRLF has arrived.
extension RequestParser {
    mutating func take(line: Line) -> Event? {
        if case .requestLine = state, line.count > 0 { head.method = leadingMethod(line.start, line.end) }
        if let error = lineLimitError(bytesBeforeLF: line.count + (line.bareLF ? 0 : 1)) { return fail(error) }
        // RFC 9112 §2.2 lets a recipient accept a bare LF as a line end; SPEC §12 refuses it, since a
        // proxy that does not would see different requests in the same bytes.
        if line.bareLF { return fail(.init(400, "A bare LF where CRLF belongs.")) }
        switch state {
        case .requestLine:
            // RFC 9112 §2.2: empty lines before a request line are ignored.
            if line.count == 0 { return nil }
            if let error = takeRequestLine(line) { return fail(error) }
            headBytes = line.count + 2
            state = .headers
        case .headers:
            headBytes += line.count + 2
            if headBytes > limits.maxHeaderBytes { return fail(.headersTooLarge) }
            if line.count == 0 { return finishHead() }
            switch field(line) {
            case .failure(let error): return fail(error)
            case .success(let (name, value)):
                framing.note(name: name, value: value)
                if head.headers.isEmpty { head.headers.reserveCapacity(16) }
                head.headers.append((name, value))
            }
        case .trailers:
            headBytes += line.count + 2
            if headBytes > limits.maxHeaderBytes { return fail(.headersTooLarge) }
            if line.count == 0 { return complete() }
            // RFC 9112 §7.1.2: trailer fields are parsed like header fields, then ignored here.
            if case .failure(let error) = field(line) { return fail(error) }
        case .chunkSize:
            switch chunkSize(line) {
            case .failure(let error): return fail(error)
            case .success(0):
                headBytes = 0
                state = .trailers
            case .success(let size):
                if !streaming && size > limits.maxBodyBytes - head.body.count { return fail(.payloadTooLarge) }
                state = .chunkData(remaining: size)
            }
        default:
            break
        }
        return nil
    }

    /// `method SP request-target SP HTTP-version` (RFC 9112 §3), single spaces, nothing else.
    mutating func takeRequestLine(_ line: Line) -> ParseError? {
        storage.withUnsafeBufferPointer { bytes in
            var index = line.start
            while index < line.end, HTTPBytes.isTokenByte(bytes[index]) { index += 1 }
            guard index > line.start, index < line.end, bytes[index] == 0x20 else {
                return .init(400, "Malformed request line: the method is not a token followed by one space.")
            }
            let targetStart = index + 1
            index = targetStart
            // RFC 9112 §3.2: a request-target is URI syntax, visible ASCII only; raw bytes past 0x7E are
            // not a URI (percent-encode them), and a control byte or NUL never is.
            while index < line.end, bytes[index] > 0x20, bytes[index] < 0x7F { index += 1 }
            guard index > targetStart, index < line.end, bytes[index] == 0x20 else {
                if bytes[targetStart..<line.end].contains(0x0D) { return .init(400, "A bare CR where CRLF belongs.") }
                if index == line.end { return .init(400, "Malformed request line: no HTTP version after the target.") }
                if index == targetStart && bytes[index] == 0x20 {
                    return .init(400, "Malformed request line: more than one space between its parts.")
                }
                return .init(400, "Malformed request line: the target is not visible ASCII followed by one space.")
            }
            // RFC 9112 §3.2: origin-form, absolute-form, asterisk-form, or authority-form for CONNECT; any
            // other target makes the request line invalid (§3: answered 400).
            guard head.method == "CONNECT" || HTTPBytes.isRequestTargetForm(bytes[targetStart..<index]) else {
                return .init(400, "Malformed request line: the target is not a path, an absolute URI or *.")
            }
            let target = String(decoding: UnsafeBufferPointer(rebasing: bytes[targetStart..<index]), as: UTF8.self)
            // HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3), case-sensitive.
            let version = index + 1
            guard line.end - version == 8,
                  bytes[version] == 0x48, bytes[version + 1] == 0x54, bytes[version + 2] == 0x54,
                  bytes[version + 3] == 0x50, bytes[version + 4] == 0x2F,
                  HTTPBytes.isDigit(bytes[version + 5]), bytes[version + 6] == 0x2E,
                  HTTPBytes.isDigit(bytes[version + 7])
            else {
                return .init(400, "Malformed request line: the version is not HTTP/1.x.")
            }
            guard bytes[version + 5] == 0x31 else {
                return .init(400, "Malformed request line: only HTTP/1.x is served.")
            }
            head.target = target
            head.minorVersion = bytes[version + 7] == 0x30 ? 0 : 1
            return nil
        }
    }

    /// The request line's first word when a space follows it within the line limit, as far as the line has
    /// arrived (its `start..<end`); empty otherwise. Kept even when the line is refused, so that a refused
    /// `HEAD` gets no body either (SPEC §12). Looking no further than the limit gives the same word whether
    /// the line is refused whole or while it arrives.
    func leadingMethod(_ start: Int, _ end: Int) -> String {
        let end = min(end, start + limits.maxRequestLine)
        return storage.withUnsafeBufferPointer { bytes in
            var index = start
            while index < end, HTTPBytes.isTokenByte(bytes[index]) { index += 1 }
            guard index > start, index < end, bytes[index] == 0x20 else { return "" }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        }
    }

    /// `field-name ":" OWS field-value OWS` (RFC 9112 §5, RFC 9110 §5.5).
    func field(_ line: Line) -> Result<(String, String), ParseError> {
        storage.withUnsafeBufferPointer { bytes in
            // RFC 9112 §5.2: obs-fold is refused outside message/http.
            if bytes[line.start] == 0x20 || bytes[line.start] == 0x09 {
                return .failure(.init(400, "Obsolete line folding (a header line starting with whitespace)."))
            }
            var index = line.start
            while index < line.end, HTTPBytes.isTokenByte(bytes[index]) { index += 1 }
            guard index < line.end, bytes[index] == 0x3A, index > line.start else {
                if index < line.end, bytes[index] == 0x20 || bytes[index] == 0x09,
                   bytes[index..<line.end].contains(0x3A) {
                    // RFC 9112 §5.1: a server MUST reject whitespace between a field name and its colon.
                    return .failure(.init(400, "Whitespace between a header name and its colon."))
                }
                if bytes[line.start..<line.end].contains(0x0D) {
                    return .failure(.init(400, "A bare CR where CRLF belongs."))
                }
                return .failure(.init(400, "Malformed header line: the name is not a token followed by a colon."))
            }
            let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[line.start..<index]), as: UTF8.self)
            var valueStart = index + 1
            while valueStart < line.end, bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09 { valueStart += 1 }
            var valueEnd = line.end
            while valueEnd > valueStart, bytes[valueEnd - 1] == 0x20 || bytes[valueEnd - 1] == 0x09 { valueEnd -= 1 }
            for position in valueStart..<valueEnd where !HTTPBytes.isFieldValueByte(bytes[position]) {
                // RFC 9110 §5.5: CR, LF and NUL in a value MUST be refused (or replaced); so are the
                // other controls, which no valid field holds.
                return .failure(bytes[position] == 0x0D
                    ? .init(400, "A bare CR where CRLF belongs.")
                    : .init(400, "Invalid character in a header value."))
            }
            let value = String(decoding: UnsafeBufferPointer(rebasing: bytes[valueStart..<valueEnd]), as: UTF8.self)
            return .success((name, value))
        }
    }

    /// `chunk-size [ chunk-ext ]` (RFC 9112 §7.1): hex digits, then extensions, which are ignored.
    func chunkSize(_ line: Line) -> Result<Int, ParseError> {
        storage.withUnsafeBufferPointer { bytes in
            var index = line.start
            var size = 0
            var significant = 0
            while index < line.end, let digit = HTTPBytes.hexValue(bytes[index]) {
                // 15 significant hex digits keep the size within 60 bits; more is an overflow whatever
                // the limit. Leading zeros are not significant (`1*HEXDIG`, RFC 9112 §7.1).
                if size > 0 || digit > 0 { significant += 1 }
                guard significant <= 15 else {
                    return .failure(.init(400, "Invalid chunked body: the chunk size overflows."))
                }
                size = size << 4 | digit
                index += 1
            }
            guard index > line.start else {
                return .failure(.init(400, "Invalid chunked body: the chunk size is not hexadecimal."))
            }
            // BWS before the extensions (RFC 9112 §7.1.1), then `;`: `5 ` alone is not a chunk-size line.
            let extensions = bytes[index..<line.end]
            let first = extensions.first { $0 != 0x20 && $0 != 0x09 }
            guard first == nil && extensions.isEmpty || first == 0x3B else {
                return .failure(.init(400, "Invalid chunked body: the chunk size is not hexadecimal."))
            }
            for byte in extensions where !HTTPBytes.isFieldValueByte(byte) {
                return .failure(byte == 0x0D
                    ? .init(400, "A bare CR where CRLF belongs.")
                    : .init(400, "Invalid chunked body: a control byte in a chunk extension."))
            }
            // Ignored, but only once they parse as the grammar says (llhttp agrees; h11 takes `;.*`).
            guard HTTPBytes.isChunkExtensions(extensions) else {
                return .failure(.init(400, "Invalid chunked body: a malformed chunk extension."))
            }
            return .success(size)
        }
    }

    /// The head is complete: decide how the body is framed (RFC 9112 §6.3), or refuse the request.
    mutating func finishHead() -> Event? {
        // RFC 9112 §3.2: an HTTP/1.1 request without Host, or with two, MUST be answered 400.
        if head.minorVersion >= 1 && framing.hosts == 0 { return fail(.init(400, "Missing Host header.")) }
        if framing.hosts > 1 { return fail(.init(400, "More than one Host header.")) }
        if framing.transferEncodings > 0 {
            // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 is faulty framing; with Content-Length it is
            // a smuggling shape (§6.3, §11.2).
            if framing.contentLengths > 0 {
                return fail(.init(400, "Content-Length and Transfer-Encoding in one request."))
            }
            if head.minorVersion == 0 {
                return fail(.init(400, "Transfer-Encoding in an HTTP/1.0 request."))
            }
            // Only `chunked`, once: anything else leaves the body's end unknown to us.
            guard framing.transferEncodings == 1, framing.chunked else {
                return fail(.init(400, "Unsupported Transfer-Encoding."))
            }
            state = .chunkSize
            searchFrom = consumed
            return streamHead(hasBody: true)
        }
        if framing.contentLengths > 0 {
            // Two Content-Length fields, even equal ones, or a list: refused (RFC 9112 §6.3 allows it;
            // llhttp refuses them too).
            guard framing.contentLengths == 1, let length = framing.contentLength else {
                return fail(.init(400, "Conflicting or invalid Content-Length."))
            }
            if streams(head.method, head.target) {
                state = length > 0 ? .fixedBody(remaining: length) : .endOfStream
                return streamHead(hasBody: length > 0)
            }
            if length > limits.maxBodyBytes { return fail(.payloadTooLarge) }
            if length > 0 {
                state = .fixedBody(remaining: length)
                return nil
            }
        }
        if streams(head.method, head.target) {
            state = .endOfStream
            return streamHead(hasBody: false)
        }
        return complete()
    }

    /// The head of a streamed request, once its body's framing is known; nil for other requests.
    mutating func streamHead(hasBody: Bool) -> Event? {
        guard streams(head.method, head.target) else { return nil }
        streaming = true
        var request = head
        request.keepAlive = framing.keepAlive(minorVersion: request.minorVersion)
        return .head(request, hasBody: hasBody)
    }
}

/// What the header fields say about framing and the connection, noted as each field arrives.
struct Framing: Sendable {
    var hosts = 0
    var contentLengths = 0
    /// nil when the value is not only digits (or overflows: then it is surely past any limit).
    var contentLength: Int?
    var transferEncodings = 0
    var chunked = false
    var close = false
    var keepAliveToken = false
    var expectsContinue = false

    mutating func note(name: String, value: String) {
        switch name.utf8.count {
        case 4 where name.equalsASCIILowercase("host"):
            hosts += 1
        case 6 where name.equalsASCIILowercase("expect"):
            expectsContinue = value.equalsASCIILowercase("100-continue")
        case 10 where name.equalsASCIILowercase("connection"):
            for token in value.utf8.split(separator: 0x2C) {
                let trimmed = String(Substring(token).trimmingASCIISpaces())
                if trimmed.equalsASCIILowercase("close") { close = true }
                if trimmed.equalsASCIILowercase("keep-alive") { keepAliveToken = true }
            }
        case 14 where name.equalsASCIILowercase("content-length"):
            contentLengths += 1
            contentLength = Self.digits(value)
        case 17 where name.equalsASCIILowercase("transfer-encoding"):
            transferEncodings += 1
            chunked = value.equalsASCIILowercase("chunked")
        default:
            break
        }
    }

    /// RFC 9112 §9.3: HTTP/1.1 stays open unless `close`; HTTP/1.0 closes unless `keep-alive`.
    func keepAlive(minorVersion: Int) -> Bool {
        minorVersion == 0 ? keepAliveToken && !close : !close
    }

    static func digits(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy(HTTPBytes.isDigit) else { return nil }
        // `1*DIGIT` (RFC 9112 §6.2): leading zeros do not make a number larger.
        let significant = text.utf8.drop { $0 == 0x30 }
        guard significant.count <= 18 else { return Int.max }
        var value = 0
        for byte in significant {
            guard HTTPBytes.isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }
}
