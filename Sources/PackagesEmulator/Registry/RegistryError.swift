/// An error of the registry routes: OCI Distribution Spec's body `{"errors":[{"code","message"}]}`
/// ("Error Codes") with ghcr.io's messages where they were seen (SPEC §21).
public struct RegistryError: Error, Sendable, Equatable {
    public let status: Int
    public let code: String
    public let message: String

    init(_ status: Int, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// Compact, as ghcr.io and distribution write it (clients print it as is).
    var body: [UInt8] {
        Array("{\"errors\":[{\"code\":\(JSONWriter.quoted(code)),\"message\":\(JSONWriter.quoted(message))}]}".utf8)
    }

    static let unauthorized = RegistryError(401, "UNAUTHORIZED", "authentication required")
    static let denied = RegistryError(403, "DENIED", "permission_denied: write_package")
    static let deniedScopes = RegistryError(
        403, "DENIED", "permission_denied: The token provided does not match expected scopes.")
    static let nameUnknown = RegistryError(404, "NAME_UNKNOWN", "repository name not known to registry")
    static let nameInvalid = RegistryError(400, "NAME_INVALID", "invalid repository name")
    static let blobUnknown = RegistryError(404, "BLOB_UNKNOWN", "blob unknown to registry")
    static let uploadUnknown = RegistryError(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry")
    static let manifestUnknown = RegistryError(404, "MANIFEST_UNKNOWN", "manifest unknown")
    static let digestInvalid = RegistryError(400, "DIGEST_INVALID", "provided digest did not match uploaded content")
    static let tagInvalid = RegistryError(400, "MANIFEST_INVALID", "manifest invalid: invalid reference")
    static let unsupported = RegistryError(405, "UNSUPPORTED", "The operation is unsupported.")
    static let notFound = RegistryError(404, "NOT_FOUND", "page not found")
    // Seen on ghcr.io for a chunk over its cap (SPEC §21).
    static let chunkTooLarge = RegistryError(
        416, "REQUESTED_RANGE_NOT_SATISFIABLE",
        "the request body is too large and exceeds the maximum permissible limit of 4.00MiB")
    static let rangeInvalid = RegistryError(416, "BLOB_UPLOAD_INVALID", "blob upload invalid: range out of order")

    static func sizeInvalid(_ limit: Int64) -> RegistryError {
        RegistryError(413, "SIZE_INVALID", "blob exceeds the maximum size of \(limit) bytes")
    }

    static func manifestInvalid(_ why: String) -> RegistryError {
        RegistryError(400, "MANIFEST_INVALID", "manifest invalid: \(why)")
    }

    static func storage(_ why: String) -> RegistryError {
        RegistryError(500, "UNKNOWN", "unknown error: \(why)")
    }
}
