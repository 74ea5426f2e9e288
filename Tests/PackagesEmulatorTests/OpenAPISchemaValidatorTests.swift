import Foundation
import Testing

/// The OpenAPI descriptions load, and the validator applies them: hand-written bodies, so these tests say what
/// GitHub's schemas accept independently of what the emulator renders.
@Suite struct OpenAPISchemaValidatorTests {
    // MARK: - Bodies

    /// A simple-user with every required key; GitHub renders an organisation the same way, `type` aside.
    static func owner(login: String = "octo-org", id: Int = 9919, type: String = "Organization") -> [String: Any] {
        let api = "https://api.github.com/users/\(login)"
        return [
            "login": login, "id": id, "node_id": "MDEyOk9yZ2FuaXphdGlvbjk5MTk=",
            "avatar_url": "https://avatars.githubusercontent.com/u/\(id)?v=4", "gravatar_id": "",
            "url": api, "html_url": "https://github.com/\(login)", "followers_url": "\(api)/followers",
            "following_url": "\(api)/following{/other_user}", "gists_url": "\(api)/gists{/gist_id}",
            "starred_url": "\(api)/starred{/owner}{/repo}", "subscriptions_url": "\(api)/subscriptions",
            "organizations_url": "\(api)/orgs", "repos_url": "\(api)/repos", "events_url": "\(api)/events{/privacy}",
            "received_events_url": "\(api)/received_events", "type": type, "site_admin": false,
            "user_view_type": "public",
        ]
    }

    /// A minimal-repository with its 46 required keys (the `*_url`s derived from the API URL as GitHub does).
    static func repository(owner: [String: Any] = Self.owner(), name: String = "hello-world") -> [String: Any] {
        let fullName = "\(owner["login"] as? String ?? "octo-org")/\(name)"
        let api = "https://api.github.com/repos/\(fullName)"
        var repository: [String: Any] = [
            "id": 1_296_269, "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5", "name": name, "full_name": fullName,
            "owner": owner, "private": false, "html_url": "https://github.com/\(fullName)", "description": NSNull(),
            "fork": false, "url": api,
        ]
        let suffixes = [
            "archive_url": "/{archive_format}{/ref}", "assignees_url": "/assignees{/user}",
            "blobs_url": "/git/blobs{/sha}", "branches_url": "/branches{/branch}",
            "collaborators_url": "/collaborators{/collaborator}", "comments_url": "/comments{/number}",
            "commits_url": "/commits{/sha}", "compare_url": "/compare/{base}...{head}",
            "contents_url": "/contents/{+path}", "contributors_url": "/contributors",
            "deployments_url": "/deployments",
            "downloads_url": "/downloads", "events_url": "/events", "forks_url": "/forks",
            "git_commits_url": "/git/commits{/sha}", "git_refs_url": "/git/refs{/sha}",
            "git_tags_url": "/git/tags{/sha}",
            "hooks_url": "/hooks", "issue_comment_url": "/issues/comments{/number}",
            "issue_events_url": "/issues/events{/number}", "issues_url": "/issues{/number}",
            "keys_url": "/keys{/key_id}", "labels_url": "/labels{/name}", "languages_url": "/languages",
            "merges_url": "/merges", "milestones_url": "/milestones{/number}",
            "notifications_url": "/notifications{?since,all,participating}", "pulls_url": "/pulls{/number}",
            "releases_url": "/releases{/id}", "stargazers_url": "/stargazers", "statuses_url": "/statuses/{sha}",
            "subscribers_url": "/subscribers", "subscription_url": "/subscription", "tags_url": "/tags",
            "teams_url": "/teams", "trees_url": "/git/trees{/sha}",
        ]
        for (key, suffix) in suffixes { repository[key] = api + suffix }
        return repository
    }

    /// An organisation's container package, linked to a repository unless `repository` is nil.
    static func package(owner: Any = Self.owner(), repository: Any? = Self.repository()) -> [String: Any] {
        var package: [String: Any] = [
            "id": 197, "name": "hello_docker", "package_type": "container", "owner": owner, "version_count": 1,
            "visibility": "private", "url": "https://api.github.com/orgs/octo-org/packages/container/hello_docker",
            "created_at": "2020-05-19T22:19:11Z", "updated_at": "2020-05-19T22:19:11Z",
            "html_url": "https://github.com/orgs/octo-org/packages/container/package/hello_docker",
        ]
        package["repository"] = repository
        return package
    }

