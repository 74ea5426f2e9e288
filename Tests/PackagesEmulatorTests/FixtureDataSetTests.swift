import Testing

@testable import PackagesEmulator

/// Whole data sets: a valid one decoded exactly, many errors at once, the one-document form, `Fixtures/`.
struct FixtureDataSetTests {
    static let tokens = #"""
        {"tokens": [
          {"token": "ghp_classic", "login": "OCTOCAT", "scopes": ["read:packages", "repo"]},
          {"token": "github_pat_fine", "login": "hubot"},
          {"token": "ghs_app"},
          {"token": "custom", "login": "Hubot", "kind": "app", "scopes": []}
        ]}
        """#
    static let octocat = #"""
        {
          "login": "OctoCat", "id": 583231, "name": "The Octocat", "type": "User", "site_admin": true,
          "enterprise": "acme",
          "repositories": [
            {"name": "hello-world", "id": 1296269, "private": false, "description": "Hi",
             "collaborators": ["HUBOT"]},
            {"name": "Secret", "id": 1296270, "private": true}
          ],
          "packages": [
            {"id": 101, "name": "hello-npm", "package_type": "npm", "visibility": "private",
             "version_count": 3, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-02-29T23:59:59Z",
             "repository": "HELLO-WORLD", "readers": ["hubot"], "inherit_access": true},
            {"id": 102, "name": "secret-jar", "package_type": "maven", "repository": "secret",
             "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"},
            {"id": 103, "name": "hello-image", "package_type": "container", "visibility": "internal",
             "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z", "version_count": 0}
          ]
        }
        """#
    static let hubot = #"{"login": "hubot", "id": 2, "name": null, "enterprise": null}"#

    static let expected = FixtureSet(
        users: [
            User(login: "hubot", id: 2),
            User(login: "OctoCat", id: 583231, name: "The Octocat", siteAdmin: true, enterprise: "acme",
                 repositories: [
                    Repository(name: "hello-world", id: 1296269, description: "Hi", collaborators: ["hubot"]),
                    Repository(name: "Secret", id: 1296270, isPrivate: true),
                 ],
                 packages: [
                    Package(id: 101, name: "hello-npm", type: .npm, visibility: .private, versionCount: 3,
                            createdAt: "2024-01-01T00:00:00Z", updatedAt: "2024-02-29T23:59:59Z",
                            repository: "hello-world", readers: ["hubot"], inheritAccess: true),
                    Package(id: 102, name: "secret-jar", type: .maven, visibility: .private,
                            createdAt: "2024-01-01T00:00:00Z", updatedAt: "2024-01-01T00:00:00Z",
                            repository: "Secret"),
                    Package(id: 103, name: "hello-image", type: .container, visibility: .internal, versionCount: 0,
                            createdAt: "2024-01-01T00:00:00Z", updatedAt: "2024-01-01T00:00:00Z"),
                 ]),
        ],
        tokens: [
            Token(value: "ghp_classic", login: "OctoCat", scopes: ["read:packages", "repo"], kind: .classic),
            Token(value: "github_pat_fine", login: "hubot", scopes: [], kind: .fineGrained),
            Token(value: "ghs_app", login: nil, scopes: [], kind: .app),
            Token(value: "custom", login: "hubot", scopes: [], kind: .app),
        ])

    @Test func decodesAValidDataSetWithDefaultsAndCanonicalLogins() {
        let result = FixtureLoader.validate(
            tokens: ("tokens.json", Array(Self.tokens.utf8)),
            users: [("octocat.json", Array(Self.octocat.utf8)), ("hubot.json", Array(Self.hubot.utf8))],
            profile: .dotcom)
        #expect(result.errors == [])
        #expect(result.warnings == [])
        #expect(result.fixtures == Self.expected)
    }

    static let threeErrors = #"{"login": "octocat", "id": 1, "packages": [{"id": 5, "name": "a", "#
        + #""package_type": "pypi", "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01"}]}"#

    @Test func reportsAllErrorsAtOnceInFileThenDocumentOrder() {
        let result = FixtureLoader.validate(
            tokens: ("tokens.json", Array(#"{"tokens": [{"token": "ghp_x", "login": "ghost"}]}"#.utf8)),
            users: [
                ("octocat.json", Array(Self.threeErrors.utf8)),
                ("hubot.json", Array(#"{"login": "hubot", "id": 2}"#.utf8)),
            ],
            profile: .dotcom)
        #expect(result.fixtures == nil)
        #expect(result.errors.map(\.description) == [
            #"tokens.json: $.tokens[0].login: "ghost" is not the login of any user"#,
            #"users/octocat.json: $.packages[0].package_type: "pypi" is not one of npm, maven, rubygems, "#
                + "docker, nuget, container",
            #"users/octocat.json: $.packages[0].updated_at: "2024-01-01" is not of the form YYYY-MM-DDTHH:MM:SSZ"#,
        ])
    }

    static func document(users: String, tokens: String = #"[{"token": "ghp_a", "login": "octocat"}]"#) -> [UInt8] {
        Array(#"{"tokens": \#(tokens), "users": \#(users)}"#.utf8)
    }

    static func user(_ login: String, _ id: Int) -> String {
        #"{"login": "\#(login)", "id": \#(id), "packages": [{"id": 7, "name": "a", "package_type": "npm", "#
            + #""created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}]}"#
    }

    @Test func validatesOneDocumentDataSet() {
        let valid = FixtureLoader.validate(
            document: Self.document(users: "[\(Self.octocat), \(Self.hubot)]", tokens: "[]"),
            name: "request body", profile: .dotcom)
        #expect(valid.errors == [])
        #expect(valid.fixtures?.users.map(\.login) == ["OctoCat", "hubot"])
        #expect(valid.fixtures?.users.first?.packages.map(\.id) == [101, 102, 103])

        let bad = FixtureLoader.validate(
            document: Self.document(users: "[\(Self.user("octocat", 1)), \(Self.user("Octocat", 2))]"),
            name: "request body", profile: .dotcom)
        #expect(bad.fixtures == nil)
        #expect(bad.errors.map(\.description) == [
            #"request body: $.users[1].login: duplicate login "Octocat", logins are case-insensitive "#
                + "(also at $.users[0].login)",
            "request body: $.users[1].packages[0].id: duplicate package id 7 (also at $.users[0].packages[0].id)",
        ])
    }

    @Test(arguments: [
        (#"{"tokens": []}"#, [#"request body: $: missing required key "users""#]),
        (#"{"users": [], "tokens": [], "x": 1}"#,
         ["request body: $.x: unknown key; allowed keys are tokens, users, orgs"]),
        (#"{"users": {}, "tokens": []}"#, ["request body: $.users: expected an array, got an object"]),
        (#"[]"#, ["request body: $: expected an object, got an array"]),
        (#"{"users": [], "tokens": [],}"#,
         ["request body: $: invalid JSON at line 1, column 28 (byte offset 27): expected a string key in an "
            + "object, found '}'"]),
    ])
    func rejectsBadDataSetDocuments(_ text: String, _ errors: [String]) {
        let result = FixtureLoader.validate(document: Array(text.utf8), name: "request body", profile: .dotcom)
        #expect(result.errors.map(\.description) == errors)
        #expect(result.fixtures == nil)
    }

    /// The demo data set shipped in `Fixtures/` loads cleanly under both profiles' rules that apply to it.
    @Test func shippedFixturesLoad() {
        let root = String(#filePath).split(separator: "/", omittingEmptySubsequences: false).dropLast(3)
            .joined(separator: "/")
        let result = FixtureLoader.load(directory: root + "/Fixtures", profile: .dotcom)
        #expect(result.errors.map(\.description) == [])
        #expect(result.warnings == [])
        #expect((result.fixtures?.users.count ?? 0) > 0)
    }
}
