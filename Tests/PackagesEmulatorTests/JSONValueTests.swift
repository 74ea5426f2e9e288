import Testing

@testable import PackagesEmulator

private func parse(_ text: String) throws(JSONParseError) -> JSONValue {
    try JSONParser.parse(Array(text.utf8))
}

private func number(_ text: String) -> JSONValue {
    .number(JSONNumber(text: text, isInteger: !text.contains(where: { ".eE".contains($0) })))
}

struct JSONParserTests {
    struct Valid: Sendable, CustomTestStringConvertible {
        let text: String
        let value: JSONValue
        var testDescription: String { text }
    }

    @Test(arguments: [
        Valid(text: #"{"b": 1, "a": [true, false, null]}"#, value: .object([
            JSONMember(key: "b", value: number("1")),
            JSONMember(key: "a", value: .array([.bool(true), .bool(false), .null])),
        ])),
        Valid(text: " \t\r\n[]\n ", value: .array([])),
        Valid(text: "{}", value: .object([])),
        Valid(text: "5", value: number("5")),
        Valid(text: "-0", value: number("-0")),
        Valid(text: "5.0", value: number("5.0")),
        Valid(text: "1e2", value: number("1e2")),
        Valid(text: "-1.5E-7", value: number("-1.5E-7")),
        Valid(text: "1e400", value: number("1e400")),
        Valid(text: #""a\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00""#, value: .string("a\"\\/\u{8}\u{C}\n\r\té😀")),
        Valid(text: #""\u0000""#, value: .string("\u{0}")),
        Valid(text: "\"héllo ✓\"", value: .string("héllo ✓")),
        Valid(text: "\u{FEFF}{}", value: .object([])),
    ])
    func parsesValidDocuments(_ row: Valid) throws {
        #expect(try parse(row.text) == row.value)
    }

    @Test func keepsIntegerLiteralsApart() throws {
        let cases: [(String, Bool, Int64?)] = [
            ("5", true, 5), ("-0", true, 0), ("5.0", false, nil), ("1e2", false, nil),
            ("9223372036854775807", true, Int64.max), ("-9223372036854775808", true, Int64.min),
            ("9223372036854775808", true, nil), ("-9223372036854775809", true, nil),
            ("123456789012345678901234567890", true, nil),
        ]
        for (text, isInteger, value) in cases {
            guard case .number(let number) = try parse(text) else {
                Issue.record("\(text) is not a number")
                continue
            }
            #expect(number.text == text)
            #expect(number.isInteger == isInteger, "\(text)")
            #expect(number.int64Value == value, "\(text)")
        }
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        let bytes: [UInt8]
        let error: String
        init(_ text: String, _ error: String) {
            bytes = Array(text.utf8)
            self.error = error
        }
        init(bytes: [UInt8], _ error: String) {
            self.bytes = bytes
            self.error = error
        }
        var testDescription: String { error }
    }

    static let position = "invalid JSON at line 1, column"

