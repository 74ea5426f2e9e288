/// Every GitHub route the emulator answers, one row per operation (SPEC §13, §19), with GitHub's
/// operation id and the anchor of its page in GitHub's docs. Every route is also served under `/api/v3`.
enum RouteTable {
    static let operations: [Operation] = [
        // /orgs/{org}
        .init("packages/list-packages-for-organization", "GET", "/orgs/{org}/packages",
              .listPackages, "list-packages-for-an-organization"),
        .init("packages/get-package-for-organization", "GET", "/orgs/{org}/packages/{package_type}/{package_name}",
              .getPackage, "get-a-package-for-an-organization"),
        .init("packages/get-all-package-versions-for-package-owned-by-org", "GET",
              "/orgs/{org}/packages/{package_type}/{package_name}/versions",
              .listVersions, "list-package-versions-for-a-package-owned-by-an-organization"),
        .init("packages/get-package-version-for-organization", "GET",
              "/orgs/{org}/packages/{package_type}/{package_name}/versions/{package_version_id}",
              .getVersion, "get-a-package-version-for-an-organization"),
        .init("packages/list-docker-migration-conflicting-packages-for-organization", "GET",
              "/orgs/{org}/docker/conflicts",
              .conflicts, "get-list-of-conflicting-packages-during-docker-migration-for-organization"),
        .init("packages/delete-package-for-org", "DELETE",
              "/orgs/{org}/packages/{package_type}/{package_name}",
              .deletePackage, "delete-a-package-for-an-organization"),
        .init("packages/restore-package-for-org", "POST",
              "/orgs/{org}/packages/{package_type}/{package_name}/restore",
              .restorePackage, "restore-a-package-for-an-organization"),
        .init("packages/delete-package-version-for-org", "DELETE",
              "/orgs/{org}/packages/{package_type}/{package_name}/versions/{package_version_id}",
              .deleteVersion, "delete-package-version-for-an-organization"),
        .init("packages/restore-package-version-for-org", "POST",
              "/orgs/{org}/packages/{package_type}/{package_name}/versions/{package_version_id}/restore",
              .restoreVersion, "restore-package-version-for-an-organization"),
        // /user: the token's user
        .init("packages/list-packages-for-authenticated-user", "GET", "/user/packages",
              .listPackages, "list-packages-for-the-authenticated-users-namespace"),
        .init("packages/get-package-for-authenticated-user", "GET", "/user/packages/{package_type}/{package_name}",
              .getPackage, "get-a-package-for-the-authenticated-user"),
        .init("packages/get-all-package-versions-for-package-owned-by-authenticated-user", "GET",
              "/user/packages/{package_type}/{package_name}/versions",
              .listVersions, "list-package-versions-for-a-package-owned-by-the-authenticated-user"),
        .init("packages/get-package-version-for-authenticated-user", "GET",
              "/user/packages/{package_type}/{package_name}/versions/{package_version_id}",
              .getVersion, "get-a-package-version-for-the-authenticated-user"),
        .init("packages/list-docker-migration-conflicting-packages-for-authenticated-user", "GET",
              "/user/docker/conflicts",
              .conflicts, "get-list-of-conflicting-packages-during-docker-migration-for-authenticated-user"),
        .init("packages/delete-package-for-authenticated-user", "DELETE",
              "/user/packages/{package_type}/{package_name}",
              .deletePackage, "delete-a-package-for-the-authenticated-user"),
        .init("packages/restore-package-for-authenticated-user", "POST",
              "/user/packages/{package_type}/{package_name}/restore",
              .restorePackage, "restore-a-package-for-the-authenticated-user"),
        .init("packages/delete-package-version-for-authenticated-user", "DELETE",
              "/user/packages/{package_type}/{package_name}/versions/{package_version_id}",
              .deleteVersion, "delete-a-package-version-for-the-authenticated-user"),
        .init("packages/restore-package-version-for-authenticated-user", "POST",
              "/user/packages/{package_type}/{package_name}/versions/{package_version_id}/restore",
              .restoreVersion, "restore-a-package-version-for-the-authenticated-user"),
        // /users/{username}: users, and organisations answered as on /orgs/
        .init("packages/list-packages-for-user", "GET", "/users/{username}/packages",
              .listPackages, "list-packages-for-a-user"),
        .init("packages/get-package-for-user", "GET", "/users/{username}/packages/{package_type}/{package_name}",
              .getPackage, "get-a-package-for-a-user"),
        .init("packages/get-all-package-versions-for-package-owned-by-user", "GET",
              "/users/{username}/packages/{package_type}/{package_name}/versions",
              .listVersions, "list-package-versions-for-a-package-owned-by-a-user"),
        .init("packages/get-package-version-for-user", "GET",
              "/users/{username}/packages/{package_type}/{package_name}/versions/{package_version_id}",
              .getVersion, "get-a-package-version-for-a-user"),
        .init("packages/list-docker-migration-conflicting-packages-for-user", "GET",
              "/users/{username}/docker/conflicts",
              .conflicts, "get-list-of-conflicting-packages-during-docker-migration-for-user"),
        .init("packages/delete-package-for-user", "DELETE",
              "/users/{username}/packages/{package_type}/{package_name}",
              .deletePackage, "delete-a-package-for-a-user"),
        .init("packages/restore-package-for-user", "POST",
              "/users/{username}/packages/{package_type}/{package_name}/restore",
              .restorePackage, "restore-a-package-for-a-user"),
        .init("packages/delete-package-version-for-user", "DELETE",
              "/users/{username}/packages/{package_type}/{package_name}/versions/{package_version_id}",
              .deleteVersion, "delete-package-version-for-a-user"),
        .init("packages/restore-package-version-for-user", "POST",
              "/users/{username}/packages/{package_type}/{package_name}/versions/{package_version_id}/restore",
              .restoreVersion, "restore-package-version-for-a-user"),
        // Account routes that packages tools call first (SPEC §19)
        .init("users/get-authenticated", "GET", "/user", .authenticatedUser, "get-the-authenticated-user",
              docs: "users/users"),
        .init("users/get-by-username", "GET", "/users/{username}", .user, "get-a-user", docs: "users/users"),
        .init("rate-limit/get", "GET", "/rate_limit", .rateLimit, "get-rate-limit-status-for-the-authenticated-user",
              docs: "rate-limit/rate-limit"),
    ]
}

