/// Answers of the GitHub API routes: the checks' outcome, with every header of SPEC §9.
extension Emulator {
    func apiResponse(_ request: Request, target: RequestTarget, store: Store) -> Response {
        let authentication = authenticate(Credentials(headerValues: request.values(of: "authorization")),
                                          store: store)
        let versionHeader = request.value(of: "x-github-api-version")
        let version = versionHeader.map { APIVersion(rawValue: $0) } ?? .default
        let now = self.now()
        let (rateKey, anonymous, rateSubject) = Self.rateLimitKey(authentication, request: request)
        let exhausted = {
            self.rateLimiter.peek(rateKey, anonymous: anonymous, now: now).remaining > 0
                ? nil : APIError(403, "API rate limit exceeded for \(rateSubject).", documentationURL: DocURL.rateLimits)
        }
        let route = Route.resolve(method: request.method, path: target.path)
        var outcome: Result<Answer, APIError> = .failure(.notFoundRoute)
        // The scopes a classic token is told it needs (SPEC §15); unknown paths keep the listing's.
        var accepted = { Scopes.accepted(for: nil, profile: store.profile) }
        if let route {
            switch route.operation.action {
            case .authenticatedUser, .user, .rateLimit, .meta:
                accepted = { "" }
                outcome = AccountRequest(store: store, route: route, authentication: authentication, version: version,
                                         versionHeader: versionHeader, enterpriseVersion: config.enterpriseVersion)
                    .evaluate(rateLimitExhausted: exhausted)
            default:
                let check = PackageRequest(store: store, route: route, rawQuery: target.query,
                                           authentication: authentication, version: version,
                                           versionHeader: versionHeader, now: now)
                outcome = check.evaluate(rateLimitExhausted: exhausted)
                // A 200 knows its registry; only an error parses the request again to learn it.
                let type = try? outcome.get().type
                accepted = {
                    Scopes.accepted(for: type ?? check.requestedType, action: route.operation.action, profile: store.profile)
                }
            }
        }
        let counts = route?.operation.action != .rateLimit

        var headers: [(name: String, value: String)] = []
        // Every answer has about 20 headers: one allocation, not one per doubling.
        headers.reserveCapacity(24)
        var status: Int
        var body: [UInt8]
        switch outcome {
        case .success(let answer) where answer.body.isNoContent:
            // Every header of §9 but `Content-Type`, `ETag` and `Content-Length` (SPEC §18).
            status = 204
            body = []
        case .success(let answer):
            headers.append(("Content-Type", "application/json; charset=utf-8"))
            status = 200
            let api = apiBase(request, viaPrefix: route?.viaPrefix ?? false)
            let escapedAPI = Array(JSONWriter.escaped(api).utf8)
            let etag: String
            switch answer.body {
            case .list(let items):
                body = Self.body(of: items, api: escapedAPI)
                etag = Self.etag(of: items, api: escapedAPI, version: version ?? .default, list: true)
            case .object(let item):
                body = Self.body(of: item, api: escapedAPI)
                etag = Self.etag(of: [item], api: escapedAPI, version: version ?? .default, list: false)
            case .bytes(let bytes):
                body = bytes
                etag = Self.etag(of: bytes)
            case .rateLimit:
                body = AccountRenderer.rateLimit(rateLimiter.peek(rateKey, anonymous: anonymous, now: now), now: now)
                etag = Self.etag(of: body)
            case .noContent:
                body = []
                etag = ""
            }
            headers.append(("Cache-Control", "private, max-age=60, s-maxage=60"))
            headers.append(("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP"))
            headers.append(("ETag", etag))
            if let (pagination, total, query) = answer.pagination, let route {
                let parts = Self.linkURLParts(api, path: route.path, query: query)
                if let link = pagination.link(total: total, before: parts.before, after: parts.after) {
                    headers.append(("Link", link))
                }
            }
            if ETag.matches(request.value(of: "if-none-match"), etag: etag) { status = 304 }
        case .failure(var error):
            headers.append(("Content-Type", "application/json; charset=utf-8"))
            // Errors name the page of the operation that answered (SPEC §13).
            if error.documentationURL == DocURL.endpoint, let route { error.documentationURL = route.operation.documentationURL }
            status = error.status
            body = error.body
            headers.append(("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP"))
        }
        if case .token(let token, _) = authentication, token.kind == .classic {
            headers.append(("X-OAuth-Scopes", token.scopes.joined(separator: ", ")))
            headers.append(("X-Accepted-OAuth-Scopes", accepted()))
        }
        headers.append(("X-GitHub-Media-Type", "github.v3; format=json"))
        if let version { headers.append(("X-GitHub-Api-Version-Selected", version.rawValue)) }
        // A 304 does not use up the rate limit (GitHub docs, "Use conditional requests"); nor does
        // `GET /rate_limit` (GitHub docs, "Rate limits for the REST API").
        let rate = rateLimiter.record(rateKey, anonymous: anonymous, counts: status != 304 && counts, now: now)
        headers.append(("X-RateLimit-Limit", String(rate.limit)))
        headers.append(("X-RateLimit-Remaining", String(rate.remaining)))
        headers.append(("X-RateLimit-Reset", String(rate.reset)))
        headers.append(("X-RateLimit-Used", String(rate.used)))
        headers.append(("X-RateLimit-Resource", "core"))
        headers.append(("Access-Control-Expose-Headers", Self.exposedHeaders))
        headers.append(("Access-Control-Allow-Origin", "*"))
        headers.append(("X-GitHub-Request-Id", nextRequestID()))
        if status != 204 { headers.append(("Content-Length", String(body.count))) }
        var response = Response(status: status, headers: headers, body: status == 304 ? [] : body)
        response.operation = route?.operation.id
        return response
    }

