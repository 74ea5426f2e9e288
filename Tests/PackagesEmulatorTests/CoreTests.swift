import Testing

@testable import PackagesEmulator

/// The pure pieces of the core, one table per rule of SPEC §3, §7, §9 and §12.
struct QueryTests {
    @Test(arguments: [
        // (query, name, expected value)
        ("package_type=npm", "package_type", "npm"),
        ("package_type=npm&package_type=maven", "package_type", "maven"),  // last wins
        ("Package_Type=npm", "package_type", nil),  // names are case-sensitive
        ("package_type=%6Epm", "package_type", "npm"),  // decoded once
        ("package_type=n%2525", "package_type", "n%25"),  // and only once
        ("q=a+b", "q", "a b"),  // form encoding, as Rack decodes it
        ("flag", "flag", ""),
        ("&&package_type=npm&&", "package_type", "npm"),
        ("per_page=", "per_page", ""),
    ] as [(String, String, String?)])
    func parsesValues(query: String, name: String, expected: String?) throws {
        let parsed = try Query.parse(Substring(query)).get()
        #expect(parsed[name] == expected)
    }

    @Test(arguments: [
        ("a=%zz", PercentDecoding.Failure.invalidEscape("%zz")),
        ("a=%", .invalidEscape("%")),
        ("a=%4", .invalidEscape("%4")),
        ("a=%00", .nul),
        // A raw NUL never passes the HTTP parser, but the core refuses it on its own too.
        ("a=x\u{0}y", .nul),
        ("a=%C0%AF", .notUTF8),
        ("%zz=1", .invalidEscape("%zz")),
    ])
    func rejectsBadEncoding(query: String, failure: PercentDecoding.Failure) {
        #expect(throws: failure) { try Query.parse(Substring(query)).get() }
    }

    @Test(arguments: [
        // Link query: parameters in first-seen order, each once with its effective (last) raw text,
        // page set in place or appended.
        ("package_type=npm", "package_type=npm&page=2"),
        ("page=1&package_type=npm", "page=2&package_type=npm"),
        ("per_page=2&package_type=npm&per_page=3", "per_page=3&package_type=npm&page=2"),
        ("package_type=%6Epm&x=1", "package_type=%6Epm&x=1&page=2"),  // encoding kept as sent
        ("per_page=500&page=abc", "per_page=500&page=2"),  // out-of-range values kept
    ])
    func linkQuery(query: String, expected: String) throws {
        #expect(try Query.parse(Substring(query)).get().linkQuery(page: 2) == expected)
    }

    @Test(arguments: [
        ("2", 2), ("007", 7), ("+2", nil), (" 2", nil), ("1e2", nil), ("0x10", nil), ("5.5", nil), ("-1", nil),
        ("٣", nil), ("", nil), ("99999999999999999999999", Int64.max),
    ] as [(String, Int64?)])
    func numbers(text: String, expected: Int64?) {
        #expect(QueryNumber.parse(text) == expected)
    }
}

struct PaginationTests {
    @Test(arguments: [
        // (page, per_page) as sent → normalised (page, per_page)
        (nil, nil, 1, 30), ("2", "50", 2, 50), ("0", "0", 1, 30), ("-1", "-5", 1, 30), ("x", "y", 1, 30),
        ("1", "101", 1, 100), ("1", "100", 1, 100), ("3", "1", 3, 1),
    ] as [(String?, String?, Int64, Int64)])
    func normalises(page: String?, perPage: String?, expectedPage: Int64, expectedPerPage: Int64) {
        let pagination = Pagination(page: page, perPage: perPage)
        #expect(pagination.page == expectedPage)
        #expect(pagination.perPage == expectedPerPage)
    }

    @Test(arguments: [
        (100, 100, false), (101, 100, true), (10_000, 1, false), (10_001, 1, true), (Int64.max, 100, true),
    ] as [(Int64, Int64, Bool)])
    func depthLimit(page: Int64, perPage: Int64, tooDeep: Bool) {
        #expect(Pagination(page: page, perPage: perPage).isTooDeep == tooDeep)
    }