/// One GitHub operation: how its path looks and what answers it.
/// A class, not a struct: the router walks the table on every request, and copying a row of five
/// strings costs as many reference-count operations.
final class Operation: Sendable {
    enum Action: Sendable {
        case listPackages, getPackage, listVersions, getVersion, conflicts
        case deletePackage, restorePackage, deleteVersion, restoreVersion
        case authenticatedUser, user, rateLimit

        /// Deletes and restores change the data set (SPEC §17).
        var isWrite: Bool {
            switch self {
            case .deletePackage, .restorePackage, .deleteVersion, .restoreVersion: true
            default: false
            }
        }
    }

    /// Whose packages a route names: `/orgs/{org}`, `/user` (the token's user), `/users/{username}`.
    enum OwnerSegment: Sendable {
        case org, authenticatedUser, user
    }

    let id: String
    let method: String
    let pattern: RoutePattern
    let action: Action
    let owner: OwnerSegment
    /// The `documentation_url` of its errors (SPEC §13).
    let documentationURL: String

    init(_ id: String, _ method: String, _ path: String, _ action: Action, _ anchor: String,
         docs page: String = "packages/packages") {
        self.id = id
        self.method = method
        pattern = RoutePattern(path)
        self.action = action
        owner = path.hasPrefix("/orgs/") ? .org : path.hasPrefix("/users/") ? .user : .authenticatedUser
        documentationURL = "https://docs.github.com/rest/\(page)#\(anchor)"
    }
}

