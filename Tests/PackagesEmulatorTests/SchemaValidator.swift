import Foundation

/// One way an instance fails a schema: where (`$[0].owner.login`), which keyword, and why.
struct SchemaViolation: Equatable, CustomStringConvertible {
    var path: String
    var keyword: String
    var message: String
    var description: String { "\(path): \(keyword): \(message)" }
}

/// A minimal JSON Schema (draft 2020-12) validator: the keywords GitHub's schemas for the packages endpoints
/// use, including the OpenAPI 3.0 Schema Object's `nullable` and local `$ref`s into an OpenAPI document.
///
/// Instances and schemas are what `JSONSerialization` returns. On Linux a JSON `true` and a JSON `1` are
/// both `NSNumber` and both cast to `Bool` and `Int`, so types are told apart by the boolean's class.
enum SchemaValidator {
    /// Keywords checked here.
    static let assertions: Set<String> = [
        "type", "enum", "const", "properties", "required", "additionalProperties", "items",
        "anyOf", "oneOf", "allOf", "not", "format", "$ref", "nullable",
    ]
    /// Keywords that only annotate: nothing to check. `example` is OpenAPI 3.0's singular `examples`.
    static let annotations: Set<String> = [
        "$schema", "$id", "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly",
        "example",
    ]

    /// Every violation of `schema` by `instance`; empty when it validates.
    ///
    /// `root` is the document `$ref`s resolve against (`#/components/schemas/package` is looked up in it);
    /// without one, every `$ref` is reported as unresolvable rather than skipped.
    static func validate(_ instance: Any, against schema: Any, root: Any? = nil, path: String = "$")
        -> [SchemaViolation]
    {
        check(instance, schema, Context(root: root), path)
    }

    /// What a `$ref` resolves against, and the references being followed at the current instance location.
    private struct Context {
        var root: Any?
        /// A reference met again here, before any descent into the instance, loops forever: reported instead.
        var following: [String] = []
        /// The context for a child of the instance: following a reference again there makes progress.
        var descending: Context { Context(root: root) }
    }

    private static func check(_ instance: Any, _ schema: Any, _ context: Context, _ path: String)
        -> [SchemaViolation]
    {
        if let allowed = schema as? Bool, JSONKind.of(schema) == .boolean {
            return allowed ? [] : [SchemaViolation(path: path, keyword: "false", message: "nothing is allowed")]
        }
        guard let schema = schema as? [String: Any] else {
            return [SchemaViolation(path: path, keyword: "schema", message: "not a schema: \(schema)")]
        }
        var violations: [SchemaViolation] = []
        if let reference = schema["$ref"] {
            // Siblings are checked too (draft 2020-12); OpenAPI 3.0 would ignore them, and GitHub's have none.
            violations += follow(reference, instance, context, path)
        }
        let kind = JSONKind.of(instance)
        // OpenAPI 3.0.3: `nullable: true` adds null to the types `type` allows, nothing more, so an `enum`
        // without null still refuses it; without `type`, null is allowed anyway.
        var nullable = false
        if let flag = schema["nullable"] {
            if JSONKind.of(flag) == .boolean, let flag = flag as? Bool {
                nullable = flag
            } else {
                violations.append(.init(path: path, keyword: "nullable", message: "not a boolean: \(render(flag))"))
            }
        }
        if let type = schema["type"], !(nullable && kind == .null) {
            let names = (type as? [String]) ?? [type as? String ?? "?"]
            if !names.contains(where: { kind.matches($0) }) {
                violations.append(.init(path: path, keyword: "type", message: "\(kind) is not \(names)"))
                return violations  // the other keywords would only repeat the mismatch
            }
        }
        if let values = schema["enum"] as? [Any], !values.contains(where: { equal($0, instance) }) {
            violations.append(.init(
                path: path, keyword: "enum", message: "\(render(instance)) is not one of \(render(values))"))
        }
        if let value = schema["const"], !equal(value, instance) {
            violations.append(.init(
                path: path, keyword: "const", message: "\(render(instance)) is not \(render(value))"))
        }
        if let format = schema["format"] as? String, let text = instance as? String, kind == .string,
            !Format.accepts(format, text)
        {
            violations.append(.init(
                path: path, keyword: "format", message: "\(text.debugDescription) is not a \(format)"))
        }
        if kind == .object, let object = instance as? [String: Any] {
            violations += validateObject(object, schema, context.descending, path)
        }
        if kind == .array, let array = instance as? [Any], let items = schema["items"] {
            for (index, element) in array.enumerated() {
                violations += check(element, items, context.descending, "\(path)[\(index)]")
            }
        }
        violations += validateCombinations(instance, schema, context, path)
        return violations
    }