    @Test(arguments: [
        // (page, per_page, total) → relations in GitHub's order
        (1, 2, 2, ""),
        (1, 2, 0, ""),
        (1, 2, 5, "next=2 last=3"),
        (2, 2, 5, "prev=1 next=3 last=3 first=1"),
        (3, 2, 5, "prev=2 first=1"),
        (7, 2, 5, "prev=6 first=1"),  // past the end
        (2, 30, 0, "prev=1 first=1"),
    ] as [(Int64, Int64, Int, String)])
    func linkRelations(page: Int64, perPage: Int64, total: Int, expected: String) {
        let link = Pagination(page: page, perPage: perPage).link(total: total, before: "p", after: "")
        let relations = (link ?? "").split(separator: ", ").map { part -> String in
            let url = part.dropFirst().prefix { $0 != ">" }.dropFirst()
            let rel = part.split(separator: "\"")[1]
            return "\(rel)=\(url)"
        }
        #expect(relations.joined(separator: " ") == expected)
        #expect((link == nil) == expected.isEmpty)
    }

    @Test func linkFormat() {
        let link = Pagination(page: 2, perPage: 1).link(total: 3, before: "http://h/x?page=", after: "&x=1")
        #expect(link == "<http://h/x?page=1&x=1>; rel=\"prev\", <http://h/x?page=3&x=1>; rel=\"next\", "
            + "<http://h/x?page=3&x=1>; rel=\"last\", <http://h/x?page=1&x=1>; rel=\"first\"")
    }

    @Test func slices() {
        let positions: [Int32] = [0, 1, 2, 3, 4]
        #expect(Array(Pagination(page: 2, perPage: 2).slice(positions)) == [2, 3])
        #expect(Array(Pagination(page: 3, perPage: 2).slice(positions)) == [4])
        #expect(Array(Pagination(page: 4, perPage: 2).slice(positions)) == [])
    }
}

struct CredentialsTests {
    static func basic(_ text: String) -> String {
        "Basic " + PackageRenderer.nodeID(text)  // base64
    }

    @Test(arguments: [
        ([], Credentials.none),
        (["token ghp_abc"], .token("ghp_abc")),
        (["Bearer ghp_abc"], .token("ghp_abc")),
        (["TOKEN ghp_abc"], .token("ghp_abc")),  // scheme is case-insensitive
        (["bearer   ghp_abc  "], .token("ghp_abc")),
        ([basic("ghp_abc:x-oauth-basic")], .basic(user: "ghp_abc", password: "x-oauth-basic")),
        ([basic("octocat:ghp_abc")], .basic(user: "octocat", password: "ghp_abc")),
        (["Basic !!!"], .malformed),
        ([basic("no-colon")], .malformed),
        (["ghp_abc"], .malformed),
        (["token"], .malformed),
        (["token a b"], .malformed),
        (["Digest abc"], .malformed),
        (["token a", "token a"], .malformed),  // two headers: ambiguous
    ] as [([String], Credentials)])
    func parses(values: [String], expected: Credentials) {
        #expect(Credentials(headerValues: values) == expected)
    }

    @Test(arguments: [
        ("ghp_x", TokenKind.classic), ("gho_x", .classic), ("anything", .classic),
        ("github_pat_x", .fineGrained), ("ghs_x", .app), ("ghu_x", .app),
    ])
    func kindFromPrefix(token: String, kind: TokenKind) {
        #expect(TokenKind(prefixOf: token) == kind)
    }
}

struct RulesTests {
    @Test(arguments: [
        ("octocat", true), ("a", true), ("a-b-c", true), (String(repeating: "a", count: 39), true),
        (String(repeating: "a", count: 40), false), ("", false), ("-a", false), ("a-", false), ("a--b", false),
        ("a_b", false), ("a/b", false), ("ö", false), ("a.b", false),
    ])
    func logins(login: String, valid: Bool) {
        #expect(FixtureRules.isValidLogin(login) == valid)
    }

    @Test(arguments: [
        (PackageType.container, Profile.dotcom, false), (.npm, .dotcom, false), (.nuget, .dotcom, false),
        (.rubygems, .dotcom, false), (.maven, .dotcom, true), (.docker, .dotcom, true),
        (.container, .ghes, false), (.npm, .ghes, true), (.nuget, .ghes, true), (.rubygems, .ghes, true),
        (.maven, .ghes, true), (.docker, .ghes, true),
    ])
    func permissionModels(type: PackageType, profile: Profile, repositoryScoped: Bool) {
        #expect(type.isRepositoryScoped(in: profile) == repositoryScoped)
    }

