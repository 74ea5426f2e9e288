/// Turns parsed fixture documents into a validated `FixtureSet`, collecting every error of SPEC §10 and §14
/// with its file and JSON path. Errors come in processing order: documents in the order given, members
/// in document order, then the checks that need a whole object (missing keys, cross-field rules), and last
/// the checks that need the whole data set (generated version ids).
struct FixtureDecoder {
    /// Where a value is: a file and a JSON path in it.
    struct Site: Sendable, Equatable {
        var file: String
        var path: String

        func key(_ key: String) -> Site { Site(file: file, path: JSONPath.member(path, key)) }
        func index(_ index: Int) -> Site { Site(file: file, path: JSONPath.element(path, index)) }
    }

    /// A parsed user or organisation document and where it came from.
    struct OwnerSource {
        var site: Site
        var value: JSONValue
        /// The file name without `.json`, which must be the login (directory fixtures only).
        var fileStem: String?
    }

    /// What owns a repository or a package; its noun goes into messages ("the user's repositories").
    enum OwnerKind {
        case user, organization

        var noun: String { self == .user ? "user" : "organization" }
    }

    let profile: Profile
    private(set) var errors: [FixtureError] = []
    /// Folded login → canonical login and where the user file that owns it says so. First one wins.
    var knownLogins: [String: (login: String, site: Site)] = [:]
    /// The same for organisations whose login no user has.
    var orgLogins: [String: (login: String, site: Site)] = [:]
    /// Folded `owner/name` → canonical `Owner/name`, for tokens' `repository` (decoded before any owner).
    var ownerRepositories: [String: String] = [:]
    /// User and organisation ids: one id space (SPEC §14).
    var ownerIDs: [Int64: (site: Site, kind: OwnerKind)] = [:]
    var repositoryIDs: [Int64: Site] = [:]
    var packageIDs: [Int64: Site] = [:]
    var versionIDs: [Int64: Site] = [:]
    var tokenValues: [String: Site] = [:]
    /// Every distinct date seen, so equal dates share one buffer.
    var dates: [String: String] = [:]
    /// Declared version ids in document order, checked against generated ones once every package is known.
    var declaredVersions: [(id: Int64, site: Site)] = []
    /// Package id → its generated version count and the package's site, for packages without `versions`.
    var generatingPackages: [Int64: (count: Int64, site: Site)] = [:]

    init(profile: Profile) {
        self.profile = profile
    }

    mutating func fail(_ site: Site, _ message: String) {
        errors.append(FixtureError(file: site.file, path: site.path, message: message))
    }

    /// "also at …": the other site's path, with its file when that differs from `site`'s.
    func reference(_ other: Site, from site: Site) -> String {
        other.file == site.file ? other.path : "\(other.file): \(other.path)"
    }

    /// Learns every owner's login and repositories before anything refers to one (tokens, `readers`,
    /// `collaborators`, `members`). Users come first: a login both have stays the user's.
    mutating func collectLogins(users: [OwnerSource], orgs: [OwnerSource]) {
        for (sources, isOrg) in [(users, false), (orgs, true)] {
            for source in sources {
                guard case .string(let login)? = source.value["login"], FixtureRules.isValidLogin(login) else {
                    continue
                }
                let folded = FixtureRules.folded(login)
                guard knownLogins[folded] == nil, orgLogins[folded] == nil else { continue }
                if isOrg {
                    orgLogins[folded] = (login, source.site.key("login"))
                } else {
                    knownLogins[folded] = (login, source.site.key("login"))
                }
                guard case .array(let repositories)? = source.value["repositories"] else { continue }
                for repository in repositories {
                    guard case .string(let name)? = repository["name"] else { continue }
                    let key = folded + "/" + FixtureRules.folded(name)
                    if ownerRepositories[key] == nil { ownerRepositories[key] = login + "/" + name }
                }
            }
        }
    }

    // MARK: Typed readers. Each reports a wrong type at `site` and returns nil.

    mutating func object(_ value: JSONValue, _ site: Site) -> [JSONMember]? {
        if case .object(let members) = value { return members }
        fail(site, "expected an object, got \(value.summary)")
        return nil
    }

    mutating func array(_ value: JSONValue, _ site: Site) -> [JSONValue]? {
        if case .array(let elements) = value { return elements }
        fail(site, "expected an array, got \(value.summary)")
        return nil
    }

    mutating func string(_ value: JSONValue, _ site: Site) -> String? {
        if case .string(let string) = value { return string }
        fail(site, "expected a string, got \(value.summary)")
        return nil
    }

