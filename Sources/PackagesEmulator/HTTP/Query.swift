/// A request's query string, parsed by the core (SPEC §7, §12).
///
/// Repeated parameters: the last occurrence wins. Names are case-sensitive; unknown names are kept
/// (they are repeated in `Link` URLs) and otherwise ignored.
struct Query: Sendable, Equatable {
    struct Parameter: Sendable, Equatable {
        /// The `name=value` text of the occurrence that counts, exactly as sent.
        var raw: String
        var name: String
        var value: String
    }

    /// One entry per distinct name, in the order first seen, holding its last occurrence.
    private(set) var parameters: [Parameter] = []

    static let indexThreshold = 16

    static func parse(_ text: Substring) -> Result<Query, PercentDecoding.Failure> {
        var query = Query()
        var positions: [String: Int] = [:]
        // Split on bytes: '&' and '=' are ASCII, and Character-level splitting costs far more.
        for pieceBytes in text.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let piece = Substring(pieceBytes)
            let equals = pieceBytes.firstIndex(of: UInt8(ascii: "="))
            let rawName = equals.map { Substring(pieceBytes[..<$0]) } ?? piece
            let rawValue = equals.map { Substring(pieceBytes[pieceBytes.index(after: $0)...]) } ?? ""
            let name: String
            let value: String
            switch PercentDecoding.decode(rawName, plusIsSpace: true) {
            case .success(let decoded): name = decoded
            case .failure(let failure): return .failure(failure)
            }
            switch PercentDecoding.decode(rawValue, plusIsSpace: true) {
            case .success(let decoded): value = decoded
            case .failure(let failure): return .failure(failure)
            }
            let parameter = Parameter(raw: String(piece), name: name, value: value)
            // A linear search is cheapest for the usual handful of names; past that an index keeps
            // 10,000 distinct names linear in time, not quadratic (SPEC §12: no input may hang us).
            if query.parameters.count < Self.indexThreshold {
                if let index = query.parameters.firstIndex(where: { $0.name == name }) {
                    query.parameters[index] = parameter
                } else {
                    query.parameters.append(parameter)
                }
                continue
            }
            if positions.isEmpty {
                for (index, existing) in query.parameters.enumerated() { positions[existing.name] = index }
            }
            if let index = positions[name] {
                query.parameters[index] = parameter
            } else {
                positions[name] = query.parameters.count
                query.parameters.append(parameter)
            }
        }
        return .success(query)
    }

    subscript(name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }

    /// The query of a `Link` URL around its page number: every parameter as sent, `page` set in
    /// place (appended if absent). `linkQuery(page: n)` is `before + "n" + after`.
    func linkQueryParts() -> (before: String, after: String) {
        var before: [String] = []
        var after: [String] = []
        var seenPage = false
        for parameter in parameters {
            if parameter.name == "page" {
                seenPage = true
            } else if seenPage {
                after.append("&" + parameter.raw)
            } else {
                before.append(parameter.raw)
            }
        }
        before.append("page=")
        return (before.joined(separator: "&"), after.joined())
    }

    func linkQuery(page: Int64) -> String {
        let parts = linkQueryParts()
        return parts.before + String(page) + parts.after
    }
}

/// Numbers in the query: only ASCII digits count; larger than 64 bits saturates (SPEC §12).
enum QueryNumber {
    static func parse(_ text: String?) -> Int64? {
        guard let text, !text.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times10.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            value = overflow1 || overflow2 ? Int64.max : next
        }
        return value
    }
}
