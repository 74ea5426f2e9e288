import Foundation
import Testing

import PackagesEmulator

/// GitHub's response schemas (`Schemas/`, from the shared reference), for both API versions.
enum GitHubSchemas {
    static let versions = ["2022-11-28", "2026-03-10"]

    /// The `responses` object of one version's schema file: `"200"`, `"401"`, `"403"`.
    static func responses(_ version: String) throws -> [String: Any] {
        let directory = try #require(Bundle.module.url(forResource: "Schemas", withExtension: nil))
        let file = directory.appendingPathComponent("list-packages-for-user.\(version).schema.json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        #expect(document["api_version"] as? String == version)
        return try #require(document["responses"] as? [String: Any])
    }

    /// The object branch of a nullable `anyOf` (`owner`, `repository`).
    static func objectBranch(_ schema: Any?) throws -> [String: Any] {
        let branches = try #require((schema as? [String: Any])?["anyOf"] as? [Any])
        return try #require(branches.compactMap { $0 as? [String: Any] }.first { $0["type"] as? String == "object" })
    }

    static func packageSchema(_ version: String) throws -> [String: Any] {
        let ok = try #require(try responses(version)["200"] as? [String: Any])
        return try #require(ok["items"] as? [String: Any])
    }
}

/// The demo fixtures' answers, computed by the core in process.
enum DemoAnswers {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func fixtures(_ profile: Profile) throws -> FixtureSet {
        let loaded = FixtureLoader.load(directory: repositoryRoot.appendingPathComponent("Fixtures").path,
                                        profile: profile)
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
        return try #require(loaded.fixtures)
    }

    static func emulator(_ profile: Profile) throws -> Emulator {
        Emulator(store: Store(try fixtures(profile), profile: profile))
    }

    /// One request: its description, the API version the schema must be that of, and the answer.
    struct Answer {
        var label: String
        var version: String
        var response: Response
        var json: Any?
    }

    /// Every user × package_type × visibility filter × classic token × version header (absent,
    /// 2022-11-28, 2026-03-10) under `profile`.
    static func listings(_ profile: Profile) throws -> [Answer] {
        let fixtures = try fixtures(profile)
        let emulator = Emulator(store: Store(fixtures, profile: profile))
        let tokens = fixtures.tokens.filter { $0.kind == .classic }.map(\.value)
        let logins = fixtures.users.map(\.login)
        var answers: [Answer] = []
        for login in logins {
            for type in PackageType.allCases.map(\.rawValue) {
                for visibility in ["", "&visibility=public", "&visibility=private", "&visibility=internal"] {
                    for token in tokens {
                        for version in [nil] + GitHubSchemas.versions {
                            let target = "/users/\(login)/packages?package_type=\(type)\(visibility)"
                            var headers = [(name: "Authorization", value: "token \(token)")]
                            if let version { headers.append((name: "X-GitHub-Api-Version", value: version)) }
                            let response = emulator.respond(
                                to: Request(method: "GET", target: target, headers: headers))
                            let json = try? JSONSerialization.jsonObject(with: Data(response.body))
                            answers.append(Answer(label: "\(profile) \(token) \(version ?? "-") \(target)",
                                                  version: version ?? "2022-11-28", response: response, json: json))
                        }
                    }
                }
            }
        }
        return answers
    }
}

@Suite struct SchemaTests {
    /// Every keyword of GitHub's schemas is one the validator checks or may ignore.
    @Test(arguments: GitHubSchemas.versions)
    func validatorKnowsEveryKeywordOfTheSchemas(_ version: String) throws {
        let responses = try GitHubSchemas.responses(version)
        #expect(Set(responses.keys) == ["200", "401", "403"])
        let used = responses.values.reduce(into: Set<String>()) { $0.formUnion(SchemaValidator.keywords(in: $1)) }
        let unknown = used.subtracting(SchemaValidator.assertions).subtracting(SchemaValidator.annotations)
        #expect(unknown.isEmpty, "keywords the validator would silently ignore: \(unknown.sorted())")
        #expect(used.isSuperset(of: ["type", "properties", "required", "items", "anyOf", "enum"]))
    }

