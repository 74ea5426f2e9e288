/// The registry's view of the data set: container packages, their versions as manifests and tags
/// (SPEC §21). Nothing here is a second copy: a manifest is a version, a tag a version's tag.
extension Partition {
    /// The active container package `name` (lowercased) with who may read it, or nil.
    func container(named name: String) -> (package: Package, rule: AccessRule)? { active(.container, named: name) }

    /// The active package of `type` named `name` (lowercased) with who may read it, or nil.
    func active(_ type: PackageType, named name: String) -> (package: Package, rule: AccessRule)? {
        guard let listing = listings[type], let position = listing.positions[name] else { return nil }
        let id = listing.ids[Int(position)]
        guard let package = source.packages.first(where: { $0.id == id && $0.deletedAt == nil }) else { return nil }
        return (package, listing.rules[Int(position)])
    }
}

extension Package {
    /// The active version a manifest reference names: by digest, or the one its tag is on now.
    func version(for reference: Reference) -> PackageVersion? {
        allVersions.first { version in
            guard version.deletedAt == nil else { return false }
            switch reference {
            case .digest(let digest): return version.name == digest.description
            case .tag(let tag): return version.tags.contains(tag)
            }
        }
    }

    /// The tags of its active versions, in byte order (`tags/list`).
    var activeTags: [String] {
        allVersions.filter { $0.deletedAt == nil }.flatMap(\.tags)
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}

/// A manifest push, applied to the owner's partition as one change (SPEC §17's atomicity).
struct ManifestPush {
    let name: String
    let digest: Digest
    let info: ManifestInfo
    let tag: String?
    /// The repository a new package is linked to (its annotation, or the installation token's).
    let repository: String?
    /// Children of an index: each must be a version of the package with content.
    let children: [Digest]
    let now: String

    /// The owner's packages after the push, or why it is refused. `authorize` decides on the package as
    /// it is in this very partition (nil: it does not exist yet).
    func apply(to partition: Partition, store: Store, authorize: (Package?, AccessRule?) -> RegistryError?)
        -> Result<[Package], RegistryError>
    {
        var packages = partition.source.packages
        let found = partition.container(named: name.asciiLowercased())
        if let refusal = authorize(found?.package, found?.rule) { return .failure(refusal) }
        let index: Int
        if let found, let at = packages.firstIndex(where: { $0.id == found.package.id }) {
            index = at
            // Clients push an index's children before the index that carries the source annotation
            // (skopeo, buildx): a package not linked yet is linked by the first manifest that names one.
            if packages[at].repository == nil, let repository { packages[at].repository = repository }
        } else {
            // The first push creates the package: private (GitHub's docs, "Configuring a package's access
            // control and visibility": a first publish is private).
            packages.append(Package(id: store.newID(), name: name, type: .container, visibility: .private,
                                    versionCount: 0, createdAt: now, updatedAt: now, repository: repository,
                                    versions: []))
            index = packages.count - 1
        }
        var versions = packages[index].allVersions
        for child in children {
            guard versions.contains(where: { $0.deletedAt == nil && $0.name == child.description && $0.manifest != nil })
            else { return .failure(RegistryError(400, "MANIFEST_UNKNOWN", "manifest unknown: \(child)")) }
        }
        let name = digest.description
        if let tag {
            // A tag is on one version: pushed elsewhere, it moves; the old version keeps its other tags.
            for at in versions.indices where versions[at].deletedAt == nil && versions[at].name != name {
                versions[at].tags.removeAll { $0 == tag }
            }
        }
        if let at = versions.firstIndex(where: { $0.deletedAt == nil && $0.name == name }) {
            if let tag, !versions[at].tags.contains(tag) { versions[at].tags.append(tag) }
            // A declared version without content gets it.
            if versions[at].manifest == nil { versions[at].manifest = info }
        } else {
            versions.append(PackageVersion(id: store.newID(), name: name, tags: tag.map { [$0] } ?? [],
                                           createdAt: now, updatedAt: now, manifest: info))
        }
        packages[index].replaceVersions(versions)
        packages[index].updatedAt = now
        return .success(packages)
    }
}
