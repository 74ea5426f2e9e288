import Testing

@testable import PackagesEmulator

/// In-memory fixtures: `tokens.json` and `users/<name>`, checked with `FixtureLoader.validate`.
struct FixtureDocs: Sendable {
    var tokens: [UInt8] = Array(#"{"tokens": []}"#.utf8)
    var users: [(name: String, text: String)] = [FixtureDocs.octocat(), FixtureDocs.hubot]
    var profile = Profile.dotcom

    static let hubot = (name: "hubot.json", text: #"{"login": "hubot", "id": 2}"#)

    /// `users/octocat.json` with `body` appended to `"login": "octocat", "id": 1`.
    static func octocat(_ body: String = "") -> (name: String, text: String) {
        ("octocat.json", #"{"login": "octocat", "id": 1\#(body)}"#)
    }

    /// A package with only the required keys (id 101, npm `p`), plus `extra`.
    static func package(_ extra: String = "", id: Int = 101, name: String = "p", type: String = "npm") -> String {
        #"{"id": \#(id), "name": "\#(name)", "package_type": "\#(type)", "created_at": "2024-01-01T00:00:00Z", "#
            + #""updated_at": "2024-01-02T00:00:00Z"\#(extra)}"#
    }

    static func packages(_ packages: String...) -> String {
        #", "packages": [\#(packages.joined(separator: ", "))]"#
    }

    func validate() -> FixtureLoadResult {
        FixtureLoader.validate(tokens: ("tokens.json", tokens),
                               users: users.map { ($0.name, Array($0.text.utf8)) }, profile: profile)
    }
}

struct FixtureRuleTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let rule: String
        let docs: FixtureDocs
        let errors: [String]
        var testDescription: String { rule }

        init(_ rule: String, tokens: String? = nil, tokenBytes: [UInt8]? = nil,
             users: [(name: String, text: String)]? = nil,
             octocat: String? = nil, profile: Profile = .dotcom, _ errors: [String]) {
            self.rule = rule
            var docs = FixtureDocs()
            if let tokens { docs.tokens = Array(tokens.utf8) }
            if let tokenBytes { docs.tokens = tokenBytes }
            if let users { docs.users = users }
            if let octocat { docs.users[0] = FixtureDocs.octocat(octocat) }
            docs.profile = profile
            self.docs = docs
            self.errors = errors
        }
    }

    static func pkg(_ extra: String = "", id: Int = 101, name: String = "p", type: String = "npm") -> String {
        FixtureDocs.package(extra, id: id, name: name, type: type)
    }

    static func pkgs(_ packages: String...) -> String {
        #", "packages": [\#(packages.joined(separator: ", "))]"#
    }
    static let octo = "users/octocat.json"
    static let types = "npm, maven, rubygems, docker, nuget, container"
    static let userKeys = "login, id, name, type, site_admin, enterprise, repositories, packages, created_at"
    static let loginRule = "1-39 ASCII letters, digits and single hyphens, not starting or ending with a hyphen"
    static let forty = String(repeating: "a", count: 40)
    static let repo = #", "repositories": [{"name": "hello-world", "id": 10}, "#
        + #"{"name": "secret", "id": 11, "private": true}]"#

    static let fileRows: [Row] = [
        Row("invalid JSON, with line and column", octocat: ", x", [
            "\(octo): $: invalid JSON at line 1, column 31 (byte offset 30): expected a string key in an object, "
                + "found 'x'",
        ]),
        Row("invalid UTF-8", tokenBytes: Array(#"{"tokens": [""#.utf8) + [0xC3, 0x28] + Array(#""]}"#.utf8),
            ["tokens.json: $: invalid UTF-8 at line 1, column 14 (byte offset 13)"]),
        Row("control character", tokens: "{\"tokens\": [\"\u{1}\"]}",
            ["tokens.json: $: invalid JSON at line 1, column 14 (byte offset 13): unescaped control character "
                + "U+0001 in a string"]),
        Row("nesting deeper than 64",
            octocat: ", \"name\": " + String(repeating: "[", count: 64) + String(repeating: "]", count: 64), [
            "\(octo): $: invalid JSON at line 1, column 102 (byte offset 101): nesting deeper than 64",
        ]),
        Row("duplicate key", octocat: #", "id": 2"#, [
            #"\#(octo): $.id: duplicate key "id" at line 1, column 31 (byte offset 30)"#,
        ]),
        Row("top level must be an object", tokens: "[]", users: [("octocat.json", "\"octocat\"")], [
            "tokens.json: $: expected an object, got an array",
            #"users/octocat.json: $: expected an object, got string "octocat""#,
        ]),
    ]

    static let tokenRows: [Row] = [
        Row("tokens key required", tokens: "{}", [#"tokens.json: $: missing required key "tokens""#]),
        Row("tokens only key", tokens: #"{"tokens": [], "extra": 1}"#,
            ["tokens.json: $.extra: unknown key; allowed keys are tokens"]),
        Row("tokens is an array", tokens: #"{"tokens": {}}"#,
            ["tokens.json: $.tokens: expected an array, got an object"]),
        Row("token entry is an object", tokens: #"{"tokens": ["ghp_x"]}"#,
            [#"tokens.json: $.tokens[0]: expected an object, got string "ghp_x""#]),
        Row("token required", tokens: #"{"tokens": [{"login": "octocat"}]}"#,
            [#"tokens.json: $.tokens[0]: missing required key "token""#]),
        Row("token not empty", tokens: #"{"tokens": [{"token": "", "login": "octocat"}]}"#,
            ["tokens.json: $.tokens[0].token: must not be empty"]),
        Row("token is a string", tokens: #"{"tokens": [{"token": 5, "login": "octocat"}]}"#,
            ["tokens.json: $.tokens[0].token: expected a string, got number 5"]),
        Row("token unique",
            tokens: #"{"tokens": [{"token": "a", "login": "octocat"}, {"token": "a", "login": "hubot"}]}"#,
            ["tokens.json: $.tokens[1].token: duplicate token (also at $.tokens[0].token)"]),
        Row("login required for classic", tokens: #"{"tokens": [{"token": "ghp_a"}]}"#,
            [#"tokens.json: $.tokens[0]: missing required key "login" (required for classic tokens)"#]),
        Row("login required for fine-grained", tokens: #"{"tokens": [{"token": "github_pat_a"}]}"#,
            [#"tokens.json: $.tokens[0]: missing required key "login" (required for fine-grained tokens)"#]),
        Row("explicit kind decides whether login is required",
            tokens: #"{"tokens": [{"token": "ghs_a", "kind": "classic"}]}"#,
            [#"tokens.json: $.tokens[0]: missing required key "login" (required for classic tokens)"#]),
        Row("login must name a user", tokens: #"{"tokens": [{"token": "ghp_a", "login": "nobody"}]}"#,
            [#"tokens.json: $.tokens[0].login: "nobody" is not the login of any user"#]),
        Row("app token login must name a user too", tokens: #"{"tokens": [{"token": "ghs_a", "login": "nobody"}]}"#,
            [#"tokens.json: $.tokens[0].login: "nobody" is not the login of any user"#]),
        Row("scopes is an array of strings",
            tokens: #"{"tokens": [{"token": "a", "login": "hubot", "scopes": "repo"}, "#
                + #"{"token": "b", "login": "hubot", "scopes": [1]}]}"#, [
                #"tokens.json: $.tokens[0].scopes: expected an array, got string "repo""#,
                "tokens.json: $.tokens[1].scopes[0]: expected a string, got number 1",
            ]),
        Row("kind is one of three", tokens: #"{"tokens": [{"token": "a", "login": "hubot", "kind": "bot"}]}"#,
            [#"tokens.json: $.tokens[0].kind: "bot" is not one of classic, fine-grained, app"#]),
        Row("token keys only", tokens: #"{"tokens": [{"token": "a", "login": "hubot", "note": "x"}]}"#,
            ["tokens.json: $.tokens[0].note: unknown key; allowed keys are token, login, scopes, kind, repository"]),
    ]

    static let userRows: [Row] = [
        Row("login and id required", users: [("octocat.json", "{}")], [
            #"\#(octo): $: missing required key "login""#, #"\#(octo): $: missing required key "id""#,
        ]),
        Row("login starting with a hyphen", users: [("octocat.json", #"{"login": "-octocat", "id": 1}"#)],
            [#"\#(octo): $.login: "-octocat" is not a valid GitHub login (\#(loginRule))"#]),
        Row("login with a double hyphen", users: [("octo--cat.json", #"{"login": "octo--cat", "id": 1}"#)],
            [#"users/octo--cat.json: $.login: "octo--cat" is not a valid GitHub login (\#(loginRule))"#]),
        Row("login of 40 characters", users: [("a.json", #"{"login": "\#(forty)", "id": 1}"#)],
            [#"users/a.json: $.login: "\#(forty)" is not a valid GitHub login (\#(loginRule))"#]),
        Row("login of another type", users: [("octocat.json", #"{"login": 7, "id": 1}"#)],
            ["\(octo): $.login: expected a string, got number 7"]),
        Row("file name must be the login", users: [("hubot.json", #"{"login": "octocat", "id": 1}"#)], [
            #"users/hubot.json: $.login: login "octocat" does not match the file name "hubot.json"; "#
                + "a user file is named <login>.json (compared case-insensitively)",
        ]),
        Row("file name compared case-insensitively", users: [("OctoCat.json", #"{"login": "octocat", "id": 1}"#)], []),
        Row("duplicate logins, case-insensitive",
            users: [("OctoCat.json", #"{"login": "OctoCat", "id": 1}"#),
                    ("octocat.json", #"{"login": "octocat", "id": 2}"#)],
            [#"\#(octo): $.login: duplicate login "octocat", logins are case-insensitive "#
                + "(also at users/OctoCat.json: $.login)"]),
        Row("id is a string", users: [("octocat.json", #"{"login": "octocat", "id": "1"}"#)],
            [#"\#(octo): $.id: expected a positive integer, got string "1""#]),
        Row("id is a float", users: [("octocat.json", #"{"login": "octocat", "id": 1.0}"#)],
            ["\(octo): $.id: expected a positive integer, got number 1.0"]),
        Row("id with an exponent", users: [("octocat.json", #"{"login": "octocat", "id": 1e2}"#)],
            ["\(octo): $.id: expected a positive integer, got number 1e2"]),
        Row("id is negative", users: [("octocat.json", #"{"login": "octocat", "id": -1}"#)],
            ["\(octo): $.id: expected a positive integer, got -1"]),
        Row("id is zero", users: [("octocat.json", #"{"login": "octocat", "id": 0}"#)],
            ["\(octo): $.id: expected a positive integer, got 0"]),
        Row("id is a boolean", users: [("octocat.json", #"{"login": "octocat", "id": true}"#)],
            ["\(octo): $.id: expected a positive integer, got boolean true"]),
        Row("id beyond Int64", users: [("octocat.json", #"{"login": "octocat", "id": 9223372036854775808}"#)],
            ["\(octo): $.id: integer 9223372036854775808 is out of range (at most 9223372036854775807)"]),
        Row("user ids unique", users: [FixtureDocs.octocat(), ("hubot.json", #"{"login": "hubot", "id": 1}"#)],
            ["users/octocat.json: $.id: duplicate user id 1 (also at users/hubot.json: $.id)"]),
        Row("name is a string or null", octocat: #", "name": 5"#,
            ["\(octo): $.name: expected a string or null, got number 5"]),
        Row("type is User or Organization", octocat: #", "type": "Robot""#,
            [#"\#(octo): $.type: "Robot" is not one of User, Organization"#]),
        Row("site_admin is a boolean", octocat: #", "site_admin": "false""#,
            [#"\#(octo): $.site_admin: expected a boolean, got string "false""#]),
        Row("enterprise not empty", octocat: #", "enterprise": """#,
            ["\(octo): $.enterprise: must not be empty (use null for no enterprise)"]),
        Row("user keys only", octocat: #", "email": null"#,
            ["\(octo): $.email: unknown key; allowed keys are \(userKeys)"]),
        Row("repositories is an array", octocat: #", "repositories": {}"#,
            ["\(octo): $.repositories: expected an array, got an object"]),
    ]

    @Test(arguments: fileRows + tokenRows + userRows)
    func reportsEachRule(_ row: Row) {
        let result = row.docs.validate()
        #expect(result.errors.map(\.description) == row.errors)
        #expect((result.fixtures == nil) == !row.errors.isEmpty)
    }
}
