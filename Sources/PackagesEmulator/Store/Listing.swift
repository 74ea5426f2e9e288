/// The active packages of one type in one owner's namespace, in fixture order, with who may read which.
struct Listing: Sendable {
    let owner: Owner
    /// Per package (fixture order), its id: where a change finds it among the owner's packages.
    let ids: [Int64]
    /// Per package (fixture order), its rendering per API version.
    let rendered: [PerVersion<Template>]
    let rules: [AccessRule]
    /// By position, the declared versions of packages that declare them (the others generate theirs).
    let declared: [Int32: DeclaredVersions]
    /// Per package, where it is among the owner's packages.
    let sourceIndex: [Int32]
    let versionRenderer: VersionRenderer
    /// Lowercased name → position: names match case-insensitively (SPEC §13).
    let positions: [String: Int32]
    /// The owner and organisation admins.
    let ownerView: View
    /// Requesters with no access beyond public packages.
    let strangerView: View
    /// Members of the owner's enterprise or organisation without explicit access (internal packages).
    let wideView: View
    /// Requesters named in `readers` or `admins`, or as collaborators of a linked repository (lowercased).
    let viewerViews: [String: View]

    /// What a listing can take over from the one it replaces: its packages that did not change.
    struct Previous {
        let listing: Listing
        /// All of the owner's packages before the change, in the same order as after it.
        let packages: [Package]
    }

    /// `enterpriseMembers`: lowercased logins of the users in the owner's enterprise.
    /// `packages`: the owner's packages of one registry, active ones, each with its index among all of the
    /// owner's packages. With `previous`, a package equal to the one at its index before is not rendered
    /// again: a change costs the packages it changes, plus copying the owner's arrays.
    init(owner: Owner, repositories: [Repository], packages indexed: [(Int, Package)], profile: Profile,
         renderer: PackageRenderer, parts: PackageRenderer.Parts, enterpriseMembers: Set<String>,
         previous: Previous? = nil) {
        let packages = indexed.map(\.1)
        sourceIndex = indexed.map { Int32($0.0) }
        self.owner = owner
        ids = packages.map(\.id)
        let versionRenderer = VersionRenderer(webURL: renderer.webURL)
        self.versionRenderer = versionRenderer
        let keys = Dictionary(repositories.map { ($0.name, "\(owner.login)/\($0.name)".asciiLowercased()) },
                              uniquingKeysWith: { first, _ in first })
        // Where each unchanged package was in the previous listing.
        var reusable: [Int: Int32] = [:]
        if let previous {
            for (position, index) in previous.listing.sourceIndex.enumerated() { reusable[Int(index)] = Int32(position) }
        }
        var rendered: [PerVersion<Template>] = []
        var rules: [AccessRule] = []
        var declared: [Int32: DeclaredVersions] = [:]
        rendered.reserveCapacity(packages.count)
        rules.reserveCapacity(packages.count)
        for (position, (index, package)) in indexed.enumerated() {
            if let previous, let old = reusable[index], previous.packages[index] == package {
                rendered.append(previous.listing.rendered[Int(old)])
                rules.append(previous.listing.rules[Int(old)])
                if let versions = previous.listing.declared[old] { declared[Int32(position)] = versions }
                continue
            }
            rendered.append(renderer.render(package, of: owner, parts: parts))
            rules.append(AccessRule(package: package, owner: owner, repositories: repositories, profile: profile,
                                    repositoryKeys: keys))
            if let versions = package.versions {
                declared[Int32(position)] = DeclaredVersions(
                    versions, context: versionRenderer.context(of: package, owner: owner), renderer: versionRenderer)
            }
        }
        self.rendered = rendered
        self.rules = rules
        self.declared = declared
        var positions: [String: Int32] = [:]
        for (index, package) in packages.enumerated() { positions[package.name.asciiLowercased()] = Int32(index) }
        self.positions = positions
        let visibilities = packages.map(\.visibility)
        let repositoryScoped = packages.first?.type.isRepositoryScoped(in: profile) ?? false
        func view(_ canRead: (AccessRule) -> Bool) -> View {
            View(visibilities: visibilities, readable: rules.map(canRead), repositoryScoped: repositoryScoped)
        }
        ownerView = view { _ in true }
        strangerView = view { $0.isPublic }
        wideView = view { $0.isPublic || $0.widelyReadable }
        var viewers: Set<String> = []
        for rule in rules { viewers.formUnion(rule.explicitReaders) }
        var viewerViews: [String: View] = [:]
        for viewer in viewers where !owner.isAdministered(by: viewer) {
            let wide = enterpriseMembers.contains(viewer) || owner.members.contains(viewer)
            viewerViews[viewer] = view { $0.readable(by: viewer, wide: wide) }
        }
        self.viewerViews = viewerViews
    }

    /// The versions of the package at `position`; `packages`: all of the owner's.
    func versions(at position: Int32, of packages: [Package]) -> VersionList {
        let package = packages[Int(sourceIndex[Int(position)])]
        return VersionList(package: package, declared: declared[position],
                           context: versionRenderer.context(of: package, owner: owner), renderer: versionRenderer)
    }

    /// The view of a user requester.
    func view(for requester: Owner) -> View {
        let login = requester.login.asciiLowercased()
        if owner.isAdministered(by: login) { return ownerView }
        if let explicit = viewerViews[login] { return explicit }
        return AccessRule.isWide(requester, for: owner) ? wideView : strangerView
    }

    /// The position of the package named `name` (any casing) that `requester` may read; nil when it is
    /// absent or unreadable, which answer alike (SPEC §5).
    func readablePosition(named name: String, by requester: Requester) -> Int32? {
        guard let position = positions[name.asciiLowercased()], rules[Int(position)].canRead(requester, owner: owner)
        else { return nil }
        return position
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