    @Test(arguments: [
        Invalid("", "$: \(position) 1 (byte offset 0): unexpected end of input, expected a value"),
        Invalid("  ", "$: \(position) 3 (byte offset 2): unexpected end of input, expected a value"),
        Invalid(#"{"a":1,}"#, "$: \(position) 8 (byte offset 7): expected a string key in an object, found '}'"),
        Invalid("{a:1}", "$: \(position) 2 (byte offset 1): expected a string key in an object, found 'a'"),
        Invalid(#"{"a" 1}"#, "$: \(position) 6 (byte offset 5): expected ':' after an object key, found '1'"),
        Invalid(#"{"a":1 "b":2}"#, "$: \(position) 8 (byte offset 7): expected ',' or '}' in an object, found '\"'"),
        Invalid("[1,]", "$: \(position) 4 (byte offset 3): expected a value, found ']'"),
        Invalid("[1 2]", "$: \(position) 4 (byte offset 3): expected ',' or ']' in an array, found '2'"),
        Invalid("[1", "$: \(position) 3 (byte offset 2): expected ',' or ']' in an array, found end of input"),
        Invalid("01", "$: \(position) 2 (byte offset 1): leading zero in a number"),
        Invalid("1.", "$: \(position) 3 (byte offset 2): expected a digit after '.', found end of input"),
        Invalid("1e", "$: \(position) 3 (byte offset 2): expected a digit in the exponent, found end of input"),
        Invalid("-", "$: \(position) 2 (byte offset 1): expected a digit, found end of input"),
        Invalid("+1", "$: \(position) 1 (byte offset 0): expected a value, found '+'"),
        Invalid(".5", "$: \(position) 1 (byte offset 0): expected a value, found '.'"),
        Invalid("NaN", "$: \(position) 1 (byte offset 0): expected a value, found 'N'"),
        Invalid("tru", "$: \(position) 1 (byte offset 0): expected a value, found 't'"),
        Invalid("nul", "$: \(position) 1 (byte offset 0): expected a value, found 'n'"),
        Invalid("{} x", "$: \(position) 4 (byte offset 3): unexpected 'x' after the end of the document"),
        Invalid("{}{}", "$: \(position) 3 (byte offset 2): unexpected '{' after the end of the document"),
        Invalid("\"abc", "$: \(position) 1 (byte offset 0): unterminated string"),
        Invalid("\"a\u{1}\"", "$: \(position) 3 (byte offset 2): unescaped control character U+0001 in a string"),
        Invalid("\"a\nb\"", "$: \(position) 3 (byte offset 2): unescaped control character U+000A in a string"),
        Invalid(#""\q""#, "$: \(position) 2 (byte offset 1): invalid escape: backslash followed by 'q'"),
        Invalid(#""\u12G4""#, "$: \(position) 2 (byte offset 1): invalid \\u escape (four hex digits needed)"),
        Invalid(#""\uD800""#, "$: \(position) 2 (byte offset 1): lone surrogate \\uD800 in a string"),
        Invalid(#""\uDC00""#, "$: \(position) 2 (byte offset 1): lone surrogate \\uDC00 in a string"),
        Invalid(#""\uD800\u0041""#, "$: \(position) 2 (byte offset 1): lone surrogate \\uD800 in a string"),
        Invalid(#""\uD800x""#, "$: \(position) 2 (byte offset 1): lone surrogate \\uD800 in a string"),
        Invalid("\u{1}", "$: \(position) 1 (byte offset 0): expected a value, found control character U+0001"),
        Invalid("é", "$: \(position) 1 (byte offset 0): expected a value, found character U+00E9"),
        Invalid("{\n  \"a\": tru\n}",
                "$: invalid JSON at line 2, column 8 (byte offset 9): expected a value, found 't'"),
        Invalid(#"{"a": {"b": 1, "b": 2}}"#, #"$.a.b: duplicate key "b" at line 1, column 16 (byte offset 15)"#),
        Invalid(#"[{"x": 1}, {"odd key": 1, "odd key": 2}]"#,
                #"$[1]["odd key"]: duplicate key "odd key" at line 1, column 27 (byte offset 26)"#),
        Invalid(bytes: [0x22, 0xFF, 0x22], "$: invalid UTF-8 at line 1, column 2 (byte offset 1)"),
        Invalid(bytes: [0x22, 0xC0, 0x80, 0x22], "$: invalid UTF-8 at line 1, column 2 (byte offset 1)"),
        Invalid(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], "$: invalid UTF-8 at line 1, column 2 (byte offset 1)"),
        Invalid(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "$: invalid UTF-8 at line 1, column 2 (byte offset 1)"),
        Invalid(bytes: [0x0A, 0x22, 0xE2, 0x82], "$: invalid UTF-8 at line 2, column 2 (byte offset 2)"),
        Invalid(String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
                "$: \(position) 65 (byte offset 64): nesting deeper than 64"),
    ])
    func rejectsInvalidDocuments(_ row: Invalid) {
        #expect(throws: (any Error).self) { try JSONParser.parse(row.bytes) }
        do {
            _ = try JSONParser.parse(row.bytes)
        } catch {
            #expect(error.description == row.error)
        }
    }

    @Test func acceptsNestingOf64() throws {
        let text = String(repeating: #"{"a":["#, count: 32) + String(repeating: "]}", count: 32)
        _ = try parse(text)
        let deeper = String(repeating: #"{"a":["#, count: 32) + "[]" + String(repeating: "]}", count: 32)
        #expect(throws: JSONParseError.self) { try parse(deeper) }
    }

    /// A deterministic stand-in for the fuzzer: mutated documents must throw or parse, never trap.
    @Test func neverTrapsOnMutatedInput() {
        let seed = Array(#"{"a": [1, -2.5e3, "x\u00e9\uD83D\uDE00", true, null, {"b": {}}], "c": "é"}"#.utf8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        let alphabet = Array(#"{}[]":,\u0123456789-+.eE truefalsn"#.utf8) + [0x00, 0x80, 0xBF, 0xC3, 0xED, 0xF4, 0xFF]
        for _ in 0..<3000 {
            var bytes = seed
            for _ in 0..<(1 + next() % 4) {
                let position = next() % (bytes.count + 1)
                switch next() % 3 {
                case 0 where position < bytes.count: bytes.remove(at: position)
                case 1 where position < bytes.count: bytes[position] = alphabet[next() % alphabet.count]
                default: bytes.insert(alphabet[next() % alphabet.count], at: position)
                }
            }
            _ = try? JSONParser.parse(bytes)
        }
    }
}
