import Foundation
import Testing

@testable import PackagesEmulator

/// In-memory fixtures with organisations: `tokens.json`, `users/<name>` and `orgs/<name>` (SPEC §14).
struct OrgDocs: Sendable {
    var tokens = #"{"tokens": []}"#
    var users: [(name: String, text: String)] = [
        ("octocat.json", #"{"login": "octocat", "id": 1}"#), ("hubot.json", #"{"login": "hubot", "id": 2}"#),
    ]
    var orgs: [(name: String, text: String)] = [OrgDocs.org()]
    var profile = Profile.dotcom

    /// `orgs/octo-org.json` with `body` appended to `"login": "octo-org", "id": 9919`.
    static func org(_ body: String = "", login: String = "octo-org", id: Int = 9919) -> (name: String, text: String) {
        ("\(login).json", #"{"login": "\#(login)", "id": \#(id)\#(body)}"#)
    }

    func validate() -> FixtureLoadResult {
        FixtureLoader.validate(tokens: ("tokens.json", Array(tokens.utf8)),
                               users: users.map { ($0.name, Array($0.text.utf8)) },
                               orgs: orgs.map { ($0.name, Array($0.text.utf8)) }, profile: profile)
    }
}

struct FixtureOrgTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let rule: String
        let docs: OrgDocs
        let errors: [String]
        var testDescription: String { rule }

        init(_ rule: String, tokens: String? = nil, users: [(name: String, text: String)]? = nil,
             orgs: [(name: String, text: String)]? = nil, org: String? = nil, profile: Profile = .dotcom,
             _ errors: [String]) {
            self.rule = rule
            var docs = OrgDocs()
            if let tokens { docs.tokens = tokens }
            if let users { docs.users = users }
            if let orgs { docs.orgs = orgs }
            if let org { docs.orgs = [OrgDocs.org(org)] }
            docs.profile = profile
            self.docs = docs
            self.errors = errors
        }
    }

