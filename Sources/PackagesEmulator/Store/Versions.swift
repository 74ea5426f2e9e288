/// Declared versions of one package, rendered once at load, newest first (`created_at` descending, then
/// `id` descending; seen on GitHub).
struct DeclaredVersions: Sendable {
    let rendered: [Template]
    let active: [Int32]
    let deleted: [Int32]
    /// Id → position in `rendered`, and whether it is deleted.
    let byID: [Int64: (Int32, Bool)]

    init(_ versions: [PackageVersion], context: VersionRenderer.Context, renderer: VersionRenderer) {
        let sorted = versions.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
        var active: [Int32] = [], deleted: [Int32] = [], byID: [Int64: (Int32, Bool)] = [:]
        for (index, version) in sorted.enumerated() {
            if version.deletedAt == nil { active.append(Int32(index)) } else { deleted.append(Int32(index)) }
            byID[version.id] = (Int32(index), version.deletedAt != nil)
        }
        rendered = sorted.map { renderer.render($0, context) }
        self.active = active
        self.deleted = deleted
        self.byID = byID
    }
}

/// A package's versions as a request reads them.
///
/// Generated versions (a package that gives only `version_count`, up to 10,000 each) are a pure function
/// of their number, so a page renders just its own: a data set of 100,000 packages holds no million
/// version objects it may never serve, and nothing per generated package at all.
struct VersionList {
    enum State: String, Sendable {
        case active, deleted
    }

    let package: Package
    let declared: DeclaredVersions?
    let context: VersionRenderer.Context
    let renderer: VersionRenderer

    /// How many versions are in `state`.
    func count(_ state: State) -> Int {
        if let declared { return state == .active ? declared.active.count : declared.deleted.count }
        return state == .active ? Int(min(package.versionCount, GeneratedVersions.maxCount)) : 0
    }

    /// The versions of one page (`pagination` is not too deep, so offsets are small).
    func page(_ state: State, _ pagination: Pagination) -> [Template] {
        if let declared {
            return pagination.slice(state == .active ? declared.active : declared.deleted)
                .map { declared.rendered[Int($0)] }
        }
        guard state == .active else { return [] }
        let total = Int64(count(.active))
        let start = min((pagination.page - 1) * pagination.perPage, total)
        let end = min(start + pagination.perPage, total)
        // Newest first: version n = total is the newest.
        return (start..<end).map { offset in
            renderer.render(GeneratedVersions.version(total - offset, of: package), context)
        }
    }

    /// The active version with this id; nil for absent and deleted ones, which answer alike (SPEC §16).
    func active(id: Int64) -> Template? {
        if let declared {
            guard let (index, deleted) = declared.byID[id], !deleted else { return nil }
            return declared.rendered[Int(index)]
        }
        let number = id &- GeneratedVersions.id(packageID: package.id, number: 0)
        guard number >= 1, number <= Int64(count(.active)) else { return nil }
        return renderer.render(GeneratedVersions.version(number, of: package), context)
    }
}
