/// A package's versions, newest first (`created_at` descending, then `id` descending; seen on GitHub).
///
/// Declared versions are rendered once, at load. Generated ones (a package that gives only
/// `version_count`, up to 10,000 each) are a pure function of their number, so a page renders just its
/// own: a data set of 100,000 packages does not hold a million version objects it may never serve.
struct Versions: Sendable {
    enum Source: Sendable {
        case declared(rendered: [Template], active: [Int32], deleted: [Int32], byID: [Int64: (Int32, Bool)])
        case generated(Package)
    }

    enum State: String, Sendable {
        case active, deleted
    }

    let source: Source
    let context: VersionRenderer.Context
    let renderer: VersionRenderer

    init(_ package: Package, owner: Owner, renderer: VersionRenderer) {
        self.renderer = renderer
        context = renderer.context(of: package, owner: owner)
        guard let declared = package.versions else {
            source = .generated(package)
            return
        }
        let sorted = declared.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
        var active: [Int32] = [], deleted: [Int32] = [], byID: [Int64: (Int32, Bool)] = [:]
        for (index, version) in sorted.enumerated() {
            if version.deletedAt == nil { active.append(Int32(index)) } else { deleted.append(Int32(index)) }
            byID[version.id] = (Int32(index), version.deletedAt != nil)
        }
        let context = self.context
        source = .declared(rendered: sorted.map { renderer.render($0, context) }, active: active, deleted: deleted,
                           byID: byID)
    }

    /// How many versions are in `state`.
    func count(_ state: State) -> Int {
        switch source {
        case .declared(_, let active, let deleted, _): state == .active ? active.count : deleted.count
        case .generated(let package): state == .active ? Int(min(package.versionCount, GeneratedVersions.maxCount)) : 0
        }
    }

    /// The versions of one page (`pagination` is not too deep, so offsets are small).
    func page(_ state: State, _ pagination: Pagination) -> [Template] {
        switch source {
        case .declared(let rendered, let active, let deleted, _):
            return pagination.slice(state == .active ? active : deleted).map { rendered[Int($0)] }
        case .generated(let package):
            guard state == .active else { return [] }
            let total = Int64(count(.active))
            let start = min((pagination.page - 1) * pagination.perPage, total)
            let end = min(start + pagination.perPage, total)
            // Newest first: version n = total is the newest.
            return (start..<end).map { offset in
                renderer.render(GeneratedVersions.version(total - offset, of: package), context)
            }
        }
    }

    /// The active version with this id; nil for absent and deleted ones, which answer alike (SPEC §16).
    func active(id: Int64) -> Template? {
        switch source {
        case .declared(let rendered, _, _, let byID):
            guard let (index, deleted) = byID[id], !deleted else { return nil }
            return rendered[Int(index)]
        case .generated(let package):
            let number = id &- GeneratedVersions.id(packageID: package.id, number: 0)
            guard number >= 1, number <= Int64(count(.active)) else { return nil }
            return renderer.render(GeneratedVersions.version(number, of: package), context)
        }
    }
}
