/// Tokens and the whole-document shapes: `tokens.json`, user and organisation files, and one combined
/// data-set document.
extension FixtureDecoder {
    static let tokenKeys = ["token", "login", "scopes", "kind", "repository"]
    static let dataSetKeys = ["tokens", "users", "orgs"]

    /// A `tokens.json` document, user and organisation documents, checked together (cross-file rules need
    /// all of them).
    static func decode(tokens: (site: Site, value: JSONValue)?, users: [OwnerSource], orgs: [OwnerSource] = [],
                       profile: Profile) -> (FixtureSet, [FixtureError]) {
        var decoder = FixtureDecoder(profile: profile)
        decoder.collectLogins(users: users, orgs: orgs)
        var decodedTokens: [Token] = []
        if let tokens {
            decodedTokens = decoder.decodeTokensDocument(tokens.value, tokens.site)
        }
        let decodedUsers = users.compactMap { decoder.decodeUser($0) }
        let decodedOrgs = orgs.compactMap { decoder.decodeOrg($0) }
        decoder.checkGeneratedVersionIDs()
        return (FixtureSet(users: decodedUsers, orgs: decodedOrgs, tokens: decodedTokens), decoder.errors)
    }

    /// `{"tokens": [...], "users": [{user}, ...], "orgs": [{organization}, ...]}` (`orgs` optional);
    /// top-level members are checked in document order.
    static func decodeDataSet(_ value: JSONValue, file: String, profile: Profile) -> (FixtureSet, [FixtureError]) {
        var decoder = FixtureDecoder(profile: profile)
        let site = Site(file: file, path: "$")
        guard let members = decoder.object(value, site) else {
            return (FixtureSet(users: [], tokens: []), decoder.errors)
        }
        func sources(_ key: String) -> [OwnerSource] {
            guard case .array(let elements)? = value[key] else { return [] }
            return elements.enumerated().map { OwnerSource(site: site.key(key).index($0), value: $1, fileStem: nil) }
        }
        let userSources = sources("users"), orgSources = sources("orgs")
        decoder.collectLogins(users: userSources, orgs: orgSources)
        var tokens: [Token] = []
        var users: [User] = []
        var orgs: [Organization] = []
        for member in members {
            switch member.key {
            case "tokens": tokens = decoder.decodeTokenList(member.value, site.key("tokens"))
            case "users":
                guard decoder.array(member.value, site.key("users")) != nil else { break }
                users = userSources.compactMap { decoder.decodeUser($0) }
            case "orgs":
                guard decoder.array(member.value, site.key("orgs")) != nil else { break }
                orgs = orgSources.compactMap { decoder.decodeOrg($0) }
            default: decoder.unknownKey(member, site, allowed: Self.dataSetKeys)
            }
        }
        if value["tokens"] == nil { decoder.missing("tokens", site) }
        if value["users"] == nil { decoder.missing("users", site) }
        decoder.checkGeneratedVersionIDs()
        return (FixtureSet(users: users, orgs: orgs, tokens: tokens), decoder.errors)
    }

    /// `{"tokens": [...]}`.
    mutating func decodeTokensDocument(_ value: JSONValue, _ site: Site) -> [Token] {
        guard let members = object(value, site) else { return [] }
        var tokens: [Token] = []
        for member in members {
            switch member.key {
            case "tokens": tokens = decodeTokenList(member.value, site.key("tokens"))
            default: unknownKey(member, site, allowed: ["tokens"])
            }
        }
        if value["tokens"] == nil { missing("tokens", site) }
        return tokens
    }

    mutating func decodeTokenList(_ value: JSONValue, _ site: Site) -> [Token] {
        guard let elements = array(value, site) else { return [] }
        return elements.enumerated().compactMap { decodeToken($1, site.index($0)) }
    }

    /// A token entry: `token` (required, unique), `login`, `scopes` (default []), `kind` (default: prefix),
    /// `repository` (app tokens only).
    mutating func decodeToken(_ value: JSONValue, _ site: Site) -> Token? {
        guard let members = object(value, site) else { return nil }
        var token: String?, login: String?, scopes: [String] = [], kind: TokenKind?, repository: String?
        var ok = true
        for member in members {
            let here = site.key(member.key)
            switch member.key {
            case "token":
                guard let value = string(member.value, here) else { ok = false; break }
                if value.isEmpty {
                    fail(here, "must not be empty")
                    ok = false
                } else if let first = tokenValues[value] {
                    fail(here, "duplicate token (also at \(reference(first, from: here)))")
                    ok = false
                } else {
                    tokenValues[value] = here
                }
                token = value
            case "login":
                login = self.login(member.value, here)
                if login == nil { ok = false }
            case "scopes":
                guard let elements = array(member.value, here) else { ok = false; break }
                for (index, element) in elements.enumerated() {
                    if let scope = string(element, here.index(index)) { scopes.append(scope) } else { ok = false }
                }
            case "kind":
                kind = oneOf(member.value, here, TokenKind.self)
                if kind == nil { ok = false }
            case "repository":
                repository = tokenRepository(member.value, here)
                if repository == nil { ok = false }
            default:
                unknownKey(member, site, allowed: Self.tokenKeys)
                ok = false
            }
        }
        guard let token else {
            if value["token"] == nil { missing("token", site) }
            return nil
        }
        let effectiveKind = kind ?? TokenKind(prefixOf: token)
        if value["login"] == nil, effectiveKind != .app, value["kind"] == nil || kind != nil {
            missing("login", site, " (required for \(effectiveKind.rawValue) tokens)")
            ok = false
        }
        // Only an app installation acts for a workflow's repository (SPEC §14, §15); on a user's token
        // the key would silently mean nothing, so it is refused.
        if value["repository"] != nil, effectiveKind != .app {
            fail(site.key("repository"),
                 "only app tokens have a repository (this is a \(effectiveKind.rawValue) token)")
            ok = false
        }
        return ok ? Token(value: token, login: login, scopes: scopes, kind: effectiveKind, repository: repository)
            : nil
    }

    /// `"OWNER/NAME"` naming a repository of the data set (any casing); returns the canonical `Owner/name`.
    private mutating func tokenRepository(_ value: JSONValue, _ site: Site) -> String? {
        guard let text = string(value, site) else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            fail(site, "\(JSONValue.quoted(text)) is not of the form OWNER/NAME")
            return nil
        }
        if let canonical = ownerRepositories[FixtureRules.folded(text)] { return canonical }
        let owner = FixtureRules.folded(String(parts[0]))
        let why = if let known = knownLogins[owner] ?? orgLogins[owner] {
            "\(JSONValue.quoted(known.login)) has no repository \(JSONValue.quoted(String(parts[1])))"
        } else {
            "\(JSONValue.quoted(String(parts[0]))) is not the login of any user or organization"
        }
        fail(site, "\(JSONValue.quoted(text)) is not a repository of the data set: \(why)")
        return nil
    }
}