    /// A string or `null`: `.some(nil)` for null, nil on a wrong type.
    mutating func nullableString(_ value: JSONValue, _ site: Site) -> String?? {
        switch value {
        case .null: return .some(nil)
        case .string(let string): return .some(string)
        default:
            fail(site, "expected a string or null, got \(value.summary)")
            return nil
        }
    }

    mutating func bool(_ value: JSONValue, _ site: Site) -> Bool? {
        if case .bool(let flag) = value { return flag }
        fail(site, "expected a boolean, got \(value.summary)")
        return nil
    }

    /// An integer literal (no fraction, no exponent) within Int64 and at least `minimum` (0 or 1).
    mutating func integer(_ value: JSONValue, _ site: Site, minimum: Int64) -> Int64? {
        let wanted = minimum > 0 ? "a positive integer" : "a non-negative integer"
        guard case .number(let number) = value, number.isInteger else {
            fail(site, "expected \(wanted), got \(value.summary)")
            return nil
        }
        guard let integer = number.int64Value else {
            fail(site, "integer \(number.text) is out of range (at most \(Int64.max))")
            return nil
        }
        guard integer >= minimum else {
            fail(site, "expected \(wanted), got \(number.text)")
            return nil
        }
        return integer
    }

    /// A string naming one of `allowed` (case-sensitive, as GitHub's enums are).
    mutating func oneOf<T: RawRepresentable & CaseIterable>(_ value: JSONValue, _ site: Site, _: T.Type) -> T?
    where T.RawValue == String {
        guard let string = string(value, site) else { return nil }
        if let result = T(rawValue: string) { return result }
        let names = T.allCases.map(\.rawValue).joined(separator: ", ")
        fail(site, "\(JSONValue.quoted(string)) is not one of \(names)")
        return nil
    }

    mutating func date(_ value: JSONValue, _ site: Site) -> String? {
        guard let string = string(value, site) else { return nil }
        if let problem = FixtureRules.dateProblem(string) {
            fail(site, "\(JSONValue.quoted(string)) \(problem)")
            return nil
        }
        // A date is 20 bytes, past Swift's inline strings: data sets repeat few dates, so one copy each.
        if let known = dates[string] { return known }
        dates[string] = string
        return string
    }

    mutating func unknownKey(_ member: JSONMember, _ site: Site, allowed: [String]) {
        fail(site.key(member.key), "unknown key; allowed keys are \(allowed.joined(separator: ", "))")
    }

    mutating func missing(_ key: String, _ site: Site, _ why: String = "") {
        fail(site, "missing required key \(JSONValue.quoted(key))\(why)")
    }

    /// A reference to a user by login (case-insensitive); returns the canonical login.
    mutating func login(_ value: JSONValue, _ site: Site) -> String? {
        guard let login = string(value, site) else { return nil }
        let folded = FixtureRules.folded(login)
        if let known = knownLogins[folded] { return known.login }
        if orgLogins[folded] != nil {
            fail(site, "\(JSONValue.quoted(login)) is the login of an organization, not of a user")
        } else {
            fail(site, "\(JSONValue.quoted(login)) is not the login of any user")
        }
        return nil
    }

    /// An array of login references, each resolved to its canonical login; duplicates are errors.
    mutating func loginList(_ value: JSONValue, _ site: Site) -> [String]? {
        guard let elements = array(value, site) else { return nil }
        var result: [String] = []
        var seen: [String: Site] = [:]
        var ok = true
        for (index, element) in elements.enumerated() {
            let elementSite = site.index(index)
            guard let canonical = login(element, elementSite) else { ok = false; continue }
            if let first = seen[canonical] {
                fail(elementSite, "duplicate login \(JSONValue.quoted(canonical)) (also at \(first.path))")
                ok = false
                continue
            }
            seen[canonical] = elementSite
            result.append(canonical)
        }
        return ok ? result : nil
    }

    /// Records a user's or an organisation's id; the two kinds share one id space (SPEC §14).
    mutating func claimOwnerID(_ id: Int64, _ site: Site, kind: OwnerKind) {
        guard let first = ownerIDs[id] else {
            ownerIDs[id] = (site, kind)
            return
        }
        let also = reference(first.site, from: site)
        if first.kind == kind {
            fail(site, "duplicate \(kind.noun) id \(id) (also at \(also))")
        } else {
            fail(site, "duplicate account id \(id) (also at \(also)); users and organizations share one id space")
        }
    }

    /// Records `id` as used at `site`; a second use anywhere is an error.
    mutating func claim(_ id: Int64, in registry: WritableKeyPath<FixtureDecoder, [Int64: Site]>, _ site: Site,
                        what: String) {
        if let first = self[keyPath: registry][id] {
            fail(site, "duplicate \(what) id \(id) (also at \(reference(first, from: site)))")
        } else {
            self[keyPath: registry][id] = site
        }
    }
}
