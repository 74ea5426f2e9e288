#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One registry request: who asks (SPEC §21's credentials), what the name resolves to, and the answer.
struct RegistryRequest {
    let emulator: Emulator
    let request: Request
    let query: Substring
    /// `OWNER/NAME` as the path gives it (empty for `/v2/` and `/token`).
    let name: String
    let parameters: [String: String]
    let hasBody: Bool
    let operation: String
    /// Milliseconds a delay fault holds the answer.
    let delay: Int
    let record: (Response) -> Void

    /// Who presents what: anonymous, a token of the fixtures, or credentials that name none.
    enum Caller {
        case anonymous
        case token(Token, user: Owner?)
        case invalid

        var requester: Requester {
            switch self {
            case .anonymous, .invalid: .anonymous
            case .token(let token, let user):
                user.map(Requester.user) ?? .installation(repository: token.repository?.asciiLowercased())
            }
        }
    }

    /// What `/token` hands an anonymous client: a token good for public pulls only.
    static let anonymousToken = "anonymous"

    /// SPEC §21: Basic `ANY:TOKEN` (the user name is not checked), `Bearer base64(TOKEN)` (the `/token`
    /// exchange's answer, or snok's shortcut).
    func caller(_ store: Store) -> Caller {
        switch Self.presented(request) {
        case .none, .anonymousToken: return .anonymous
        case .invalid: return .invalid
        case .secret(let secret):
            guard let token = store.tokens[secret] else { return .invalid }
            return .token(token, user: token.login.flatMap { store.user(login: $0) })
        }
    }

    /// What an `Authorization` header presents to the registry, before any token is looked up.
    enum Presented: Equatable {
        case none
        /// The `/token` exchange's anonymous token.
        case anonymousToken
        case secret(String)
        case invalid
    }

    /// Basic `ANY:TOKEN` (the password), `Bearer base64(TOKEN)`; one header only. Fault rules read the
    /// same (`FaultSubject(registry:)`).
    static func presented(_ request: Request) -> Presented {
        let values = request.values(of: "authorization")
        guard let value = values.first else { return .none }
        guard values.count == 1 else { return .invalid }
        let parts = value.trimmingASCIISpaces().split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let decoded = base64(parts[1].trimmingASCIISpaces()) else { return .invalid }
        switch parts[0].lowercased() {
        case "basic":
            guard let colon = decoded.firstIndex(of: ":") else { return .invalid }
            return .secret(String(decoded[decoded.index(after: colon)...]))
        case "bearer":
            return decoded == anonymousToken ? .anonymousToken : .secret(decoded)
        default:
            return .invalid
        }
    }

    static func base64(_ text: some StringProtocol) -> String? {
        Data(base64Encoded: String(text)).flatMap { String(validating: Array($0), as: UTF8.self) }
    }

    static func base64(encoding text: String) -> String { Data(text.utf8).base64EncodedString() }

    func answer(_ action: RegistryOperation.Action) -> RegistryExchange {
        let store = emulator.store
        let caller = caller(store)
        if case .invalid = caller { return .answer(error(.unauthorized, scope: nil)) }
        switch action {
        case .token: return .answer(token(caller))
        case .base:
            if case .anonymous = caller { return .answer(error(.unauthorized, scope: nil)) }
            return .answer(Emulator.registry(status: 200, body: Array("{}".utf8)))
        default: break
        }
        guard let (owner, package) = RegistryName.split(name) else { return .answer(error(.nameInvalid)) }
        let repository = RepositoryAccess(store: store, owner: owner, package: package, caller: caller)
        switch action {
        case .getBlob: return .answer(getBlob(repository))
        case .startUpload: return startUpload(repository)
        case .patchUpload, .finishUpload, .uploadStatus, .cancelUpload: return upload(action, repository)
        case .putManifest: return putManifest(repository)
        case .getManifest: return .answer(getManifest(repository))
        case .listTags: return .answer(listTags(repository))
        case .referrers:
            // ghcr.io has no referrers API: clients fall back to the `sha256-HEX` tag (SPEC §21).
            if let refusal = repository.pullRefusal { return .answer(error(refusal, scope: pullScope)) }
            return .answer(error(.notFound))
        case .unsupported:
            // Seen: ghcr.io deletes only through the REST API.
            if let refusal = repository.pullRefusal { return .answer(error(refusal, scope: pullScope)) }
            return .answer(error(.unsupported))
        case .token, .base: return .answer(error(.notFound))
        }
    }

    var pullScope: String { "repository:\(name):pull" }
    var pushScope: String { "repository:\(name):pull,push" }

    func error(_ error: RegistryError, scope: String? = nil) -> Response {
        var response = emulator.registryError(error, request, scope: scope)
        response.operation = operation
        return response
    }

    /// `GET /token?scope=…&service=ghcr.io`: any valid credentials get a token; none, an anonymous one.
    private func token(_ caller: Caller) -> Response {
        let token: String
        switch caller {
        case .token(let found, _): token = Self.base64(encoding: found.value)
        default: token = Self.base64(encoding: Self.anonymousToken)
        }
        return Emulator.registry(status: 200, body: Array("{\"token\":\(JSONWriter.quoted(token))}".utf8))
    }

