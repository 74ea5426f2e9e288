/// npm's changes to the data set (SPEC §22), each applied to the owner's partition as one change (SPEC
/// §17's atomicity), deciding on the package as it is in that very partition.
enum NpmChange {
    /// A version published: `tags` are the dist-tags the document gives it (they move to it).
    case publish(version: String, info: NpmVersionInfo, tags: [String], repository: String?, commit: () -> RegistryError?)
    /// A metadata update: the versions the client's copy still lists (a missing one is unpublished) and
    /// their deprecation messages; `revision` is the `_rev` the client read.
    case update(revision: String?, listed: [String: String?])
    case setTag(String, version: String)
    case removeTag(String)
    case unpublishPackage(revision: String)
    /// The tarball of a version, after unpublish's rewrite (libnpmpublish's last step).
    case unpublishTarball(file: String, revision: String)

    /// The owner's packages after the change, or why it is refused. `authorize` is the write rule (and,
    /// `deleting`, `delete:packages`) on the package as it is here (nil: it does not exist yet).
    func apply(to partition: Partition, store: Store, scope: String, name: String, now: String,
               authorize: (_ package: Package?, _ rule: AccessRule?, _ deleting: Bool) -> RegistryError?)
        -> Result<[Package], RegistryError>
    {
        var packages = partition.source.packages
        let found = partition.active(.npm, named: name)
        let index = found.flatMap { found in packages.firstIndex { $0.id == found.package.id } }
        guard case .publish(let version, let info, let tags, let repository, let commit) = self else {
            // Everything else changes a package that exists.
            guard let found, let index else { return .failure(NpmError.packageUnknown(scope: scope, name: name)) }
            let packument = Packument(scope: scope, package: found.package)
            if let refusal = authorize(found.package, found.rule, isDeleting(packument)) { return .failure(refusal) }
            return change(&packages[index], packument, now: now).map { packages }
        }
        if let refusal = authorize(found?.package, found?.rule, false) { return .failure(refusal) }
        let at: Int
        if let index {
            at = index
        } else {
            // The first publish creates the package: private (GitHub's docs, "Configuring a package's
            // access control and visibility": a first publish is private).
            packages.append(Package(id: store.newID(), name: name, type: .npm, visibility: .private, versionCount: 0,
                                    createdAt: now, updatedAt: now, repository: repository, versions: []))
            at = packages.count - 1
        }
        var versions = packages[at].allVersions
        if versions.contains(where: { $0.deletedAt == nil && $0.name == version }) { return .failure(NpmError.versionExists) }
        for other in versions.indices where versions[other].deletedAt == nil {
            versions[other].tags.removeAll { tags.contains($0) }
        }
        versions.append(PackageVersion(id: store.newID(), name: version, tags: tags, createdAt: now, updatedAt: now,
                                       npm: info))
        packages[at].replaceVersions(versions)
        packages[at].updatedAt = now
        // Last: the tarball becomes visible only with the version that names it.
        if let failure = commit() { return .failure(failure) }
        return .success(packages)
    }

    /// Whether the change unpublishes something: `delete:packages` is then needed too.
    private func isDeleting(_ packument: Packument) -> Bool {
        switch self {
        case .unpublishPackage, .unpublishTarball: true
        case .update(_, let listed): packument.versions.contains { listed[$0.version.name] == nil }
        default: false
        }
    }

    private func change(_ package: inout Package, _ packument: Packument, now: String) -> Result<Void, RegistryError> {
        var versions = package.allVersions
        switch self {
        case .publish: return .success(())
        case .update(let revision, let listed):
            if let revision, revision != packument.revision { return .failure(NpmError.staleRevision) }
            for entry in packument.versions {
                guard let at = versions.firstIndex(where: { $0.id == entry.version.id }) else { continue }
                if let deprecated = listed[entry.version.name] {
                    versions[at].npm?.deprecated = deprecated.flatMap { $0.isEmpty ? nil : $0 }
                }
            }
            package.replaceVersions(versions)
            // A version the client's copy no longer lists is unpublished: a REST delete (SPEC §17).
            for entry in packument.versions where listed[entry.version.name] == nil {
                guard let at = package.allVersions.firstIndex(where: { $0.id == entry.version.id }) else { continue }
                switch package.deletingVersion(at: at, of: package.allVersions, deletedAt: now) {
                case .success(let changed): package = changed
                case .failure(let refusal): return .failure(NpmError.make(refusal.status, refusal.message))
                }
            }
        case .setTag(let tag, let version):
            guard let target = packument.versions.first(where: { $0.version.name == version }) else {
                return .failure(NpmError.make(404, "version not found: \(version)"))
            }
            for at in versions.indices where versions[at].deletedAt == nil {
                versions[at].tags.removeAll { $0 == tag }
                if versions[at].id == target.version.id { versions[at].tags.append(tag) }
            }
            package.replaceVersions(versions)
        case .removeTag(let tag):
            guard packument.distTags.contains(where: { $0.tag == tag }) else {
                return .failure(NpmError.make(404, "dist-tag \(tag) is not set"))
            }
            for at in versions.indices where versions[at].deletedAt == nil { versions[at].tags.removeAll { $0 == tag } }
            package.replaceVersions(versions)
        case .unpublishPackage(let revision):
            guard revision == packument.revision else { return .failure(NpmError.staleRevision) }
            package.deletedAt = now
        case .unpublishTarball(let file, let revision):
            guard let entry = packument.version(file: file) else {
                // Already unpublished by the rewrite before it (libnpmpublish's order): nothing left to do.
                let prefix = package.name + "-"
                let known = versions.contains { version in
                    version.npm != nil && file == prefix + version.name + ".tgz"
                }
                return known ? .success(()) : .failure(NpmError.make(404, "Not found"))
            }
            guard revision == packument.revision else { return .failure(NpmError.staleRevision) }
            guard let at = versions.firstIndex(where: { $0.id == entry.version.id }) else { return .success(()) }
            switch package.deletingVersion(at: at, of: versions, deletedAt: now) {
            case .success(let changed): package = changed
            case .failure(let refusal): return .failure(NpmError.make(refusal.status, refusal.message))
            }
        }
        return .success(())
    }
}

/// npm's errors are `{"error": "…"}` with the status (SPEC §22). They travel as `RegistryError`s (the
/// code unused) so that the streaming sink of issue 14 carries them unchanged.
enum NpmError {
    static func make(_ status: Int, _ message: String) -> RegistryError { RegistryError(status, "npm", message) }

    // Seen in npm's output against npm.pkg.github.com (users' reports of `npm ERR! 409 Conflict`, `401`).
    static let versionExists = RegistryError(409, "npm", "Cannot publish over existing version.")
    static let unauthenticated = RegistryError(401, "npm", "unauthenticated: User cannot be authenticated with the token provided.")
    // CouchDB's answer to a stale `_rev`, which npm's registry kept.
    static let staleRevision = RegistryError(409, "npm", "Document update conflict.")

    static func packageUnknown(scope: String, name: String) -> RegistryError {
        RegistryError(404, "npm", "npm package \"\(name)\" does not exist under owner \"\(scope)\"")
    }

    /// The body of an npm error.
    static func body(_ error: RegistryError) -> [UInt8] { Array("{\"error\":\(JSONWriter.quoted(error.message))}".utf8) }
}
