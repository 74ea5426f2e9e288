/// The REST API versions the emulator answers (`X-GitHub-Api-Version`, SPEC §9).
public enum APIVersion: String, CaseIterable, Sendable {
    case v2022_11_28 = "2022-11-28"
    case v2026_03_10 = "2026-03-10"

    /// What GitHub selects when a request names no version.
    public static let `default` = APIVersion.v2022_11_28
}

/// One value per API version, looked up without hashing on the request path.
struct PerVersion<Value: Sendable>: Sendable {
    private let v2022_11_28: Value
    private let v2026_03_10: Value

    init(_ make: (APIVersion) -> Value) {
        v2022_11_28 = make(.v2022_11_28)
        v2026_03_10 = make(.v2026_03_10)
    }

    subscript(version: APIVersion) -> Value {
        switch version {
        case .v2022_11_28: v2022_11_28
        case .v2026_03_10: v2026_03_10
        }
    }
}
