// Tests/Fuzz/run.sh compiles the core with swiftc alone, with a stand-in (Tests/Fuzz/CryptoStub.swift).
#if canImport(Crypto)
import Crypto
#endif

/// A content digest of the registry, `sha256:` and 64 lowercase hex digits (OCI Image Spec,
/// "Digests": the only algorithm ghcr.io accepts).
public struct Digest: Sendable, Hashable, CustomStringConvertible {
    /// The 64 hex digits.
    public let hex: String

    public var description: String { "sha256:" + hex }

    /// A digest as a client writes it; nil unless `sha256:` and exactly 64 lowercase hex digits.
    public init?(_ text: some StringProtocol) {
        guard text.hasPrefix("sha256:") else { return nil }
        let hex = text.dropFirst(7)
        guard hex.utf8.count == 64,
              hex.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { return nil }
        self.hex = String(hex)
    }

    init(hex: String) { self.hex = hex }

    /// The digest of `bytes` (swift-crypto: BoringSSL's SHA-256).
    public static func of(_ bytes: some Sequence<UInt8>) -> Digest {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return Digest(hasher.finalize())
    }

    init(_ digest: SHA256.Digest) {
        hex = Self.hex(digest)
    }

    /// Lowercase hex of raw digest bytes.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// SHA-256 as lowercase hex: the names of generated container versions.
enum SHA256Hex {
    static func of(_ message: [UInt8]) -> String { Digest.of(message).hex }
}
