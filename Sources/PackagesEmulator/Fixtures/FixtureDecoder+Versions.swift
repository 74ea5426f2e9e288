/// A package's declared `versions`, and the data-set-wide check of their ids against generated ones (SPEC §14).
extension FixtureDecoder {
    static let versionKeys = ["id", "name", "tags", "license", "description", "downloads", "created_at",
                              "updated_at", "deleted_at"]

    /// What the active versions of one package already claim: names and tags are unique among them.
    struct ActiveVersions {
        var names: [String: Site] = [:]
        var tags: [String: Site] = [:]
    }

    /// `versions`; `type` is the package's (nil when its `package_type` is itself wrong or missing).
    mutating func decodeVersions(_ value: JSONValue, _ site: Site, type: PackageType?) -> [PackageVersion] {
        guard let elements = array(value, site) else { return [] }
        var active = ActiveVersions()
        return elements.enumerated().compactMap { decodeVersion($1, site.index($0), type: type, active: &active) }
    }

    private mutating func decodeVersion(_ value: JSONValue, _ site: Site, type: PackageType?,
                                        active: inout ActiveVersions) -> PackageVersion? {
        guard let members = object(value, site) else { return nil }
        var id: Int64?, name: String?, tags: [(tag: String, site: Site)] = [], license: String?
        var description: String?, downloads: Int64 = 0, createdAt: String?, updatedAt: String?, deletedAt: String?
        var ok = true
        for member in members {
            let here = site.key(member.key)
            switch member.key {
            case "id":
                id = integer(member.value, here, minimum: 1)
                if let id {
                    claim(id, in: \.versionIDs, here, what: "version")
                    declaredVersions.append((id, here))
                }
            case "name": name = versionName(member.value, here, type: type)
            case "tags":
                guard let found = self.tags(member.value, here, type: type) else { ok = false; break }
                tags = found
            case "license": license = string(member.value, here)
            case "description": description = string(member.value, here)
            case "downloads": downloads = integer(member.value, here, minimum: 0) ?? 0
            case "created_at": createdAt = date(member.value, here)
            case "updated_at": updatedAt = date(member.value, here)
            case "deleted_at": deletedAt = date(member.value, here)
            default:
                unknownKey(member, site, allowed: Self.versionKeys)
                ok = false
            }
        }
        for key in ["id", "name", "created_at", "updated_at"] where value[key] == nil {
            missing(key, site)
        }
        // A deleted version keeps its name and tags; only active ones must differ (SPEC §14, §17).
        if value["deleted_at"] == nil {
            if let name {
                if let first = active.names[name] {
                    fail(site.key("name"), "duplicate version name \(JSONValue.quoted(name)) among the package's "
                         + "active versions (also at \(first.path))")
                    ok = false
                } else {
                    active.names[name] = site.key("name")
                }
            }
            for (tag, tagSite) in tags {
                if let first = active.tags[tag] {
                    fail(tagSite, "duplicate tag \(JSONValue.quoted(tag)) among the package's active versions "
                         + "(also at \(first.path))")
                    ok = false
                } else {
                    active.tags[tag] = tagSite
                }
            }
        }
        guard ok, let id, let name, let createdAt, let updatedAt else { return nil }
        return PackageVersion(id: id, name: name, tags: tags.map(\.tag), license: license, description: description,
                              downloads: downloads, createdAt: createdAt, updatedAt: updatedAt, deletedAt: deletedAt)
    }

    /// A container version is named by its digest; other registries' names go into URLs like package names.
    private mutating func versionName(_ value: JSONValue, _ site: Site, type: PackageType?) -> String? {
        guard let name = string(value, site) else { return nil }
        if type == .container {
            guard FixtureRules.isContainerDigest(name) else {
                fail(site, "\(JSONValue.quoted(name)) is not a valid container version name "
                     + "(\(FixtureRules.containerDigestRule))")
                return nil
            }
        } else if !FixtureRules.isValidPackageName(name) {
            fail(site, "\(JSONValue.quoted(name)) is not a valid version name "
                 + "(not empty, no whitespace or control characters)")
            return nil
        }
        return name
    }

    /// `tags`: non-empty strings, each once per version; only container and docker versions are tagged.
    private mutating func tags(_ value: JSONValue, _ site: Site,
                               type: PackageType?) -> [(tag: String, site: Site)]? {
        if let type, type != .container, type != .docker {
            fail(site, "not allowed on \(type.rawValue) versions: only container and docker versions have tags")
            return nil
        }
        guard let elements = array(value, site) else { return nil }
        var result: [(tag: String, site: Site)] = []
        var seen: [String: Site] = [:]
        var ok = true
        for (index, element) in elements.enumerated() {
            let here = site.index(index)
            guard let tag = string(element, here) else { ok = false; continue }
            if tag.isEmpty {
                fail(here, "must not be empty")
                ok = false
            } else if let first = seen[tag] {
                fail(here, "duplicate tag \(JSONValue.quoted(tag)) (also at \(first.path))")
                ok = false
            } else {
                seen[tag] = here
                result.append((tag, here))
            }
        }
        return ok ? result : nil
    }

    /// Declared version ids must not be ids that packages without `versions` generate (`id × 100000 + n`,
    /// `n` in 1...version_count): checked once every package of the data set is known.
    mutating func checkGeneratedVersionIDs() {
        for (id, site) in declaredVersions {
            let (packageID, number) = id.quotientAndRemainder(dividingBy: 100_000)
            guard number >= 1, let generating = generatingPackages[packageID], number <= generating.count else {
                continue
            }
            fail(site, "version id \(id) is also generated version \(number) of package \(packageID) at "
                 + "\(reference(generating.site, from: site)), which has no \"versions\" and version_count "
                 + "\(generating.count) (generated version ids are package id × 100000 + n)")
        }
    }
}