    /// Validates against the schema `reference` points to. Only local references (`#` and a JSON Pointer)
    /// exist in GitHub's descriptions; anything else, or a pointer to nothing, is a violation, not a crash.
    private static func follow(_ reference: Any, _ instance: Any, _ context: Context, _ path: String)
        -> [SchemaViolation]
    {
        guard let reference = reference as? String else {
            return [.init(path: path, keyword: "$ref", message: "not a string: \(render(reference))")]
        }
        if context.following.contains(reference) {
            return [.init(path: path, keyword: "$ref", message: "\(reference) refers back to itself")]
        }
        guard let target = resolve(reference, in: context.root) else {
            let root = context.root == nil ? " (no root document)" : ""
            return [.init(path: path, keyword: "$ref", message: "cannot resolve \(reference)\(root)")]
        }
        var inner = context
        inner.following.append(reference)
        return check(instance, target, inner, path)
    }

    /// The value `reference` (`#/components/schemas/package-version`) names in `root`, if any.
    static func resolve(_ reference: String, in root: Any?) -> Any? {
        guard let root, reference.hasPrefix("#") else { return nil }
        let pointer = reference.dropFirst().removingPercentEncoding ?? ""
        if pointer.isEmpty { return root }
        guard pointer.hasPrefix("/") else { return nil }  // a plain-name fragment: no `$anchor`s here
        var current: Any = root
        for token in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            // RFC 6901: `~1` is `/` and `~0` is `~`, unescaped in that order.
            let name = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let object = current as? [String: Any], let next = object[name] {
                current = next
            } else if let array = current as? [Any], let index = Int(name), array.indices.contains(index) {
                current = array[index]
            } else {
                return nil
            }
        }
        return current
    }

    private static func validateObject(
        _ object: [String: Any], _ schema: [String: Any], _ context: Context, _ path: String
    ) -> [SchemaViolation] {
        var violations: [SchemaViolation] = []
        let properties = schema["properties"] as? [String: Any] ?? [:]
        for name in (schema["required"] as? [String] ?? []) where object[name] == nil {
            violations.append(.init(path: path, keyword: "required", message: "missing \(name)"))
        }
        for key in object.keys.sorted() {
            let value = object[key]!
            if let property = properties[key] {
                violations += check(value, property, context, "\(path).\(key)")
            } else if let additional = schema["additionalProperties"] {
                violations += check(value, additional, context, "\(path).\(key)")
            }
        }
        return violations
    }

    private static func validateCombinations(
        _ instance: Any, _ schema: [String: Any], _ context: Context, _ path: String
    ) -> [SchemaViolation] {
        var violations: [SchemaViolation] = []
        if let branches = schema["anyOf"] as? [Any] {
            let results = branches.map { check(instance, $0, context, path) }
            if !results.contains(where: \.isEmpty) {
                // Report the closest branch's violations, so a failure inside `owner` names the field.
                violations.append(.init(
                    path: path, keyword: "anyOf", message: "matches none of \(branches.count) schemas"))
                violations += closest(results, path)
            }
        }
        if let branches = schema["oneOf"] as? [Any] {
            let results = branches.map { check(instance, $0, context, path) }
            let matching = results.filter(\.isEmpty).count
            if matching != 1 {
                violations.append(.init(
                    path: path, keyword: "oneOf", message: "matches \(matching) of \(branches.count) schemas"))
                if matching == 0 { violations += closest(results, path) }
            }
        }
        for branch in schema["allOf"] as? [Any] ?? [] {
            violations += check(instance, branch, context, path)
        }
        if let negated = schema["not"], check(instance, negated, context, path).isEmpty {
            violations.append(.init(path: path, keyword: "not", message: "matches a forbidden schema"))
        }
        return violations
    }

    /// The failing branch that best explains a failure: one of the instance's type (not failing `type`
    /// right at `path`), with the fewest violations.
    private static func closest(_ results: [[SchemaViolation]], _ path: String) -> [SchemaViolation] {
        let typeMismatch = { (violations: [SchemaViolation]) in
            violations.contains { $0.path == path && $0.keyword == "type" }
        }
        return results.min { left, right in
            (typeMismatch(left) ? 1 : 0, left.count) < (typeMismatch(right) ? 1 : 0, right.count)
        } ?? []
    }

    /// Every keyword used anywhere in `schema` (property names are not keywords). `$ref` targets are not
    /// followed: walk a document's `components/schemas` to see those.
    static func keywords(in schema: Any) -> Set<String> {
        guard let object = schema as? [String: Any] else { return [] }
        var found = Set(object.keys)
        for (key, value) in object {
            switch key {
            case "properties":
                for property in (value as? [String: Any] ?? [:]).values { found.formUnion(keywords(in: property)) }
            case "anyOf", "oneOf", "allOf":
                for branch in value as? [Any] ?? [] { found.formUnion(keywords(in: branch)) }
            case "items", "additionalProperties", "not":
                found.formUnion(keywords(in: value))
            default:
                break
            }
        }
        return found
    }

    /// JSON equality: numbers by value, booleans never equal to numbers.
    static func equal(_ left: Any, _ right: Any) -> Bool {
        let (kindLeft, kindRight) = (JSONKind.of(left), JSONKind.of(right))
        switch (kindLeft, kindRight) {
        case (.null, .null): return true
        case (.boolean, .boolean): return (left as? Bool) == (right as? Bool)
        case (.string, .string): return (left as? String) == (right as? String)
        case (.integer, .integer), (.integer, .number), (.number, .integer), (.number, .number):
            return (left as? NSNumber)?.doubleValue == (right as? NSNumber)?.doubleValue
        case (.array, .array):
            guard let a = left as? [Any], let b = right as? [Any], a.count == b.count else { return false }
            return zip(a, b).allSatisfy { equal($0, $1) }
        case (.object, .object):
            guard let a = left as? [String: Any], let b = right as? [String: Any], a.count == b.count else {
                return false
            }
            return a.allSatisfy { key, value in b[key].map { equal(value, $0) } ?? false }
        default: return false
        }
    }

    static func render(_ value: Any) -> String {
        guard JSONSerialization.isValidJSONObject([value]),
            let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys])
        else { return "\(value)" }
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}

