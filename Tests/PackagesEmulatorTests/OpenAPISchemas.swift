import Foundation

/// GitHub's OpenAPI 3.0 descriptions of the 27 packages operations, one per API version
/// (`Schemas/packages-api.<version>.openapi.json`; provenance and licence in `Schemas/README.md`), for checking a
/// response body against what GitHub documents for that operation, version and status.
enum OpenAPISchemas {
    static let versions = ["2022-11-28", "2026-03-10"]

    /// Every operation both descriptions hold, in their path order. Spelled out rather than read from the
    /// documents, so a test can tell a truncated or renamed description from a complete one.
    static var operationIDs: [String] {
        [
            "packages/list-docker-migration-conflicting-packages-for-organization",
            "packages/list-packages-for-organization",
            "packages/get-package-for-organization",
            "packages/delete-package-for-org",
            "packages/restore-package-for-org",
            "packages/get-all-package-versions-for-package-owned-by-org",
            "packages/get-package-version-for-organization",
            "packages/delete-package-version-for-org",
            "packages/restore-package-version-for-org",
            "packages/list-docker-migration-conflicting-packages-for-authenticated-user",
            "packages/list-packages-for-authenticated-user",
            "packages/get-package-for-authenticated-user",
            "packages/delete-package-for-authenticated-user",
            "packages/restore-package-for-authenticated-user",
            "packages/get-all-package-versions-for-package-owned-by-authenticated-user",
            "packages/get-package-version-for-authenticated-user",
            "packages/delete-package-version-for-authenticated-user",
            "packages/restore-package-version-for-authenticated-user",
            "packages/list-docker-migration-conflicting-packages-for-user",
            "packages/list-packages-for-user",
            "packages/get-package-for-user",
            "packages/delete-package-for-user",
            "packages/restore-package-for-user",
            "packages/get-all-package-versions-for-package-owned-by-user",
            "packages/get-package-version-for-user",
            "packages/delete-package-version-for-user",
            "packages/restore-package-version-for-user",
        ]
    }

    /// Every way `body` fails the `application/json` schema GitHub documents for `operationID`'s `status`
    /// response in API `version` ("2022-11-28" or "2026-03-10"); empty when it validates.
    ///
    /// Problems that are not the body's (an unknown version, operation or status, an unloadable document) are
    /// violations at `$` too, so a caller's `#expect(violations.isEmpty)` cannot pass by accident. A status
    /// documented without a body (204, the list endpoints' 400) accepts exactly an empty body.
    static func violations(of body: [UInt8], operationID: String, version: String, status: Int = 200)
        -> [SchemaViolation]
    {
        let document: Document
        switch loaded[version] {
        case .success(let loaded)?: document = loaded
        case .failure(let error)?: return [problem("document", error.message)]
        case nil: return [problem("version", "no description for API version \(version.debugDescription)")]
        }
        guard let operation = document.operations[operationID] else {
            return [problem("operationId", "\(version) describes no operation \(operationID.debugDescription)")]
        }
        guard let response = response(status, of: operation) else {
            return [problem("status", "\(operationID) (\(version)) documents no \(status) response")]
        }
        guard let content = response["content"] as? [String: Any] else {
            return body.isEmpty ? [] : [problem("content", "\(status) documents no body, got \(body.count) bytes")]
        }
        guard let schema = (content["application/json"] as? [String: Any])?["schema"] else {
            return [problem("content", "\(status) documents no application/json schema")]
        }
        let instance: Any
        do {
            instance = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            return [problem("json", "body is not JSON: \(error.localizedDescription)")]
        }
        return SchemaValidator.validate(instance, against: schema, root: document.root)
    }

    /// The description for `version` as `violations` uses it (docker-metadata adjusted), to validate against
    /// one component with `SchemaValidator.validate(_:against:root:)`; nil for an unknown or unloadable one.
    static func document(_ version: String) -> [String: Any]? {
        guard case .success(let document)? = loaded[version] else { return nil }
        return document.root
    }