    @Test(arguments: [
        (["read:packages"], true), (["write:packages"], true), (["repo", "write:packages"], true),
        (["repo"], false), ([], false), (["delete:packages"], false), (["read:packages:extra"], false),
    ])
    func readScope(scopes: [String], canRead: Bool) {
        #expect(Scopes.canReadPackages(scopes) == canRead)
    }

    @Test func nodeIDs() {
        #expect(PackageRenderer.nodeID("04:User583231") == "MDQ6VXNlcjU4MzIzMQ==")
        #expect(PackageRenderer.nodeID("010:Repository1296269") == "MDEwOlJlcG9zaXRvcnkxMjk2MjY5")
    }

    @Test(arguments: [
        ("hello-world", "hello-world"), ("octo/app", "octo%2Fapp"), ("a b", "a%20b"), ("Octo.Client_1~", "Octo.Client_1~"),
    ])
    func packageNamesInURLs(name: String, segment: String) {
        #expect(PackageRenderer.pathSegment(name) == segment)
    }
}

struct ETagTests {
    @Test func templatesHashTheirContent() {
        func template(_ text: String, hole: Bool = false) -> Template {
            var json = JSONWriter()
            if hole { json.apiString(text) } else { json.string(text) }
            return json.template
        }
        #expect(template("a").hash == template("a").hash)
        #expect(template("a").hash != template("b").hash)
        #expect(template("/a", hole: true).hash != template("/a").hash)
        #expect(ETag.weak(0x1f) == "W/\"000000000000001f\"")
    }

    @Test(arguments: [
        ("W/\"abc\"", true), ("\"abc\"", true), ("*", true), ("\"x\", W/\"abc\"", true), ("\"x\"", false),
        ("W/\"abcd\"", false), ("", false),
    ])
    func weakComparison(header: String, matches: Bool) {
        #expect(ETag.matches(header, etag: "W/\"abc\"") == matches)
    }
}

struct JSONWriterTests {
    @Test func prettyPrintsLikeGitHub() {
        var json = JSONWriter()
        json.beginObject()
        json.key("a")
        json.int(1)
        json.key("b")
        json.beginArray()
        json.string("x\"\\\n\u{01}")
        json.null()
        json.endArray()
        json.key("c")
        json.beginObject()
        json.endObject()
        json.endObject()
        #expect(String(decoding: json.bytes, as: UTF8.self)
            == "{\n  \"a\": 1,\n  \"b\": [\n    \"x\\\"\\\\\\n\\u0001\",\n    null\n  ],\n  \"c\": {}\n}")
    }

    @Test func apiHolesAreFilledPerRequest() {
        var json = JSONWriter()
        json.beginObject()
        json.key("url")
        json.apiString("/users/a")
        json.endObject()
        var out: [UInt8] = []
        json.template.append(to: &out, api: Array("http://h".utf8))
        #expect(String(decoding: out, as: UTF8.self) == "{\n  \"url\": \"http://h/users/a\"\n}")
        #expect(json.template.count(apiCount: 8) == out.count)
    }

    @Test func errorBody() {
        let body = String(decoding: APIError.badCredentials.body, as: UTF8.self)
        #expect(body == "{\n  \"message\": \"Bad credentials\",\n  \"documentation_url\": \"https://docs.github.com/rest\",\n  \"status\": \"401\"\n}")
    }
}

struct RequestTargetTests {
    @Test(arguments: [
        ("/users/a/packages?x=1", "/users/a/packages", "x=1"),
        ("/users/a/packages", "/users/a/packages", ""),
        ("/p?a?b", "/p", "a?b"),
        ("http://host:1/users/a/packages?x=1", "/users/a/packages", "x=1"),
        ("http://host", "", ""),
    ])
    func splits(target: String, path: String, query: String) {
        let split = RequestTarget(target)
        #expect(split.path == path)
        #expect(split.query == query)
    }
}

struct URITextTests {
    @Test(arguments: [
        ("http://h/p?a=1", "http://h/p?a=1"), ("http://h/p?a=<>", "http://h/p?a=%3C%3E"), ("x y", "x%20y"),
        ("é", "%C3%A9"),
    ])
    func sanitizes(text: String, expected: String) {
        #expect(URIText.sanitized(text) == expected)
    }
}
