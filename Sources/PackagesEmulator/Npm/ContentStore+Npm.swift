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

/// A tarball arriving as base64 inside a publish document: decoded piece by piece to a temporary file
/// under the data directory's `uploads/`, hashed as it goes (SPEC §21's storage), so that neither the
/// document nor the tarball is ever held whole in memory.
final class TarballWriter: @unchecked Sendable {
    // Touched by the one connection that owns the request.
    let limit: Int64
    private let directory: String
    private var fd: CInt = -1
    private var path: String?
    private var decoder = Base64Decoder()
    private var sha1 = Insecure.SHA1(), sha256 = SHA256(), sha512 = SHA512()
    private var size: Int64 = 0
    private var decoded: [UInt8] = []

    init(limit: Int64, directory: String) {
        self.limit = limit
        self.directory = directory
    }

    /// Decodes and writes a piece of base64; the refusal when it is not base64, too large, or the disk
    /// fails.
    func append(base64 piece: UnsafeRawBufferPointer) -> RegistryError? {
        if fd < 0 {
            let file = directory + "/npm-" + UploadSession.newID() + ".tgz"
            fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return .storage("cannot create a tarball: \(String(cString: strerror(errno)))") }
            path = file
        }
        // 64 KiB of base64 at a time: 48 KiB decoded in memory, whatever the piece.
        var offset = 0
        while offset < piece.count {
            let end = min(offset + 64 * 1024, piece.count)
            decoded.removeAll(keepingCapacity: true)
            guard decoder.decode(UnsafeRawBufferPointer(rebasing: piece[offset..<end]), into: &decoded) else {
                return Self.notBase64
            }
            offset = end
            size += Int64(decoded.count)
            guard size <= limit else { return NpmError.make(413, "the tarball is larger than \(limit) bytes") }
            if let failure = decoded.withUnsafeBytes({ write($0) }) { return failure }
        }
        return nil
    }

    static let notBase64 = NpmError.make(400, "the attachment's data is not base64")

    private func write(_ bytes: UnsafeRawBufferPointer) -> RegistryError? {
        sha1.update(bufferPointer: bytes)
        sha256.update(bufferPointer: bytes)
        sha512.update(bufferPointer: bytes)
        return ContentStore.write(bytes, to: fd, what: "the tarball")
    }

    /// The tarball, whole: staged, not yet visible. Nil data (no piece came) is an empty tarball.
    func finish() -> Result<StagedTarball, RegistryError> {
        guard decoder.isComplete else { return .failure(Self.notBase64) }
        if fd < 0, let failure = append(base64: UnsafeRawBufferPointer(start: nil, count: 0)) { return .failure(failure) }
        close(fd)
        fd = -1
        return .success(StagedTarball(
            path: path ?? "", digest: Digest(sha256.finalize()), size: size, shasum: Digest.hex(sha1.finalize()),
            integrity: "sha512-" + Data(Array(sha512.finalize())).base64EncodedString()))
    }

    /// Drops what was written (a refusal, a client gone, or a refused publish).
    func discard() {
        if fd >= 0 { close(fd) }
        fd = -1
        if let path { unlink(path) }
        path = nil
    }

    deinit { if fd >= 0 { close(fd) } }
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
    /// Makes a staged tarball visible under its digest (a rename: whole or not at all).
    func commit(_ staged: StagedTarball) -> RegistryError? {
        guard rename(staged.path, pushedPath(staged.digest)) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(staged.path)
            return .storage("cannot store the tarball: \(why)")
        }
        return nil
    }

}
