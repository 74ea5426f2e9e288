import Synchronization

/// The indexed data set the emulator answers from, built at load.
///
/// Every answer costs time proportional to its page: the lists of what each kind of requester may
/// read, per (owner, package_type) and `visibility` filter, are computed here, and every package and
/// declared version is rendered here once per API version. Each owner's part is an immutable
/// `Partition` in a box of its own: a delete or restore (SPEC §17) builds that owner's next partition and
/// swaps it in, so a change costs the owner's packages, and a request, which reads a partition once,
/// never sees half of a change.
public final class Store: Sendable {
    public let profile: Profile
    public let webURL: String
    /// Users, then organisations, in fixture order.
    let owners: [Owner]
    let ownerIndex: [String: Int]
    let tokens: [String: Token]
    /// Lowercased logins of the users of each enterprise (internal packages, SPEC §5).
    let enterpriseMembers: [String: Set<String>]
    /// Per owner (the index of `owners`): what it holds now.
    private let boxes: [Box]
    /// Per owner: what it held at load, which `restarted()` serves again.
    private let initial: [Partition]
    /// Writes build a partition outside the boxes' locks, one at a time.
    private let writer = Mutex(())
    public let userCount: Int
    let tokenList: [Token]
    /// The fixtures' registry content (SPEC §21).
    public let registry: RegistryContent
    /// The next id of a package or version a push creates: above every id of the data set (SPEC §21).
    private let nextID: Atomic<Int64>

    public var orgCount: Int { owners.count - userCount }
    public var tokenCount: Int { tokens.count }

    public init(_ fixtures: FixtureSet, profile: Profile, webURL: String = "https://github.com") {
        self.profile = profile
        self.webURL = webURL
        let sources = fixtures.users.map(OwnerSource.init(user:)) + fixtures.orgs.map(OwnerSource.init(org:))
        var enterprises: [String: Set<String>] = [:]
        for user in fixtures.users {
            if let enterprise = user.enterprise { enterprises[enterprise, default: []].insert(user.login.asciiLowercased()) }
        }
        enterpriseMembers = enterprises
        owners = sources.map(\.owner)
        var ownerIndex: [String: Int] = [:]
        for (index, owner) in owners.enumerated() { ownerIndex[owner.login.asciiLowercased()] = index }
        self.ownerIndex = ownerIndex
        tokens = Dictionary(fixtures.tokens.map { ($0.value, $0) }, uniquingKeysWith: { first, _ in first })
        tokenList = fixtures.tokens
        registry = fixtures.registry
        userCount = fixtures.users.count
        let context = Partition.Context(profile: profile, renderer: PackageRenderer(webURL: webURL),
                                        enterpriseMembers: enterprises)
        initial = sources.concurrentMap { Partition($0, context: context) }
        boxes = initial.map(Box.init)
        nextID = Atomic(Self.highestID(in: sources.flatMap(\.packages)) + 1)
    }

    /// The highest id of a package or version, generated versions included (their ids are derived).
    static func highestID(in packages: [Package]) -> Int64 {
        packages.reduce(0) { highest, package in
            let versions = package.versions.map { $0.map(\.id).max() ?? 0 }
                ?? GeneratedVersions.id(packageID: package.id, number: min(package.versionCount, GeneratedVersions.maxCount))
            return max(highest, package.id, versions)
        }
    }

    /// A new id for a pushed package or version.
    func newID() -> Int64 { nextID.add(1, ordering: .relaxed).oldValue }

    /// A partition slot: readers hold its lock for a pointer read.
    private final class Box: Sendable {
        let current: Mutex<Partition>
        init(_ partition: Partition) { current = Mutex(partition) }
    }

    private init(serving other: Store) {
        profile = other.profile
        webURL = other.webURL
        owners = other.owners
        ownerIndex = other.ownerIndex
        tokens = other.tokens
        enterpriseMembers = other.enterpriseMembers
        initial = other.initial
        boxes = other.initial.map(Box.init)
        userCount = other.userCount
        tokenList = other.tokenList
        registry = other.registry
        nextID = Atomic(other.nextID.load(ordering: .relaxed))
    }

    /// The same data set as loaded, without the changes made since (`POST /_emulator/reset`).
    public func restarted() -> Store { Store(serving: self) }

    /// What the owner at `index` holds now.
    func partition(_ index: Int) -> Partition { boxes[index].current.withLock { $0 } }

    /// The listing of one owner and registry now.
    func listing(owner index: Int, type: PackageType) -> Listing? { partition(index).listings[type] }

    /// Replaces the owner's packages with what `change` makes of its partition: its error, or the new
    /// partition.
    /// Changes are serialized; readers keep reading the old partition until the swap.
    func change<Failure: Error>(owner index: Int, _ change: (Partition) -> Result<[Package], Failure>)
        -> Result<Void, Failure>
    {
        writer.withLock { _ in
            let old = partition(index)
            switch change(old) {
            case .failure(let error): return .failure(error)
            case .success(let packages):
                let next = Partition(old.source.with(packages: packages), context: old.context, previous: old)
                boxes[index].current.withLock { $0 = next }
                return .success(())
            }
        }
    }

