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
        // What tools read to tell GitHub Enterprise Server from GitHub.com (SPEC §23).
        .init("meta/get", "GET", "/meta", .meta, "get-github-meta-information", docs: "meta/meta"),
    ]
}

/// One GitHub operation: how its path looks and what answers it.
/// A class, not a struct: the router walks the table on every request, and copying a row of five
/// strings costs as many reference-count operations.
final class Operation: Sendable {
    enum Action: Sendable {
        case listPackages, getPackage, listVersions, getVersion, conflicts
        case deletePackage, restorePackage, deleteVersion, restoreVersion
        case authenticatedUser, user, rateLimit, meta

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

extension RouteTable {
    /// npm's registry under `/npm/` (SPEC §22; npm CLI 10's requests: libnpmpublish's publish and
    /// unpublish, `lib/commands/dist-tag.js`, `deprecate.js`, `whoami.js`, `ping.js`). `{package}` is
    /// `@OWNER/NAME`, escaped into one segment (`@o%2fname`, as npm sends it) or as two.
    static let npm: [NpmOperation] = [
        .init("npm/whoami", "GET", "/npm/-/whoami", .whoami),
        .init("npm/ping", "GET", "/npm/-/ping", .ping),
        .init("npm/get-dist-tags", "GET", "/npm/-/package/{package}/dist-tags", .distTags),
        .init("npm/put-dist-tag", "PUT", "/npm/-/package/{package}/dist-tags/{tag}", .putDistTag),
        .init("npm/delete-dist-tag", "DELETE", "/npm/-/package/{package}/dist-tags/{tag}", .deleteDistTag),
        .init("npm/get-packument", "GET", "/npm/{package}", .packument),
        .init("npm/publish", "PUT", "/npm/{package}", .publish),
        .init("npm/update", "PUT", "/npm/{package}/-rev/{rev}", .update),
        .init("npm/unpublish-package", "DELETE", "/npm/{package}/-rev/{rev}", .unpublishPackage),
        .init("npm/get-tarball", "GET", "/npm/{package}/-/{file}", .tarball),
        .init("npm/unpublish-tarball", "DELETE", "/npm/{package}/-/{file}/-rev/{rev}", .deleteTarball),
        // libnpmpublish's unpublish strips the default registry's path from the tarball URL, not the
        // scope's: with a scope registry `…/npm/`, the path arrives with `npm/` twice.
        .init("npm/unpublish-tarball", "DELETE", "/npm/npm/{package}/-/{file}/-rev/{rev}", .deleteTarball),
    ]
}

/// One npm operation: literal segments, `{package}` (a scope segment `@…` and a name, or one unscoped
/// name, which is refused later with a reason), and one-segment parameters.
final class NpmOperation: Sendable {
    enum Action: Sendable {
        case whoami, ping, distTags, putDistTag, deleteDistTag, packument, publish, update, unpublishPackage
        case tarball, deleteTarball
    }

    let id: String
    let method: String
    let action: Action
    let segments: [String]

    init(_ id: String, _ method: String, _ path: String, _ action: Action) {
        self.id = id
        self.method = method
        self.action = action
        segments = path.dropFirst().split(separator: "/").map(String.init)
    }

    /// The package (scope without `@`, nil when unscoped; name) and parameters, when `parts` match.
    func match(_ parts: [String]) -> (scope: String?, name: String, parameters: [String: String])? {
        var index = 0
        var package: (scope: String?, name: String)?
        var parameters: [String: String] = [:]
        for segment in segments {
            guard index < parts.count else { return nil }
            if segment == "{package}" {
                guard !parts[index].isEmpty else { return nil }
                if parts[index].hasPrefix("@") {
                    guard index + 1 < parts.count else { return nil }
                    package = (String(parts[index].dropFirst()), parts[index + 1])
                    index += 2
                } else {
                    package = (nil, parts[index])
                    index += 1
                }
            } else if segment.hasPrefix("{") {
                guard !parts[index].isEmpty else { return nil }
                parameters[String(segment.dropFirst().dropLast())] = parts[index]
                index += 1
            } else {
                guard parts[index] == segment else { return nil }
                index += 1
            }
        }
        guard index == parts.count else { return nil }
        return (package?.scope, package?.name ?? "", parameters)
    }

    /// The segments of an `/npm/` path, percent-decoded, `@o%2fname` split in two; nil when an escape
    /// is bad.
    static func parts(_ path: Substring) -> [String]? {
        // One pass over the bytes (this runs for every npm request): generic `split` and Character
        // views cost more than the rest of the route.
        let bytes = Array(path.utf8)
        var parts: [String] = []
        parts.reserveCapacity(8)
        var start = 1
        var escaped = false
        for index in 1...max(bytes.count, 1) {
            if index < bytes.count && bytes[index] != UInt8(ascii: "/") {
                if bytes[index] == UInt8(ascii: "%") || bytes[index] == 0 { escaped = true }
                continue
            }
            // From a buffer pointer: `String(decoding:)` of an ArraySlice takes a generic, unspecialised path.
            let text = bytes.withUnsafeBufferPointer { buffer in
                String(decoding: UnsafeBufferPointer(rebasing: buffer[min(start, bytes.count)..<min(index, bytes.count)]),
                       as: UTF8.self)
            }
            start = index + 1
            guard escaped else {
                parts.append(text)
                continue
            }
            escaped = false
            guard case .success(let decoded) = PercentDecoding.decode(Substring(text), plusIsSpace: false) else { return nil }
            if decoded.hasPrefix("@"), let slash = decoded.firstIndex(of: "/") {
                parts.append(String(decoded[..<slash]))
                parts.append(String(decoded[decoded.index(after: slash)...]))
            } else {
                parts.append(decoded)
            }
        }
        return parts
    }

    /// The row of `method` (HEAD as GET) and `path`; else whether another method's row matched (405).
    static func resolve(method: String, path: Substring)
        -> (match: (operation: NpmOperation, scope: String?, name: String, parameters: [String: String])?,
            pathMatched: Bool)
    {
        guard let parts = parts(path) else { return (nil, false) }
        let wanted = method == "HEAD" ? "GET" : method
        var pathMatched = false
        for operation in RouteTable.npm {
            guard let (scope, name, parameters) = operation.match(parts) else { continue }
            if operation.method == wanted { return ((operation, scope, name, parameters), true) }
            pathMatched = true
        }
        return (nil, pathMatched)
    }

    /// Whether a path is npm's: `/npm` and everything under it (no REST route starts so).
    static func owns(_ path: Substring) -> Bool {
        let bytes = path.utf8
        return bytes.elementsEqual("/npm".utf8) || bytes.starts(with: "/npm/".utf8)
    }
}
