/// Answers of the GitHub API routes: the checks' outcome, with every header of SPEC §9.
extension Emulator {
    func apiResponse(_ request: Request, target: RequestTarget, store: Store) -> Response {
        let authentication = authenticate(Credentials(headerValues: request.values(of: "authorization")),
                                          store: store)
        let versionHeader = request.value(of: "x-github-api-version")
        let version = versionHeader.map { APIVersion(rawValue: $0) } ?? .default
        let now = config.clock()
        let (rateKey, anonymous, rateSubject) = Self.rateLimitKey(authentication, request: request)
        let check = ListRequest(
            store: store, request: request, target: target, authentication: authentication,
            version: version, versionHeader: versionHeader)
        let outcome = check.evaluate {
            rateLimiter.peek(rateKey, anonymous: anonymous, now: now).remaining > 0
                ? nil : APIError(403, "API rate limit exceeded for \(rateSubject).", documentationURL: DocURL.rateLimits)
        }

        var headers: [(name: String, value: String)] = [("Content-Type", "application/json; charset=utf-8")]
        var status: Int
        var body: [UInt8]
        var accepted: String? = nil
        switch outcome {
        case .success(let page):
            status = 200
            let api = apiBase(request)
            let escapedAPI = Array(JSONWriter.escaped(api).utf8)
            body = Self.body(of: page, api: escapedAPI)
            let etag = Self.etag(of: page, api: escapedAPI)
            headers.append(("Cache-Control", "private, max-age=60, s-maxage=60"))
            headers.append(("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP"))
            headers.append(("ETag", etag))
            let link = page.pagination.link(total: page.total) { [parts = Self.linkURLParts(api, page)] number in
                parts.before + String(number) + parts.after
            }
            if let link {
                headers.append(("Link", link))
            }
            if ETag.matches(request.value(of: "if-none-match"), etag: etag) { status = 304 }
            accepted = Scopes.accepted(for: page.type, profile: store.profile)
        case .failure(let error):
            status = error.status
            body = error.body
            headers.append(("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP"))
        }
        if case .token(let token, _) = authentication, token.kind == .classic {
            headers.append(("X-OAuth-Scopes", token.scopes.joined(separator: ", ")))
            headers.append(("X-Accepted-OAuth-Scopes", accepted ?? Scopes.accepted(for: check.requestedType, profile: store.profile)))
        }
        headers.append(("X-GitHub-Media-Type", "github.v3; format=json"))
        if let version { headers.append(("X-GitHub-Api-Version-Selected", version.rawValue)) }
        // A 304 does not use up the rate limit (GitHub docs, "Use conditional requests").
        let rate = rateLimiter.record(rateKey, anonymous: anonymous, counts: status != 304, now: now)
        headers.append(("X-RateLimit-Limit", String(rate.limit)))
        headers.append(("X-RateLimit-Remaining", String(rate.remaining)))
        headers.append(("X-RateLimit-Reset", String(rate.reset)))
        headers.append(("X-RateLimit-Used", String(rate.used)))
        headers.append(("X-RateLimit-Resource", "core"))
        headers.append(("Access-Control-Expose-Headers", Self.exposedHeaders))
        headers.append(("Access-Control-Allow-Origin", "*"))
        headers.append(("X-GitHub-Request-Id", nextRequestID()))
        headers.append(("Content-Length", String(body.count)))
        return Response(status: status, headers: headers, body: status == 304 ? [] : body)
    }

    /// As GitHub sends it.
    static let exposedHeaders =
        "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, "
        + "X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, "
        + "X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset"

    func authenticate(_ credentials: Credentials, store: Store) -> ListRequest.Authentication {
        let token: Token?
        switch credentials {
        case .none: return .anonymous
        case .malformed: return .invalid
        case .token(let value): token = store.tokens[value]
        case .basic(let user, let password): token = store.tokens[password] ?? store.tokens[user]
        }
        guard let token else { return .invalid }
        return .token(token, user: token.login.flatMap { store.user(login: $0)?.user })
    }

    /// The rate-limit bucket: the token, or the client's address without a valid token; and whom
    /// GitHub's "API rate limit exceeded for …" names.
    static func rateLimitKey(_ authentication: ListRequest.Authentication, request: Request)
        -> (key: String, anonymous: Bool, subject: String)
    {
        if case .token(let token, let user) = authentication {
            return ("token:" + token.value, false, user.map { "user ID \($0.id)" } ?? "installation")
        }
        return ("address:" + request.clientAddress, true, request.clientAddress)
    }

    /// `{api}`: the configured API URL, else `http://` and the request's `Host` when it is a
    /// well-formed authority, else the address the request came in on (SPEC §12).
    func apiBase(_ request: Request) -> String {
        if let apiURL = config.apiURL { return apiURL }
        let hosts = request.values(of: "host")
        if hosts.count == 1, let host = hosts.first, Self.isAuthority(host) { return "http://" + host }
        return "http://" + request.localAuthority
    }

    static func isAuthority(_ host: String) -> Bool {
        !host.isEmpty && host.utf8.count <= 255
            && host.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
                    || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "_")
            }
    }

    /// A `Link` URL: the path and parameters as sent, `page` set (SPEC §7); bytes a URI cannot hold
    /// are percent-encoded so the header stays well-formed.
    static func linkURLParts(_ api: String, _ page: ListRequest.Page) -> (before: String, after: String) {
        let query = page.query.linkQueryParts()
        return (URIText.sanitized(api + page.rawPath + "?" + query.before), URIText.sanitized(query.after))
    }

    static func etag(of page: ListRequest.Page, api: [UInt8]) -> String {
        var hasher = ETag.Hasher()
        hasher.combine(api)
        hasher.combine(page.version.rawValue.utf8)
        hasher.combine(UInt64(page.positions.count))
        if let listing = page.listing {
            for position in page.positions { hasher.combine(listing.rendered[Int(position)][page.version].hash) }
        }
        return ETag.weak(hasher.value)
    }

    /// The page's JSON array, from templates rendered at load.
    static func body(of page: ListRequest.Page, api: [UInt8]) -> [UInt8] {
        guard let listing = page.listing, !page.positions.isEmpty else { return Array("[\n\n]".utf8) }
        var count = 4
        for position in page.positions {
            count += 4 + listing.rendered[Int(position)][page.version].count(apiCount: api.count)
        }
        var out: [UInt8] = []
        out.reserveCapacity(count)
        out.append(UInt8(ascii: "["))
        for (index, position) in page.positions.enumerated() {
            out.append(contentsOf: index == 0 ? Array("\n  ".utf8) : Array(",\n  ".utf8))
            listing.rendered[Int(position)][page.version].append(to: &out, api: api)
        }
        out.append(contentsOf: Array("\n]".utf8))
        return out
    }
}
