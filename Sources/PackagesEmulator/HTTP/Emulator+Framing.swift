/// Checks on the request's framing that run before any route (SPEC §12): the request line's length and
/// the request-smuggling shapes the core can see. libevent parses the framing first; these answer, in
/// GitHub's JSON shape, what it lets through.
extension Emulator {
    /// 414 or 400 with `Connection: close`, or nil when the framing is fine.
    func framingRejection(_ request: Request) -> Response? {
        guard let error = Self.framingError(request, maxRequestLine: config.maxRequestLine) else { return nil }
        var response = Self.json(status: error.status, error.body, requestID: nextRequestID())
        response.headers.append(("X-GitHub-Media-Type", "github.v3; format=json"))
        // After an ambiguous framing the rest of the stream cannot be trusted (RFC 9112 §6.3): close.
        response.headers.append(("Connection", "close"))
        return response
    }

    static func framingError(_ request: Request, maxRequestLine: Int) -> APIError? {
        // `METHOD SP target SP HTTP/1.1`: the version is 8 bytes; evhttp does not hand it over as text.
        if request.method.utf8.count + request.target.utf8.count + 10 > maxRequestLine {
            return .uriTooLong
        }
        let lengths = request.values(of: "content-length")
        let codings = request.values(of: "transfer-encoding")
        if !codings.isEmpty && !lengths.isEmpty {
            return APIError(400, "Content-Length and Transfer-Encoding in one request.", documentationURL: DocURL.rest)
        }
        // RFC 9112 §6.3: differing Content-Length values (in one field or several) are unrecoverable.
        let values = Set(lengths.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingASCIISpaces() } })
        if values.count > 1 || values.contains(where: { $0.isEmpty || !$0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }) {
            return APIError(400, "Conflicting or invalid Content-Length.", documentationURL: DocURL.rest)
        }
        // Only `chunked` alone is a coding evhttp decodes; anything else leaves the body's end unknown.
        let coding = codings.flatMap { $0.split(separator: ",").map { String($0.trimmingASCIISpaces()).asciiLowercased() } }
        if !codings.isEmpty && coding != ["chunked"] {
            return APIError(400, "Unsupported Transfer-Encoding.", documentationURL: DocURL.rest)
        }
        return nil
    }
}

extension APIError {
    static let uriTooLong = APIError(414, "URI Too Long", documentationURL: DocURL.rest)
}
