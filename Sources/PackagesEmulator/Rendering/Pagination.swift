/// `page` and `per_page`, normalised (SPEC §7), and the `Link` header GitHub sends.
struct Pagination: Equatable {
    static let defaultPerPage: Int64 = 30
    static let maxPerPage: Int64 = 100
    /// GitHub's limit on `page × per_page`.
    static let maxDepth: Int64 = 10_000

    let page: Int64
    let perPage: Int64

    init(page: Int64, perPage: Int64) {
        self.page = page
        self.perPage = perPage
    }

    /// From the query's values: `per_page` above 100 → 100, 0 or not a number → 30; `page` 0 or not a
    /// number → 1.
    init(page: String?, perPage: String?) {
        let perPageNumber = QueryNumber.parse(perPage) ?? 0
        self.perPage = perPageNumber == 0 ? Self.defaultPerPage : min(perPageNumber, Self.maxPerPage)
        self.page = max(QueryNumber.parse(page) ?? 1, 1)
    }

    var isTooDeep: Bool {
        let (depth, overflow) = page.multipliedReportingOverflow(by: perPage)
        return overflow || depth > Self.maxDepth
    }

    /// The positions of this page (only called when `!isTooDeep`, so the offsets are small).
    func slice(_ positions: [Int32]) -> ArraySlice<Int32> {
        let start = Int(min((page - 1) * perPage, Int64(positions.count)))
        let end = Int(min(Int64(start) + perPage, Int64(positions.count)))
        return positions[start..<end]
    }

    /// The last page of `total` items (1 when empty).
    func lastPage(total: Int) -> Int64 {
        max(1, (Int64(total) + perPage - 1) / perPage)
    }

    /// GitHub's `Link` value: prev, next, last, first, each only where it applies; nil when none does.
    /// Each URL is `before`, the page number, `after`; written as bytes into one string, since this runs
    /// for every page of every list.
    func link(total: Int, before: String, after: String) -> String? {
        let last = lastPage(total: total)
        guard page > 1 || page < last else { return nil }
        var header: [UInt8] = []
        header.reserveCapacity(4 * (before.utf8.count + after.utf8.count + 32))
        func add(_ number: Int64, _ relation: StaticString) {
            if !header.isEmpty { header.append(contentsOf: [0x2C, 0x20]) }
            header.append(0x3C)
            header.append(contentsOf: before.utf8)
            header.append(contentsOf: String(number).utf8)
            header.append(contentsOf: after.utf8)
            header.append(contentsOf: #">; rel=""#.utf8)
            relation.withUTF8Buffer { header.append(contentsOf: $0) }
            header.append(0x22)
        }
        if page > 1 { add(page - 1, "prev") }
        if page < last {
            add(page + 1, "next")
            add(last, "last")
        }
        if page > 1 { add(1, "first") }
        return String(decoding: header, as: UTF8.self)
    }
}
