/// Tokens and the whole-document shapes: `tokens.json`, user files, and one combined data-set document.
extension FixtureDecoder {
    static let tokenKeys = ["token", "login", "scopes", "kind"]

    /// A `tokens.json` document and user documents, checked together (cross-file rules need all of them).
    static func decode(tokens: (site: Site, value: JSONValue)?, users: [UserSource],
                       profile: Profile) -> (FixtureSet, [FixtureError]) {
        var decoder = FixtureDecoder(profile: profile)
        decoder.collectLogins(users)
        var decodedTokens: [Token] = []
        if let tokens {
            decodedTokens = decoder.decodeTokensDocument(tokens.value, tokens.site)
        }
        let decodedUsers = users.compactMap { decoder.decodeUser($0) }
        return (FixtureSet(users: decodedUsers, tokens: decodedTokens), decoder.errors)
    }

    /// `{"tokens": [...], "users": [{user}, ...]}`; top-level members are checked in document order.
    static func decodeDataSet(_ value: JSONValue, file: String, profile: Profile) -> (FixtureSet, [FixtureError]) {
        var decoder = FixtureDecoder(profile: profile)
        let site = Site(file: file, path: "$")
        guard let members = decoder.object(value, site) else {
            return (FixtureSet(users: [], tokens: []), decoder.errors)
        }
        let usersSite = site.key("users")
        var sources: [UserSource] = []
        if case .array(let elements)? = value["users"] {
            sources = elements.enumerated().map { UserSource(site: usersSite.index($0), value: $1, fileStem: nil) }
        }
        decoder.collectLogins(sources)
        var tokens: [Token] = []
        var users: [User] = []
        for member in members {
            switch member.key {
            case "tokens": tokens = decoder.decodeTokenList(member.value, site.key("tokens"))
            case "users":
                guard decoder.array(member.value, usersSite) != nil else { break }
                users = sources.compactMap { decoder.decodeUser($0) }
            default: decoder.unknownKey(member, site, allowed: ["tokens", "users"])
            }
        }
        if value["tokens"] == nil { decoder.missing("tokens", site) }
        if value["users"] == nil { decoder.missing("users", site) }
        return (FixtureSet(users: users, tokens: tokens), decoder.errors)
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

    /// A token entry: `token` (required, unique), `login`, `scopes` (default []), `kind` (default: prefix).
    mutating func decodeToken(_ value: JSONValue, _ site: Site) -> Token? {
        guard let members = object(value, site) else { return nil }
        var token: String?, login: String?, scopes: [String] = [], kind: TokenKind?
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
        return ok ? Token(value: token, login: login, scopes: scopes, kind: effectiveKind) : nil
    }
}
