/// API answers with a fault rule applied (issue 5): GitHub's bodies for its 5xx and secondary rate limits.
extension Emulator {
    func answer(_ request: Request, target: RequestTarget, store: Store, fault: Fault?) -> Response {
        guard let fault else { return apiResponse(request, target: target, store: store) }
        var response = injected(fault, request, target: target, store: store)
        // The journal names the operation a fault stood in for.
        response.operation = Route.resolve(method: request.method, path: target.path)?.operation.id
        return response
    }

    private func injected(_ fault: Fault, _ request: Request, target: RequestTarget, store: Store) -> Response {
        let requestID = nextRequestID()
        switch fault.kind {
        case .delay(let milliseconds):
            var response = apiResponse(request, target: target, store: store)
            response.delayMilliseconds = milliseconds
            return response
        case .drop:
            var response = Response(status: 502)
            response.dropConnection = true
            return response
        case .status(let code):
            return Self.faultResponse(status: code, body: Self.serverErrorBody(code), requestID: requestID)
        case .secondaryRateLimit(let code, let retryAfter):
            var response = Self.faultResponse(
                status: code, body: APIError.secondaryRateLimit(code, requestID: requestID).body, requestID: requestID)
            response.headers.insert(("Retry-After", String(retryAfter)), at: 1)
            return response
        }
    }

    /// GitHub's 5xx bodies carry a message only: `{"message": "Server Error"}` on 502 (seen in real
    /// answers, e.g. PyGithub#2400, gitcoinco/web#2824), the "No server is currently available" text on
    /// 503 (seen, taskcluster-github#96); 500 reuses 502's text (choice).
    static func serverErrorBody(_ status: Int) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key("message")
        json.string(status == 503
            ? "No server is currently available to service your request. Sorry about that. Please try "
                + "resubmitting your request and contact us if the problem persists."
            : "Server Error")
        json.endObject()
        return json.bytes
    }

    static func faultResponse(status: Int, body: [UInt8], requestID: String) -> Response {
        Response(status: status, headers: [
            ("Content-Type", "application/json; charset=utf-8"),
            ("X-GitHub-Media-Type", "github.v3; format=json"),
            ("Access-Control-Expose-Headers", exposedHeaders),
            ("Access-Control-Allow-Origin", "*"),
            ("X-GitHub-Request-Id", requestID),
            ("Content-Length", String(body.count)),
        ], body: body)
    }
}

extension DocURL {
    public static let secondaryRateLimits =
        "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
}

extension APIError {
    /// GitHub's wording (GitHub docs, "Rate limits for the REST API": 403 or 429 with `Retry-After`).
    static func secondaryRateLimit(_ status: Int, requestID: String) -> APIError {
        APIError(status, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
                 + "If you reach out to GitHub Support for help, please include the request ID \(requestID).",
                 documentationURL: DocURL.secondaryRateLimits)
    }
}