    /// Every package of every owner, deleted ones included.
    public var packageCount: Int { boxes.indices.reduce(0) { $0 + partition($1).source.packages.count } }

    /// The data set as it is now, in the fixtures' model: export (SPEC §20).
    public var fixtures: FixtureSet {
        let sources = boxes.indices.map { partition($0).source }
        return FixtureSet(users: sources[..<userCount].compactMap { $0.user },
                          orgs: sources[userCount...].compactMap { $0.org }, tokens: tokenList, registry: registry)
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

/// One owner's packages, indexed and rendered: replaced whole by a change.
final class Partition: Sendable {
    /// What building a partition needs beyond the owner.
    struct Context: Sendable {
        let profile: Profile
        let renderer: PackageRenderer
        let enterpriseMembers: [String: Set<String>]
    }

    let source: OwnerSource
    let context: Context
    /// The owner and repository objects its packages embed.
    let parts: PackageRenderer.Parts
    /// Active packages per registry.
    let listings: [PackageType: Listing]
    /// Active packages with `docker_migration_conflict`, in fixture order (SPEC §18).
    let conflicts: [(type: PackageType, position: Int32)]
    /// npm's answers for each active npm package with published content, by package id (SPEC §22).
    let packuments: [Int64: Packument.Rendered]

    /// `previous`: the partition this one replaces, whose unchanged packages it takes over.
    init(_ source: OwnerSource, context: Context, previous: Partition? = nil) {
        self.source = source
        self.context = context
        // The owner's and repositories' objects never change: take them over too.
        let parts = previous?.parts ?? context.renderer.parts(of: source.owner, repositories: source.repositories)
        self.parts = parts
        let enterprise = source.owner.enterprise.flatMap { context.enterpriseMembers[$0] } ?? []
        let active = source.packages.enumerated().filter { $0.element.deletedAt == nil }.map { ($0.offset, $0.element) }
        var listings: [PackageType: Listing] = [:]
        for type in PackageType.allCases {
            let packages = active.filter { $0.1.type == type }
            if packages.isEmpty { continue }
            listings[type] = Listing(
                owner: source.owner, repositories: source.repositories, packages: packages, profile: context.profile,
                renderer: context.renderer, parts: parts, enterpriseMembers: enterprise,
                previous: previous.flatMap { old in old.listings[type].map { .init(listing: $0, packages: old.source.packages) } })
        }
        self.listings = listings
        var positions: [PackageType: Int32] = [:]
        var conflicts: [(type: PackageType, position: Int32)] = []
        for (_, package) in active {
            let position = positions[package.type, default: 0]
            positions[package.type] = position + 1
            if package.dockerMigrationConflict { conflicts.append((package.type, position)) }
        }
        self.conflicts = conflicts
        // Rendered at each change of the partition, for the packages it changed.
        var packuments: [Int64: Packument.Rendered] = [:]
        let scope = source.owner.login.asciiLowercased()
        for (_, package) in active where package.type == .npm && package.allVersions.contains(where: { $0.npm != nil }) {
            if let previous, let old = previous.packuments[package.id],
               previous.source.packages.first(where: { $0.id == package.id }) == package {
                packuments[package.id] = old
            } else {
                packuments[package.id] = Packument(scope: scope, package: package).rendered
            }
        }
        self.packuments = packuments
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

/// An owner as its fixture gives it, with its packages as they are now.
struct OwnerSource: Sendable {
    let owner: Owner
    let repositories: [Repository]
    let packages: [Package]
    /// The fixture it came from, packages aside (export).
    let user: User?
    let org: Organization?

    init(user: User) {
        owner = Owner(login: user.login, id: user.id, name: user.name, isOrganization: false, type: user.type,
                      siteAdmin: user.siteAdmin, enterprise: user.enterprise, createdAt: user.createdAt,
                      members: [], admins: [])
        repositories = user.repositories
        packages = user.packages
        self.user = user
        org = nil
    }

    init(org: Organization) {
        owner = Owner(
            login: org.login, id: org.id, name: org.name, isOrganization: true, type: "Organization",
            siteAdmin: false, enterprise: org.enterprise, createdAt: org.createdAt,
            members: Set(org.members.map { $0.login.asciiLowercased() }),
            admins: Set(org.members.filter { $0.role == .admin }.map { $0.login.asciiLowercased() }))
        repositories = org.repositories
        packages = org.packages
        user = nil
        self.org = org
    }

    private init(owner: Owner, repositories: [Repository], packages: [Package], user: User?, org: Organization?) {
        self.owner = owner
        self.repositories = repositories
        self.packages = packages
        self.user = user.map { var copy = $0; copy.packages = packages; return copy }
        self.org = org.map { var copy = $0; copy.packages = packages; return copy }
    }

    func with(packages: [Package]) -> OwnerSource {
        OwnerSource(owner: owner, repositories: repositories, packages: packages, user: user, org: org)
    }
}
