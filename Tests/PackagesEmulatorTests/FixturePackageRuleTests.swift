import Testing

@testable import PackagesEmulator

/// Repositories and packages of user files (SPEC §2, §5, §10).
extension FixtureRuleTests {
    static let packageKeys = "id, name, package_type, visibility, version_count, created_at, updated_at, "
        + "repository, readers, inherit_access, admins, versions, deleted_at, docker_migration_conflict"
    static let notTheForm = "is not of the form YYYY-MM-DDTHH:MM:SSZ"
    static let scoped = "packages are repository-scoped under profile"

    static let repositoryRows: [Row] = [
        Row("repository name and id required", octocat: #", "repositories": [{}]"#, [
            #"\#(octo): $.repositories[0]: missing required key "name""#,
            #"\#(octo): $.repositories[0]: missing required key "id""#,
        ]),
        Row("repository name syntax", octocat: #", "repositories": [{"name": "hello world", "id": 1}]"#, [
            #"\#(octo): $.repositories[0].name: "hello world" is not a valid repository name "#
                + #"(1-100 ASCII letters, digits, '.', '-' and '_', not "." or "..")"#,
        ]),
        Row("repository names unique, case-insensitive",
            octocat: #", "repositories": [{"name": "hello", "id": 1}, {"name": "Hello", "id": 2}]"#, [
                #"\#(octo): $.repositories[1].name: duplicate repository name "Hello", names are case-insensitive "#
                    + "(also at $.repositories[0].name)",
            ]),
        Row("repository ids unique across users",
            users: [FixtureDocs.octocat(#", "repositories": [{"name": "a", "id": 7}]"#),
                    ("hubot.json", #"{"login": "hubot", "id": 2, "repositories": [{"name": "b", "id": 7}]}"#)],
            ["users/octocat.json: $.repositories[0].id: duplicate repository id 7 (also at users/hubot.json: "
                + "$.repositories[0].id)"]),
        Row("private is a boolean", octocat: #", "repositories": [{"name": "a", "id": 7, "private": 1}]"#,
            ["\(octo): $.repositories[0].private: expected a boolean, got number 1"]),
        Row("description is a string or null",
            octocat: #", "repositories": [{"name": "a", "id": 7, "description": []}]"#,
            ["\(octo): $.repositories[0].description: expected a string or null, got an array"]),
        Row("collaborators must be users",
            octocat: #", "repositories": [{"name": "a", "id": 7, "collaborators": ["hubot", "nobody", "HUBOT"]}]"#, [
                #"\#(octo): $.repositories[0].collaborators[1]: "nobody" is not the login of any user"#,
                #"\#(octo): $.repositories[0].collaborators[2]: duplicate login "hubot" "#
                    + "(also at $.repositories[0].collaborators[0])",
            ]),
        Row("repository keys only", octocat: #", "repositories": [{"name": "a", "id": 7, "fork": false}]"#,
            ["\(octo): $.repositories[0].fork: unknown key; allowed keys are name, id, private, description, "
                + "collaborators"]),
    ]

    static let packageRows: [Row] = [
        Row("package required keys", octocat: pkgs("{}"), ["id", "name", "package_type", "created_at", "updated_at"]
            .map { #"\#(octo): $.packages[0]: missing required key "\#($0)""# }),
        Row("package_type is one of six", octocat: pkgs(pkg(type: "pypi")),
            [#"\#(octo): $.packages[0].package_type: "pypi" is not one of \#(types)"#]),
        Row("package_type is case-sensitive", octocat: pkgs(pkg(type: "NPM")),
            [#"\#(octo): $.packages[0].package_type: "NPM" is not one of \#(types)"#]),
        Row("visibility is one of three", octocat: pkgs(pkg(#", "visibility": "secret""#)),
            [#"\#(octo): $.packages[0].visibility: "secret" is not one of public, private, internal"#]),
        Row("version_count non-negative", octocat: pkgs(pkg(#", "version_count": -1"#)),
            ["\(octo): $.packages[0].version_count: expected a non-negative integer, got -1"]),
        Row("version_count integer",
            octocat: pkgs(pkg(#", "version_count": 1.5"#), pkg(#", "version_count": "3""#, id: 102, name: "q")), [
            "\(octo): $.packages[0].version_count: expected a non-negative integer, got number 1.5",
            #"\#(octo): $.packages[1].version_count: expected a non-negative integer, got string "3""#,
        ]),
        Row("package id unique within a user", octocat: pkgs(pkg(), pkg(name: "q")),
            ["\(octo): $.packages[1].id: duplicate package id 101 (also at $.packages[0].id)"]),
        Row("package id unique across users",
            users: [FixtureDocs.octocat(pkgs(pkg())), ("hubot.json", #"{"login": "hubot", "id": 2\#(pkgs(pkg()))}"#)],
            ["users/octocat.json: $.packages[0].id: duplicate package id 101 (also at users/hubot.json: "
                + "$.packages[0].id)"]),
        Row("(type, name) unique within a user", octocat: pkgs(pkg(), pkg(id: 102, name: "P")),
            [#"\#(octo): $.packages[1].name: duplicate npm package "P" in this user, names are case-insensitive "#
                + "(also at $.packages[0].name)"]),
        Row("same name, other type or other user", users: [
            FixtureDocs.octocat(pkgs(pkg(), pkg(id: 102, type: "container"))),
            ("hubot.json", #"{"login": "hubot", "id": 2\#(pkgs(pkg(id: 103)))}"#),
        ], []),
        Row("package name syntax", octocat: pkgs(pkg(name: "a b")),
            [#"\#(octo): $.packages[0].name: "a b" is not a valid package name "#
                + "(not empty, no whitespace or control characters)"]),
        Row("date format", octocat: pkgs(pkg().replacingOccurrences(of: "2024-01-02T00:00:00Z", with: "2024-01-02")),
            [#"\#(octo): $.packages[0].updated_at: "2024-01-02" is not of the form YYYY-MM-DDTHH:MM:SSZ"#]),
        Row("date not a real day", octocat: pkgs(pkg().replacingOccurrences(of: "2024-01-01T", with: "2023-02-29T")),
            [#"\#(octo): $.packages[0].created_at: "2023-02-29T00:00:00Z" is not a real date "#
                + "(day 29 of a 28-day month)"]),
        Row("date month 13", octocat: pkgs(pkg().replacingOccurrences(of: "2024-01-01T", with: "2024-13-01T")),
            [#"\#(octo): $.packages[0].created_at: "2024-13-01T00:00:00Z" is not a real date (month 13)"#]),
        Row("date hour 24", octocat: pkgs(pkg().replacingOccurrences(of: "01T00:00:00Z", with: "01T24:00:00Z")),
            [#"\#(octo): $.packages[0].created_at: "2024-01-01T24:00:00Z" is not a real time of day"#]),
        Row("date leap second", octocat: pkgs(pkg().replacingOccurrences(of: "01T00:00:00Z", with: "01T23:59:60Z")),
            [#"\#(octo): $.packages[0].created_at: "2024-01-01T23:59:60Z" is not a real time of day"#]),
        Row("date with fraction or offset", octocat: pkgs(pkg()
            .replacingOccurrences(of: "01T00:00:00Z", with: "01T00:00:00.000Z")
            .replacingOccurrences(of: "02T00:00:00Z", with: "02T00:00:00+00:00")), [
                #"\#(octo): $.packages[0].created_at: "2024-01-01T00:00:00.000Z" \#(notTheForm)"#,
                #"\#(octo): $.packages[0].updated_at: "2024-01-02T00:00:00+00:00" \#(notTheForm)"#,
            ]),
        Row("date is a string",
            octocat: pkgs(pkg().replacingOccurrences(of: #""2024-01-01T00:00:00Z""#, with: "20240101")),
            ["\(octo): $.packages[0].created_at: expected a string, got number 20240101"]),
        Row("repository must be the owner's", octocat: repo + pkgs(pkg(#", "repository": "other""#)),
            [#"\#(octo): $.packages[0].repository: "other" is not one of the user's repositories "#
                + #"(the user has "hello-world", "secret")"#]),
        Row("repository of a user without any", octocat: pkgs(pkg(#", "repository": "other""#)),
            [#"\#(octo): $.packages[0].repository: "other" is not one of the user's repositories "#
                + "(the user has none)"]),
        Row("readers must be users", octocat: pkgs(pkg(#", "visibility": "private", "readers": ["ghost"]"#)),
            [#"\#(octo): $.packages[0].readers[0]: "ghost" is not the login of any user"#]),
        Row("readers is an array", octocat: pkgs(pkg(#", "readers": "hubot""#)),
            [#"\#(octo): $.packages[0].readers: expected an array, got string "hubot""#]),
        Row("inherit_access is a boolean",
            octocat: repo + pkgs(pkg(#", "repository": "secret", "inherit_access": "yes""#)),
            [#"\#(octo): $.packages[0].inherit_access: expected a boolean, got string "yes""#]),
        Row("inherit_access needs a repository", octocat: pkgs(pkg(#", "inherit_access": true"#)),
            ["\(octo): $.packages[0].inherit_access: inherit_access needs a linked repository"]),
        Row("package keys only", octocat: pkgs(pkg(#", "description": "x""#)),
            ["\(octo): $.packages[0].description: unknown key; allowed keys are \(packageKeys)"]),
        Row("repository-scoped package must link a repository", octocat: pkgs(pkg(type: "maven")),
            [#"\#(octo): $.packages[0]: missing required key "repository": maven \#(scoped) dotcom and "#
                + "must link one of the user's repositories"]),
        Row("repository-scoped package with a null repository",
            octocat: pkgs(pkg(#", "repository": null"#, type: "docker")),
            ["\(octo): $.packages[0].repository: must not be null: docker \(scoped) dotcom and "
                + "must link one of the user's repositories"]),
        Row("repository-scoped visibility contradicts the repository",
            octocat: repo + pkgs(pkg(#", "repository": "secret", "visibility": "public""#, type: "maven")),
            [#"\#(octo): $.packages[0].visibility: "public" contradicts repository "secret", which is private; "#
                + "maven \(scoped) dotcom, so their visibility is the repository's"]),
        Row("repository-scoped package may not be internal",
            octocat: repo + pkgs(pkg(#", "repository": "hello-world", "visibility": "internal""#, type: "maven")),
            [#"\#(octo): $.packages[0].visibility: "internal" is only allowed on granular registries "#
                + "(npm, rubygems, nuget, container); maven \(scoped) dotcom"]),
        Row("repository-scoped package may not have readers",
            octocat: repo + pkgs(pkg(#", "repository": "secret", "readers": ["hubot"]"#, type: "docker")),
            ["\(octo): $.packages[0].readers: not allowed: docker \(scoped) dotcom, so access is the linked "
                + "repository's"]),
        Row("npm is repository-scoped under ghes",
            octocat: repo + pkgs(pkg(#", "repository": "hello-world", "visibility": "internal""#)),
            profile: .ghes,
            [#"\#(octo): $.packages[0].visibility: "internal" is only allowed on granular registries "#
                + "(container); npm \(scoped) ghes"]),
        Row("internal is fine on granular registries",
            octocat: pkgs(pkg(#", "visibility": "internal""#),
                          pkg(#", "visibility": "internal""#, id: 102, type: "container")), []),
    ]

    @Test(arguments: repositoryRows + packageRows)
    func reportsEachPackageRule(_ row: Row) {
        let result = row.docs.validate()
        #expect(result.errors.map(\.description) == row.errors)
        #expect((result.fixtures == nil) == !row.errors.isEmpty)
    }
}
