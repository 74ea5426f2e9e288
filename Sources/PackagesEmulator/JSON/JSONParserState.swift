/// The recursive-descent state of `JSONParser`. Input is already known to be valid UTF-8.
struct JSONParserState {
    struct Failure: Error {
        var offset: Int
        /// Set only for errors that have a meaningful JSON path (duplicate keys).
        var path: [JSONPath.Component]?
        var problem: String
    }

    let bytes: [UInt8]
    var index: Int
    let maxDepth: Int
    /// Where the parser is, for duplicate-key errors.
    var path: [JSONPath.Component] = []

    init(bytes: [UInt8], index: Int, maxDepth: Int) {
        self.bytes = bytes
        self.index = index
        self.maxDepth = maxDepth
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipWhitespace() {
        while let byte = current,
              byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
                || byte == UInt8(ascii: "\r") {
            index += 1
        }
    }

    /// `'x'` for printable ASCII, `U+XXXX` otherwise, `end of input` past the end.
    func describeByte() -> String {
        guard let byte = current else { return "end of input" }
        if byte >= 0x20, byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        if byte < 0x80 { return "control character \(hex(UInt32(byte)))" }
        // A valid multi-byte sequence (checked before parsing): name the character.
        let end = min(bytes.count, index + 4)
        let scalar = String(decoding: bytes[index..<end], as: UTF8.self).unicodeScalars.first
        return "character \(hex(scalar?.value ?? UInt32(byte)))"
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private func fail(_ problem: String) -> Failure { Failure(offset: index, path: nil, problem: problem) }

    mutating func parseValue(depth: Int) throws(Failure) -> JSONValue {
        guard let byte = current else { throw fail("unexpected end of input, expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw fail("expected a value, found \(describeByte())")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Failure) {
        let start = index
        var offset = 0
        var matched = true
        literal.withUTF8Buffer { expected in
            for byte in expected {
                guard start + offset < bytes.count, bytes[start + offset] == byte else { matched = false; return }
                offset += 1
            }
        }
        guard matched else { throw fail("expected a value, found \(describeByte())") }
        index = start + offset
    }

    private mutating func checkDepth(_ depth: Int) throws(Failure) {
        if depth > maxDepth { throw fail("nesting deeper than \(maxDepth)") }
    }

    private mutating func parseArray(depth: Int) throws(Failure) -> JSONValue {
        try checkDepth(depth)
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { index += 1; return .array(elements) }
        while true {
            path.append(.index(elements.count))
            let element = try parseValue(depth: depth + 1)
            path.removeLast()
            elements.append(element)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1; skipWhitespace()
            case UInt8(ascii: "]"): index += 1; return .array(elements)
            default: throw fail("expected ',' or ']' in an array, found \(describeByte())")
            }
        }
    }

    private mutating func parseObject(depth: Int) throws(Failure) -> JSONValue {
        try checkDepth(depth)
        index += 1  // {
        var members: [JSONMember] = []
        var seen: Set<String> = []
        skipWhitespace()
        if current == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            guard current == UInt8(ascii: "\"") else {
                throw fail("expected a string key in an object, found \(describeByte())")
            }
            let keyOffset = index
            let key = try parseString()
            path.append(.key(key))
            if !seen.insert(key).inserted {
                throw Failure(offset: keyOffset, path: path, problem: "duplicate key \(JSONValue.quoted(key))")
            }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else {
                throw fail("expected ':' after an object key, found \(describeByte())")
            }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            path.removeLast()
            members.append(JSONMember(key: key, value: value))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1; skipWhitespace()
            case UInt8(ascii: "}"): index += 1; return .object(members)
            default: throw fail("expected ',' or '}' in an object, found \(describeByte())")
            }
        }
    }

    private mutating func parseString() throws(Failure) -> String {
        let start = index
        index += 1  // opening quote
        var buffer: [UInt8] = []
        while true {
            // Copy the run of plain bytes at once (the input is valid UTF-8 already).
            let runStart = index
            while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 {
                index += 1
            }
            buffer.append(contentsOf: bytes[runStart..<index])
            guard let byte = current else {
                throw Failure(offset: start, path: nil, problem: "unterminated string")
            }
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: buffer, as: UTF8.self)
            }
            if byte < 0x20 { throw fail("unescaped \(describeByte()) in a string") }
            try parseEscape(into: &buffer)
        }
    }

    private mutating func parseEscape(into buffer: inout [UInt8]) throws(Failure) {
        let escapeStart = index
        index += 1  // backslash
        guard let byte = current else { throw fail("unterminated string") }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(byte)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            let first = try parseHex4(escapeStart: escapeStart)
            var value = UInt32(first)
            if (0xDC00...0xDFFF).contains(first) {
                throw loneSurrogate(first, at: escapeStart)
            }
            if (0xD800...0xDBFF).contains(first) {
                let secondStart = index
                guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u")
                else {
                    throw loneSurrogate(first, at: escapeStart)
                }
                index += 2
                let second = try parseHex4(escapeStart: secondStart)
                guard (0xDC00...0xDFFF).contains(second) else {
                    throw loneSurrogate(first, at: escapeStart)
                }
                value = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw Failure(offset: escapeStart, path: nil, problem: "invalid \\u escape")
            }
            buffer.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            index -= 1
            throw Failure(offset: escapeStart, path: nil,
                          problem: "invalid escape: backslash followed by \(describeByte())")
        }
    }

    private func loneSurrogate(_ value: UInt16, at offset: Int) -> Failure {
        Failure(offset: offset, path: nil, problem: "lone surrogate \\u\(hex4(value)) in a string")
    }

    private func hex4(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private mutating func parseHex4(escapeStart: Int) throws(Failure) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = current else { throw fail("unterminated \\u escape") }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                throw Failure(offset: escapeStart, path: nil, problem: "invalid \\u escape (four hex digits needed)")
            }
            value = value << 4 | UInt16(digit)  // four digits: never overflows 16 bits
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(Failure) -> JSONNumber {
        let start = index
        var isInteger = true
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, isDigit(first) else { throw fail("expected a digit, found \(describeByte())") }
        if first == UInt8(ascii: "0") {
            index += 1
            if let next = current, isDigit(next) { throw fail("leading zero in a number") }
        } else {
            skipDigits()
        }
        if current == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard let digit = current, isDigit(digit) else {
                throw fail("expected a digit after '.', found \(describeByte())")
            }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard let digit = current, isDigit(digit) else {
                throw fail("expected a digit in the exponent, found \(describeByte())")
            }
            skipDigits()
        }
        return JSONNumber(text: String(decoding: bytes[start..<index], as: UTF8.self), isInteger: isInteger)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let byte = current, isDigit(byte) { index += 1 }
    }
}
