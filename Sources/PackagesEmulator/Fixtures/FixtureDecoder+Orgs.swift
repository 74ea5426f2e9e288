/// Organisation files: the organisation, its members, repositories and packages (SPEC §14).
extension FixtureDecoder {
    static let orgKeys = ["login", "id", "name", "enterprise", "members", "repositories", "packages", "created_at"]
    static let memberKeys = ["login", "role"]

    mutating func decodeOrg(_ source: OwnerSource) -> Organization? {
        let site = source.site
        guard let members = object(source.value, site) else { return nil }
        let repositoryIndex = RepositoryIndex(source.value["repositories"])
        var login: String?, id: Int64?, name: String?, enterprise: String?, createdAt: String?
        var people: [Organization.Member] = [], repositories: [Repository] = [], packages: [Package] = []
        for member in members {
            let here = site.key(member.key)
            switch member.key {
            case "login": login = ownerLogin(member.value, here, fileStem: source.fileStem, kind: .organization)
            case "id":
                id = integer(member.value, here, minimum: 1)
                if let id { claimOwnerID(id, here, kind: .organization) }
            case "name": name = nullableString(member.value, here) ?? nil
            case "enterprise": enterprise = self.enterprise(member.value, here)
            case "members": people = decodeMembers(member.value, here)
            case "repositories": repositories = decodeRepositories(member.value, here)
            case "packages":
                packages = decodePackages(member.value, here, owner: .organization, repositories: repositoryIndex)
            case "created_at": createdAt = date(member.value, here)
            default: unknownKey(member, site, allowed: Self.orgKeys)
            }
        }
        if source.value["login"] == nil { missing("login", site) }
        if source.value["id"] == nil { missing("id", site) }
        guard let login, let id else { return nil }
        return Organization(login: login, id: id, name: name, enterprise: enterprise, members: people,
                            repositories: repositories, packages: packages, createdAt: createdAt)
    }

    /// `members`: `{"login": USER, "role": "admin"|"member"}`, each user at most once.
    private mutating func decodeMembers(_ value: JSONValue, _ site: Site) -> [Organization.Member] {
        guard let elements = array(value, site) else { return [] }
        var result: [Organization.Member] = []
        var seen: [String: Site] = [:]
        for (index, element) in elements.enumerated() {
            let elementSite = site.index(index)
            guard let members = object(element, elementSite) else { continue }
            var login: String?, role = Organization.Role.member
            for member in members {
                let here = elementSite.key(member.key)
                switch member.key {
                case "login":
                    login = self.login(member.value, here)
                    guard let canonical = login else { break }
                    if let first = seen[canonical] {
                        fail(here, "duplicate member \(JSONValue.quoted(canonical)) (also at \(first.path))")
                        login = nil
                    } else {
                        seen[canonical] = here
                    }
                case "role": role = oneOf(member.value, here, Organization.Role.self) ?? .member
                default: unknownKey(member, elementSite, allowed: Self.memberKeys)
                }
            }
            if element["login"] == nil { missing("login", elementSite) }
            if let login { result.append(Organization.Member(login: login, role: role)) }
        }
        return result
    }
}