    /// Every 200 body validates, except that an internal package says `"internal"` (SPEC §5's documented
    /// exception): that must be the only violation, and only on internal packages.
    @Test(arguments: [Profile.dotcom, .ghes])
    func every200BodyValidatesExceptInternal(_ profile: Profile) throws {
        let schemas = try Dictionary(uniqueKeysWithValues: GitHubSchemas.versions.map {
            ($0, try #require(try GitHubSchemas.responses($0)["200"]))
        })
        var validated = 0, packages = 0, internals = 0
        for answer in try DemoAnswers.listings(profile) where answer.response.status == 200 {
            let body = try #require(answer.json as? [[String: Any]], "\(answer.label)")
            #expect(answer.response.header("X-GitHub-Api-Version-Selected") == answer.version)
            let violations = SchemaValidator.validate(body, against: try #require(schemas[answer.version]))
            let internalPaths = Set(body.enumerated().filter { $0.element["visibility"] as? String == "internal" }
                .map { "$[\($0.offset)].visibility" })
            let unexpected = violations.filter { !($0.keyword == "enum" && internalPaths.contains($0.path)) }
            #expect(unexpected.isEmpty, "\(answer.label): \(unexpected)")
            #expect(Set(violations.map(\.path)) == internalPaths, "\(answer.label)")
            validated += 1
            packages += body.count
            internals += internalPaths.count
        }
        // The loop must have seen real listings, internal packages included, not just empty arrays.
        #expect(validated > 500)
        #expect(packages > 500)
        #expect(internals > 0)
    }

    /// `repository` is a complete minimal-repository: 46 required keys, `has_downloads` in 2022-11-28
    /// only; `owner` (of the package and of the repository) a simple-user: 18 required keys and
    /// `user_view_type`.
    @Test func repositoryAndOwnerAreComplete() throws {
        var repositories = 0
        let answers = try DemoAnswers.listings(.dotcom).filter { $0.response.status == 200 }
        for version in GitHubSchemas.versions {
            let package = try GitHubSchemas.packageSchema(version)
            let properties = try #require(package["properties"] as? [String: Any])
            let repository = try GitHubSchemas.objectBranch(properties["repository"])
            let owner = try GitHubSchemas.objectBranch(properties["owner"])
            let repositoryRequired = try #require(repository["required"] as? [String])
            let ownerRequired = try #require(owner["required"] as? [String])
            #expect(repositoryRequired.count == 46)
            #expect(ownerRequired.count == 18)
            for answer in answers where answer.version == version {
                for item in try #require(answer.json as? [[String: Any]]) {
                    let itemOwner = try #require(item["owner"] as? [String: Any])
                    #expect(Set(itemOwner.keys).isSuperset(of: ownerRequired + ["user_view_type"]), "\(answer.label)")
                    guard let repo = item["repository"] as? [String: Any] else { continue }
                    repositories += 1
                    #expect(Set(repo.keys).isSuperset(of: repositoryRequired), "\(answer.label)")
                    #expect((repo["has_downloads"] != nil) == (version == "2022-11-28"), "\(answer.label)")
                    let repoOwner = try #require(repo["owner"] as? [String: Any])
                    #expect(Set(repoOwner.keys).isSuperset(of: ownerRequired + ["user_view_type"]), "\(answer.label)")
                }
            }
        }
        #expect(repositories > 0)
    }

    static let errorRequests: [(label: String, target: String, token: String?, status: Int)] = [
        ("no token", "/users/octocat/packages?package_type=npm", nil, 401),
        ("unknown token", "/users/octocat/packages?package_type=npm", "ghp_noSuchToken", 401),
        ("no scopes", "/users/octocat/packages?package_type=npm", "ghp_octocatNoScopes", 403),
        ("fine-grained", "/users/octocat/packages?package_type=npm", "github_pat_octocatFineGrained", 403),
        ("no repo scope", "/users/octocat/packages?package_type=maven", "ghp_octocatRead", 403),
    ]

    /// 401 and 403 bodies validate against GitHub's error schemas, and carry GitHub's three fields.
    @Test(arguments: GitHubSchemas.versions)
    func errorBodiesValidate(_ version: String) throws {
        let responses = try GitHubSchemas.responses(version)
        let emulator = try DemoAnswers.emulator(.dotcom)
        for request in Self.errorRequests {
            var headers = [(name: "X-GitHub-Api-Version", value: version)]
            if let token = request.token { headers.append((name: "Authorization", value: "token \(token)")) }
            let response = emulator.respond(to: Request(method: "GET", target: request.target, headers: headers))
            #expect(response.status == request.status, "\(request.label)")
            let body = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            let schema = try #require(responses[String(request.status)])
            #expect(SchemaValidator.validate(body, against: schema).isEmpty, "\(request.label)")
            #expect(body["message"] is String && body["documentation_url"] is String, "\(request.label)")
            #expect(body["status"] as? String == String(request.status), "\(request.label)")
        }
    }
}

extension SchemaTests {
    /// The validator itself fails what it must, so a passing schema test means something.
    @Suite struct ValidatorSelfTests {
        static func json(_ text: String) throws -> Any {
            try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        }

