/// The immutable, indexed data set the emulator answers from, built once at load.
///
/// Every answer costs time proportional to its page: the lists of what each kind of requester may
/// read, per (owner, package_type) and `visibility` filter, are computed here, and every package is
/// rendered here once per API version.
public final class Store: Sendable {
    public let profile: Profile
    public let webURL: String
    let users: [User]
    let userIndex: [String: Int]
    let tokens: [String: Token]
    let listings: [ListingKey: Listing]
    public let packageCount: Int

    public var userCount: Int { users.count }
    public var tokenCount: Int { tokens.count }

    public init(_ fixtures: FixtureSet, profile: Profile, webURL: String = "https://github.com") {
        self.profile = profile
        self.webURL = webURL
        // Requests need a user's login, id and enterprise; its packages live on in the listings.
        users = fixtures.users.map { user in
            var requester = user
            requester.repositories = []
            requester.packages = []
            return requester
        }
        var userIndex: [String: Int] = [:]
        for (index, user) in fixtures.users.enumerated() {
            userIndex[user.login.asciiLowercased()] = index
        }
        self.userIndex = userIndex
        var tokens: [String: Token] = [:]
        for token in fixtures.tokens {
            tokens[token.value] = token
        }
        self.tokens = tokens
        var enterpriseMembers: [String: Set<String>] = [:]
        for user in fixtures.users {
            if let enterprise = user.enterprise {
                enterpriseMembers[enterprise, default: []].insert(user.login.asciiLowercased())
            }
        }
        let renderer = PackageRenderer(webURL: webURL)
        let members = enterpriseMembers
        let listingsPerUser = Array(fixtures.users.enumerated()).concurrentMap { index, user in
            let parts = renderer.parts(of: user)
            let enterprise = user.enterprise.flatMap { members[$0] } ?? []
            return PackageType.allCases.compactMap { type -> (ListingKey, Listing)? in
                let packages = user.packages.filter { $0.type == type }
                if packages.isEmpty { return nil }
                return (ListingKey(user: index, type: type), Listing(
                    owner: user, packages: packages, profile: profile, renderer: renderer, parts: parts,
                    enterpriseMembers: enterprise))
            }
        }
        let listings = Dictionary(uniqueKeysWithValues: listingsPerUser.joined())
        self.listings = listings
        packageCount = fixtures.users.reduce(0) { $0 + $1.packages.count }
    }

    func user(login: String) -> (index: Int, user: User)? {
        guard let index = userIndex[login.asciiLowercased()] else { return nil }
        return (index, users[index])
    }
}

struct ListingKey: Hashable, Sendable {
    let user: Int
    let type: PackageType
}

/// The packages of one type in one user's namespace, in fixture order, with who may read which.
struct Listing: Sendable {
    /// Per package (fixture order), its rendering per API version.
    let rendered: [PerVersion<Template>]
    let ownerView: View
    /// Requesters with no access beyond public packages.
    let strangerView: View
    /// Members of the owner's enterprise without explicit access (SPEC §5: internal packages).
    let enterpriseView: View
    /// Requesters named in `readers` or as collaborators of a linked repository (lowercased login).
    let viewerViews: [String: View]
    let ownerEnterprise: String?

    /// `enterpriseMembers`: lowercased logins of the users in the owner's enterprise.
    init(owner: User, packages: [Package], profile: Profile, renderer: PackageRenderer,
         parts: PackageRenderer.Parts, enterpriseMembers: Set<String>) {
        rendered = packages.map { renderer.render($0, of: owner, parts: parts) }
        let rules = packages.map { AccessRule(package: $0, owner: owner, profile: profile) }
        let visibilities = packages.map(\.visibility)
        let repositoryScoped = packages.first?.type.isRepositoryScoped(in: profile) ?? false
        func view(_ canRead: (AccessRule) -> Bool) -> View {
            View(visibilities: visibilities, readable: rules.map(canRead), repositoryScoped: repositoryScoped)
        }
        ownerView = view { _ in true }
        strangerView = view { $0.isPublic }
        enterpriseView = view { $0.isPublic || $0.enterpriseMembersRead }
        var viewers: Set<String> = []
        for rule in rules { viewers.formUnion(rule.explicitReaders) }
        var viewerViews: [String: View] = [:]
        for viewer in viewers {
            let member = enterpriseMembers.contains(viewer)
            viewerViews[viewer] = view {
                $0.isPublic || $0.explicitReaders.contains(viewer) || (member && $0.enterpriseMembersRead)
            }
        }
        self.viewerViews = viewerViews
        ownerEnterprise = owner.enterprise
    }

    /// The view of `requester` (a user of the store).
    func view(for requester: User, ownerLogin: String) -> View {
        let login = requester.login.asciiLowercased()
        if login == ownerLogin.asciiLowercased() { return ownerView }
        let sameEnterprise = ownerEnterprise != nil && requester.enterprise == ownerEnterprise
        if let explicit = viewerViews[login] { return explicit }
        return sameEnterprise ? enterpriseView : strangerView
    }
}

/// Who may read one package besides its owner (SPEC §5).
struct AccessRule: Sendable {
    let isPublic: Bool
    /// Lowercased logins: `readers`, and collaborators of the linked repository where they count.
    let explicitReaders: Set<String>
    /// Internal packages: every member of the owner's enterprise.
    let enterpriseMembersRead: Bool

    init(package: Package, owner: User, profile: Profile) {
        let collaborators = package.repository.flatMap { owner.repository(named: $0) }?.collaborators ?? []
        switch package.visibility {
        case .public:
            isPublic = true
            explicitReaders = []
            enterpriseMembersRead = false
        case .private:
            isPublic = false
            enterpriseMembersRead = false
            if package.type.isRepositoryScoped(in: profile) {
                // Access is the repository's.
                explicitReaders = Set(collaborators.map { $0.asciiLowercased() })
            } else {
                let inherited = package.inheritAccess ? collaborators : []
                explicitReaders = Set((package.readers + inherited).map { $0.asciiLowercased() })
            }
        case .internal:
            isPublic = false
            enterpriseMembersRead = owner.enterprise != nil
            explicitReaders = Set(package.readers.map { $0.asciiLowercased() })
        }
    }
}

/// What one kind of requester may read of a listing, per `visibility` filter: package positions.
struct View: Sendable {
    let all: [Int32]
    let publicOnly: [Int32]
    let privateOnly: [Int32]
    let internalOnly: [Int32]

    init(visibilities: [Visibility], readable: [Bool], repositoryScoped: Bool) {
        var all: [Int32] = []
        var byVisibility: [Visibility: [Int32]] = [:]
        for (index, visibility) in visibilities.enumerated() where readable[index] {
            all.append(Int32(index))
            byVisibility[visibility, default: []].append(Int32(index))
        }
        self.all = all
        publicOnly = byVisibility[.public] ?? []
        privateOnly = byVisibility[.private] ?? []
        // Docs (list packages, `visibility`): "For other ecosystems `internal` is synonymous with
        // `private`" — on repository-scoped registries.
        internalOnly = repositoryScoped ? privateOnly : byVisibility[.internal] ?? []
    }

    func filtered(by visibility: Visibility?) -> [Int32] {
        switch visibility {
        case nil: all
        case .public: publicOnly
        case .private: privateOnly
        case .internal: internalOnly
        }
    }

}
