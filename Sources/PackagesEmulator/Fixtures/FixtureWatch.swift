#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What `--watch` compares between polls: every fixture file's name, size and modification time.
public struct FixtureFingerprint: Equatable, Sendable {
    var entries: [String]

    /// The fingerprint of `directory`'s `tokens.json`, `users/` and `orgs/` now; missing files count as such.
    public init(directory: String) {
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        var entries = [Self.describe(base + "tokens.json", name: "tokens.json")]
        for folder in ["users", "orgs"] {
            var names: [String] = []
            if let stream = opendir(base + folder) {
                while let entry = readdir(stream) {
                    let raw = withUnsafeBytes(of: entry.pointee.d_name) { buffer in Array(buffer.prefix { $0 != 0 }) }
                    let name = String(decoding: raw, as: UTF8.self)
                    if name != ".", name != ".." { names.append(name) }
                }
                closedir(stream)
            } else {
                entries.append("\(folder): missing")
            }
            for name in names.sorted() {
                entries.append(Self.describe(base + folder + "/" + name, name: folder + "/" + name))
            }
        }
        self.entries = entries
    }

    private static func describe(_ path: String, name: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "\(name): errno \(errno)" }
        #if canImport(Darwin)
        let modified = info.st_mtimespec
        #else
        let modified = info.st_mtim
        #endif
        return "\(name): \(info.st_size) \(modified.tv_sec).\(modified.tv_nsec) \(info.st_ino)"
    }
}
