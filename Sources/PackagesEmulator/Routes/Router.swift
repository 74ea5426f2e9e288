/// A path pattern of the route table: literal segments and `{name}` parameters.
struct RoutePattern: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    let segments: [Segment]

    init(_ path: String) {
        segments = path.split(separator: "/").map { part in
            part.hasPrefix("{") ? .parameter(String(part.dropFirst().dropLast())) : .literal(String(part))
        }
    }

    /// The raw (still percent-encoded) parameters when `path` (split on `/`, leading empty dropped) matches.
    func match(_ parts: ArraySlice<Substring>) -> RouteParameters? {
        guard parts.count == segments.count else { return nil }
        var parameters = RouteParameters()
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let literal):
                // Bytes, not Characters: paths are ASCII, and canonical equivalence costs per request.
                guard part.utf8.elementsEqual(literal.utf8) else { return nil }
            case .parameter(let name):
                // Every parameter is at least one byte; a version id is ASCII digits (SPEC §13).
                guard !part.isEmpty else { return nil }
                if name == "package_version_id" {
                    guard part.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
                }
                parameters.values.append((name, part))
            }
        }
        return parameters
    }
}

/// The parameters of a matched path, raw.
struct RouteParameters: Sendable {
    var values: [(name: String, value: Substring)] = []

    subscript(name: String) -> Substring? { values.first { $0.name == name }?.value }
}

/// A request's path resolved against the route table.
struct Route {
    let operation: Operation
    let parameters: RouteParameters
    /// Whether the request came through GHES's `/api/v3` prefix (SPEC §13).
    let viaPrefix: Bool
    /// The path after the prefix: what `Link` URLs repeat after `{api}`.
    let path: Substring

    static let prefix = "/api/v3"

    /// The table's rows by their number of path segments, in table order: a path is matched only
    /// against the rows that can match it.
    static let bySegmentCount: [[Operation]] = {
        let longest = RouteTable.operations.map(\.pattern.segments.count).max() ?? 0
        var buckets: [[Operation]] = Array(repeating: [], count: longest + 1)
        for operation in RouteTable.operations { buckets[operation.pattern.segments.count].append(operation) }
        return buckets
    }()

    /// The route of `method` (HEAD answers as GET) and `path`, or nil: 404 `Not Found` (SPEC §6 step 1).
    static func resolve(method: String, path: Substring) -> Route? {
        var path = path
        var viaPrefix = false
        if path.hasPrefix(prefix + "/") {
            path = path.dropFirst(prefix.utf8.count)
            viaPrefix = true
        }
        guard path.first == "/" else { return nil }
        // Split on the byte: `/` never occurs inside a UTF-8 sequence, and Character splitting costs more.
        let parts = path.dropFirst().utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            .map { Substring($0) }[...]
        let wanted = method == "HEAD" ? "GET" : method
        guard parts.count < bySegmentCount.count else { return nil }
        for operation in bySegmentCount[parts.count] where operation.method == wanted {
            if let parameters = operation.pattern.match(parts) {
                return Route(operation: operation, parameters: parameters, viaPrefix: viaPrefix, path: path)
            }
        }
        return nil
    }
}
