/// Writes JSON the way api.github.com prints it: two-space indentation, `"key": value`, keys in the
/// order written (synthesized `Codable` would drop `null`s and reorder keys; STYLE.md).
///
/// A writer can leave holes for the API URL (`apiString`), so a package is rendered once at load and
/// completed per request with the request's `{api}` (SPEC §8).
struct JSONWriter {
    private var segments: [Template.Segment] = []
    private var current: [UInt8] = []
    private var depth: Int
    /// Per open container: whether it has members yet.
    private var hasMembers: [Bool] = []
    private var afterKey = false

    init(depth: Int = 0) {
        self.depth = depth
    }

    /// The finished text when it has no holes.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        template.append(to: &out, api: [])
        return out
    }

    /// What was written, as a template.
    var template: Template {
        var all = segments
        if !current.isEmpty { all.append(.bytes(current)) }
        return Template(all)
    }

    private mutating func raw(_ text: String) {
        var text = text
        text.withUTF8 { current.append(contentsOf: $0) }
    }

    /// `text`, escaped, straight into the buffer.
    private mutating func escapedText(_ text: String) {
        if Self.needsEscaping(text) {
            raw(Self.escaped(text))
        } else {
            var text = text
            text.withUTF8 { current.append(contentsOf: $0) }
        }
    }

    private mutating func quotedString(_ text: String) {
        current.append(UInt8(ascii: "\""))
        escapedText(text)
        current.append(UInt8(ascii: "\""))
    }

    private mutating func newline() {
        current.append(UInt8(ascii: "\n"))
        for _ in 0..<depth { current.append(contentsOf: [UInt8(ascii: " "), UInt8(ascii: " ")]) }
    }

    /// Separator and indentation before a value (or a key) in the current container.
    private mutating func beginValue() {
        if afterKey {
            afterKey = false
            return
        }
        guard let last = hasMembers.indices.last else { return }
        if hasMembers[last] { raw(",") }
        hasMembers[last] = true
        newline()
    }

    mutating func beginObject() {
        beginValue()
        raw("{")
        depth += 1
        hasMembers.append(false)
    }

    mutating func endObject() { end("}") }

    mutating func beginArray() {
        beginValue()
        raw("[")
        depth += 1
        hasMembers.append(false)
    }

    mutating func endArray() { end("]") }

    private mutating func end(_ bracket: String) {
        depth -= 1
        if hasMembers.removeLast() { newline() }
        raw(bracket)
    }

    mutating func key(_ name: String) {
        beginValue()
        quotedString(name)
        current.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
        afterKey = true
    }

    mutating func string(_ value: String) {
        beginValue()
        quotedString(value)
    }

    mutating func optionalString(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    mutating func int(_ value: Int64) {
        beginValue()
        raw(String(value))
    }

    mutating func bool(_ value: Bool) {
        beginValue()
        raw(value ? "true" : "false")
    }

    /// A number as its literal text (a parsed `JSONNumber`, written back as it was).
    mutating func number(_ text: String) {
        beginValue()
        raw(text)
    }

    mutating func null() {
        beginValue()
        raw("null")
    }

    /// A string value that starts with the API URL: `"{api}/users/x"` is `apiString("/users/x")`.
    mutating func apiString(_ path: String) {
        beginValue()
        current.append(UInt8(ascii: "\""))
        hole()
        escapedText(path)
        current.append(UInt8(ascii: "\""))
    }

    /// A value rendered before, at this writer's depth, embedded without copying its bytes.
    mutating func embed(_ value: Template) {
        beginValue()
        flush()
        segments.append(.template(value))
    }

    private mutating func hole() {
        flush()
        segments.append(.api)
    }

    private mutating func flush() {
        if !current.isEmpty { segments.append(.bytes(current)) }
        current.removeAll(keepingCapacity: true)
    }

    static func quoted(_ text: String) -> String {
        "\"" + escaped(text) + "\""
    }

    static func needsEscaping(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in bytes.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F } }
    }

    /// JSON string escaping (RFC 8259 §7); `/` is left as is, as GitHub does.
    static func escaped(_ text: String) -> String {
        guard needsEscaping(text) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // DEL is valid JSON, but escaped it stays visible in error messages on a terminal.
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
