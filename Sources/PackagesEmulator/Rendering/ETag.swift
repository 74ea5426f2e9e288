/// Weak entity tags of 200 bodies and `If-None-Match` (SPEC §9; RFC 9110 §8.8.3, §13.1.2).
enum ETag {
    /// 64-bit FNV-1a, fed with bytes or with the hashes of templates rendered at load.
    struct Hasher {
        private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

        mutating func combine(_ byte: UInt8) {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01B3
        }

        mutating func combine(_ bytes: some Sequence<UInt8>) {
            for byte in bytes { combine(byte) }
        }

        /// Eight bytes per step: templates are hashed once each at load, and that adds up.
        mutating func combine(_ bytes: UnsafeBufferPointer<UInt8>) {
            var index = 0
            while index + 8 <= bytes.count {
                var word: UInt64 = 0
                for shift in 0..<8 { word |= UInt64(bytes[index + shift]) << (8 * shift) }
                value = (value ^ word) &* 0x0000_0100_0000_01B3
                index += 8
            }
            while index < bytes.count {
                combine(bytes[index])
                index += 1
            }
        }

        mutating func combine(_ number: UInt64) {
            for shift in stride(from: 0, to: 64, by: 8) { combine(UInt8(truncatingIfNeeded: number >> shift)) }
        }
    }

    /// `W/"…"`. A page's tag hashes what its body is made of — the API URL, the version and each
    /// package's template hash — so it costs time per package, not per byte, and the same body always
    /// gets the same tag.
    static func weak(_ hash: UInt64) -> String {
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
    /// Bytes a URI may hold unescaped in a header: visible ASCII except < > " \ ^ ` { | }.
    static func isAllowed(_ byte: UInt8) -> Bool {
        (byte >= 0x21 && byte <= 0x7E) && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">")
            && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") && byte != UInt8(ascii: "^")
            && byte != UInt8(ascii: "`") && byte != UInt8(ascii: "{") && byte != UInt8(ascii: "|")
            && byte != UInt8(ascii: "}")
    }

    static func sanitized(_ text: String) -> String {
        guard !text.utf8.allSatisfy(isAllowed) else { return text }
        var out: [UInt8] = []
        appendSanitized(text.utf8, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `bytes`, each one a URI may not hold as `%XX`.
    static func appendSanitized<Bytes: Collection<UInt8>>(_ bytes: Bytes, to out: inout [UInt8]) {
        // Almost always nothing needs escaping: then one bulk copy.
        if bytes.allSatisfy(isAllowed) {
            out.append(contentsOf: bytes)
            return
        }
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in bytes {
            if isAllowed(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
    }
}
