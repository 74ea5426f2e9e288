/// Writes JSON the way api.github.com prints it: two-space indentation, `"key": value`, keys in the
/// order written (synthesized `Codable` would drop `null`s and reorder keys; STYLE.md).
///
/// A writer can leave holes for the API URL (`apiHole()`), so a package is rendered once at load and
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
        current.append(contentsOf: text.utf8)
    }

    private mutating func newline() {
        raw("\n")
        raw(String(repeating: "  ", count: depth))
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
        raw(Self.quoted(name))
        raw(": ")
        afterKey = true
    }

    mutating func string(_ value: String) {
        beginValue()
        raw(Self.quoted(value))
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

    mutating func null() {
        beginValue()
        raw("null")
    }

    /// A string value that starts with the API URL: `"{api}/users/x"` is `apiString("/users/x")`.
    mutating func apiString(_ path: String) {
        beginValue()
        raw("\"")
        hole()
        raw(Self.escaped(path))
        raw("\"")
    }

    /// A value rendered before, at this writer's depth, embedded without copying its bytes.
    mutating func embed(_ value: Template) {
        beginValue()
        flush()
        segments.append(contentsOf: value.segments)
    }

    private mutating func hole() {
        flush()
        segments.append(.api)
    }

    private mutating func flush() {
        if !current.isEmpty { segments.append(.bytes(current)) }
        current = []
    }

    static func quoted(_ text: String) -> String {
        "\"" + escaped(text) + "\""
    }

    /// JSON string escaping (RFC 8259 §7); `/` is left as is, as GitHub does.
    static func escaped(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// JSON rendered once, with holes where the API URL goes; `append(to:api:)` fills them.
///
/// Owner and repository objects are rendered once per user and repository and shared by every
/// package that embeds them (arrays are copy-on-write), so memory grows with the data set's
/// distinct objects, not with packages × objects.
struct Template: Sendable {
    enum Segment: Sendable {
        case bytes([UInt8])
        case api
    }

    let segments: [Segment]
    let literalCount: Int
    let holeCount: Int
    /// Hash of the literal bytes and where the holes are (0xFF, which UTF-8 never holds, marks one).
    let hash: UInt64

    init(_ segments: [Segment]) {
        self.segments = segments
        var literal = 0
        var holes = 0
        var hasher = ETag.Hasher()
        for segment in segments {
            switch segment {
            case .bytes(let bytes):
                literal += bytes.count
                hasher.combine(bytes)
            case .api:
                holes += 1
                hasher.combine(UInt8(0xFF))
            }
        }
        literalCount = literal
        holeCount = holes
        hash = hasher.value
    }

    /// How many bytes `append` adds for an API URL of `apiCount` bytes.
    func count(apiCount: Int) -> Int {
        literalCount + holeCount * apiCount
    }

    func append(to out: inout [UInt8], api: [UInt8]) {
        for segment in segments {
            switch segment {
            case .bytes(let bytes): out.append(contentsOf: bytes)
            case .api: out.append(contentsOf: api)
            }
        }
    }
}