    static let file = "orgs/octo-org.json"
    static let orgKeys = "login, id, name, enterprise, members, repositories, packages, created_at"
    static let repo = #", "repositories": [{"name": "octo-repo", "id": 10, "private": true}]"#
    static let octocat = ("octocat.json", #"{"login": "octocat", "id": 1}"#)

    static func tokens(_ entries: String...) -> String { #"{"tokens": [\#(entries.joined(separator: ", "))]}"# }

    static let orgRows: [Row] = [
        Row("org login and id required", orgs: [("octo-org.json", "{}")], [
            #"\#(file): $: missing required key "login""#, #"\#(file): $: missing required key "id""#,
        ]),
        Row("org login syntax", orgs: [("octo-org.json", #"{"login": "octo--org", "id": 5}"#)], [
            #"\#(file): $.login: "octo--org" is not a valid GitHub login (\#(FixtureRuleTests.loginRule))"#,
        ]),
        Row("org file name must be the login", orgs: [("other.json", #"{"login": "octo-org", "id": 5}"#)], [
            #"orgs/other.json: $.login: login "octo-org" does not match the file name "other.json"; "#
                + "an organization file is named <login>.json (compared case-insensitively)",
        ]),
        Row("org file name compared case-insensitively", orgs: [("Octo-Org.json", #"{"login": "octo-org", "id": 5}"#)],
            []),
        Row("org login taken by a user, case-insensitive", orgs: [OrgDocs.org(login: "OctoCat")], [
            #"orgs/OctoCat.json: $.login: duplicate login "OctoCat", logins are case-insensitive "#
                + "(also at users/octocat.json: $.login)",
        ]),
        Row("org logins unique", orgs: [OrgDocs.org(login: "Octo-Org", id: 5), OrgDocs.org()], [
            #"\#(file): $.login: duplicate login "octo-org", logins are case-insensitive "#
                + "(also at orgs/Octo-Org.json: $.login)",
        ]),
        Row("org id shares the user id space", orgs: [OrgDocs.org(id: 1)], [
            "\(file): $.id: duplicate account id 1 (also at users/octocat.json: $.id); users and organizations "
                + "share one id space",
        ]),
        Row("org ids unique", orgs: [OrgDocs.org(id: 5), OrgDocs.org(login: "other", id: 5)], [
            "orgs/other.json: $.id: duplicate organization id 5 (also at orgs/octo-org.json: $.id)",
        ]),
        Row("org id positive", orgs: [OrgDocs.org(id: 0)], ["\(file): $.id: expected a positive integer, got 0"]),
        Row("org name is a string or null", org: #", "name": 5"#,
            ["\(file): $.name: expected a string or null, got number 5"]),
        Row("org enterprise not empty", org: #", "enterprise": """#,
            ["\(file): $.enterprise: must not be empty (use null for no enterprise)"]),
        Row("org created_at is a date", org: #", "created_at": "2024-01-01""#,
            [#"\#(file): $.created_at: "2024-01-01" is not of the form YYYY-MM-DDTHH:MM:SSZ"#]),
        Row("user created_at is a date", users: [("octocat.json", #"{"login": "octocat", "id": 1, "created_at": 1}"#)],
            ["users/octocat.json: $.created_at: expected a string, got number 1"]),
        Row("org keys only", org: #", "type": "Organization""#,
            ["\(file): $.type: unknown key; allowed keys are \(orgKeys)"]),
        Row("members is an array", org: #", "members": {}"#, ["\(file): $.members: expected an array, got an object"]),
        Row("member is an object", org: #", "members": ["hubot"]"#,
            [#"\#(file): $.members[0]: expected an object, got string "hubot""#]),
        Row("member login required", org: #", "members": [{"role": "admin"}]"#,
            [#"\#(file): $.members[0]: missing required key "login""#]),
        Row("member must be a user", org: #", "members": [{"login": "ghost"}]"#,
            [#"\#(file): $.members[0].login: "ghost" is not the login of any user"#]),
        Row("member may not be an organization",
            orgs: [OrgDocs.org(#", "members": [{"login": "Other"}]"#), OrgDocs.org(login: "other", id: 5)],
            [#"\#(file): $.members[0].login: "Other" is the login of an organization, not of a user"#]),
        Row("member logins unique, case-insensitive", org: #", "members": [{"login": "hubot"}, {"login": "HUBOT"}]"#,
            [#"\#(file): $.members[1].login: duplicate member "hubot" (also at $.members[0].login)"#]),
        Row("member role is admin or member", org: #", "members": [{"login": "hubot", "role": "owner"}]"#,
            [#"\#(file): $.members[0].role: "owner" is not one of admin, member"#]),
        Row("member keys only", org: #", "members": [{"login": "hubot", "since": 1}]"#,
            ["\(file): $.members[0].since: unknown key; allowed keys are login, role"]),
        Row("org collaborators must be users, not orgs",
            orgs: [OrgDocs.org(#", "repositories": [{"name": "r", "id": 10, "collaborators": ["octo-org"]}]"#)],
            [#"\#(file): $.repositories[0].collaborators[0]: "octo-org" is the login of an organization, "#
                + "not of a user"]),
        Row("readers must be users, not orgs", org: FixtureRuleTests.pkgs(FixtureRuleTests.pkg(
            #", "visibility": "private", "readers": ["octo-org"]"#)),
            [#"\#(file): $.packages[0].readers[0]: "octo-org" is the login of an organization, not of a user"#]),
        Row("token login must be a user, not an org", tokens: tokens(#"{"token": "ghp_a", "login": "Octo-Org"}"#),
            [#"tokens.json: $.tokens[0].login: "Octo-Org" is the login of an organization, not of a user"#]),
        Row("org package repository must be the org's", org: FixtureRuleTests.pkgs(FixtureRuleTests.pkg(
            #", "repository": "nope""#)),
            [#"\#(file): $.packages[0].repository: "nope" is not one of the organization's repositories "#
                + "(the organization has none)"]),
        Row("org repository-scoped package must link a repository",
            org: FixtureRuleTests.pkgs(FixtureRuleTests.pkg(type: "maven")),
            [#"\#(file): $.packages[0]: missing required key "repository": maven packages are repository-scoped "#
                + "under profile dotcom and must link one of the organization's repositories"]),
        Row("(type, name) unique within an org",
            org: FixtureRuleTests.pkgs(FixtureRuleTests.pkg(), FixtureRuleTests.pkg(id: 102, name: "P")),
            [#"\#(file): $.packages[1].name: duplicate npm package "P" in this organization, names are "#
                + "case-insensitive (also at $.packages[0].name)"]),
        Row("package ids unique across users and orgs",
            users: [FixtureDocs.octocat(FixtureRuleTests.pkgs(FixtureRuleTests.pkg()))],
            org: FixtureRuleTests.pkgs(FixtureRuleTests.pkg()),
            ["\(file): $.packages[0].id: duplicate package id 101 (also at users/octocat.json: $.packages[0].id)"]),
        Row("repository ids unique across users and orgs",
            users: [("octocat.json", #"{"login": "octocat", "id": 1, "repositories": [{"name": "a", "id": 10}]}"#)],
            org: repo, ["\(file): $.repositories[0].id: duplicate repository id 10 (also at users/octocat.json: "
                + "$.repositories[0].id)"]),
        Row("errors ordered tokens, users, orgs by name",
            tokens: tokens(#"{"token": "", "login": "octocat"}"#),
            users: [("octocat.json", #"{"login": "octocat", "id": "1"}"#)],
            orgs: [OrgDocs.org(login: "b-org", id: -1), OrgDocs.org(login: "a-org", id: 0)], [
                "tokens.json: $.tokens[0].token: must not be empty",
                #"users/octocat.json: $.id: expected a positive integer, got string "1""#,
                "orgs/a-org.json: $.id: expected a positive integer, got 0",
                "orgs/b-org.json: $.id: expected a positive integer, got -1",
            ]),
    ]

    static let tokenRows: [Row] = [
        Row("token repository of a user or an org, any casing", tokens: tokens(
            #"{"token": "ghs_a", "repository": "OCTO-ORG/Octo-Repo"}"#,
            #"{"token": "ghs_b", "repository": "octocat/hello"}"#),
            users: [("octocat.json", #"{"login": "octocat", "id": 1, "repositories": [{"name": "hello", "id": 1}]}"#)],
            org: repo, []),
        Row("token repository is OWNER/NAME", tokens: tokens(
            #"{"token": "ghs_a", "repository": "octo-repo"}"#, #"{"token": "ghs_b", "repository": "a/b/c"}"#,
            #"{"token": "ghs_c", "repository": "/octo-repo"}"#), org: repo, [
                #"tokens.json: $.tokens[0].repository: "octo-repo" is not of the form OWNER/NAME"#,
                #"tokens.json: $.tokens[1].repository: "a/b/c" is not of the form OWNER/NAME"#,
                #"tokens.json: $.tokens[2].repository: "/octo-repo" is not of the form OWNER/NAME"#,
            ]),
        Row("token repository of an unknown owner", tokens: tokens(#"{"token": "ghs_a", "repository": "ghost/x"}"#),
            [#"tokens.json: $.tokens[0].repository: "ghost/x" is not a repository of the data set: "ghost" is not "#
                + "the login of any user or organization"]),
        Row("token repository the owner lacks", tokens: tokens(#"{"token": "ghs_a", "repository": "Octo-Org/nope"}"#),
            org: repo, [#"tokens.json: $.tokens[0].repository: "Octo-Org/nope" is not a repository of the data "#
                + #"set: "octo-org" has no repository "nope""#]),
        Row("token repository is a string", tokens: tokens(#"{"token": "ghs_a", "repository": null}"#),
            ["tokens.json: $.tokens[0].repository: expected a string, got null"]),
        Row("token repository only on app tokens", tokens: tokens(
            #"{"token": "ghp_a", "login": "octocat", "repository": "octo-org/octo-repo"}"#,
            #"{"token": "ghs_b", "kind": "fine-grained", "login": "octocat", "repository": "octo-org/octo-repo"}"#,
            #"{"token": "x", "kind": "app", "login": "octocat", "repository": "octo-org/octo-repo"}"#), org: repo, [
                "tokens.json: $.tokens[0].repository: only app tokens have a repository (this is a classic token)",
                "tokens.json: $.tokens[1].repository: only app tokens have a repository (this is a fine-grained "
                    + "token)",
            ]),
    ]

    @Test(arguments: orgRows + tokenRows)
    func reportsEachOrgRule(_ row: Row) {
        let result = row.docs.validate()
        #expect(result.errors.map(\.description) == row.errors)
        #expect((result.fixtures == nil) == !row.errors.isEmpty)
    }

    static let richOrg = #"""
        {"login": "Octo-Org", "id": 9919, "name": "Octo Org", "enterprise": "acme",
         "members": [{"login": "OCTOCAT", "role": "admin"}, {"login": "hubot"}],
         "repositories": [{"name": "octo-repo", "id": 1400001, "private": true, "collaborators": ["Hubot"]}],
         "packages": [{"id": 301, "name": "web", "package_type": "npm", "repository": "OCTO-REPO",
                       "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-06-01T00:00:00Z"}],
         "created_at": "2020-05-05T05:05:05Z"}
        """#

    @Test func decodesAnOrganizationWithDefaultsAndCanonicalNames() {
        var docs = OrgDocs()
        docs.orgs = [("octo-org.json", Self.richOrg)]
        docs.users[0] = ("octocat.json", #"{"login": "octocat", "id": 1, "created_at": "2011-01-25T18:44:36Z"}"#)
        docs.tokens = Self.tokens(#"{"token": "ghs_a", "repository": "octo-org/Octo-Repo"}"#)
        let result = docs.validate()
        #expect(result.errors == [])
        #expect(result.fixtures?.users.first { $0.id == 1 } == User(login: "octocat", id: 1,
                                                                    createdAt: "2011-01-25T18:44:36Z"))
        #expect(result.fixtures?.tokens == [
            Token(value: "ghs_a", login: nil, scopes: [], kind: .app, repository: "Octo-Org/octo-repo"),
        ])
        #expect(result.fixtures?.orgs == [Organization(
            login: "Octo-Org", id: 9919, name: "Octo Org", enterprise: "acme",
            members: [.init(login: "octocat", role: .admin), .init(login: "hubot", role: .member)],
            repositories: [Repository(name: "octo-repo", id: 1400001, isPrivate: true, collaborators: ["hubot"])],
            packages: [Package(id: 301, name: "web", type: .npm,
                               createdAt: "2024-01-01T00:00:00Z", updatedAt: "2024-06-01T00:00:00Z",
                               repository: "octo-repo")],
            createdAt: "2020-05-05T05:05:05Z")])
    }

    static func document(_ rest: String) -> [UInt8] {
        Array(#"{"tokens": [], "users": [{"login": "octocat", "id": 1}]\#(rest)}"#.utf8)
    }

    @Test func dataSetDocumentTakesOrgs() {
        let valid = FixtureLoader.validate(
            document: Self.document(#", "orgs": [{"login": "octo-org", "id": 5, "members": [{"login": "octocat"}]}]"#),
            name: "request body", profile: .dotcom)
        #expect(valid.errors == [])
        #expect(valid.fixtures?.orgs == [Organization(login: "octo-org", id: 5, members: [.init(login: "octocat")])])
        #expect(FixtureLoader.validate(document: Self.document(""), name: "b", profile: .dotcom).fixtures?.orgs == [])
    }

    @Test(arguments: [
        (#", "orgs": {}"#, ["request body: $.orgs: expected an array, got an object"]),
        (#", "orgs": [{"login": "octocat", "id": 1, "members": [{"login": "OCTO-ORG"}]}, "#
            + #"{"login": "octo-org", "id": 5}]"#, [
            #"request body: $.orgs[0].login: duplicate login "octocat", logins are case-insensitive "#
                + "(also at $.users[0].login)",
            "request body: $.orgs[0].id: duplicate account id 1 (also at $.users[0].id); users and organizations "
                + "share one id space",
            #"request body: $.orgs[0].members[0].login: "OCTO-ORG" is the login of an organization, not of a user"#,
        ]),
    ])
    func dataSetDocumentChecksOrgs(_ rest: String, _ errors: [String]) {
        let result = FixtureLoader.validate(document: Self.document(rest), name: "request body", profile: .dotcom)
        #expect(result.errors.map(\.description) == errors)
        #expect(result.fixtures == nil)
    }

    // MARK: orgs/ in a fixtures directory

    @Test func orgsDirectoryIsOptional() throws {
        let fixtures = try FixtureDirectoryTests.TempFixtures()
        let result = fixtures.load()
        #expect(result.errors == [])
        #expect(result.fixtures?.orgs == [])
    }

    @Test func loadsOrgFilesByNameSkippingOthers() throws {
        let fixtures = try FixtureDirectoryTests.TempFixtures()
        try fixtures.makeDirectory("orgs")
        try fixtures.write("orgs/b-org.json", #"{"login": "B-Org", "id": 8, "members": [{"login": "octocat"}]}"#)
        try fixtures.write("orgs/a-org.json", #"{"login": "a-org", "id": 7}"#)
        try fixtures.write("orgs/notes.txt", "x")
        try fixtures.makeDirectory("orgs/old")
        let result = fixtures.load()
        #expect(result.errors == [])
        #expect(result.warnings == ["orgs/notes.txt: skipped, not a .json file", "orgs/old: skipped, a subdirectory"])
        #expect(result.fixtures?.orgs == [
            Organization(login: "a-org", id: 7),
            Organization(login: "B-Org", id: 8, members: [.init(login: "octocat")]),
        ])
    }

    @Test func orgsMustBeADirectoryAndErrorsComeAfterUsers() throws {
        let fixtures = try FixtureDirectoryTests.TempFixtures()
        try fixtures.write("orgs", "not a directory")
        #expect(fixtures.load().errors.map(\.description) == ["orgs: is not a directory"])

        let other = try FixtureDirectoryTests.TempFixtures(tokens: #"{"tokens": [{"token": "ghp_a", "login": "x"}]}"#)
        try other.makeDirectory("orgs")
        try other.write("orgs/a.json", #"{"login": "a", "id": 1}"#)
        try other.write("orgs/b.json", "{")
        try other.write("users/z.json", #"{"login": "z", "id": "2"}"#)
        #expect(other.load().errors.map(\.description) == [
            #"tokens.json: $.tokens[0].login: "x" is not the login of any user"#,
            #"users/z.json: $.id: expected a positive integer, got string "2""#,
            "orgs/a.json: $.id: duplicate account id 1 (also at users/octocat.json: $.id); users and "
                + "organizations share one id space",
            "orgs/b.json: $: invalid JSON at line 1, column 2 (byte offset 1): expected a string key in an "
                + "object, found end of input",
        ])
    }
}
