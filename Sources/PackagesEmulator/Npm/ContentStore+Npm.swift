#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
#if canImport(Crypto)
import Crypto
#endif

/// The body of an npm request, as it arrives: in memory up to `memoryLimit`, then spooled to a file under
/// the data directory's `uploads/` (a publish document carries its tarball as base64, up to 342 MB for
/// SPEC §22's 256 MB), and read back through `mmap`, so that only the pages being decoded are resident.
final class NpmBody: @unchecked Sendable {
    // Touched by the one connection that owns the request.
    static let memoryLimit = 1024 * 1024
    let limit: Int64
    private let directory: String
    private var memory: [UInt8] = []
    private var fd: CInt = -1
    private var path: String?
    private(set) var count: Int64 = 0

    init(limit: Int64, directory: String) {
        self.limit = limit
        self.directory = directory
    }

    func append(_ bytes: UnsafeRawBufferPointer) -> RegistryError? {
        guard count + Int64(bytes.count) <= limit else {
            return NpmError.make(413, "the request body is larger than \(limit) bytes")
        }
        count += Int64(bytes.count)
        if fd < 0 && memory.count + bytes.count <= Self.memoryLimit {
            memory.append(contentsOf: bytes)
            return nil
        }
        if fd < 0 {
            let spool = directory + "/npm-" + UploadSession.newID()
            fd = open(spool, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return .storage("cannot spool the request: \(String(cString: strerror(errno)))") }
            path = spool
            let spilled = memory
            memory = []
            if let failure = spilled.withUnsafeBytes({ write($0) }) { return failure }
        }
        return write(bytes)
    }

    private func write(_ bytes: UnsafeRawBufferPointer) -> RegistryError? {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return .storage("cannot spool the request: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        return nil
    }

    /// `body` on the whole request body.
    func withBytes<T>(_ body: (UnsafeRawBufferPointer) -> T) -> Result<T, RegistryError> {
        guard fd >= 0, count > 0 else { return .success(memory.withUnsafeBytes(body)) }
        let length = Int(count)
        guard let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            return .failure(.storage("cannot map the request: \(String(cString: strerror(errno)))"))
        }
        defer { munmap(mapped, length) }
        // Read once, front to back.
        madvise(mapped, length, MADV_SEQUENTIAL)
        return .success(body(UnsafeRawBufferPointer(start: mapped, count: length)))
    }

    /// Drops the spool file (the exchange is over, answered or abandoned).
    func discard() {
        if fd >= 0 { close(fd) }
        fd = -1
        if let path { unlink(path) }
        path = nil
        memory = []
    }

    deinit { discard() }
}

/// A tarball decoded from a publish document, written and hashed, not yet visible (SPEC §21's storage:
/// a temporary file renamed under its SHA-256 once the version that names it is made).
struct StagedTarball {
    let path: String
    let digest: Digest
    let size: Int64
    /// npm's `dist.shasum` (SHA-1, hex) and `dist.integrity` (`sha512-` base64, W3C Subresource Integrity).
    let shasum: String
    let integrity: String
}

extension ContentStore {
    /// Decodes `base64` to a temporary file, hashing as it goes; refused over `limit` decoded bytes.
    func stageTarball(base64: UnsafeRawBufferPointer, limit: Int64) -> Result<StagedTarball, RegistryError> {
        let path = root + "/uploads/npm-" + UploadSession.newID() + ".tgz"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return .failure(.storage("cannot create a tarball: \(String(cString: strerror(errno)))")) }
        defer { close(fd) }
        var decoder = Base64Decoder()
        var sha1 = Insecure.SHA1(), sha256 = SHA256(), sha512 = SHA512()
        var size: Int64 = 0
        var out: [UInt8] = []
        out.reserveCapacity(48 * 1024)
        var offset = 0
        let fail = { (error: RegistryError) -> Result<StagedTarball, RegistryError> in
            unlink(path)
            return .failure(error)
        }
        while offset < base64.count {
            let end = min(offset + 64 * 1024, base64.count)
            out.removeAll(keepingCapacity: true)
            guard decoder.decode(UnsafeRawBufferPointer(rebasing: base64[offset..<end]), into: &out) else {
                return fail(NpmError.make(400, "the attachment's data is not base64"))
            }
            offset = end
            size += Int64(out.count)
            guard size <= limit else { return fail(NpmError.make(413, "the tarball is larger than \(limit) bytes")) }
            let failure: RegistryError? = out.withUnsafeBytes { bytes in
                sha1.update(bufferPointer: bytes)
                sha256.update(bufferPointer: bytes)
                sha512.update(bufferPointer: bytes)
                var at = 0
                while at < bytes.count {
                    let written = write(fd, bytes.baseAddress! + at, bytes.count - at)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return .storage("cannot write the tarball: \(String(cString: strerror(errno)))")
                    }
                    at += written
                }
                return nil
            }
            if let failure { return fail(failure) }
        }
        guard decoder.isComplete else { return fail(NpmError.make(400, "the attachment's data is not base64")) }
        return .success(StagedTarball(
            path: path, digest: Digest(sha256.finalize()), size: size, shasum: Digest.hex(sha1.finalize()),
            integrity: "sha512-" + Data(Array(sha512.finalize())).base64EncodedString()))
    }

    /// Makes a staged tarball visible under its digest (a rename: whole or not at all).
    func commit(_ staged: StagedTarball) -> RegistryError? {
        guard rename(staged.path, pushedPath(staged.digest)) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(staged.path)
            return .storage("cannot store the tarball: \(why)")
        }
        return nil
    }

    func discard(_ staged: StagedTarball) { unlink(staged.path) }
}
