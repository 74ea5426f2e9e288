// A strict RFC 8259 parser, written here rather than using Foundation's JSONDecoder or
// JSONSerialization because fixture validation needs what they hide: members in document order,
// duplicate keys reported (JSONSerialization keeps one silently), a nesting limit, `5` told apart
// from `5.0` and `1e2`, and errors with a byte offset, line, column and JSON path. It must never trap
// on any input (a fuzzer runs on it): no force unwraps, all arithmetic overflow-checked or bounded.

/// Why a document is not acceptable JSON, with its position.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The JSON path of a duplicate key (`$.packages[0].name`); `$` for every other error.
    public var path: String
    /// Byte offset of the problem, from 0.
    public var offset: Int
    /// Line and column (in bytes) of the problem, from 1.
    public var line: Int
    public var column: Int
    /// The full message, position included.
    public var message: String

    public var description: String { "\(path): \(message)" }
}

/// Parses JSON text into `JSONValue`.
public enum JSONParser {
    /// The deepest nesting of arrays and objects accepted (SPEC §12).
    public static let defaultMaxDepth = 64

    /// Parses one JSON text (RFC 8259), UTF-8 without a byte order mark (a leading one is ignored, §8.1).
    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        if let bad = JSONUTF8Check.firstInvalidOffset(in: bytes, from: start) {
            throw makeError(bytes, at: bad, path: "$") { "invalid UTF-8 at \($0)" }
        }
        var state = JSONParserState(bytes: bytes, index: start, maxDepth: maxDepth)
        do throws(JSONParserState.Failure) {
            state.skipWhitespace()
            let value = try state.parseValue(depth: 1)
            state.skipWhitespace()
            if state.index < bytes.count {
                throw JSONParserState.Failure(offset: state.index, path: nil,
                                          problem: "unexpected \(state.describeByte()) after the end of the document")
            }
            return value
        } catch {
            if let path = error.path {
                throw makeError(bytes, at: error.offset, path: JSONPath.render(path)) { "\(error.problem) at \($0)" }
            }
            throw makeError(bytes, at: error.offset, path: "$") { "invalid JSON at \($0): \(error.problem)" }
        }
    }

    private static func makeError(_ bytes: [UInt8], at offset: Int, path: String,
                                  message: (String) -> String) -> JSONParseError {
        let clamped = min(max(offset, 0), bytes.count)
        var line = 1
        var lineStart = 0
        for position in 0..<clamped where bytes[position] == UInt8(ascii: "\n") {
            line += 1
            lineStart = position + 1
        }
        let column = clamped - lineStart + 1
        let position = "line \(line), column \(column) (byte offset \(clamped))"
        return JSONParseError(path: path, offset: clamped, line: line, column: column, message: message(position))
    }
}

/// One step of a JSON path, and how paths are written in error messages: `$.packages[2].package_type`.
enum JSONPath {
    enum Component: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    static func render(_ components: [Component]) -> String {
        components.reduce("$") { path, component in
            switch component {
            case .key(let key): return member(path, key)
            case .index(let index): return element(path, index)
            }
        }
    }

    /// `path.key`, or `path["odd key"]` when the key is not a plain identifier.
    static func member(_ path: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-")
        }
        return plain ? "\(path).\(key)" : "\(path)[\(JSONValue.quoted(key))]"
    }

    static func element(_ path: String, _ index: Int) -> String { "\(path)[\(index)]" }
}

/// Strict UTF-8 validation (Unicode Table 3-7: no overlong forms, no surrogates, nothing past U+10FFFF).
enum JSONUTF8Check {
    static func firstInvalidOffset(in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 { index += 1; continue }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return index
            }
            guard count - index >= length else { return index }
            let second = bytes[index + 1]
            guard second >= low, second <= high else { return index }
            for offset in 2..<max(2, length) {
                let next = bytes[index + offset]
                guard next >= 0x80, next <= 0xBF else { return index }
            }
            index += length
        }
        return nil
    }
}
