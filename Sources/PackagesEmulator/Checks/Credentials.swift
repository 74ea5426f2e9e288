#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What an `Authorization` header presents (SPEC §3).
enum Credentials: Equatable {
    /// No `Authorization` header.
    case none
    /// `token T` or `Bearer T`.
    case token(String)
    /// `Basic base64(user:password)`: GitHub takes the password if it is a token, else the user name
    /// (`T:x-oauth-basic`).
    case basic(user: String, password: String)
    /// Unparseable, or sent more than once (ambiguous credentials are refused).
    case malformed

    init(headerValues: [String]) {
        guard let value = headerValues.first else {
            self = .none
            return
        }
        guard headerValues.count == 1 else {
            self = .malformed
            return
        }
        let trimmed = value.trimmingASCIISpaces()
        guard let space = trimmed.utf8.firstIndex(where: { $0 == 0x20 || $0 == 0x09 }) else {
            self = .malformed
            return
        }
        let scheme = String(trimmed[..<space]).asciiLowercased()
        let credential = trimmed[space...].trimmingASCIISpaces()
        guard !credential.isEmpty, !credential.utf8.contains(where: { $0 == 0x20 || $0 == 0x09 }) else {
            self = .malformed
            return
        }
        switch scheme {
        case "token", "bearer":
            self = .token(String(credential))
        case "basic":
            guard let data = Data(base64Encoded: String(credential)),
                let decoded = String(validating: Array(data), as: UTF8.self),
                let colon = decoded.firstIndex(of: ":")
            else {
                self = .malformed
                return
            }
            self = .basic(user: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
        default:
            self = .malformed
        }
    }
}

extension StringProtocol where UTF8View: BidirectionalCollection {
    /// Without SP and HTAB at both ends, found byte by byte (every request trims a few headers).
    func trimmingASCIISpaces() -> SubSequence {
        let bytes = utf8
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else {
            return self[endIndex...]
        }
        // The byte after the last kept one is a space or the end: a character boundary.
        return self[first..<bytes.index(after: last)]
    }
}
