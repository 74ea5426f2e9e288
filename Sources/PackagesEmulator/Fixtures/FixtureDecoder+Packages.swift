/// Packages of user and organisation files, with the registry rules of SPEC §2, §5, §10 and §14.
extension FixtureDecoder {
    static let packageKeys = ["id", "name", "package_type", "visibility", "version_count", "created_at",
                              "updated_at", "repository", "readers", "inherit_access", "admins", "versions",
                              "deleted_at", "docker_migration_conflict"]
    /// The largest package id whose generated version ids (`id × 100000 + n`) fit in Int64.
    static let maxGeneratingPackageID = Int64.max / 100_000

    mutating func decodePackage(_ value: JSONValue, _ site: Site, owner: OwnerKind, repositories: RepositoryIndex,
                                names: inout [String: Site]) -> Package? {
        guard let members = object(value, site) else { return nil }
        // Versions' names and tags depend on the type, wherever the key is in the object.
        var declaredType: PackageType?
        if case .string(let text)? = value["package_type"] { declaredType = PackageType(rawValue: text) }
        var id: Int64?, name: String?, type: PackageType?, visibility: Visibility?, versionCount: Int64 = 1
        var createdAt: String?, updatedAt: String?, repository: String?, readers: [String] = []
        var inheritAccess = false, admins: [String] = [], versions: [PackageVersion]?, deletedAt: String?
        var dockerMigrationConflict = false
        var repositoryIsValid = true
        for member in members {
            let here = site.key(member.key)
            switch member.key {
            case "id":
                id = integer(member.value, here, minimum: 1)
                if let id { claim(id, in: \.packageIDs, here, what: "package") }
            case "name":
                guard let value = string(member.value, here) else { break }
                if FixtureRules.isValidPackageName(value) {
                    name = value
                } else {
                    fail(here, "\(JSONValue.quoted(value)) is not a valid package name "
                         + "(not empty, no whitespace or control characters)")
                }
            case "package_type": type = oneOf(member.value, here, PackageType.self)
            case "visibility": visibility = oneOf(member.value, here, Visibility.self)
            case "version_count":
                guard let count = integer(member.value, here, minimum: 0) else { break }
                if count > GeneratedVersions.maxCount {
                    fail(here, "expected at most \(GeneratedVersions.maxCount), got \(count) (the most generated "
                         + "versions a package may have; declare \"versions\" instead)")
                } else {
                    versionCount = count
                }
            case "created_at": createdAt = date(member.value, here)
            case "updated_at": updatedAt = date(member.value, here)
            case "repository":
                guard let reference = nullableString(member.value, here) else { repositoryIsValid = false; break }
                guard let reference else { break }
                if let entry = repositories.entries[FixtureRules.folded(reference)] {
                    repository = entry.name
                } else {
                    repositoryIsValid = false
                    let noun = owner.noun
                    let known = repositories.names.isEmpty ? "the \(noun) has none"
                        : "the \(noun) has \(repositories.names.map { JSONValue.quoted($0) }.joined(separator: ", "))"
                    fail(here, "\(JSONValue.quoted(reference)) is not one of the \(noun)'s repositories (\(known))")
                }
            case "readers": readers = loginList(member.value, here) ?? []
            case "inherit_access": inheritAccess = bool(member.value, here) ?? false
            case "admins": admins = loginList(member.value, here) ?? []
            case "versions": versions = decodeVersions(member.value, here, type: declaredType)
            case "deleted_at": deletedAt = date(member.value, here)
            case "docker_migration_conflict": dockerMigrationConflict = bool(member.value, here) ?? false
            default: unknownKey(member, site, allowed: Self.packageKeys)
            }
        }
        for key in ["id", "name", "package_type", "created_at", "updated_at"] where value[key] == nil {
            missing(key, site)
        }
        if value["versions"] != nil, value["version_count"] != nil {
            fail(site.key("version_count"), "not allowed with \"versions\": the version count is the number of "
                 + "active versions")
        }
        if value["versions"] == nil, let id, versionCount > 0 {
            if id > Self.maxGeneratingPackageID {
                fail(site.key("id"), "a package without \"versions\" generates version ids id × 100000 + n, "
                     + "so its id is at most \(Self.maxGeneratingPackageID)")
            } else {
                generatingPackages[id] = (versionCount, site)
            }
        }
        guard let type else { return nil }
        // Only active packages hold a name: a deleted one leaves its namespace free for reuse (SPEC §14).
        if let name, value["deleted_at"] == nil {
            let key = "\(type.rawValue)/\(FixtureRules.folded(name))"
            if let first = names[key] {
                fail(site.key("name"), "duplicate \(type.rawValue) package \(JSONValue.quoted(name)) in this "
                     + "\(owner.noun), names are case-insensitive (also at \(first.path))")
            } else {
                names[key] = site.key("name")
            }
        }
        let effective = effectiveVisibility(
            type: type, given: visibility, repository: repository, repositoryIsValid: repositoryIsValid,
            repositories: repositories, package: value, inheritAccess: inheritAccess, owner: owner, site)
        guard let id, let name, let createdAt, let updatedAt, let effective else { return nil }
        return Package(id: id, name: name, type: type, visibility: effective, versionCount: versionCount,
                       createdAt: createdAt, updatedAt: updatedAt, repository: repository, readers: readers,
                       inheritAccess: inheritAccess, admins: admins, versions: versions, deletedAt: deletedAt,
                       dockerMigrationConflict: dockerMigrationConflict)
    }

    /// The rules that depend on the registry's permission model under the profile (SPEC §2, §10).
    private mutating func effectiveVisibility(
        type: PackageType, given: Visibility?, repository: String?, repositoryIsValid: Bool,
        repositories: RepositoryIndex, package: JSONValue, inheritAccess: Bool, owner: OwnerKind, _ site: Site
    ) -> Visibility? {
        let granular = PackageType.allCases.filter { !$0.isRepositoryScoped(in: profile) }.map(\.rawValue)
        guard type.isRepositoryScoped(in: profile) else {
            // `inherit_access` widens access to the linked repository's collaborators: it needs one.
            if inheritAccess, repository == nil, repositoryIsValid {
                fail(site.key("inherit_access"), "inherit_access needs a linked repository")
            }
            return given ?? .public
        }
        let rule = "\(type.rawValue) packages are repository-scoped under profile \(profile.rawValue)"
        var ok = true
        if given == .internal {
            fail(site.key("visibility"), "\"internal\" is only allowed on granular registries "
                 + "(\(granular.joined(separator: ", "))); \(rule)")
            ok = false
        }
        for key in ["readers", "admins"] {
            if case .array(let elements)? = package[key], !elements.isEmpty {
                fail(site.key(key), "not allowed: \(rule), so access is the linked repository's")
                ok = false
            }
        }
        guard let repository else {
            let why = "\(rule) and must link one of the \(owner.noun)'s repositories"
            if package["repository"] == .null {
                fail(site.key("repository"), "must not be null: \(why)")
            } else if repositoryIsValid {
                missing("repository", site, ": \(why)")
            }
            return nil
        }
        guard let isPrivate = repositories.entries[FixtureRules.folded(repository)]?.isPrivate else { return nil }
        let visibility: Visibility = isPrivate ? .private : .public
        if let given, given != .internal, given != visibility {
            fail(site.key("visibility"), "\(JSONValue.quoted(given.rawValue)) contradicts repository "
                 + "\(JSONValue.quoted(repository)), which is \(visibility.rawValue); \(rule), so their "
                 + "visibility is the repository's")
            ok = false
        }
        return ok ? visibility : nil
    }
}
