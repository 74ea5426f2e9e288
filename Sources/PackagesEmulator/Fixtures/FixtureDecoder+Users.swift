/// User files: the user, its repositories and its packages (SPEC §10, §14).
extension FixtureDecoder {
    static let userKeys = ["login", "id", "name", "type", "site_admin", "enterprise", "repositories", "packages",
                           "created_at"]
    static let repositoryKeys = ["name", "id", "private", "description", "collaborators"]
    /// `type` of a simple-user on this endpoint. Bots' logins (`name[bot]`) fail the login rule anyway.
    static let userTypes = ["User", "Organization"]

    /// What a package may learn about its owner's repositories before they are decoded in document order.
    struct RepositoryIndex {
        /// Folded name → canonical name and `private` (nil when that value is itself wrong).
        var entries: [String: (name: String, isPrivate: Bool?)] = [:]
        var names: [String] = []

        init(_ value: JSONValue?) {
            guard case .array(let repositories)? = value else { return }
            for repository in repositories {
                guard case .string(let name)? = repository["name"] else { continue }
                let folded = FixtureRules.folded(name)
                guard entries[folded] == nil else { continue }
                var isPrivate: Bool? = false
                if let flag = repository["private"] {
                    if case .bool(let value) = flag { isPrivate = value } else { isPrivate = nil }
                }
                entries[folded] = (name, isPrivate)
                names.append(name)
            }
        }
    }

    mutating func decodeUser(_ source: OwnerSource) -> User? {
        let site = source.site
        guard let members = object(source.value, site) else { return nil }
        let repositoryIndex = RepositoryIndex(source.value["repositories"])
        var login: String?, id: Int64?, name: String?, type = "User", siteAdmin = false, enterprise: String?
        var repositories: [Repository] = [], packages: [Package] = [], createdAt: String?
        for member in members {
            let here = site.key(member.key)
            switch member.key {
            case "login": login = ownerLogin(member.value, here, fileStem: source.fileStem, kind: .user)
            case "id":
                id = integer(member.value, here, minimum: 1)
                if let id { claimOwnerID(id, here, kind: .user) }
            case "name": name = nullableString(member.value, here) ?? nil
            case "type":
                guard let value = string(member.value, here) else { break }
                if Self.userTypes.contains(value) {
                    type = value
                } else {
                    fail(here, "\(JSONValue.quoted(value)) is not one of \(Self.userTypes.joined(separator: ", "))")
                }
            case "site_admin": siteAdmin = bool(member.value, here) ?? false
            case "enterprise": enterprise = self.enterprise(member.value, here)
            case "repositories": repositories = decodeRepositories(member.value, here)
            case "packages": packages = decodePackages(member.value, here, owner: .user, repositories: repositoryIndex)
            case "created_at": createdAt = date(member.value, here)
            default: unknownKey(member, site, allowed: Self.userKeys)
            }
        }
        if source.value["login"] == nil { missing("login", site) }
        if source.value["id"] == nil { missing("id", site) }
        guard let login, let id else { return nil }
        return User(login: login, id: id, name: name, type: type, siteAdmin: siteAdmin, enterprise: enterprise,
                    repositories: repositories, packages: packages, createdAt: createdAt)
    }

    /// An owner's own login: valid, not taken by an earlier user or organisation, and matching the file name.
    mutating func ownerLogin(_ value: JSONValue, _ site: Site, fileStem: String?, kind: OwnerKind) -> String? {
        guard let login = string(value, site) else { return nil }
        guard FixtureRules.isValidLogin(login) else {
            fail(site, "\(JSONValue.quoted(login)) is not a valid GitHub login (\(FixtureRules.loginRule))")
            return nil
        }
        let folded = FixtureRules.folded(login)
        if let first = knownLogins[folded] ?? orgLogins[folded], first.site != site {
            fail(site, "duplicate login \(JSONValue.quoted(login)), logins are case-insensitive "
                 + "(also at \(reference(first.site, from: site)))")
        }
        if let fileStem, FixtureRules.folded(fileStem) != folded {
            let file = kind == .user ? "a user file" : "an organization file"
            fail(site, "login \(JSONValue.quoted(login)) does not match the file name "
                 + "\(JSONValue.quoted(fileStem + ".json")); \(file) is named <login>.json "
                 + "(compared case-insensitively)")
        }
        return login
    }

    /// `enterprise`: a non-empty string or null.
    mutating func enterprise(_ value: JSONValue, _ site: Site) -> String? {
        guard let value = nullableString(value, site) else { return nil }
        if value == "" { fail(site, "must not be empty (use null for no enterprise)") }
        return value
    }

    mutating func decodeRepositories(_ value: JSONValue, _ site: Site) -> [Repository] {
        var seen: [String: Site] = [:]
        return (array(value, site) ?? []).enumerated().compactMap {
            decodeRepository($1, site.index($0), seen: &seen)
        }
    }

    mutating func decodePackages(_ value: JSONValue, _ site: Site, owner: OwnerKind,
                                 repositories: RepositoryIndex) -> [Package] {
        var names: [String: Site] = [:]
        return (array(value, site) ?? []).enumerated().compactMap {
            decodePackage($1, site.index($0), owner: owner, repositories: repositories, names: &names)
        }
    }

    private mutating func decodeRepository(_ value: JSONValue, _ site: Site,
                                           seen: inout [String: Site]) -> Repository? {
        guard let members = object(value, site) else { return nil }
        var name: String?, id: Int64?, isPrivate = false, description: String?, collaborators: [String] = []
        for member in members {
            let here = site.key(member.key)
            switch member.key {
            case "name":
                guard let value = string(member.value, here) else { break }
                guard FixtureRules.isValidRepositoryName(value) else {
                    fail(here, "\(JSONValue.quoted(value)) is not a valid repository name "
                         + "(\(FixtureRules.repositoryNameRule))")
                    break
                }
                let folded = FixtureRules.folded(value)
                if let first = seen[folded] {
                    fail(here, "duplicate repository name \(JSONValue.quoted(value)), names are case-insensitive "
                         + "(also at \(first.path))")
                } else {
                    seen[folded] = here
                }
                name = value
            case "id":
                id = integer(member.value, here, minimum: 1)
                if let id { claim(id, in: \.repositoryIDs, here, what: "repository") }
            case "private": isPrivate = bool(member.value, here) ?? false
            case "description": description = nullableString(member.value, here) ?? nil
            case "collaborators": collaborators = loginList(member.value, here) ?? []
            default: unknownKey(member, site, allowed: Self.repositoryKeys)
            }
        }
        if value["name"] == nil { missing("name", site) }
        if value["id"] == nil { missing("id", site) }
        guard let name, let id else { return nil }
        return Repository(name: name, id: id, isPrivate: isPrivate, description: description,
                          collaborators: collaborators)
    }
}