    /// Where the bundle holds `version`'s description, unadjusted.
    static func url(_ version: String) -> URL? {
        Bundle.module.url(forResource: "Schemas", withExtension: nil)?
            .appendingPathComponent("packages-api.\(version).openapi.json")
    }

    /// `root` with the one documented defect corrected: GitHub's `docker-metadata` defines the property `tag` but
    /// requires `tags`, so no docker version could validate; the emulator renders `tag` as GitHub's clients read
    /// it (SPEC §18, Schemas/README.md), so that `required` entry goes. Only while the defect is there as
    /// described: a description that defines `tags` or stops requiring it is left as it is.
    static func adjustingDockerMetadata(_ root: [String: Any]) -> [String: Any] {
        guard var components = root["components"] as? [String: Any],
            var schemas = components["schemas"] as? [String: Any],
            var docker = schemas["docker-metadata"] as? [String: Any],
            let required = docker["required"] as? [String], required.contains("tags"),
            (docker["properties"] as? [String: Any])?["tags"] == nil
        else { return root }
        let kept = required.filter { $0 != "tags" }
        // OpenAPI 3.0's `required` may not be empty: drop the keyword rather than leave `[]`.
        docker["required"] = kept.isEmpty ? nil : kept
        schemas["docker-metadata"] = docker
        components["schemas"] = schemas
        var adjusted = root
        adjusted["components"] = components
        return adjusted
    }

    // MARK: - Loading

    /// One loaded description. Never mutated after `init`, so tests running in parallel may share it, which the
    /// compiler cannot see through `[String: Any]`.
    private final class Document: @unchecked Sendable {
        let root: [String: Any]
        /// `operationId` → the operation object.
        let operations: [String: [String: Any]]

        init(root: [String: Any], operations: [String: [String: Any]]) {
            self.root = root
            self.operations = operations
        }
    }

    private struct LoadError: Error {
        var message: String
    }

    /// Both descriptions, read and parsed once: a `static let` is initialized lazily and exactly once, even when
    /// parallel tests reach it together, and 140 kB of JSON per call would slow every test that validates.
    private static let loaded: [String: Result<Document, LoadError>] =
        Dictionary(uniqueKeysWithValues: versions.map { ($0, load($0)) })

    private static func load(_ version: String) -> Result<Document, LoadError> {
        guard let url = url(version) else { return .failure(LoadError(message: "no Schemas directory in bundle")) }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        } catch {
            return .failure(LoadError(message: "\(url.lastPathComponent): \(error.localizedDescription)"))
        }
        guard let root = parsed as? [String: Any], let paths = root["paths"] as? [String: Any] else {
            return .failure(LoadError(message: "\(url.lastPathComponent) has no paths"))
        }
        var operations: [String: [String: Any]] = [:]
        for item in paths.values.compactMap({ $0 as? [String: Any] }) {
            // Path items also hold `parameters` and `summary`: only objects with an operationId are operations.
            for operation in item.values.compactMap({ $0 as? [String: Any] }) {
                guard let id = operation["operationId"] as? String else { continue }
                guard operations[id] == nil else {
                    return .failure(LoadError(message: "\(url.lastPathComponent): operationId \(id) twice"))
                }
                operations[id] = operation
            }
        }
        return .success(Document(root: adjustingDockerMetadata(root), operations: operations))
    }

    /// The response object for `status`: the exact code, else its range (`4XX`), else `default`, as OpenAPI
    /// resolves them.
    private static func response(_ status: Int, of operation: [String: Any]) -> [String: Any]? {
        guard let responses = operation["responses"] as? [String: Any] else { return nil }
        for key in [String(status), "\(status / 100)XX", "default"] {
            if let response = responses[key] as? [String: Any] { return response }
        }
        return nil
    }

    private static func problem(_ keyword: String, _ message: String) -> SchemaViolation {
        SchemaViolation(path: "$", keyword: keyword, message: message)
    }
}
