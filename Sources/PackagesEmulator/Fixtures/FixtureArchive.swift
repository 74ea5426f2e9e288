/// A fixtures directory as a tar archive (POSIX ustar, IEEE Std 1003.1-1988 "ustar Interchange Format"):
/// what `GET /_emulator/fixtures/export?format=tar` answers. Files are sent from where they are, never
/// read into memory; headers and padding are the bytes between them.
public enum FixtureArchive {
    public enum Content: Sendable {
        case bytes([UInt8])
        /// A file and its size.
        case file(String, Int64)
    }

    /// The archive of `entries` (paths relative to the directory, `/`-separated) as body parts.
    public static func parts(_ entries: [(path: String, content: Content)]) -> [BodyPart] {
        var parts: [BodyPart] = []
        var pending: [UInt8] = []
        for (path, content) in entries {
            let size: Int64
            switch content {
            case .bytes(let bytes): size = Int64(bytes.count)
            case .file(_, let length): size = length
            }
            pending += header(path: path, size: size)
            switch content {
            case .bytes(let bytes): pending += bytes
            case .file(let file, let length):
                parts.append(.bytes(pending))
                pending = []
                parts.append(.file(ResponseFile(path: file, offset: 0, length: length)))
            }
            pending += [UInt8](repeating: 0, count: Int((512 - size % 512) % 512))
        }
        // The end: two zero blocks.
        pending += [UInt8](repeating: 0, count: 1024)
        parts.append(.bytes(pending))
        return parts
    }

    /// A ustar header: a name over 100 bytes is split at a `/` into `prefix` (≤ 155) and `name` (≤ 100).
    static func header(path: String, size: Int64) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        let bytes = Array(path.utf8)
        var name = bytes[...]
        var prefix: ArraySlice<UInt8> = []
        if bytes.count > 100, let cut = bytes.indices.last(where: { bytes[$0] == UInt8(ascii: "/") && bytes.count - $0 - 1 <= 100 }),
           cut <= 155 {
            prefix = bytes[..<cut]
            name = bytes[(cut + 1)...]
        }
        func put(_ field: some Collection<UInt8>, at offset: Int) {
            for (index, byte) in field.enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int64, width: Int) -> [UInt8] {
            let digits = Array(String(value, radix: 8).utf8)
            return [UInt8](repeating: UInt8(ascii: "0"), count: max(0, width - 1 - digits.count)) + digits + [0]
        }
        put(name.prefix(100), at: 0)
        put(octal(0o644, width: 8), at: 100)            // mode
        put(octal(0, width: 8), at: 108)                // uid
        put(octal(0, width: 8), at: 116)                // gid
        put(octal(size, width: 12), at: 124)
        put(octal(0, width: 12), at: 136)               // mtime: fixed, so an export is reproducible
        put([UInt8](repeating: 0x20, count: 8), at: 148) // checksum, as spaces while it is computed
        block[156] = UInt8(ascii: "0")                  // a regular file
        put(Array("ustar\u{0}00".utf8), at: 257)
        put(prefix.prefix(155), at: 345)
        let checksum = block.reduce(0) { $0 + Int64($1) }
        put(octal(checksum, width: 7) + [0x20], at: 148)
        return block
    }
}
