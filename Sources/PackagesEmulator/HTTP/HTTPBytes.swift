/// Byte classes of RFC 9110 §5.6.2 and §5.5.
enum HTTPBytes {
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// tchar: `!#$%&'*+-.^_`|~`, digits and letters.
    static func isTokenByte(_ byte: UInt8) -> Bool { tokenTable[Int(byte)] }

    /// field-vchar, SP and HTAB: visible ASCII and obs-text (0x80–0xFF); no controls, no DEL.
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
    }

    /// `origin-form / absolute-form / asterisk-form` (RFC 9112 §3.2): `/…`; `*` alone; or a scheme
    /// (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`), `://` and a non-empty authority of URI characters
    /// (RFC 3986 §3.2), which http and https URIs need (RFC 9110 §4.2.1: an empty host MUST be rejected).
    static func isRequestTargetForm(_ target: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        guard let first = target.first else { return false }
        if first == 0x2F || (first == 0x2A && target.count == 1) { return true }
        guard isLetter(first) else { return false }
        var index = target.startIndex + 1
        while index < target.endIndex, isLetter(target[index]) || isDigit(target[index])
            || target[index] == 0x2B || target[index] == 0x2D || target[index] == 0x2E { index += 1 }
        guard target[index...].starts(with: [0x3A, 0x2F, 0x2F]) else { return false }
        let authority = target[(index + 3)...].prefix { $0 != 0x2F && $0 != 0x3F }
        // unreserved, pct-encoded, sub-delims, ":", "@", "[", "]"
        return !authority.isEmpty && authority.allSatisfy { byte in
            isLetter(byte) || isDigit(byte) || "-._~%!$&'()*+,;=:@[]".utf8.contains(byte)
        }
    }

    /// `*( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )`, names tokens, values tokens or
    /// quoted strings (RFC 9112 §7.1.1, RFC 9110 §5.6.4).
    static func isChunkExtensions(_ text: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        var index = text.startIndex
        func skipSpaces() { while index < text.endIndex, text[index] == 0x20 || text[index] == 0x09 { index += 1 } }
        func token() -> Bool {
            let start = index
            while index < text.endIndex, isTokenByte(text[index]) { index += 1 }
            return index > start
        }
        func quotedString() -> Bool {
            guard index < text.endIndex, text[index] == 0x22 else { return false }
            index += 1
            while index < text.endIndex {
                let byte = text[index]
                index += 1
                if byte == 0x22 { return true }
                // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ); qdtext is the same less `"` and `\`.
                if byte == 0x5C {
                    guard index < text.endIndex, isFieldValueByte(text[index]) else { return false }
                    index += 1
                } else if !isFieldValueByte(byte) {
                    return false
                }
            }
            return false
        }
        while index < text.endIndex {
            skipSpaces()
            guard index < text.endIndex, text[index] == 0x3B else { return false }
            index += 1
            skipSpaces()
            guard token() else { return false }
            let afterName = index
            skipSpaces()
            if index < text.endIndex, text[index] == 0x3D {
                index += 1
                skipSpaces()
                guard token() || quotedString() else { return false }
            } else {
                index = afterName
            }
        }
        return true
    }

    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte - 0x30)
        case 0x41...0x46: Int(byte - 0x41 + 10)
        case 0x61...0x66: Int(byte - 0x61 + 10)
        default: nil
        }
    }

    private static let tokenTable: [Bool] = (0..<256).map { value in
        let byte = UInt8(value)
        return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
}
