#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// All file-system access of the core: POSIX calls, so every failure has its errno and a named file,
/// nothing blocks on a FIFO, and a size is checked before a byte is read.
struct FixtureDirectoryReader {
    let directory: String
    let maxFileSize: Int
    private(set) var errors: [FixtureError] = []
    private(set) var warnings: [String] = []

    init(directory: String, maxFileSize: Int) {
        self.directory = directory
        self.maxFileSize = maxFileSize
    }

    private func absolute(_ relative: String) -> String {
        directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
    }

    private mutating func fail(_ file: String, _ message: String) {
        errors.append(FixtureError(file: file, path: "", message: message))
    }

    /// The fixtures directory must exist and be a directory; one error naming it otherwise.
    mutating func checkDirectory() -> Bool {
        switch Self.status(of: directory) {
        case .failure(let error):
            let code = error.code
            fail(directory, code == ENOENT ? "fixtures directory does not exist"
                 : "cannot open the fixtures directory: \(Self.describe(code))")
            return false
        case .success(let info) where !Self.isDirectory(info):
            fail(directory, "is not a directory")
            return false
        case .success:
            return true
        }
    }

    /// The bytes of a regular file, or nil after recording why not.
    mutating func read(relative: String, missing: String) -> [UInt8]? {
        let descriptor = systemOpen(absolute(relative), O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            let code = errno
            fail(relative, code == ENOENT ? missing : Self.describe(code))
            return nil
        }
        defer { _ = systemClose(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            fail(relative, Self.describe(errno))
            return nil
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            fail(relative, Self.isDirectory(info) ? "is a directory, not a file" : "is not a regular file")
            return nil
        }
        let size = Int(info.st_size)
        guard size <= maxFileSize else {
            fail(relative, "is \(size) bytes, over the limit of \(Self.describeSize(maxFileSize))")
            return nil
        }
        // Read until end of file, never past the limit (the file may grow after fstat).
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                let code = errno
                if code == EINTR || code == EAGAIN { continue }
                fail(relative, Self.describe(code))
                return nil
            }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maxFileSize {
                fail(relative, "is over the limit of \(Self.describeSize(maxFileSize))")
                return nil
            }
        }
        return bytes
    }

    /// Every `folder/*.json` by name; other entries are skipped with a warning. Nil bytes: error recorded.
    /// A missing folder is an error only when `required` (`users/` is, `orgs/` is not).
    mutating func readOwners(folder: String, required: Bool) -> [(name: String, bytes: [UInt8]?)] {
        let folderPath = absolute(folder)
        switch Self.status(of: folderPath) {
        case .failure(let error):
            let code = error.code
            if code == ENOENT {
                if required {
                    fail(folder, "missing; a fixtures directory needs a \(folder)/ directory (it may be empty)")
                }
            } else {
                fail(folder, Self.describe(code))
            }
            return []
        case .success(let info) where !Self.isDirectory(info):
            fail(folder, "is not a directory")
            return []
        case .success:
            break
        }
        guard let names = listDirectory(folderPath, folder: folder) else { return [] }
        var result: [(name: String, bytes: [UInt8]?)] = []
        for name in names.sorted() {
            let relative = "\(folder)/\(name)"
            let status = Self.status(of: absolute(relative))
            if case .success(let info) = status, Self.isDirectory(info) {
                warnings.append("\(relative): skipped, a subdirectory")
                continue
            }
            guard name.hasSuffix(".json") else {
                warnings.append("\(relative): skipped, not a .json file")
                continue
            }
            if case .failure(let error) = status {
                let code = error.code
                fail(relative, code == ENOENT ? "is a broken symbolic link" : Self.describe(code))
                result.append((name, nil))
                continue
            }
            result.append((name, read(relative: relative, missing: "disappeared while loading")))
        }
        return result
    }

    private mutating func listDirectory(_ path: String, folder: String) -> [String]? {
        guard let stream = opendir(path) else {
            fail(folder, Self.describe(errno))
            return nil
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            // strnlen, not a byte scan: d_name's bytes past the NUL are uninitialized, and the optimized
            // scan read them (valgrind: "conditional jump depends on uninitialised value").
            let raw = withUnsafeBytes(of: entry.pointee.d_name) { buffer -> [UInt8] in
                guard let base = buffer.baseAddress else { return [] }
                return Array(buffer[..<strnlen(base.assumingMemoryBound(to: CChar.self), buffer.count)])
            }
            guard let name = String(validating: raw, as: UTF8.self) else {
                warnings.append("\(folder)/\(String(decoding: raw, as: UTF8.self)): skipped, name is not valid UTF-8")
                continue
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    private static func status(of path: String) -> Result<stat, FixtureIOError> {
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(FixtureIOError(code: errno)) }
        return .success(info)
    }

    private static func isDirectory(_ info: stat) -> Bool { (info.st_mode & S_IFMT) == S_IFDIR }

    private static func describeSize(_ size: Int) -> String {
        size >= 1 << 20 && size % (1 << 20) == 0 ? "\(size >> 20) MiB" : "\(size) bytes"
    }

    /// The errno values a fixtures directory meets, in words; others by `strerror`.
    private static func describe(_ code: Int32) -> String {
        switch code {
        case ELOOP: return "symbolic link loop (too many levels of symbolic links)"
        case EACCES, EPERM: return "cannot be read: permission denied"
        case ENOENT: return "does not exist"
        case ENOTDIR: return "a component of the path is not a directory"
        case ENAMETOOLONG: return "path is too long"
        default:
            guard let text = strerror(code) else { return "cannot be read (errno \(code))" }
            return "cannot be read: \(String(cString: text))"
        }
    }
}

/// An errno from a failed call.
struct FixtureIOError: Error {
    var code: Int32
}

// Free functions, so the calls are not shadowed by `FixtureDirectoryReader.read(relative:missing:)`.
private func systemOpen(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }
private func systemClose(_ descriptor: Int32) -> Int32 { close(descriptor) }
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
