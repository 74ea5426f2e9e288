/// Deletes and restores (SPEC §16 steps 9–13, §17): checked and applied as one change of the owner's
/// partition, so two writes never decide on the same old state.
extension PackageRequest {
    /// GitHub's docs: a deleted package or version can be restored within 30 days.
    static let restoreWindow: Int64 = 30 * 86_400

    func write(_ decoded: [String: String], type: PackageType, ownerIndex: Int, owner: Owner,
               requester: Requester) -> Result<Answer, APIError> {
        let name = (decoded["package_name"] ?? "").asciiLowercased()
        let versionID = decoded["package_version_id"].flatMap { Int64($0) }
        let deletedAt = FixtureDate.string(now)
        let restorable = { (date: String?) in date.flatMap(FixtureDate.epoch).map { now - $0 < Self.restoreWindow } ?? false }
        let result = store.change(owner: ownerIndex) { partition -> Result<[Package], APIError> in
            var packages = partition.source.packages
            // 9. The package: an active one the requester may read, or for a restore the most recently
            // deleted one of that type and name, within 30 days. Anything else is absent (SPEC §5).
            let found: Int?
            if action == .restorePackage {
                found = packages.indices.filter {
                    packages[$0].type == type && packages[$0].name.asciiLowercased() == name
                        && restorable(packages[$0].deletedAt)
                }.max { (packages[$0].deletedAt ?? "", $0) < (packages[$1].deletedAt ?? "", $1) }
            } else {
                found = partition.listings[type]?.readablePosition(named: name, by: requester).flatMap { position in
                    let id = partition.listings[type]?.ids[Int(position)]
                    return packages.firstIndex { $0.id == id && $0.deletedAt == nil }
                }
            }
            let rule = found.map {
                AccessRule(package: packages[$0], owner: owner, repositories: partition.source.repositories,
                           profile: store.profile)
            }
            guard let index = found, let rule, rule.canRead(requester, owner: owner) else {
                return .failure(.packageNotFound)
            }
            // 11. Admin on the package; on an organisation, a user must also be one of its admins (GitHub's
            // docs: "admin permissions in the organization"). A reader who is not an admin is told the
            // package is not there (SPEC §16 step 11), before the version is looked up, so that nothing in
            // the answer tells that package apart from one that does not exist (SPEC §5).
            var admin = rule.isAdmin(requester, owner: owner)
            if case .user(let user) = requester, owner.isOrganization {
                admin = admin && owner.isAdministered(by: user.login.asciiLowercased())
            }
            guard admin else { return .failure(.packageNotFound) }
            // 10. The version: active for a delete, deleted within 30 days for a restore.
            var versions: [PackageVersion] = []
            var versionIndex = 0
            if action == .deleteVersion || action == .restoreVersion {
                versions = packages[index].allVersions
                guard let id = versionID, let at = versions.firstIndex(where: { $0.id == id }),
                      action == .deleteVersion ? versions[at].deletedAt == nil : restorable(versions[at].deletedAt)
                else { return .failure(.versionNotFound) }
                versionIndex = at
            }
            // 13. The rules of SPEC §17, then the change.
            switch action {
            case .deletePackage:
                packages[index].deletedAt = deletedAt
            case .restorePackage:
                if packages.contains(where: { $0.deletedAt == nil && $0.type == type && $0.name.asciiLowercased() == name }) {
                    return .failure(.namespaceInUse)
                }
                packages[index].deletedAt = nil
            case .deleteVersion:
                switch packages[index].deletingVersion(at: versionIndex, of: versions, deletedAt: deletedAt) {
                case .success(let changed): packages[index] = changed
                case .failure(let refusal): return .failure(refusal)
                }
            default:
                let restored = versions[versionIndex].name
                if versions.contains(where: { $0.deletedAt == nil && $0.name == restored }) {
                    return .failure(.versionNameInUse)
                }
                versions[versionIndex].deletedAt = nil
                // A tag that moved to another version while this one was deleted stays there (SPEC §21).
                let held = Set(versions.indices.filter { $0 != versionIndex && versions[$0].deletedAt == nil }
                    .flatMap { versions[$0].tags })
                versions[versionIndex].tags.removeAll { held.contains($0) }
                packages[index].replaceVersions(versions)
            }
            return .success(packages)
        }
        return result.map { Answer(body: .noContent, type: type) }
    }
}

extension Package {
    /// The package after deleting `versions[index]` (its `allVersions`), or SPEC §17's refusal, the
    /// first that applies. The REST route and npm's unpublish (SPEC §22) both come here.
    func deletingVersion(at index: Int, of versions: [PackageVersion], deletedAt: String) -> Result<Package, APIError> {
        let version = versions[index]
        let others = versions.indices.filter { $0 != index && versions[$0].deletedAt == nil }
        if visibility == .public && version.downloads > 5000 { return .failure(.popularVersion) }
        if type == .container && !version.tags.isEmpty && !others.contains(where: { !versions[$0].tags.isEmpty }) {
            return .failure(.lastTaggedVersion)
        }
        if others.isEmpty { return .failure(.lastVersion) }
        var changed = versions
        changed[index].deletedAt = deletedAt
        var package = self
        package.replaceVersions(changed)
        return .success(package)
    }
}

extension APIError {
    // Seen in GitHub's answers (SPEC §17).
    static let popularVersion = APIError(
        400, "Publicly visible package versions with more than 5000 downloads cannot be deleted. "
            + "Contact GitHub support for further assistance.")
    static let lastTaggedVersion = APIError(
        400, "You cannot delete the last tagged version of a package. You must delete the package instead.")
    static let lastVersion = APIError(
        400, "You cannot delete the last version of a package. You must delete the package instead.")
    // Choices (SPEC §17).
    static let namespaceInUse = APIError(
        400, "The package namespace is in use by another package. Delete that package first.")
    static let versionNameInUse = APIError(
        400, "The package version name is in use by another version. Delete that version first.")
}
