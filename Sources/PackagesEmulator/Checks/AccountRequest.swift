/// The account routes that packages tools call first (SPEC §19): `GET /user`, `GET /users/{username}`,
/// `GET /rate_limit`; and `GET /meta` (SPEC §23). They take every kind of token GitHub takes there; no
/// scope is needed.
struct AccountRequest {
    let store: Store
    let route: Route
    let authentication: Authentication
    let version: APIVersion?
    let versionHeader: String?
    /// `installed_version` of `GET /meta` under the GHES persona.
    let enterpriseVersion: String

    func evaluate(rateLimitExhausted: () -> APIError?) -> Result<Answer, APIError> {
        var login: String?
        if let raw = route.parameters["username"] {
            switch PercentDecoding.decode(raw, plusIsSpace: false) {
            case .success(let value): login = value
            case .failure(let failure): return .failure(failure.apiError(in: "path"))
            }
        }
        let action = route.operation.action
        var requester: Token?
        switch authentication {
        case .anonymous:
            if action == .authenticatedUser { return .failure(.requiresAuthentication) }
        case .invalid: return .failure(.badCredentials)
        case .token(let token, _): requester = token
        }
        // GitHub's docs: `GET /rate_limit` does not count against the limit, and answers when it is spent.
        if action != .rateLimit, let exhausted = rateLimitExhausted() { return .failure(exhausted) }
        guard version != nil else { return .failure(.unsupportedVersion(versionHeader ?? "")) }
        let renderer = AccountRenderer(webURL: store.webURL)
        switch action {
        case .authenticatedUser:
            // Seen on `GET /user` with `GITHUB_TOKEN`.
            guard let token = requester, let user = token.login.flatMap({ store.user(login: $0) }) else {
                return .failure(.notAccessibleByIntegration)
            }
            return .success(Answer(body: .object(renderer.publicUser(user))))
        case .user:
            guard let login, FixtureRules.isValidLogin(login), let (_, owner) = store.owner(login: login) else {
                return .failure(.notFoundUser)
            }
            return .success(Answer(body: .object(renderer.publicUser(owner))))
        case .meta:
            return .success(Answer(body: .bytes(Self.meta(profile: store.profile, enterpriseVersion: enterpriseVersion))))
        default:
            return .success(Answer(body: .rateLimit))
        }
    }
}

extension AccountRequest {
    /// `GET /meta`: a GHES persona names its version, which tools read to choose their routes; GitHub.com
    /// has no `installed_version`. Of the document's other keys only `verifiable_password_authentication`
    /// is kept (SPEC §23's choice): the rest (address ranges, SSH keys) have no meaning here.
    static func meta(profile: Profile, enterpriseVersion: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        if profile == .ghes {
            writer.key("installed_version")
            writer.string(enterpriseVersion)
        }
        writer.key("verifiable_password_authentication")
        writer.bool(false)
        writer.endObject()
        return writer.bytes
    }
}
