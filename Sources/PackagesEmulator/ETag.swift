/// Weak entity tags of 200 bodies and `If-None-Match` (SPEC §9; RFC 9110 §8.8.3, §13.1.2).
enum ETag {
    /// `W/"…"` from a 64-bit FNV-1a hash of the body: the same body always gets the same tag.
    static func weak(of body: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in body {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return "W/\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }

    /// Weak comparison against a list of tags, or `*`.
    static func matches(_ header: String?, etag: String) -> Bool {
        guard let header else { return false }
        let opaque = etag.hasPrefix("W/") ? etag.dropFirst(2) : Substring(etag)
        for candidate in header.split(separator: ",") {
            let tag = candidate.trimmingASCIISpaces()
            if tag == "*" { return true }
            if (tag.hasPrefix("W/") ? tag.dropFirst(2) : tag) == opaque { return true }
        }
        return false
    }
}

/// Keeps text usable inside a URI: bytes outside RFC 3986's characters are percent-encoded.
enum URIText {
    static func sanitized(_ text: String) -> String {
        let allowed: (UInt8) -> Bool = { byte in
            (byte >= 0x21 && byte <= 0x7E) && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">")
                && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") && byte != UInt8(ascii: "^")
                && byte != UInt8(ascii: "`") && byte != UInt8(ascii: "{") && byte != UInt8(ascii: "|")
                && byte != UInt8(ascii: "}")
        }
        guard !text.utf8.allSatisfy(allowed) else { return text }
        var out = ""
        for byte in text.utf8 {
            if allowed(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }
}
