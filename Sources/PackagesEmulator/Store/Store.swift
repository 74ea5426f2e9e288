/// The immutable, indexed data set the emulator answers from, built once at load.
///
/// Every answer costs time proportional to its page: the lists of what each kind of requester may
/// read, per (owner, package_type) and `visibility` filter, are computed here, and every package and
/// declared version is rendered here once per API version.
public final class Store: Sendable {
    public let profile: Profile
    public let webURL: String
    /// The data set as loaded, for export (SPEC §20).
    public let fixtures: FixtureSet
    /// Users, then organisations, in fixture order.
    let owners: [Owner]
    let ownerIndex: [String: Int]
    let tokens: [String: Token]
    let listings: [ListingKey: Listing]
    /// Per owner, its active packages with `docker_migration_conflict`, in fixture order (SPEC §18).
    let conflicts: [Int: [PackageRef]]
    public let packageCount: Int

    public var userCount: Int { fixtures.users.count }
    public var orgCount: Int { fixtures.orgs.count }
    public var tokenCount: Int { tokens.count }

    public init(_ fixtures: FixtureSet, profile: Profile, webURL: String = "https://github.com") {
        self.profile = profile
        self.webURL = webURL
        self.fixtures = fixtures
        let sources = fixtures.users.map(OwnerSource.init(user:)) + fixtures.orgs.map(OwnerSource.init(org:))
        var enterprises: [String: Set<String>] = [:]
        for user in fixtures.users {
            if let enterprise = user.enterprise { enterprises[enterprise, default: []].insert(user.login.asciiLowercased()) }
        }
        owners = sources.map(\.owner)
        var ownerIndex: [String: Int] = [:]
        for (index, owner) in owners.enumerated() { ownerIndex[owner.login.asciiLowercased()] = index }
        self.ownerIndex = ownerIndex
        tokens = Dictionary(fixtures.tokens.map { ($0.value, $0) }, uniquingKeysWith: { first, _ in first })
        let renderer = PackageRenderer(webURL: webURL)
        let members = enterprises
        let perOwner = Array(sources.enumerated()).concurrentMap { index, source in
            let parts = renderer.parts(of: source.owner, repositories: source.repositories)
            let enterprise = source.owner.enterprise.flatMap { members[$0] } ?? []
            let active = source.packages.filter { $0.deletedAt == nil }
            return PackageType.allCases.compactMap { type -> (ListingKey, Listing)? in
                let packages = active.filter { $0.type == type }
                if packages.isEmpty { return nil }
                return (ListingKey(owner: index, type: type), Listing(
                    owner: source.owner, repositories: source.repositories, packages: packages, profile: profile,
                    renderer: renderer, parts: parts, enterpriseMembers: enterprise))
            }
        }
        let listings = Dictionary(uniqueKeysWithValues: perOwner.joined())
        self.listings = listings
        var conflicts: [Int: [PackageRef]] = [:]
        for (index, source) in sources.enumerated() {
            var positions: [PackageType: Int32] = [:]
            for package in source.packages where package.deletedAt == nil {
                let position = positions[package.type, default: 0]
                positions[package.type] = position + 1
                if package.dockerMigrationConflict {
                    conflicts[index, default: []].append(PackageRef(
                        key: ListingKey(owner: index, type: package.type), position: position))
                }
            }
        }
        self.conflicts = conflicts
        packageCount = sources.reduce(0) { $0 + $1.packages.count }
    }

    /// The owner (user or organisation) with this login, compared case-insensitively.
    func owner(login: String) -> (index: Int, owner: Owner)? {
        guard let index = ownerIndex[login.asciiLowercased()] else { return nil }
        return (index, owners[index])
    }

    /// A user (never an organisation) by login: the user a token acts for.
    func user(login: String) -> Owner? {
        guard let (_, owner) = owner(login: login), !owner.isOrganization else { return nil }
        return owner
    }
}

/// An account that owns packages: a user or an organisation, as requests and bodies need it.
struct Owner: Sendable {
    let login: String
    let id: Int64
    let name: String?
    let isOrganization: Bool
    /// `type` of its simple-user: the user file's, or `Organization`.
    let type: String
    let siteAdmin: Bool
    let enterprise: String?
    let createdAt: String?
    /// Organisations: lowercased logins of every member, and of the `admin` members.
    let members: Set<String>
    let admins: Set<String>

    /// `users` or `orgs`: the first segment of the owner's package URLs (SPEC §18).
    var pathPrefix: String { isOrganization ? "orgs" : "users" }

    /// Whether `login` (lowercased) administers everything the owner has: the user, or an org admin.
    func isAdministered(by login: String) -> Bool {
        login == self.login.asciiLowercased() || admins.contains(login)
    }
}

/// An owner with what `Store.init` builds from: repositories and packages.
struct OwnerSource: Sendable {
    let owner: Owner
    let repositories: [Repository]
    let packages: [Package]

    init(user: User) {
        owner = Owner(login: user.login, id: user.id, name: user.name, isOrganization: false, type: user.type,
                      siteAdmin: user.siteAdmin, enterprise: user.enterprise, createdAt: user.createdAt,
                      members: [], admins: [])
        repositories = user.repositories
        packages = user.packages
    }

    init(org: Organization) {
        owner = Owner(
            login: org.login, id: org.id, name: org.name, isOrganization: true, type: "Organization",
            siteAdmin: false, enterprise: org.enterprise, createdAt: org.createdAt,
            members: Set(org.members.map { $0.login.asciiLowercased() }),
            admins: Set(org.members.filter { $0.role == .admin }.map { $0.login.asciiLowercased() }))
        repositories = org.repositories
        packages = org.packages
    }
}

struct ListingKey: Hashable, Sendable {
    let owner: Int
    let type: PackageType
}

/// One active package: its listing and its position there.
struct PackageRef: Sendable {
    let key: ListingKey
    let position: Int32
}
