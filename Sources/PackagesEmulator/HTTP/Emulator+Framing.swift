/// Answers to requests the HTTP/1.1 parser refused (SPEC §12): GitHub's error shape, never HTML.
extension Emulator {
    /// 400, 413, 414 or 431 with `Connection: close`: after a framing error the rest of the stream
    /// cannot be trusted (RFC 9112 §6.3), so nothing after it is read.
    public func framingResponse(_ error: ParseError) -> Response {
        let apiError = APIError(error.status, error.message, documentationURL: DocURL.rest)
        var response = Self.json(status: error.status, apiError.body, requestID: nextRequestID())
        response.headers.append(("X-GitHub-Media-Type", "github.v3; format=json"))
        response.headers.append(("Connection", "close"))
        return response
    }
}
