/// GitHub's error answer: status, message and documentation URL, rendered as GitHub's error body
/// `{"message": …, "documentation_url": …, "status": "NNN"}` (SPEC §6).
public struct APIError: Error, Sendable, Equatable {
    public var status: Int
    public var message: String
    public var documentationURL: String

    public init(_ status: Int, _ message: String, documentationURL: String = DocURL.endpoint) {
        self.status = status
        self.message = message
        self.documentationURL = documentationURL
    }

    /// The body, pretty-printed as api.github.com prints it.
    public var body: [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key("message")
        json.string(message)
        json.key("documentation_url")
        json.string(documentationURL)
        json.key("status")
        json.string(String(status))
        json.endObject()
        return json.bytes
    }
}

/// The documentation URLs GitHub names in its error bodies.
public enum DocURL {
    /// The page of the operation that answers; `Emulator.apiResponse` puts the route's own in its place.
    public static let endpoint = "https://docs.github.com/rest/packages/packages#list-packages-for-a-user"
    public static let rest = "https://docs.github.com/rest"
    public static let rateLimits = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
}

extension APIError {
    static let notFoundRoute = APIError(404, "Not Found", documentationURL: DocURL.rest)
    static let notFoundUser = APIError(404, "Not Found")
    static let requiresAuthentication = APIError(401, "Requires authentication")
    static let badCredentials = APIError(401, "Bad credentials", documentationURL: DocURL.rest)
    static let fineGrained = APIError(403, "Resource not accessible by personal access token")
    static let invalidArgument = APIError(400, "Invalid argument.")
    static let missingReadPackages = Scopes.missing(for: .listPackages, repo: false)
    static let missingRepo = Scopes.missing(for: .listPackages, repo: true)
    /// Seen on GitHub's answers to `GITHUB_TOKEN` (SPEC §15, §19).
    static let notAccessibleByIntegration = APIError(403, "Resource not accessible by integration")
    static let packageNotFound = APIError(404, "Package not found.")
    static let versionNotFound = APIError(404, "Package version not found.")
    static let packageTypeRequired = APIError(400, "The package_type parameter is required.")
    static let pageTooDeep = APIError(
        400, "The value of `per_page` multiplied by `page` cannot be greater than 10000.")

    static func unsupportedVersion(_ version: String) -> APIError {
        let supported = APIVersion.allCases.reversed().enumerated().map { index, version in
            index == 0 ? "\"\(version.rawValue)\" (most recent)" : "\"\(version.rawValue)\""
        }
        return APIError(
            400,
            "The version you specified in the \"X-GitHub-API-Version\" request header, \"\(version)\", is not a "
                + "supported version. The following versions are currently supported: "
                + supported.joined(separator: ", ") + ".")
    }
}