        /// A valid package from the core, to break one field at a time.
        static func validPackage() throws -> [String: Any] {
            let emulator = try DemoAnswers.emulator(.dotcom)
            let response = emulator.respond(to: Request(
                method: "GET", target: "/users/octocat/packages?package_type=container&per_page=1",
                headers: [(name: "Authorization", value: "token ghp_octocatRead")]))
            let body = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]])
            let package = try #require(body.first)
            #expect(package["repository"] != nil)
            return package
        }

        @Test func validPackagePasses() throws {
            let schema = try #require(try GitHubSchemas.responses("2022-11-28")["200"])
            #expect(SchemaValidator.validate([try Self.validPackage()], against: schema).isEmpty)
        }

        typealias Edit = @Sendable (inout [String: Any]) -> Void
        static let breakages: [(label: String, path: String, keyword: String, edit: Edit)] = [
            ("missing required name", "$[0]", "required", { $0["name"] = nil }),
            ("id a string", "$[0].id", "type", { $0["id"] = "101" }),
            ("id a boolean", "$[0].id", "type", { $0["id"] = NSNumber(value: true) }),
            ("id not whole", "$[0].id", "type", { $0["id"] = 1.5 }),
            ("version_count null", "$[0].version_count", "type", { $0["version_count"] = NSNull() }),
            ("unknown package_type", "$[0].package_type", "enum", { $0["package_type"] = "pypi" }),
            ("created_at not a date-time", "$[0].created_at", "format", { $0["created_at"] = "2024-01-15" }),
            ("owner site_admin a number", "$[0].owner.site_admin", "type", {
                var owner = $0["owner"] as? [String: Any] ?? [:]
                owner["site_admin"] = 0
                $0["owner"] = owner
            }),
            ("owner missing login", "$[0].owner", "required", {
                var owner = $0["owner"] as? [String: Any] ?? [:]
                owner["login"] = nil
                $0["owner"] = owner
            }),
            ("repository missing full_name", "$[0].repository", "required", {
                var repository = $0["repository"] as? [String: Any] ?? [:]
                repository["full_name"] = nil
                $0["repository"] = repository
            }),
            ("repository owner url relative", "$[0].repository.owner.url", "format", {
                var repository = $0["repository"] as? [String: Any] ?? [:]
                var owner = repository["owner"] as? [String: Any] ?? [:]
                owner["url"] = "/users/octocat"
                repository["owner"] = owner
                $0["repository"] = repository
            }),
        ]

        /// Each breakage fails with a violation at the broken place.
        @Test(arguments: 0..<breakages.count)
        func brokenPackageFails(_ index: Int) throws {
            let breakage = Self.breakages[index]
            var package = try Self.validPackage()
            breakage.edit(&package)
            for version in GitHubSchemas.versions {
                let schema = try #require(try GitHubSchemas.responses(version)["200"])
                let violations = SchemaValidator.validate([package], against: schema)
                #expect(violations.contains { $0.path == breakage.path && $0.keyword == breakage.keyword },
                        "\(breakage.label) (\(version)): \(violations)")
            }
        }

        @Test func typesAreToldApartOnEveryPlatform() throws {
            let values = try #require(try Self.json(#"[true, 1, 0, 1.0, 1.5, "1", null, [], {}]"#) as? [Any])
            #expect(values.map { JSONKind.of($0) } ==
                    [.boolean, .integer, .integer, .integer, .number, .string, .null, .array, .object])
            #expect(!SchemaValidator.validate(values[0], against: ["type": "integer"]).isEmpty)
            #expect(!SchemaValidator.validate(values[1], against: ["type": "boolean"]).isEmpty)
            #expect(SchemaValidator.validate(values[1], against: ["type": "number"]).isEmpty)
            #expect(SchemaValidator.validate(values[6], against: ["type": ["string", "null"]]).isEmpty)
            #expect(!SchemaValidator.validate(values[1], against: ["enum": [NSNumber(value: true)]]).isEmpty)
            #expect(!SchemaValidator.validate(try Self.json(#"{"a": 1}"#), against: try Self.json(
                #"{"type": "object", "properties": {"b": {}}, "additionalProperties": false}"#)).isEmpty)
            #expect(SchemaValidator.validate(try Self.json("2"), against: try Self.json(
                #"{"oneOf": [{"type": "integer"}, {"type": "number"}]}"#)).count == 1)
        }
    }
}