/// The Container registry's routes (SPEC §21, OCI Distribution Spec's endpoint table), rows of the same
/// table: `{name}` is `OWNER/NAME` and may span several segments (`octo-org/octo-repo/web`). HEAD answers
/// as GET. Operation ids are the journal's (`registry/put-manifest`).
extension RouteTable {
    static let registry: [RegistryOperation] = [
        .init("registry/token", "GET", "/token", .token),
        .init("registry/base", "GET", "/v2/", .base),
        .init("registry/get-blob", "GET", "/v2/{name}/blobs/{digest}", .getBlob),
        .init("registry/delete-blob", "DELETE", "/v2/{name}/blobs/{digest}", .unsupported),
        .init("registry/start-upload", "POST", "/v2/{name}/blobs/uploads/", .startUpload),
        .init("registry/patch-upload", "PATCH", "/v2/{name}/blobs/uploads/{session}", .patchUpload),
        .init("registry/finish-upload", "PUT", "/v2/{name}/blobs/uploads/{session}", .finishUpload),
        .init("registry/get-upload", "GET", "/v2/{name}/blobs/uploads/{session}", .uploadStatus),
        .init("registry/cancel-upload", "DELETE", "/v2/{name}/blobs/uploads/{session}", .cancelUpload),
        .init("registry/put-manifest", "PUT", "/v2/{name}/manifests/{reference}", .putManifest),
        .init("registry/get-manifest", "GET", "/v2/{name}/manifests/{reference}", .getManifest),
        .init("registry/delete-manifest", "DELETE", "/v2/{name}/manifests/{reference}", .unsupported),
        .init("registry/list-tags", "GET", "/v2/{name}/tags/list", .listTags),
        .init("registry/get-referrers", "GET", "/v2/{name}/referrers/{digest}", .referrers),
    ]
}

/// One registry operation: a path of literal segments around one `{name}` of one or more segments.
final class RegistryOperation: Sendable {
    enum Action: Sendable {
        case token, base, getBlob, startUpload, patchUpload, finishUpload, uploadStatus, cancelUpload
        case putManifest, getManifest, listTags, referrers, unsupported
    }

    let id: String
    let method: String
    let action: Action
    /// Segments before `{name}` (`v2`), and after it; `{x}` in `after` is a one-segment parameter.
    let before: [String]
    let after: [String]
    let hasName: Bool

    init(_ id: String, _ method: String, _ path: String, _ action: Action) {
        self.id = id
        self.method = method
        self.action = action
        // Keep a trailing empty segment: `/blobs/uploads/` is its own route.
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if let at = segments.firstIndex(of: "{name}") {
            before = Array(segments[..<at])
            after = Array(segments[(at + 1)...])
            hasName = true
        } else {
            before = segments
            after = []
            hasName = false
        }
    }

    /// The name and the parameters after it when `parts` (the path split on `/`) matches.
    func match(_ parts: [Substring]) -> (name: String, parameters: [String: String])? {
        guard hasName else {
            return parts.count == before.count && zip(parts, before).allSatisfy({ $0 == $1 }) ? ("", [:]) : nil
        }
        guard parts.count >= before.count + after.count + 1,
              zip(parts, before).allSatisfy({ $0 == $1 }) else { return nil }
        var parameters: [String: String] = [:]
        for (part, segment) in zip(parts.suffix(after.count), after) {
            if segment.hasPrefix("{") {
                guard !part.isEmpty else { return nil }
                parameters[String(segment.dropFirst().dropLast())] = String(part)
            } else if part != segment {
                return nil
            }
        }
        let name = parts[before.count..<(parts.count - after.count)].joined(separator: "/")
        return (name, parameters)
    }

    /// The row of `method` (HEAD as GET) and `path` with its name and parameters; else whether the path
    /// matches a row of another method (405) or none (404).
    static func resolve(method: String, path: Substring)
        -> (match: (operation: RegistryOperation, name: String, parameters: [String: String])?, pathMatched: Bool)
    {
        let parts = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        let wanted = method == "HEAD" ? "GET" : method
        var pathMatched = false
        for operation in RouteTable.registry {
            guard let (name, parameters) = operation.match(parts) else { continue }
            if operation.method == wanted { return ((operation, name, parameters), true) }
            pathMatched = true
        }
        return (nil, pathMatched)
    }

    /// Whether a path is the registry's: `/token` and everything under `/v2/` (no REST route starts so).
    static func owns(_ path: Substring) -> Bool {
        // Bytes, not Characters: this runs for every request.
        let bytes = path.utf8
        return bytes.elementsEqual("/token".utf8) || bytes.elementsEqual("/v2".utf8) || bytes.starts(with: "/v2/".utf8)
    }
}