    /// A version whose `metadata` is `metadata`, or has none when nil.
    static func version(metadata: Any? = ["package_type": "container", "container": ["tags": ["latest"]]])
        -> [String: Any]
    {
        var version: [String: Any] = [
            "id": 836, "name": "sha256:b3d3e366b55f9a54599220198b3db5da8f53592acbbb7dc7e4e9878762fc5344",
            "url": "https://api.github.com/orgs/octo-org/packages/container/hello_docker/versions/836",
            "package_html_url": "https://github.com/orgs/octo-org/packages/container/package/hello_docker",
            "html_url": "https://github.com/orgs/octo-org/packages/container/hello_docker/836",
            "created_at": "2020-05-19T22:19:11Z", "updated_at": "2020-05-19T22:19:11Z",
        ]
        version["metadata"] = metadata
        return version
    }

    /// JSON text as `JSONSerialization` parses it: the validator tells types apart by the classes it returns.
    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    static func bytes(_ value: Any) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]))
    }

    /// The violations of `value` as the body of each operation whose id contains `single` (one object) and of
    /// each whose id contains `list` (an array holding it): all three owners' routes, so none goes unchecked.
    static func violations(of value: Any, single: String, list: String, version: String) throws
        -> [(operation: String, violations: [SchemaViolation])]
    {
        let singles = OpenAPISchemas.operationIDs.filter { $0.contains(single) }
        let lists = OpenAPISchemas.operationIDs.filter { $0.contains(list) }
        #expect(singles.count == 3 && lists.count == 3, "\(singles) \(lists)")
        let (one, many) = (try bytes(value), try bytes([value]))
        return singles.map { ($0, OpenAPISchemas.violations(of: one, operationID: $0, version: version)) }
            + lists.map { ($0, OpenAPISchemas.violations(of: many, operationID: $0, version: version)) }
    }

    static func versionViolations(_ value: Any, _ version: String) throws
        -> [(operation: String, violations: [SchemaViolation])]
    {
        try violations(of: value, single: "/get-package-version-for-", list: "/get-all-package-versions-",
                       version: version)
    }

    static func packageViolations(_ value: Any, _ version: String) throws
        -> [(operation: String, violations: [SchemaViolation])]
    {
        try violations(of: value, single: "/get-package-for-", list: "/list-packages-for-", version: version)
    }

    /// Whether `violations` has one at `path` (or `$[0]` + the rest, for list bodies) for `keyword`.
    static func has(_ violations: [SchemaViolation], _ path: String, _ keyword: String) -> Bool {
        let inList = "$[0]" + path.dropFirst()
        return violations.contains { ($0.path == path || $0.path == inList) && $0.keyword == keyword }
    }

    // MARK: - Documents

    /// Both descriptions load from the bundle and hold exactly the 27 operations, each with a 200 or 204.
    @Test(arguments: OpenAPISchemas.versions)
    func documentLoadsWith27Operations(_ version: String) throws {
        #expect(OpenAPISchemas.operationIDs.count == 27)
        #expect(Set(OpenAPISchemas.operationIDs).count == 27)
        let document = try #require(OpenAPISchemas.document(version))
        #expect(document["openapi"] as? String == "3.0.3")
        #expect((document["info"] as? [String: Any])?["version"] as? String == version)
        let paths = try #require(document["paths"] as? [String: Any])
        let operations = paths.values.compactMap { $0 as? [String: Any] }
            .flatMap { $0.values.compactMap { $0 as? [String: Any] } }
            .filter { $0["operationId"] != nil }
        let ids = operations.compactMap { $0["operationId"] as? String }
        #expect(ids.sorted() == OpenAPISchemas.operationIDs.sorted())
        for operation in operations {
            let responses = try #require(operation["responses"] as? [String: Any])
            #expect(responses["200"] != nil || responses["204"] != nil, "\(operation["operationId"] ?? "?")")
        }
    }

    /// Every keyword of every schema the descriptions hold (components and all responses) is one the validator
    /// checks or may ignore, so no constraint of GitHub's is silently skipped.
    @Test(arguments: OpenAPISchemas.versions)
    func validatorKnowsEveryKeywordOfTheDescriptions(_ version: String) throws {
        let document = try #require(OpenAPISchemas.document(version))
        let components = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        var used = components.values.reduce(into: Set<String>()) { $0.formUnion(SchemaValidator.keywords(in: $1)) }
        for operation in OpenAPISchemas.operationIDs {
            for status in [200, 204, 400, 401, 403, 404] {
                // A schema that is only a `$ref` still counts: the walk above covers its target.
                guard let schema = Self.schema(document, operation, status) else { continue }
                used.formUnion(SchemaValidator.keywords(in: schema))
            }
        }
        let unknown = used.subtracting(SchemaValidator.assertions).subtracting(SchemaValidator.annotations)
        #expect(unknown.isEmpty, "keywords the validator would silently ignore: \(unknown.sorted())")
        #expect(used.isSuperset(of: ["$ref", "nullable", "type", "properties", "required", "items", "enum",
                                     "format", "additionalProperties", "example", "title", "description"]))
    }

    static func schema(_ document: [String: Any], _ operationID: String, _ status: Int) -> Any? {
        let paths = document["paths"] as? [String: Any] ?? [:]
        let operation = paths.values.compactMap { $0 as? [String: Any] }
            .flatMap { $0.values.compactMap { $0 as? [String: Any] } }
            .first { $0["operationId"] as? String == operationID }
        let response = (operation?["responses"] as? [String: Any])?[String(status)] as? [String: Any]
        let json = (response?["content"] as? [String: Any])?["application/json"] as? [String: Any]
        return json?["schema"]
    }

    /// The loaded description differs from the file in exactly the documented way: `docker-metadata` no longer
    /// requires `tags`; `container-metadata` still does.
    @Test(arguments: OpenAPISchemas.versions)
    func onlyTheDockerMetadataDefectIsAdjusted(_ version: String) throws {
        let url = try #require(OpenAPISchemas.url(version))
        var file = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let adjusted = try #require(OpenAPISchemas.document(version))
        func component(_ document: [String: Any], _ name: String) -> [String: Any]? {
            ((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?[name] as? [String: Any]
        }
        // The defect is still in GitHub's description; were it fixed, the adjustment would have to go.
        #expect(component(file, "docker-metadata")?["required"] as? [String] == ["tags"])
        #expect((component(file, "docker-metadata")?["properties"] as? [String: Any])?.keys.sorted() == ["tag"])
        #expect(component(adjusted, "docker-metadata")?["required"] == nil)
        #expect(component(adjusted, "container-metadata")?["required"] as? [String] == ["tags"])
        // Bools, not `#expect(equal(...))`: a failure would print both 140 kB documents.
        let fileDiffers = !SchemaValidator.equal(file, adjusted)
        #expect(fileDiffers, "the loaded document is the file unadjusted")
        file = OpenAPISchemas.adjustingDockerMetadata(file)
        let adjustsTheSame = SchemaValidator.equal(file, adjusted)
        #expect(adjustsTheSame, "adjustingDockerMetadata(file) differs from the loaded document")
        // Removing the entry by hand gives the same document: nothing else was touched.
        var original = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var components = try #require(original["components"] as? [String: Any])
        var schemas = try #require(components["schemas"] as? [String: Any])
        var docker = try #require(schemas["docker-metadata"] as? [String: Any])
        docker["required"] = nil
        schemas["docker-metadata"] = docker
        components["schemas"] = schemas
        original["components"] = components
        let onlyThatEntry = SchemaValidator.equal(original, adjusted)
        #expect(onlyThatEntry, "the loaded document differs from the file by more than docker-metadata.required")
    }

    // MARK: - Versions

    @Test(arguments: OpenAPISchemas.versions)
    func containerVersionWithTagsIsValid(_ version: String) throws {
        for (operation, violations) in try Self.versionViolations(Self.version(), version) {
            #expect(violations.isEmpty, "\(operation): \(violations)")
        }
    }

    @Test(arguments: OpenAPISchemas.versions)
    func containerMetadataWithoutTagsIsRefused(_ version: String) throws {
        let body = Self.version(metadata: ["package_type": "container", "container": [String: Any]()])
        for (operation, violations) in try Self.versionViolations(body, version) {
            #expect(Self.has(violations, "$.metadata.container", "required"), "\(operation): \(violations)")
            #expect(violations.allSatisfy { $0.message == "missing tags" }, "\(operation): \(violations)")
        }
    }

    /// `metadata.docker.tag` (what the emulator renders) passes once the defect is adjusted; the schema still
    /// applies there, so a `tag` that is not an array of strings fails.
    @Test(arguments: OpenAPISchemas.versions)
    func dockerVersionWithTagIsValid(_ version: String) throws {
        let valid = Self.version(metadata: ["package_type": "docker", "docker": ["tag": ["latest", "1.0"]]])
        for (operation, violations) in try Self.versionViolations(valid, version) {
            #expect(violations.isEmpty, "\(operation): \(violations)")
        }
        let broken = Self.version(metadata: ["package_type": "docker", "docker": ["tag": "latest"]])
        for (operation, violations) in try Self.versionViolations(broken, version) {
            #expect(Self.has(violations, "$.metadata.docker.tag", "type"), "\(operation): \(violations)")
        }
        let untyped = Self.version(metadata: ["docker": ["tag": ["latest"]]])
        for (operation, violations) in try Self.versionViolations(untyped, version) {
            #expect(Self.has(violations, "$.metadata", "required"), "\(operation): \(violations)")
        }
    }

    typealias Edit = @Sendable (inout [String: Any]) -> Void

    static let versionBreakages: [(label: String, path: String, keyword: String, edit: Edit)] = [
        ("missing package_html_url", "$", "required", { $0["package_html_url"] = nil }),
        ("id a string", "$.id", "type", { $0["id"] = "836" }),
        ("created_at not a date-time", "$.created_at", "format", { $0["created_at"] = "yesterday" }),
        ("unknown package_type", "$.metadata.package_type", "enum", {
            $0["metadata"] = ["package_type": "pypi"]
        }),
        ("container tags not strings", "$.metadata.container.tags[0]", "type", {
            $0["metadata"] = ["package_type": "container", "container": ["tags": [1]]]
        }),
    ]

    @Test(arguments: OpenAPISchemas.versions, 0..<versionBreakages.count)
    func brokenVersionIsRefused(_ version: String, _ index: Int) throws {
        let breakage = Self.versionBreakages[index]
        var body = Self.version()
        breakage.edit(&body)
        for (operation, violations) in try Self.versionViolations(body, version) {
            #expect(Self.has(violations, breakage.path, breakage.keyword),
                    "\(breakage.label), \(operation): \(violations)")
        }
    }

    // MARK: - Packages

    @Test(arguments: OpenAPISchemas.versions)
    func organisationPackageIsValid(_ version: String) throws {
        for (operation, violations) in try Self.packageViolations(Self.package(), version) {
            #expect(violations.isEmpty, "\(operation): \(violations)")
        }
        let userPackage = Self.package(owner: Self.owner(login: "octocat", id: 583_231, type: "User"), repository: nil)
        for (operation, violations) in try Self.packageViolations(userPackage, version) {
            #expect(violations.isEmpty, "\(operation): \(violations)")
        }
    }

    static let packageBreakages: [(label: String, path: String, keyword: String, edit: Edit)] = [
        ("missing version_count", "$", "required", { $0["version_count"] = nil }),
        ("visibility internal", "$.visibility", "enum", { $0["visibility"] = "internal" }),
        ("owner missing login", "$.owner", "required", {
            var owner = $0["owner"] as? [String: Any] ?? [:]
            owner["login"] = nil
            $0["owner"] = owner
        }),
        ("owner url relative", "$.owner.url", "format", {
            var owner = $0["owner"] as? [String: Any] ?? [:]
            owner["url"] = "/users/octo-org"
            $0["owner"] = owner
        }),
        ("repository missing full_name", "$.repository", "required", {
            var repository = $0["repository"] as? [String: Any] ?? [:]
            repository["full_name"] = nil
            $0["repository"] = repository
        }),
        ("repository owner site_admin a number", "$.repository.owner.site_admin", "type", {
            var repository = $0["repository"] as? [String: Any] ?? [:]
            var owner = repository["owner"] as? [String: Any] ?? [:]
            owner["site_admin"] = 0
            repository["owner"] = owner
            $0["repository"] = repository
        }),
        ("repository code_of_conduct missing key", "$.repository.code_of_conduct", "required", {
            var repository = $0["repository"] as? [String: Any] ?? [:]
            repository["code_of_conduct"] = [
                "url": "https://api.github.com/codes_of_conduct/citizen_code_of_conduct", "name": "Citizen",
                "html_url": NSNull(),
            ]
            $0["repository"] = repository
        }),
    ]

    @Test(arguments: OpenAPISchemas.versions, 0..<packageBreakages.count)
    func brokenPackageIsRefused(_ version: String, _ index: Int) throws {
        let breakage = Self.packageBreakages[index]
        var body = Self.package()
        breakage.edit(&body)
        for (operation, violations) in try Self.packageViolations(body, version) {
            #expect(Self.has(violations, breakage.path, breakage.keyword),
                    "\(breakage.label), \(operation): \(violations)")
        }
    }

    // MARK: - nullable

    static let nullables: [(label: String, path: String, accepted: Bool, edit: Edit)] = [
        ("owner (nullable-simple-user)", "$.owner", true, { $0["owner"] = NSNull() }),
        ("repository (nullable-minimal-repository)", "$.repository", true, { $0["repository"] = NSNull() }),
        ("owner.name", "$.owner.name", true, { Self.editOwner(&$0) { $0["name"] = NSNull() } }),
        ("repository.description, required and nullable", "$.repository.description", true, {
            Self.editRepository(&$0) { $0["description"] = NSNull() }
        }),
        ("repository.security_and_analysis", "$.repository.security_and_analysis", true, {
            Self.editRepository(&$0) { $0["security_and_analysis"] = NSNull() }
        }),
        ("name", "$.name", false, { $0["name"] = NSNull() }),
        ("version_count", "$.version_count", false, { $0["version_count"] = NSNull() }),
        ("owner.login", "$.owner.login", false, { Self.editOwner(&$0) { $0["login"] = NSNull() } }),
        ("repository.owner (simple-user, not nullable)", "$.repository.owner", false, {
            Self.editRepository(&$0) { $0["owner"] = NSNull() }
        }),
        ("repository.code_of_conduct (not nullable)", "$.repository.code_of_conduct", false, {
            Self.editRepository(&$0) { $0["code_of_conduct"] = NSNull() }
        }),
    ]

    static func editOwner(_ package: inout [String: Any], _ edit: (inout [String: Any]) -> Void) {
        var owner = package["owner"] as? [String: Any] ?? [:]
        edit(&owner)
        package["owner"] = owner
    }

    static func editRepository(_ package: inout [String: Any], _ edit: (inout [String: Any]) -> Void) {
        var repository = package["repository"] as? [String: Any] ?? [:]
        edit(&repository)
        package["repository"] = repository
    }

    /// `nullable: true` lets null through, at the top of a `$ref`ed component as on a property; elsewhere null
    /// is a type violation at that very place.
    @Test(arguments: OpenAPISchemas.versions, 0..<nullables.count)
    func nullIsAcceptedOnlyWhereNullable(_ version: String, _ index: Int) throws {
        let nullable = Self.nullables[index]
        var body = Self.package()
        nullable.edit(&body)
        for (operation, violations) in try Self.packageViolations(body, version) {
            if nullable.accepted {
                #expect(violations.isEmpty, "\(nullable.label), \(operation): \(violations)")
            } else {
                #expect(Self.has(violations, nullable.path, "type"), "\(nullable.label), \(operation): \(violations)")
            }
        }
    }

    /// A version's `metadata` is a `$ref` to a component that is not nullable.
    @Test(arguments: OpenAPISchemas.versions)
    func versionMetadataIsNotNullable(_ version: String) throws {
        for (operation, violations) in try Self.versionViolations(Self.version(metadata: NSNull()), version) {
            #expect(Self.has(violations, "$.metadata", "type"), "\(operation): \(violations)")
        }
    }

    /// OpenAPI 3.0.3's `nullable` widens `type` and nothing else.
    @Test func nullableWidensOnlyTheType() throws {
        let null = try Self.json("null")
        func schema(_ text: String) throws -> Any { try Self.json(text) }
        #expect(SchemaValidator.validate(null, against: try schema(#"{"type": "string", "nullable": true}"#)).isEmpty)
        #expect(SchemaValidator.validate(null, against: try schema(
            #"{"type": "object", "nullable": true, "required": ["a"]}"#)).isEmpty)
        #expect(!SchemaValidator.validate(null, against: try schema(#"{"type": "string"}"#)).isEmpty)
        #expect(!SchemaValidator.validate(null, against: try schema(#"{"type": "string", "nullable": false}"#))
            .isEmpty)
        #expect(!SchemaValidator.validate(null, against: try schema(
            #"{"type": "string", "nullable": true, "enum": ["a", "b"]}"#)).isEmpty)
        #expect(SchemaValidator.validate(null, against: try schema(
            #"{"type": "string", "nullable": true, "enum": ["a", null]}"#)).isEmpty)
        #expect(!SchemaValidator.validate(try Self.json("1"), against: try schema(
            #"{"type": "string", "nullable": true}"#)).isEmpty)
        let malformed = SchemaValidator.validate(null, against: try schema(#"{"type": "string", "nullable": "yes"}"#))
        // A malformed flag widens nothing: null fails the type as well.
        #expect(malformed.map(\.keyword) == ["nullable", "type"], "\(malformed)")
    }

    // MARK: - $ref

    /// A reference to nothing is a violation where it is met, in a document's response as in a bare schema.
    @Test(arguments: OpenAPISchemas.versions)
    func unknownReferenceIsReported(_ version: String) throws {
        let document = try #require(OpenAPISchemas.document(version))
        let unknown = SchemaValidator.validate(
            Self.package(), against: ["$ref": "#/components/schemas/no-such-schema"], root: document)
        #expect(unknown.count == 1)
        #expect(unknown.first?.keyword == "$ref" && unknown.first?.path == "$", "\(unknown)")
        #expect(unknown.first?.message.contains("no-such-schema") == true)
        let nested = SchemaValidator.validate(
            try Self.json(#"{"a": [1]}"#),
            against: try Self.json(##"{"properties": {"a": {"items": {"$ref": "#/nowhere/0"}}}}"##), root: document)
        #expect(nested.map(\.path) == ["$.a[0]"] && nested.map(\.keyword) == ["$ref"], "\(nested)")
        for reference in ["other.json#/components/schemas/package", "#package", "#/paths/~1nope"] {
            let violations = SchemaValidator.validate(1, against: ["$ref": reference], root: document)
            #expect(violations.map(\.keyword) == ["$ref"], "\(reference): \(violations)")
        }
        // Without a root, a reference cannot silently pass.
        #expect(SchemaValidator.validate(1, against: ["$ref": "#/components/schemas/package"]).count == 1)
    }

    /// References resolve through JSON Pointer escapes and into arrays, recurse through the instance, and a
    /// reference to itself that consumes nothing is reported instead of recursing forever.
    @Test func referencesResolveAndRecurse() throws {
        let root = try Self.json(#"""
            {"components": {"schemas": {
                "node": {"type": "object", "required": ["name"],
                         "properties": {"name": {"type": "string"}, "children": {"type": "array",
                                        "items": {"$ref": "#/components/schemas/node"}}}},
                "loop": {"$ref": "#/components/schemas/loop"},
                "a/b~c": {"type": "integer"},
                "list": [{"type": "string"}]
            }}}
            """#)
        let tree = try Self.json(#"""
            {"name": "root", "children": [{"name": "a", "children": [{"name": 3}, {}]}]}
            """#)
        let violations = SchemaValidator.validate(tree, against: ["$ref": "#/components/schemas/node"], root: root)
        #expect(violations.map(\.description).sorted() == [
            "$.children[0].children[0].name: type: integer is not [\"string\"]",
            "$.children[0].children[1]: required: missing name",
        ])
        let (one, text) = (try Self.json("1"), try Self.json(#""x""#))
        let loop = SchemaValidator.validate(one, against: ["$ref": "#/components/schemas/loop"], root: root)
        #expect(loop.map(\.keyword) == ["$ref"] && loop.first?.message.contains("itself") == true, "\(loop)")
        let escaped = ["$ref": "#/components/schemas/a~1b~0c"]
        #expect(SchemaValidator.validate(one, against: escaped, root: root).isEmpty)
        #expect(SchemaValidator.validate(text, against: escaped, root: root).map(\.keyword) == ["type"])
        let element = ["$ref": "#/components/schemas/list/0"]
        #expect(SchemaValidator.validate(text, against: element, root: root).isEmpty)
        #expect(SchemaValidator.validate(one, against: element, root: root).map(\.keyword) == ["type"])
    }

    // MARK: - has_downloads

    /// 2022-11-28 defines `has_downloads` as a boolean on both repository components; 2026-03-10 does not define
    /// it, and as neither component sets `additionalProperties`, any value passes there.
    @Test(arguments: OpenAPISchemas.versions)
    func hasDownloadsFollowsTheVersion(_ version: String) throws {
        let document = try #require(OpenAPISchemas.document(version))
        let defined = version == "2022-11-28"
        for component in ["minimal-repository", "nullable-minimal-repository"] {
            let schema = try #require(SchemaValidator.resolve("#/components/schemas/\(component)", in: document)
                as? [String: Any])
            #expect(schema["additionalProperties"] == nil, "\(component)")
            let property = (schema["properties"] as? [String: Any])?["has_downloads"] as? [String: Any]
            #expect((property?["type"] as? String) == (defined ? "boolean" : nil), "\(component)")
            let reference = ["$ref": "#/components/schemas/\(component)"]
            for value: Any in [true, false, "yes"] {
                var repository = Self.repository()
                repository["has_downloads"] = value
                let instance = try JSONSerialization.jsonObject(with: Data(try Self.bytes(repository)))
                let violations = SchemaValidator.validate(instance, against: reference, root: document)
                if value is String && defined {
                    #expect(violations.map(\.path) == ["$.has_downloads"], "\(component): \(violations)")
                } else {
                    #expect(violations.isEmpty, "\(component) \(value): \(violations)")
                }
            }
        }
        // And through an operation, whose packages link a nullable-minimal-repository.
        var body = Self.package()
        Self.editRepository(&body) { $0["has_downloads"] = true }
        for (operation, violations) in try Self.packageViolations(body, version) {
            #expect(violations.isEmpty, "\(operation): \(violations)")
        }
    }

    // MARK: - Other answers

    @Test(arguments: OpenAPISchemas.versions)
    func bodilessAndErrorAnswers(_ version: String) throws {
        let delete = "packages/delete-package-version-for-org"
        #expect(OpenAPISchemas.violations(of: [], operationID: delete, version: version, status: 204).isEmpty)
        let stray = OpenAPISchemas.violations(of: Array("{}".utf8), operationID: delete, version: version,
                                              status: 204)
        #expect(stray.map(\.keyword) == ["content"])
        let error = try Self.bytes(["message": "Not Found", "documentation_url": "https://docs.github.com/rest",
                                    "status": "404"])
        #expect(OpenAPISchemas.violations(of: error, operationID: delete, version: version, status: 404).isEmpty)
        let badError = try Self.bytes(["message": 404])
        let refused = OpenAPISchemas.violations(of: badError, operationID: delete, version: version, status: 404)
        #expect(refused.map(\.path) == ["$.message"], "\(refused)")
        let list = "packages/list-packages-for-user"
        #expect(OpenAPISchemas.violations(of: [], operationID: list, version: version, status: 400).isEmpty)
        #expect(OpenAPISchemas.violations(of: try Self.bytes([Any]()), operationID: list, version: version).isEmpty)
        // A 200 body must be an array for a list: a lone package is a type violation at the top.
        let lone = OpenAPISchemas.violations(of: try Self.bytes(Self.package()), operationID: list, version: version)
        #expect(lone.map(\.keyword) == ["type"] && lone.map(\.path) == ["$"], "\(lone)")
    }

    /// Mistakes of the caller's are violations too, so an `isEmpty` expectation cannot pass by accident.
    @Test func unknownVersionOperationStatusAndNonJSONAreReported() throws {
        let get = "packages/get-package-for-user"
        let body = try Self.bytes(Self.package())
        #expect(OpenAPISchemas.violations(of: body, operationID: get, version: "2022-11-28").isEmpty)
        #expect(OpenAPISchemas.violations(of: body, operationID: get, version: "2023-01-01").map(\.keyword)
            == ["version"])
        #expect(OpenAPISchemas.violations(of: body, operationID: "packages/nope", version: "2022-11-28")
            .map(\.keyword) == ["operationId"])
        // The single-item GETs document only 200.
        #expect(OpenAPISchemas.violations(of: body, operationID: get, version: "2022-11-28", status: 404)
            .map(\.keyword) == ["status"])
        #expect(OpenAPISchemas.violations(of: Array("{".utf8), operationID: get, version: "2026-03-10")
            .map(\.keyword) == ["json"])
        #expect(OpenAPISchemas.violations(of: Array("null".utf8), operationID: get, version: "2026-03-10")
            .map(\.keyword) == ["type"])
    }
}
