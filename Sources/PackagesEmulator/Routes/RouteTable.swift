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
