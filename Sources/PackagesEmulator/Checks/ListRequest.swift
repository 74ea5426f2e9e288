/// The checks of `GET /users/{username}/packages`, in SPEC §6's order; the first that fails answers.
struct ListRequest {
    /// Who the request authenticates as.
    enum Authentication {
        case anonymous
        case invalid
        case token(Token, user: User?)
    }

    /// What a request that passed every check lists.
    struct Page {
        let type: PackageType
        let listing: Listing?
        let positions: ArraySlice<Int32>
        let total: Int
        let pagination: Pagination
        let version: APIVersion
        let query: Query
        let rawPath: Substring
    }

    let store: Store
    let request: Request
    let target: RequestTarget
    let authentication: Authentication
    /// The version the request selects; nil when its `X-GitHub-Api-Version` is not supported.
    let version: APIVersion?
    let versionHeader: String?

    /// The `package_type` asked for, when it is one of the six (for `X-Accepted-OAuth-Scopes`).
    var requestedType: PackageType? {
        guard case .success(let query) = Query.parse(target.query) else { return nil }
        return query["package_type"].flatMap { PackageType(rawValue: $0) }
    }

    func evaluate(rateLimitExhausted: () -> APIError?) -> Result<Page, APIError> {
        // 1. Route, and the request-target's encoding.
        guard request.method == "GET" || request.method == "HEAD" else { return .failure(.notFoundRoute) }
        let segments = target.path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 4, segments[0].isEmpty, segments[1] == "users", segments[3] == "packages" else {
            return .failure(.notFoundRoute)
        }
        let username: String
        switch PercentDecoding.decode(segments[2], plusIsSpace: false) {
        case .success(let decoded): username = decoded
        case .failure(let failure): return .failure(failure.apiError(in: "path"))
        }
        let query: Query
        switch Query.parse(target.query) {
        case .success(let parsed): query = parsed
        case .failure(let failure): return .failure(failure.apiError(in: "query"))
        }
        // 2. Credentials, then the rate limit.
        let token: Token
        let requester: User?
        switch authentication {
        case .anonymous: return .failure(.requiresAuthentication)
        case .invalid: return .failure(.badCredentials)
        case .token(let found, let user):
            token = found
            requester = user
        }
        if let exhausted = rateLimitExhausted() { return .failure(exhausted) }
        // 3. API version.
        guard let version else { return .failure(.unsupportedVersion(versionHeader ?? "")) }
        // 4. Token kind.
        switch token.kind {
        case .fineGrained: return .failure(.fineGrained)
        case .app: return .failure(.invalidArgument)
        case .classic: break
        }
        // 5. read:packages (write:packages includes it).
        guard Scopes.canReadPackages(token.scopes) else { return .failure(.missingReadPackages) }
        // 6. package_type.
        guard let typeValue = query["package_type"], !typeValue.isEmpty else {
            return .failure(.packageTypeRequired)
        }
        guard let type = PackageType(rawValue: typeValue) else { return .failure(.invalidArgument) }
        // 7. repo, for repository-scoped registries.
        if type.isRepositoryScoped(in: store.profile) && !token.scopes.contains("repo") {
            return .failure(.missingRepo)
        }
        // 8. visibility.
        var visibility: Visibility?
        if let value = query["visibility"], !value.isEmpty {
            guard let parsed = Visibility(rawValue: value) else { return .failure(.invalidArgument) }
            visibility = parsed
        }
        // 9. The user.
        guard FixtureRules.isValidLogin(username), let (index, owner) = store.user(login: username), let requester else {
            return .failure(.notFoundUser)
        }
        // 10. Page depth.
        let pagination = Pagination(page: query["page"], perPage: query["per_page"])
        guard !pagination.isTooDeep else { return .failure(.pageTooDeep) }

        let listing = store.listings[ListingKey(user: index, type: type)]
        let positions = listing?.view(for: requester, ownerLogin: owner.login).filtered(by: visibility) ?? []
        return .success(Page(
            type: type, listing: listing, positions: pagination.slice(positions), total: positions.count,
            pagination: pagination, version: version, query: query, rawPath: target.path))
    }
}

/// GitHub's OAuth scope rules for this endpoint (SPEC §4).
enum Scopes {
    /// `write:packages` includes `read:packages` (GitHub's scope hierarchy).
    static func canReadPackages(_ scopes: [String]) -> Bool {
        scopes.contains("read:packages") || scopes.contains("write:packages")
    }

    /// `X-Accepted-OAuth-Scopes` for a request listing `type` (choice of the emulator, SPEC §4).
    static func accepted(for type: PackageType?, profile: Profile) -> String {
        type?.isRepositoryScoped(in: profile) == true ? "read:packages, repo" : "read:packages"
    }
}