    /// A sink whose answers are this request's and recorded in the journal.
    func sink(write: @escaping (UnsafeRawBufferPointer) -> RegistryError?, finish: @escaping () -> Response,
              abort: @escaping () -> Void) -> RegistryExchange {
        let operation = self.operation, delay = self.delay
        return .body(RequestBodySink(
            write: write,
            finish: {
                var response = finish()
                response.operation = operation
                response.delayMilliseconds = delay
                return response
            },
            abort: abort, error: { self.error($0) }, done: record))
    }
}

/// A repository name resolved against the data set, with what the caller may do there (SPEC §21).
struct RepositoryAccess {
    let store: Store
    let caller: RegistryRequest.Caller
    let ownerIndex: Int?
    let owner: Owner?
    /// Lowercased `owner/name`: the key of blob links.
    let key: String
    let packageName: String
    /// The owner's partition as this request read it (once: SPEC §17, no request sees half a change).
    let partition: Partition?
    /// The active package of that name and type (container unless told), with its access rule.
    let found: (package: Package, rule: AccessRule)?

    init(store: Store, owner login: String, package name: String, caller: RegistryRequest.Caller,
         type: PackageType = .container) {
        self.store = store
        self.caller = caller
        let resolved = store.owner(login: login)
        ownerIndex = resolved?.index
        owner = resolved?.owner
        key = login + "/" + name
        packageName = name
        partition = resolved.map { store.partition($0.index) }
        found = partition?.active(type, named: name)
    }

    /// Why the caller may not pull (SPEC §21: §15's read rule): nil when it may.
    var pullRefusal: RegistryError? {
        if let found, let owner, found.rule.canRead(caller.requester, owner: owner) {
            if found.rule.isPublic { return nil }
            if case .token(let token, _) = caller, token.kind == .classic,
               !token.scopes.contains("read:packages") && !token.scopes.contains("write:packages") {
                return .deniedScopes
            }
            return nil
        }
        // Absent or hidden: anonymous callers are asked to log in, others told it is not there.
        if case .anonymous = caller { return .unauthorized }
        return .nameUnknown
    }

    /// Blobs: readable where the package may be pulled, or pushed to before it exists.
    var blobRefusal: RegistryError? {
        guard let refusal = pullRefusal else { return nil }
        if found == nil, pushRefusal(package: nil, rule: nil) == nil { return nil }
        return refusal
    }

    /// Why the caller may not push to this name, as the package is (`package` nil: not created yet).
    func pushRefusal(package: Package?, rule: AccessRule?) -> RegistryError? {
        guard case .token(let token, let user) = caller else { return .unauthorized }
        if token.kind == .fineGrained { return .deniedScopes }
        if token.kind == .classic && !token.scopes.contains("write:packages") { return .deniedScopes }
        guard let owner else { return .denied }
        let allowed: Bool
        if let user {
            let login = user.login.asciiLowercased()
            if let rule {
                allowed = rule.isAdmin(.user(user), owner: owner)
            } else {
                // A new package: the user's own, or any member's on an organisation (SPEC §21, a choice).
                allowed = owner.isOrganization ? owner.members.contains(login) || owner.admins.contains(login)
                    : login == owner.login.asciiLowercased()
            }
        } else {
            // An installation token writes its repository's packages and creates new ones linked to it.
            let repository = token.repository?.asciiLowercased()
            if let rule {
                allowed = repository != nil && rule.repository == repository
            } else {
                allowed = repository?.split(separator: "/").first.map(String.init) == owner.login.asciiLowercased()
            }
        }
        return allowed ? nil : .denied
    }

    var currentPushRefusal: RegistryError? { pushRefusal(package: found?.package, rule: found?.rule) }

    /// The repository a new package links to: `source` (`https://github.com/OWNER/R`: the image's
    /// `org.opencontainers.image.source`, npm's `repository`) naming one of the owner's repositories
    /// (GitHub's docs, "Connecting a repository to a package"), else the installation token's repository.
    func linkedRepository(_ source: String?) -> String? {
        guard let ownerIndex, let owner else { return nil }
        let repositories = store.partition(ownerIndex).source.repositories
        let prefix = "https://github.com/" + owner.login.asciiLowercased() + "/"
        if let source = source?.asciiLowercased(), source.hasPrefix(prefix) {
            var name = source.dropFirst(prefix.count)
            if name.hasSuffix(".git") { name = name.dropLast(4) }
            if let found = repositories.first(where: { $0.name.asciiLowercased() == name }) { return found.name }
        }
        if case .token(let token, nil) = caller, let full = token.repository {
            let parts = full.split(separator: "/", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == owner.login.asciiLowercased(),
               let found = repositories.first(where: { $0.name.asciiLowercased() == parts[1].lowercased() }) {
                return found.name
            }
        }
        return nil
    }
}
