/// Turns parsed fixture documents into a validated `FixtureSet`, collecting every error of SPEC §10
/// with its file and JSON path. Errors come in processing order: documents in the order given, members
/// in document order, then the checks that need a whole object (missing keys, cross-field rules).
struct FixtureDecoder {
    /// Where a value is: a file and a JSON path in it.
    struct Site: Sendable, Equatable {
        var file: String
        var path: String

        func key(_ key: String) -> Site { Site(file: file, path: JSONPath.member(path, key)) }
        func index(_ index: Int) -> Site { Site(file: file, path: JSONPath.element(path, index)) }
    }

    /// A parsed user document and where it came from.
    struct UserSource {
        var site: Site
        var value: JSONValue
        /// The file name without `.json`, which must be the login (directory fixtures only).
        var fileStem: String?
    }

    let profile: Profile
    private(set) var errors: [FixtureError] = []
    /// Folded login → canonical login and where the user file that owns it says so. First one wins.
    var knownLogins: [String: (login: String, site: Site)] = [:]
    var userIDs: [Int64: Site] = [:]
    var repositoryIDs: [Int64: Site] = [:]
    var packageIDs: [Int64: Site] = [:]
    var tokenValues: [String: Site] = [:]

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

    /// Learns every user's login before anything refers to one (tokens, `readers`, `collaborators`).
    mutating func collectLogins(_ sources: [UserSource]) {
        for source in sources {
            guard case .string(let login)? = source.value["login"], FixtureRules.isValidLogin(login) else { continue }
            let folded = FixtureRules.folded(login)
            if knownLogins[folded] == nil { knownLogins[folded] = (login, source.site.key("login")) }
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
        if let known = knownLogins[FixtureRules.folded(login)] { return known.login }
        fail(site, "\(JSONValue.quoted(login)) is not the login of any user")
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
