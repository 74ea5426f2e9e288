/// Who a request authenticates as (SPEC §3).
enum Authentication {
    case anonymous
    case invalid
    /// `user`: the token's user; nil for installation tokens.
    case token(Token, user: Owner?)
}

/// What a request that passed every check answers with.
struct Answer {
    enum Body {
        /// A JSON array of objects rendered at load (or, for generated versions, for this page).
        case list([Template])
        case object(Template)
        case bytes([UInt8])
        /// `GET /rate_limit`: rendered with the caller's bucket, which only the emulator knows.
        case rateLimit
        /// A delete or restore: `204` (SPEC §17).
        case noContent
    }

    var body: Body
    /// Lists with pagination: what `Link` needs.
    var pagination: (pagination: Pagination, total: Int, query: Query)? = nil
    /// The registry the request named, for `X-Accepted-OAuth-Scopes`.
    var type: PackageType? = nil
}

/// The checks of every packages route, in SPEC §16's order (§6's for the three lists); the first that
/// fails answers.
struct PackageRequest {
    let store: Store
    let route: Route
    let rawQuery: Substring
    let authentication: Authentication
    /// The version the request selects; nil when its `X-GitHub-Api-Version` is not supported.
    let version: APIVersion?
    let versionHeader: String?
    /// The emulator's clock (SPEC §20): `deleted_at` and the 30-day restore window.
    var now: Int64 = 0

    var action: Operation.Action { route.operation.action }

    /// `package_type` of the path, or of the query on lists, when it is one of the six (for
    /// `X-Accepted-OAuth-Scopes`, whichever check answered: SPEC §15).
    var requestedType: PackageType? {
        if let raw = route.parameters["package_type"] {
            guard case .success(let value) = PercentDecoding.decode(raw, plusIsSpace: false) else { return nil }
            return PackageType(rawValue: value)
        }
        guard action == .listPackages, case .success(let query) = Query.parse(rawQuery) else { return nil }
        return query["package_type"].flatMap { PackageType(rawValue: $0) }
    }

    func evaluate(rateLimitExhausted: () -> APIError?) -> Result<Answer, APIError> {
        // 1. Route (matched already), and the encoding of its parameters and query.
        var decoded: [String: String] = [:]
        for (name, raw) in route.parameters.values {
            switch PercentDecoding.decode(raw, plusIsSpace: false) {
            case .success(let value): decoded[name] = value
            case .failure(let failure): return .failure(failure.apiError(in: "path"))
            }
        }
        let query: Query
        switch Query.parse(rawQuery) {
        case .success(let parsed): query = parsed
        case .failure(let failure): return .failure(failure.apiError(in: "query"))
        }
        // 2. Credentials, then the rate limit.
        let token: Token?
        let requester: Requester
        switch authentication {
        case .anonymous:
            // Conflicts of a named owner allow public reads (GitHub's description); nothing else does.
            guard action == .conflicts, route.operation.owner != .authenticatedUser else {
                return .failure(.requiresAuthentication)
            }
            token = nil
            requester = .anonymous
        case .invalid: return .failure(.badCredentials)
        case .token(let found, let user):
            token = found
            requester = user.map(Requester.user) ?? .installation(repository: found.repository?.asciiLowercased())
        }
        if let exhausted = rateLimitExhausted() { return .failure(exhausted) }
        // 3. API version.
        guard let version else { return .failure(.unsupportedVersion(versionHeader ?? "")) }
        // 4. Token kind (SPEC §15), 5. scopes other than `repo`.
        if let token {
            if let refusal = Self.tokenRefusal(token, action: action, owner: route.operation.owner) {
                return .failure(refusal)
            }
            if token.kind == .classic, !Scopes.allow(token.scopes, action) {
                return .failure(Scopes.missing(for: action, repo: false))
            }
        }
        // 6. package_type, 7. `repo` for repository-scoped registries. Conflicts are not per registry:
        // they never read `type`.
        var type = PackageType.container
        if action != .conflicts {
            let value = action == .listPackages ? query["package_type"] : decoded["package_type"]
            guard let value, !value.isEmpty else { return .failure(.packageTypeRequired) }
            guard let parsed = PackageType(rawValue: value) else { return .failure(.invalidArgument) }
            type = parsed
            if let token, token.kind == .classic, type.isRepositoryScoped(in: store.profile),
               !token.scopes.contains("repo") {
                return .failure(Scopes.missing(for: action, repo: true))
            }
        }
        // 8. visibility (lists only, §6 step 8).
        var visibility: Visibility?
        if action == .listPackages, let value = query["visibility"], !value.isEmpty {
            guard let parsed = Visibility(rawValue: value) else { return .failure(.invalidArgument) }
            visibility = parsed
        }
        // The owner (§6 step 9, §16 step 8).
        guard let (ownerIndex, owner) = resolveOwner(decoded, requester: requester) else {
            return .failure(.notFoundUser)
        }
        if action.isWrite {
            return write(decoded, type: type, ownerIndex: ownerIndex, owner: owner, requester: requester)
        }
        // One read of the owner's partition: a change is seen whole or not at all (SPEC §17).
        let partition = store.partition(ownerIndex)
        switch action {
        case .listPackages:
            // 10. Page depth.
            let pagination = Pagination(page: query["page"], perPage: query["per_page"])
            guard !pagination.isTooDeep else { return .failure(.pageTooDeep) }
            guard case .user(let user) = requester, let listing = partition.listings[type]
            else { return .success(Answer(body: .list([]), pagination: (pagination, 0, query), type: type)) }
            let positions = listing.view(for: user).filtered(by: visibility)
            let page = pagination.slice(positions).map { listing.rendered[Int($0)][version] }
            return .success(Answer(body: .list(page), pagination: (pagination, positions.count, query), type: type))
        case .conflicts:
            let packages = partition.conflicts.compactMap { type, position -> Template? in
                guard let listing = partition.listings[type],
                      listing.rules[Int(position)].canRead(requester, owner: owner) else { return nil }
                return listing.rendered[Int(position)][version]
            }
            return .success(Answer(body: .list(packages)))
        default:
            break
        }
        // 9. The package: absent, deleted and unreadable answer alike (SPEC §5).
        guard let listing = partition.listings[type],
              let position = listing.readablePosition(named: decoded["package_name"] ?? "", by: requester)
        else { return .failure(.packageNotFound) }
        let versions = listing.versions(at: position, of: partition.source.packages)
        switch action {
        case .getPackage:
            return .success(Answer(body: .object(listing.rendered[Int(position)][version]), type: type))
        case .getVersion:
            // 10. The version.
            guard let id = decoded["package_version_id"].flatMap({ Int64($0) }), let found = versions.active(id: id)
            else { return .failure(.versionNotFound) }
            return .success(Answer(body: .object(found), type: type))
        default:
            // 11. Admin, to see deleted versions (a reader who is not one is told the package is not there:
            // SPEC §16 step 11); 12. the query.
            let stateValue = query["state"] ?? ""
            if stateValue == VersionList.State.deleted.rawValue,
               !listing.rules[Int(position)].isAdmin(requester, owner: owner) {
                return .failure(.packageNotFound)
            }
            guard let state = stateValue.isEmpty ? .active : VersionList.State(rawValue: stateValue) else {
                return .failure(.invalidArgument)
            }
            let pagination = Pagination(page: query["page"], perPage: query["per_page"])
            guard !pagination.isTooDeep else { return .failure(.pageTooDeep) }
            return .success(Answer(body: .list(versions.page(state, pagination)),
                                   pagination: (pagination, versions.count(state), query), type: type))
        }
    }