    /// As GitHub sends it.
    static let exposedHeaders =
        "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, "
        + "X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, "
        + "X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset"

    func authenticate(_ credentials: Credentials, store: Store) -> Authentication {
        let token: Token?
        switch credentials {
        case .none: return .anonymous
        case .malformed: return .invalid
        case .token(let value): token = store.tokens[value]
        case .basic(let user, let password): token = store.tokens[password] ?? store.tokens[user]
        }
        guard let token else { return .invalid }
        return .token(token, user: token.login.flatMap { store.user(login: $0) })
    }

    /// The rate-limit bucket: the token, or the client's address without a valid token; and whom
    /// GitHub's "API rate limit exceeded for …" names.
    static func rateLimitKey(_ authentication: Authentication, request: Request)
        -> (key: String, anonymous: Bool, subject: String)
    {
        if case .token(let token, let user) = authentication {
            return ("token:" + token.value, false, user.map { "user ID \($0.id)" } ?? "installation")
        }
        return ("address:" + request.clientAddress, true, request.clientAddress)
    }

    /// `{api}`: the configured API URL, else the request's scheme (`https://` over TLS, SPEC §23) and its
    /// `Host` when it is a well-formed authority, else the address the request came in on (SPEC §12);
    /// followed by `/api/v3` for a request that came through the prefix (SPEC §13).
    func apiBase(_ request: Request, viaPrefix: Bool = false) -> String {
        if let apiURL = config.apiURL { return apiURL }
        let hosts = request.values(of: "host")
        let scheme = request.secure ? "https://" : "http://"
        let suffix = viaPrefix ? Route.prefix : ""
        if hosts.count == 1, let host = hosts.first, Self.isAuthority(host) { return scheme + host + suffix }
        return scheme + request.localAuthority + suffix
    }

