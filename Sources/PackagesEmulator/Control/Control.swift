/// Who may change the emulator at runtime through `/_emulator/`, and how much it remembers (issue 5).
public struct ControlSettings: Sendable {
    /// Requests the journal keeps (a ring: the oldest go first); 0 turns the journal off.
    public var journalSize: Int
    /// When set, control writes need `Authorization: Bearer <token>` and are then allowed from any
    /// address; when nil, only loopback clients may write.
    public var token: String?
    /// `--no-control`: every control write answers 403; reads stay available.
    public var writesEnabled: Bool
    /// Control bodies above this many bytes answer 413.
    public var maxBodySize: Int

    public init(journalSize: Int = 1000, token: String? = nil, writesEnabled: Bool = true,
                maxBodySize: Int = 1024 * 1024) {
        self.journalSize = max(0, journalSize)
        self.token = token
        self.writesEnabled = writesEnabled
        self.maxBodySize = maxBodySize
    }
}

extension DocURL {
    /// The emulator's own answers point at its README, not at GitHub's docs (choice).
    public static let control = "README.md#control-from-tests"
}

extension APIError {
    static let controlDisabled = APIError(
        403, "Control writes are disabled (--no-control).", documentationURL: DocURL.control)
    static let controlNotLoopback = APIError(
        403, "Control writes are allowed from loopback clients only; start with --control-token to allow others.",
        documentationURL: DocURL.control)
    static let controlTokenRequired = APIError(
        401, "Control writes require Authorization: Bearer <control token>.", documentationURL: DocURL.control)
    static func controlBodyTooLarge(_ limit: Int) -> APIError {
        APIError(413, "The request body is larger than \(limit) bytes.", documentationURL: DocURL.control)
    }
    static func controlBadRequest(_ message: String) -> APIError {
        APIError(400, message, documentationURL: DocURL.control)
    }
    static func controlInvalid(_ message: String) -> APIError {
        APIError(422, message, documentationURL: DocURL.control)
    }
    static let controlNotFound = APIError(404, "Not Found", documentationURL: DocURL.control)
}

enum ControlAccess {
    /// Why a control write is refused, or nil when it is allowed.
    static func refusal(_ request: Request, settings: ControlSettings) -> APIError? {
        guard settings.writesEnabled else { return .controlDisabled }
        if let token = settings.token {
            let presented = request.values(of: "authorization")
            guard presented.count == 1, case .token(let value) = Credentials(headerValues: presented),
                  constantTimeEquals(value, token),
                  presented[0].trimmingASCIISpaces().lowercased().hasPrefix("bearer")
            else { return .controlTokenRequired }
            return nil
        }
        return isLoopback(request.clientAddress) ? nil : .controlNotLoopback
    }

    /// `127.0.0.0/8`, `::1` and IPv4-mapped loopback.
    static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.") || address == "::1" || address.lowercased().hasPrefix("::ffff:127.")
    }

    private static func constantTimeEquals(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8), b = Array(right.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<min(a.count, b.count) { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
