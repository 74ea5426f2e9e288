/// A JSON value as the fixture files spell it (RFC 8259).
///
/// Objects keep their members in document order, and numbers keep their literal text, so the
/// fixture decoder can tell `5` from `5.0` and `1e2` and report every mistake at its exact place.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// A short description of the value for error messages: `number 5.0`, `string "abc"`, `an array`.
    public var summary: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return "boolean \(value)"
        case .number(let number): return "number \(number.text)"
        case .string(let string): return "string \(JSONValue.quoted(string))"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// `text` as a JSON string literal, cut after 60 characters so messages stay one readable line.
    public static func quoted(_ text: String) -> String {
        let limit = 60
        let cut = text.count > limit ? String(text.prefix(limit)) + "…" : text
        return JSONWriter.quoted(cut)
    }
}

/// One `"key": value` member of a JSON object.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var value: JSONValue

    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// A JSON number, kept as written.
public struct JSONNumber: Sendable, Equatable {
    /// The literal exactly as in the document (`5`, `-0`, `5.0`, `1e2`).
    public var text: String
    /// Whether the literal has neither a fraction nor an exponent.
    public var isInteger: Bool

    public init(text: String, isInteger: Bool) {
        self.text = text
        self.isInteger = isInteger
    }

    /// The value of an integer literal, or nil for a fraction, an exponent or a value beyond Int64.
    public var int64Value: Int64? {
        guard isInteger else { return nil }
        var digits = Substring(text)
        let negative = digits.first == "-"
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty else { return nil }
        // Accumulate towards the sign so Int64.min parses; every step is overflow-checked.
        var value: Int64 = 0
        for character in digits.utf8 {
            guard character >= UInt8(ascii: "0"), character <= UInt8(ascii: "9") else { return nil }
            let digit = Int64(character - UInt8(ascii: "0"))
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative
                ? shifted.subtractingReportingOverflow(digit)
                : shifted.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = next
        }
        return value
    }
}

extension JSONValue {
    /// The members of an object, or nil.
    public var objectMembers: [JSONMember]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The value of `key` in an object (keys are unique: the parser rejects duplicates).
    public subscript(key: String) -> JSONValue? {
        objectMembers?.first { $0.key == key }?.value
    }
}
