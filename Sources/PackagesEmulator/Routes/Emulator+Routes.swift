/// The emulator's own routes under `/_emulator/` (never a GitHub path) and the CORS preflight.
extension Emulator {
    func emulatorRoute(_ request: Request, path: Substring) -> Response {
        if let answer = controlRoute(request, path: path) { return answer }
        guard path == "/_emulator/health", request.method == "GET" || request.method == "HEAD" else {
            return Self.json(status: 404, APIError.notFoundRoute.body, requestID: nextRequestID())
        }
        let store = self.store
        var json = JSONWriter()
        json.beginObject()
        json.key("status")
        json.string("ok")
        writeCounts(of: store, into: &json)
        json.endObject()
        return Self.json(status: 200, json.bytes, requestID: nextRequestID())
    }

    static func json(status: Int, _ body: [UInt8], requestID: String) -> Response {
        Response(status: status, headers: [
            ("Content-Type", "application/json; charset=utf-8"),
            ("X-GitHub-Request-Id", requestID),
            ("Content-Length", String(body.count)),
        ], body: body)
    }

    /// GitHub answers preflights on every path without authentication. No `Content-Length`: RFC 9110
    /// §8.6 forbids it on a 204.
    static let preflight = Response(status: 204, headers: [
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "GET, POST, PATCH, PUT, DELETE"),
        ("Access-Control-Allow-Headers",
         "Authorization, Content-Type, If-Match, If-Modified-Since, If-None-Match, If-Unmodified-Since, "
            + "Accept-Encoding, X-GitHub-OTP, X-Requested-With, User-Agent, GraphQL-Features, "
            + "X-Github-Next-Global-ID, X-GitHub-Api-Version"),
        ("Access-Control-Max-Age", "86400"),
        ("Vary", "Accept-Encoding, Accept, X-Requested-With"),
    ])

    /// `"users": N, "orgs": N, "packages": N, "tokens": N`, as health and the fixtures summary show them.
    func writeCounts(of store: Store, into json: inout JSONWriter) {
        json.key("users")
        json.int(Int64(store.userCount))
        json.key("orgs")
        json.int(Int64(store.orgCount))
        json.key("packages")
        json.int(Int64(store.packageCount))
        json.key("tokens")
        json.int(Int64(store.tokenCount))
    }
}
