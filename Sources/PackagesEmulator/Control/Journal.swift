import Synchronization

/// The last N requests, API and control alike, for `GET /_emulator/requests` (issue 5).
///
/// A ring of fixed capacity under a lock, so memory stays bounded under any load. Recording runs on
/// every request, so it only keeps the request (without its body: strings are shared, not copied);
/// choosing the headers and shortening tokens to a prefix happen when the journal is read.
final class Journal: Sendable {
    struct Entry: Sendable {
        var sequence: UInt64
        var time: Int64
        /// The request as received, body dropped.
        var request: Request
        /// GitHub's operation id of the route; nil for control routes and paths that match none.
        var operation: String?
        var status: Int
        var microseconds: Int64
        var delayMilliseconds: Int
        var fault: String?
    }

    private struct Ring {
        var entries: [Entry] = []
        /// Where the next entry goes once the ring is full.
        var next = 0
        var recorded: UInt64 = 0
    }

    let capacity: Int
    private let ring = Mutex(Ring())

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    var isEnabled: Bool { capacity > 0 }

    /// Headers worth reading back; everything else stays out of the journal.
    static let keptHeaders: Set<String> = [
        "authorization", "accept", "user-agent", "x-github-api-version", "if-none-match", "content-type", "host",
    ]

    /// Whether a header is one of `keptHeaders`, without lowercasing it (this runs on every request).
    static func isKept(_ name: String) -> Bool {
        let count = name.utf8.count
        return keptHeaders.contains { $0.utf8.count == count && name.equalsASCIILowercase($0) }
    }

    func record(_ request: Request, response: Response, fault: Fault?,
                elapsed: Duration, time: Int64) {
        var kept = request
        kept.body = []
        let (seconds, attoseconds) = elapsed.components
        var entry = Entry(
            sequence: 0, time: time, request: kept, operation: response.operation,
            status: response.dropConnection ? 0 : response.status,
            microseconds: seconds * 1_000_000 + attoseconds / 1_000_000_000_000,
            delayMilliseconds: response.delayMilliseconds, fault: fault?.kind.name)
        ring.withLock { ring in
            ring.recorded += 1
            entry.sequence = ring.recorded
            if ring.entries.count < capacity {
                ring.entries.append(entry)
            } else {
                ring.entries[ring.next] = entry
                ring.next = (ring.next + 1) % capacity
            }
        }
    }

    /// Oldest first.
    func entries() -> [Entry] {
        ring.withLock { ring in Array(ring.entries[ring.next...] + ring.entries[..<ring.next]) }
    }

    func clear() {
        ring.withLock { $0 = Ring() }
    }

    /// `{"capacity": N, "requests": [...]}`, oldest first.
    func render() -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key("capacity")
        json.int(Int64(capacity))
        json.key("requests")
        json.beginArray()
        for entry in entries() {
            json.beginObject()
            json.key("id")
            json.int(Int64(truncatingIfNeeded: entry.sequence))
            json.key("time")
            json.int(entry.time)
            let request = entry.request
            let target = RequestTarget(request.target)
            json.key("method")
            json.string(request.method)
            json.key("operation")
            json.optionalString(entry.operation)
            json.key("path")
            json.string(String(target.path))
            json.key("query")
            json.string(String(target.query))
            json.key("client")
            json.string(request.clientAddress)
            json.key("headers")
            json.beginObject()
            for header in request.headers where Self.isKept(header.name) {
                let name = header.name.asciiLowercased()
                json.key(name)
                json.string(name == "authorization" ? Redaction.authorization(header.value) : header.value)
            }
            json.endObject()
            json.key("status")
            if entry.status == 0 { json.null() } else { json.int(Int64(entry.status)) }
            json.key("duration_us")
            json.int(entry.microseconds)
            json.key("delay_ms")
            json.int(Int64(entry.delayMilliseconds))
            json.key("fault")
            json.optionalString(entry.fault)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.bytes
    }
}

/// Tokens shortened to a prefix that identifies them in a journal without disclosing them.
enum Redaction {
    static let knownPrefixes = ["github_pat_", "ghp_", "gho_", "ghs_", "ghu_", "ghr_"]

    /// `ghp_abcdef123456` → `ghp_abcd…`: the kind prefix and at most 4 more characters, never more
    /// than half of the rest.
    static func token(_ token: String) -> String {
        let prefix = knownPrefixes.first { token.utf8.starts(with: $0.utf8) } ?? ""
        let rest = token.utf8.dropFirst(prefix.utf8.count)
        // Tokens are ASCII; for anything else count bytes but cut only on a character boundary.
        var kept = rest.prefix(min(4, rest.count / 2))
        while let last = kept.last, last & 0xC0 == 0x80 || last >= 0xC0 { kept = kept.dropLast() }
        return prefix + String(decoding: kept, as: UTF8.self) + "…"
    }

    /// `token ghp_abcdef…` keeps the scheme; Basic credentials are hidden whole.
    static func authorization(_ value: String) -> String {
        let trimmed = value.trimmingASCIISpaces()
        guard let space = trimmed.utf8.firstIndex(where: { $0 == 0x20 || $0 == 0x09 }) else {
            return token(String(trimmed))
        }
        let scheme = trimmed[..<space]
        let credential = trimmed[space...].trimmingASCIISpaces()
        if String(scheme).equalsASCIILowercase("basic") { return "Basic …" }
        return scheme + " " + token(String(credential))
    }
}