    /// `host [ ":" port ]` of RFC 3986 §3.2.2–3.2.3, narrowed to what a URL can carry unescaped: a
    /// name or IPv4 address of letters, digits, `-`, `.`, `_`, `~`, or a bracketed IPv6 literal, then an
    /// optional port of 1–5 digits up to 65535. Anything else (`x:abc`, `x:1:2`, `[::1`) is no
    /// authority, and `{api}` falls back to the bound address (SPEC §12).
    static func isAuthority(_ host: String) -> Bool {
        let bytes = Array(host.utf8)
        guard !bytes.isEmpty, bytes.count <= 255 else { return false }
        var index = 0
        if bytes[0] == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")), close > 1 else { return false }
            let literal = bytes[1..<close]
            guard literal.contains(UInt8(ascii: ":")),
                  literal.allSatisfy({ HTTPBytes.hexValue($0) != nil || $0 == 0x3A || $0 == 0x2E })
            else { return false }
            index = close + 1
        } else {
            while index < bytes.count, isNameByte(bytes[index]) { index += 1 }
            guard index > 0 else { return false }
        }
        if index == bytes.count { return true }
        guard bytes[index] == UInt8(ascii: ":") else { return false }
        let port = bytes[(index + 1)...]
        guard (1...5).contains(port.count), port.allSatisfy(HTTPBytes.isDigit) else { return false }
        return Int(String(decoding: port, as: UTF8.self)).map { $0 <= 65535 } ?? false
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        HTTPBytes.isLetter(byte) || HTTPBytes.isDigit(byte)
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
    }

    /// A `Link` URL: `{api}`, the path after any prefix and the parameters as sent, `page` set (SPEC §7);
    /// bytes a URI cannot hold are percent-encoded so the header stays well-formed.
    static func linkURLParts(_ api: String, path: Substring, query: Query) -> (before: String, after: String) {
        let parts = query.linkQueryParts()
        // Sanitizing is per byte, so the pieces are sanitized into one buffer instead of joined first.
        var before: [UInt8] = []
        before.reserveCapacity(api.utf8.count + path.utf8.count + parts.before.utf8.count + 16)
        URIText.appendSanitized(api.utf8, to: &before)
        URIText.appendSanitized(path.utf8, to: &before)
        before.append(UInt8(ascii: "?"))
        URIText.appendSanitized(parts.before.utf8, to: &before)
        return (String(decoding: before, as: UTF8.self), URIText.sanitized(parts.after))
    }

    /// A tag that hashes what the body is made of — the API URL, the version and each object's
    /// template hash — so it costs time per object, not per byte.
    static func etag(of items: [Template], api: [UInt8], version: APIVersion, list: Bool) -> String {
        var hasher = ETag.Hasher()
        hasher.combine(api)
        hasher.combine(version.rawValue.utf8)
        hasher.combine(UInt64(items.count) | (list ? 1 << 63 : 0))
        for item in items { hasher.combine(item.hash) }
        return ETag.weak(hasher.value)
    }

    static func etag(of bytes: [UInt8]) -> String {
        var hasher = ETag.Hasher()
        bytes.withUnsafeBufferPointer { hasher.combine($0) }
        return ETag.weak(hasher.value)
    }

    /// A JSON array of templates rendered at depth 1.
    static func body(of items: [Template], api: [UInt8]) -> [UInt8] {
        guard !items.isEmpty else { return Array("[\n\n]".utf8) }
        var count = 4
        for item in items { count += 4 + item.count(apiCount: api.count) }
        var out: [UInt8] = []
        out.reserveCapacity(count)
        out.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            out.append(contentsOf: index == 0 ? Array("\n  ".utf8) : Array(",\n  ".utf8))
            item.append(to: &out, api: api)
        }
        out.append(contentsOf: Array("\n]".utf8))
        return out
    }

    /// One object rendered at depth 1 (as in a list), as a whole body: two spaces less after every
    /// line break. A raw line break only ever appears between tokens, never inside a JSON string.
    static func body(of item: Template, api: [UInt8]) -> [UInt8] {
        var rendered: [UInt8] = []
        rendered.reserveCapacity(item.count(apiCount: api.count))
        item.append(to: &rendered, api: api)
        var out: [UInt8] = []
        out.reserveCapacity(rendered.count)
        var index = 0
        while index < rendered.count {
            let byte = rendered[index]
            out.append(byte)
            index += 1
            if byte == UInt8(ascii: "\n"), index + 1 < rendered.count, rendered[index] == 0x20, rendered[index + 1] == 0x20 {
                index += 2
            }
        }
        return out
    }
}

extension Answer.Body {
    var isNoContent: Bool {
        if case .noContent = self { return true }
        return false
    }
}