/// A JSON value's type as JSON Schema names it.
enum JSONKind: String, CustomStringConvertible {
    case null, boolean, integer, number, string, array, object

    /// The class `JSONSerialization` uses for `true`/`false` (`__NSCFBoolean`), distinct from numbers'.
    private static let booleanClass = ObjectIdentifier(type(of: NSNumber(value: true)))

    static func of(_ value: Any) -> JSONKind {
        switch value {
        case is NSNull: return .null
        case is String: return .string
        case is [Any]: return .array
        case is [String: Any]: return .object
        case let number as NSNumber:
            if ObjectIdentifier(type(of: number)) == booleanClass { return .boolean }
            let code = String(cString: number.objCType)
            if code == "d" || code == "f" {
                return number.doubleValue.rounded() == number.doubleValue ? .integer : .number
            }
            return .integer
        default:
            return .null
        }
    }

    /// Whether a value of this kind has the schema type `name` (an integer is also a number).
    func matches(_ name: String) -> Bool {
        name == rawValue || (name == "number" && self == .integer)
    }

    var description: String { rawValue }
}

/// The formats of GitHub's schemas, checked (JSON Schema only annotates them by default).
enum Format {
    static func accepts(_ format: String, _ text: String) -> Bool {
        switch format {
        case "date-time": return isDateTime(text)
        case "uri": return isAbsoluteURI(text)
        default: return true  // int64 and others: the type keyword already decides
        }
    }

    /// RFC 3339 `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
    static func isDateTime(_ text: String) -> Bool {
        text.range(of: #"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"#,
                   options: .regularExpression) != nil
    }

    /// RFC 3986 absolute URI: a scheme, then no spaces, quotes or angle brackets.
    static func isAbsoluteURI(_ text: String) -> Bool {
        text.range(of: #"^[A-Za-z][A-Za-z0-9+.-]*:[^\s"<>\\^`{|}]*$"#, options: .regularExpression) != nil
    }
}
