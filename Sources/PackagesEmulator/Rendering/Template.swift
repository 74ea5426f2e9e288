/// JSON rendered once, with holes where the API URL goes; `append(to:api:)` fills them.
///
/// Owner and repository objects are rendered once per user and repository and embedded by
/// reference in every package that shows them, so memory and load time grow with the data set's
/// distinct objects, not with packages × objects. Stored flat — its own literal bytes, and where
/// each hole or embedded template interrupts them — so filling it is a few copies, per request.
final class Template: Sendable {
    enum Segment: Sendable {
        case bytes([UInt8])
        case api
        case template(Template)
    }

    /// A run of literal bytes ending at `end`, then what follows it.
    struct Piece: Sendable {
        enum Next: Sendable {
            case api
            case child(Int)
            case end
        }

        var end: Int
        var next: Next
    }

    private let bytes: [UInt8]
    private let pieces: [Piece]
    private let children: [Template]
    let literalCount: Int
    let holeCount: Int
    /// Hash of the literal bytes and where the holes are (0xFF, which UTF-8 never holds, marks one);
    /// an embedded template contributes its own hash.
    let hash: UInt64

    convenience init(_ segments: [Segment]) {
        var bytes: [UInt8] = []
        var pieces: [Piece] = []
        var children: [Template] = []
        for segment in segments {
            switch segment {
            case .bytes(let literal): bytes += literal
            case .api: pieces.append(Piece(end: bytes.count, next: .api))
            case .template(let child):
                pieces.append(Piece(end: bytes.count, next: .child(children.count)))
                children.append(child)
            }
        }
        pieces.append(Piece(end: bytes.count, next: .end))
        // Exact-size copies: the arrays grew by doubling, and templates live as long as the store.
        self.init(bytes: bytes.withUnsafeBufferPointer { Array($0) },
                  pieces: pieces.withUnsafeBufferPointer { Array($0) }, children: children)
    }

    private init(bytes: [UInt8], pieces: [Piece], children: [Template]) {
        self.bytes = bytes
        self.pieces = pieces
        self.children = children
        var holes = 0
        var literal = bytes.count
        var hasher = ETag.Hasher()
        var start = 0
        for piece in pieces {
            bytes.withUnsafeBufferPointer { hasher.combine(UnsafeBufferPointer(rebasing: $0[start..<piece.end])) }
            start = piece.end
            switch piece.next {
            case .api:
                holes += 1
                hasher.combine(UInt8(0xFF))
            case .child(let index):
                literal += children[index].literalCount
                holes += children[index].holeCount
                hasher.combine(UInt8(0xFE))
                hasher.combine(children[index].hash)
            case .end:
                break
            }
        }
        literalCount = literal
        holeCount = holes
        hash = hasher.value
    }

    /// This template with the embedded `old` (by identity) swapped for `new`; bytes stay shared.
    func replacing(_ old: Template, with new: Template) -> Template {
        Template(bytes: bytes, pieces: pieces, children: children.map { $0 === old ? new : $0 })
    }

    /// How many bytes `append` adds for an API URL of `apiCount` bytes.
    func count(apiCount: Int) -> Int {
        literalCount + holeCount * apiCount
    }

    func append(to out: inout [UInt8], api: [UInt8]) {
        bytes.withUnsafeBufferPointer { literal in
            var start = 0
            for piece in pieces {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: literal[start..<piece.end]))
                start = piece.end
                switch piece.next {
                case .api: out.append(contentsOf: api)
                case .child(let index): children[index].append(to: &out, api: api)
                case .end: break
                }
            }
        }
    }
}
