// Tests/Fuzz/run.sh compiles the core with swiftc alone, with a stand-in (Tests/Fuzz/CryptoStub.swift).
#if canImport(Crypto)
import Crypto
#endif
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The registry's content on disk: a folder of digests and a folder of upload sessions
/// (distribution/distribution's `registry/storage` layout, reduced). A blob exists under its digest's
/// name only once its bytes were hashed and matched (a session's file, then a rename); which
/// repositories may use a blob is kept in memory, as distribution's `_layers` links.
public final class ContentStore: Sendable {
    public let root: String
    /// `--max-blob-size` (SPEC §21).
    public let maxBlobSize: Int64
    /// Lowercased `owner/name` → the blobs pushed to (or mounted into) it.
    private let links = Mutex<[String: Set<Digest>]>([:])
    private let sessions = Mutex<[String: UploadSession]>([:])
    /// The fixtures' layouts: served from their files, never written (SPEC §21).
    private let fixtures = Mutex(RegistryContent())

    /// A session untouched this long (on the emulator's clock) is dropped (SPEC §21).
    static let sessionLifetime: Int64 = 3600

    /// Makes (or reuses) `root` with its `blobs/sha256` and `uploads` folders.
    public init(root: String, maxBlobSize: Int64 = 10 * 1024 * 1024 * 1024) throws(RegistryError) {
        self.root = root
        self.maxBlobSize = maxBlobSize
        for path in [root, root + "/blobs", root + "/blobs/sha256", root + "/uploads"] {
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw RegistryError.storage("cannot create \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Where a pushed blob is kept.
    /// Writes all of `bytes` to `fd` (a blob or tarball being stored); a write error (a full disk) names
    /// `what` and the cause.
    static func write(_ bytes: UnsafeRawBufferPointer, to fd: CInt, what: String) -> RegistryError? {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return .storage("cannot write \(what): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        return nil
    }

    func pushedPath(_ digest: Digest) -> String { root + "/blobs/sha256/" + digest.hex }

    /// The file of a blob: pushed, else the fixtures'.
    func blobPath(_ digest: Digest) -> String {
        var info = stat()
        if stat(pushedPath(digest), &info) == 0 { return pushedPath(digest) }
        return fixtures.withLock { $0.files[digest] } ?? pushedPath(digest)
    }

    /// The size of a stored blob, or nil.
    func size(of digest: Digest) -> Int64? {
        var info = stat()
        guard stat(blobPath(digest), &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    /// The fixtures' content, at start and after a reload.
    public func setFixtures(_ content: RegistryContent) {
        fixtures.withLock { $0 = content }
    }

    func link(_ digest: Digest, to repository: String) {
        links.withLock { _ = $0[repository, default: []].insert(digest) }
    }

    func isLinked(_ digest: Digest, to repository: String) -> Bool {
        links.withLock { $0[repository]?.contains(digest) ?? false }
            || fixtures.withLock { $0.repositories[repository]?.contains(digest) ?? false }
    }

    // MARK: Upload sessions

    /// A new session of `repository`, registered under its id.
    func startSession(repository: String, now: Int64) -> Result<UploadSession, RegistryError> {
        dropExpired(now: now)
        return UploadSession.create(in: self, repository: repository, now: now).map { session in
            sessions.withLock { $0[session.id] = session }
            return session
        }
    }

    enum Lookup {
        case found(UploadSession)
        case unknown
        /// Another request is writing to it.
        case busy
    }

    /// The session `id` of `repository` when it exists and has not expired, held for one request until
    /// `release` (or `end`).
    func acquire(_ id: String, repository: String, now: Int64) -> Lookup {
        dropExpired(now: now)
        return sessions.withLock { all -> Lookup in
            guard let session = all[id], session.repository == repository else { return .unknown }
            guard !session.isBusy else { return .busy }
            session.isBusy = true
            session.touch(now)
            return .found(session)
        }
    }

    func release(_ session: UploadSession, now: Int64) {
        sessions.withLock { _ in
            session.isBusy = false
            session.touch(now)
        }
    }

    /// Removes a session and its file (cancelled, completed or failed).
    func end(_ session: UploadSession) {
        _ = sessions.withLock { $0.removeValue(forKey: session.id) }
        session.remove()
    }

    private func dropExpired(now: Int64) {
        let expired = sessions.withLock { all -> [UploadSession] in
            let old = all.values.filter { !$0.isBusy && now - $0.lastUsed >= Self.sessionLifetime }
            for session in old { all.removeValue(forKey: session.id) }
            return old
        }
        for session in expired { session.remove() }
    }

    /// Checks the session's bytes against `expected` and, when they match, moves them under the digest.
    func commit(_ session: UploadSession, as expected: Digest) -> Result<Int64, RegistryError> {
        let digest = Digest(session.hasher.finalize())
        guard digest == expected else {
            end(session)
            return .failure(.digestInvalid)
        }
        let size = session.size
        session.closeFile()
        guard rename(session.path, pushedPath(digest)) == 0 else {
            let why = String(cString: strerror(errno))
            end(session)
            return .failure(.storage("cannot store the blob: \(why)"))
        }
        _ = sessions.withLock { $0.removeValue(forKey: session.id) }
        if !session.repository.isEmpty { link(digest, to: session.repository) }
        return .success(size)
    }

    /// Everything pushed is dropped (`POST /_emulator/reset`).
    public func reset() {
        let all = sessions.withLock { all -> [UploadSession] in
            defer { all = [:] }
            return Array(all.values)
        }
        for session in all { session.remove() }
        links.withLock { $0 = [:] }
        for folder in ["/blobs/sha256", "/uploads"] {
            guard let directory = opendir(root + folder) else { continue }
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { unlink(root + folder + "/" + name) }
            }
            closedir(directory)
        }
    }
}

/// One upload: a file under `uploads/` and the hash of what it holds so far.
final class UploadSession: @unchecked Sendable {
    // Touched by one request at a time (`isBusy`), under the store's lock otherwise.
    let id: String
    let repository: String
    let path: String
    private var fd: CInt
    private(set) var size: Int64 = 0
    private(set) var hasher = SHA256()
    private(set) var lastUsed: Int64
    /// A request holds it: others are refused, and it does not expire meanwhile. Under the store's lock.
    var isBusy = false
    /// What a streamed request found, to undo it when the client goes away mid-body.
    private var mark: (size: Int64, hasher: SHA256)?

    private init(id: String, repository: String, path: String, fd: CInt, now: Int64) {
        self.id = id
        self.repository = repository
        self.path = path
        self.fd = fd
        lastUsed = now
    }

    static func create(in store: ContentStore, repository: String, now: Int64) -> Result<UploadSession, RegistryError> {
        let id = newID()
        let path = store.root + "/uploads/" + id
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return .failure(.storage("cannot create an upload: \(String(cString: strerror(errno)))")) }
        return .success(UploadSession(id: id, repository: repository, path: path, fd: fd, now: now))
    }

    /// A UUID-shaped random id (distribution's are UUIDs too).
    static func newID() -> String {
        let hex = Digest.hex((0..<16).map { _ in UInt8.random(in: 0...255) })
        let bytes = Array(hex.utf8)
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(decoding: bytes[$0], as: UTF8.self) }
        return parts.joined(separator: "-")
    }

    func touch(_ now: Int64) { lastUsed = max(lastUsed, now) }

    /// Appends and hashes `bytes`; on a write error (a full disk) the session is unusable.
    func append(_ bytes: UnsafeRawBufferPointer, store: ContentStore) -> RegistryError? {
        guard size + Int64(bytes.count) <= store.maxBlobSize else { return .sizeInvalid(store.maxBlobSize) }
        if let failure = ContentStore.write(bytes, to: fd, what: "the upload") { return failure }
        hasher.update(bufferPointer: bytes)
        size += Int64(bytes.count)
        return nil
    }

    /// Remembers where a streamed request starts, so that `rollBack` can return there.
    func markStart() { mark = (size, hasher) }

    /// Forgets what the streamed request since `markStart` wrote (the client left mid-body).
    func rollBack() {
        guard let mark else { return }
        if ftruncate(fd, off_t(mark.size)) == 0 && lseek(fd, off_t(mark.size), SEEK_SET) >= 0 {
            size = mark.size
            hasher = mark.hasher
        }
        self.mark = nil
    }

    func closeFile() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    func remove() {
        closeFile()
        unlink(path)
    }

    deinit { closeFile() }
}