    /// §15's token-kind column for `action`; on `/user/…` an installation token is refused first.
    static func tokenRefusal(_ token: Token, action: Operation.Action, owner: Operation.OwnerSegment) -> APIError? {
        if token.isInstallation && owner == .authenticatedUser { return .notAccessibleByIntegration }
        switch token.kind {
        case .classic: return nil
        case .fineGrained: return action == .conflicts ? nil : .fineGrained
        // Seen for `GITHUB_TOKEN` on the lists; single packages and versions take app tokens. GitHub's
        // description does not list app user tokens for version deletes and restores.
        case .app:
            if action == .listPackages { return .invalidArgument }
            let userOnlyWrite = [.deleteVersion, .restorePackage, .restoreVersion].contains(action)
            return userOnlyWrite && !token.isInstallation ? .notAccessibleByIntegration : nil
        }
    }

    /// The owner the path names: `/user` is the requester; `/orgs/{org}` only an organisation.
    func resolveOwner(_ decoded: [String: String], requester: Requester) -> (Int, Owner)? {
        let login: String
        switch route.operation.owner {
        case .authenticatedUser:
            guard case .user(let user) = requester else { return nil }
            login = user.login
        case .org: login = decoded["org"] ?? ""
        case .user: login = decoded["username"] ?? ""
        }
        guard FixtureRules.isValidLogin(login), let found = store.owner(login: login) else { return nil }
        if route.operation.owner == .org && !found.owner.isOrganization { return nil }
        return found
    }
}

/// GitHub's OAuth scope rules of the packages routes (SPEC §4, §15).
enum Scopes {
    /// `write:packages` includes `read:packages` (GitHub's scope hierarchy).
    static func canReadPackages(_ scopes: [String]) -> Bool {
        scopes.contains("read:packages") || scopes.contains("write:packages")
    }

    /// Whether a classic token's scopes allow `action` (`repo` aside). `delete:packages` does not include
    /// `read:packages`.
    static func allow(_ scopes: [String], _ action: Operation.Action) -> Bool {
        switch action {
        case .deletePackage, .deleteVersion: canReadPackages(scopes) && scopes.contains("delete:packages")
        case .restorePackage, .restoreVersion: scopes.contains("write:packages")
        default: canReadPackages(scopes)
        }
    }

    /// `X-Accepted-OAuth-Scopes` for `action` on `type` (choice of the emulator, SPEC §15).
    static func accepted(for type: PackageType?, action: Operation.Action? = nil, profile: Profile) -> String {
        let repo = type?.isRepositoryScoped(in: profile) == true ? ", repo" : ""
        switch action {
        case .deletePackage?, .deleteVersion?: return "delete:packages, read:packages" + repo
        case .restorePackage?, .restoreVersion?: return "read:packages, write:packages" + repo
        default: return "read:packages" + repo
        }
    }

    /// The 403 of a classic token without the scopes of `action` (SPEC §15's table).
    static func missing(for action: Operation.Action, repo: Bool) -> APIError {
        let what = switch action {
        case .getPackage: "get a package"
        case .listVersions: "get a package's versions"
        case .getVersion: "get a package version"
        case .deletePackage: "delete a package"
        case .deleteVersion: "delete a package version"
        case .restorePackage: "restore a package"
        case .restoreVersion: "restore a package version"
        default: "list packages"
        }
        let needed: [String] = switch action {
        case .deletePackage, .deleteVersion: ["read:packages", "delete:packages"]
        case .restorePackage, .restoreVersion: ["read:packages", "write:packages"]
        default: ["read:packages"]
        }
        let all = needed + (repo ? ["repo"] : [])
        let list = all.count == 1 ? "\(all[0]) scope"
            : all.dropLast().joined(separator: ", ") + " and \(all[all.count - 1]) scopes"
        return APIError(403, "You need at least \(list) to \(what).")
    }
}
