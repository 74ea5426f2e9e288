/// Blobs and their uploads (OCI Distribution Spec, "Pulling blobs", "Pushing blobs"; SPEC §21).
extension RegistryRequest {
    /// ghcr.io's cap on one `Content-Range` chunk (seen: "exceeds the maximum permissible limit of 4.00MiB").
    static let maxChunk: Int64 = 4 * 1024 * 1024

    /// The query's parameters; a malformed query names none.
    var parsedQuery: Query? { try? Query.parse(query).get() }

    var contentLength: Int64? { request.value(of: "content-length").flatMap { Int64($0) } }

    func getBlob(_ repository: RepositoryAccess) -> Response {
        if let refusal = repository.blobRefusal { return error(refusal, scope: pullScope) }
        guard let digest = parameters["digest"].flatMap({ Digest($0) }) else {
            return error(RegistryError(400, "DIGEST_INVALID", "invalid digest"))
        }
        guard case .success(let content) = emulator.contentStore(), content.isLinked(digest, to: repository.key),
              let size = content.size(of: digest)
        else { return error(.blobUnknown) }
        var headers: [(name: String, value: String)] = [
            ("Docker-Content-Digest", digest.description), ("Accept-Ranges", "bytes"),
        ]
        var status = 200
        var range = 0..<size
        // RFC 9110 §14.2: one `bytes=` range is served as 206; a malformed one is ignored.
        if let header = request.value(of: "range"), let asked = ByteRange(header) {
            guard let resolved = asked.resolve(size: size) else {
                var response = error(RegistryError(416, "BLOB_UNKNOWN", "requested range not satisfiable"))
                response.headers.append(("Content-Range", "bytes */\(size)"))
                return response
            }
            range = resolved
            status = 206
            headers.append(("Content-Range", "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)"))
        }
        headers.append(("Content-Length", String(range.count)))
        var response = Emulator.registry(status: status, headers: headers, contentType: "application/octet-stream")
        response.headers.insert(("Content-Type", "application/octet-stream"), at: 1)
        response.parts = [.file(ResponseFile(path: content.blobPath(digest), offset: range.lowerBound,
                                             length: Int64(range.count)))]
        return response
    }

    /// `POST …/blobs/uploads/`: a session, a one-request upload (`?digest=`), or a mount (`?mount=&from=`).
    func startUpload(_ repository: RepositoryAccess) -> RegistryExchange {
        if let refusal = repository.currentPushRefusal { return .answer(error(refusal, scope: pushScope)) }
        let content: ContentStore
        switch emulator.contentStore() {
        case .success(let store): content = store
        case .failure(let failure): return .answer(error(failure))
        }
        if let length = contentLength, length > content.maxBlobSize { return .answer(error(.sizeInvalid(content.maxBlobSize))) }
        let query = parsedQuery
        if let mount = query?["mount"].flatMap({ Digest($0) }), let from = query?["from"],
           let (owner, package) = RegistryName.split(from) {
            // Mounted when the blob is there and the caller may read it there; else an ordinary session.
            let source = RepositoryAccess(store: repository.store, owner: owner, package: package, caller: repository.caller)
            if source.blobRefusal == nil, content.isLinked(mount, to: source.key), content.size(of: mount) != nil {
                content.link(mount, to: repository.key)
                return .answer(created(blob: mount))
            }
        }
        let now = emulator.now()
        if let text = query?["digest"] {
            guard let digest = Digest(text) else { return .answer(error(RegistryError(400, "DIGEST_INVALID", "invalid digest"))) }
            guard case .success(let session) = content.startSession(repository: repository.key, now: now),
                  case .found = content.acquire(session.id, repository: repository.key, now: now)
            else { return .answer(error(.storage("cannot start an upload"))) }
            guard hasBody else { return .answer(complete(session, content, as: digest)) }
            return sink(session, content, cap: nil, finish: { complete(session, content, as: digest) })
        }
        guard case .success(let session) = content.startSession(repository: repository.key, now: now) else {
            return .answer(error(.storage("cannot start an upload")))
        }
        guard hasBody, case .found = content.acquire(session.id, repository: repository.key, now: now) else {
            return .answer(accepted(session))
        }
        return sink(session, content, cap: nil, finish: {
            content.release(session, now: emulator.now())
            return accepted(session)
        })
    }

    /// The routes of one session: `PATCH` a chunk or a stream, `PUT` the end, `GET` its state, `DELETE` it.
    func upload(_ action: RegistryOperation.Action, _ repository: RepositoryAccess) -> RegistryExchange {
        if let refusal = repository.currentPushRefusal { return .answer(error(refusal, scope: pushScope)) }
        let content: ContentStore
        switch emulator.contentStore() {
        case .success(let store): content = store
        case .failure(let failure): return .answer(error(failure))
        }
        let session: UploadSession
        switch content.acquire(parameters["session"] ?? "", repository: repository.key, now: emulator.now()) {
        case .found(let found): session = found
        case .unknown: return .answer(error(.uploadUnknown))
        case .busy: return .answer(error(RegistryError(416, "BLOB_UPLOAD_INVALID", "blob upload invalid: in use")))
        }
        let release = { content.release(session, now: emulator.now()) }
        switch action {
        case .uploadStatus:
            release()
            return .answer(Emulator.registry(status: 204, headers: sessionHeaders(session)))
        case .cancelUpload:
            content.end(session)
            return .answer(Emulator.registry(status: 204))
        case .finishUpload:
            guard let digest = parsedQuery?["digest"].flatMap({ Digest($0) }) else {
                release()
                return .answer(error(RegistryError(400, "DIGEST_INVALID", "a digest query parameter is required")))
            }
            if let length = contentLength, session.size + length > content.maxBlobSize {
                release()
                return .answer(error(.sizeInvalid(content.maxBlobSize)))
            }
            return sink(session, content, cap: nil, finish: { complete(session, content, as: digest) })
        default:
            var cap: Int64?
            if let header = request.value(of: "content-range") {
                // A chunk must start where the last ended, and ghcr.io takes at most 4 MiB at once.
                guard let range = ContentRange(header), range.start == session.size,
                      contentLength.map({ $0 == range.count }) ?? true
                else {
                    release()
                    var response = error(.rangeInvalid)
                    response.headers += sessionHeaders(session)
                    return .answer(response)
                }
                guard range.count <= Self.maxChunk else {
                    release()
                    return .answer(error(.chunkTooLarge))
                }
                cap = Self.maxChunk
            }
            if let length = contentLength, session.size + length > content.maxBlobSize {
                release()
                return .answer(error(.sizeInvalid(content.maxBlobSize)))
            }
            return sink(session, content, cap: cap, finish: {
                release()
                return Emulator.registry(status: 202, headers: sessionHeaders(session))
            })
        }
    }

    /// Streams the body into `session`; a client gone mid-body leaves the session as it was before.
    private func sink(_ session: UploadSession, _ content: ContentStore, cap: Int64?,
                      finish: @escaping () -> Response) -> RegistryExchange {
        session.markStart()
        let start = session.size
        return sink(
            write: { bytes in
                if let cap, session.size - start + Int64(bytes.count) > cap { return .chunkTooLarge }
                guard let failure = session.append(bytes, store: content) else { return nil }
                // A full disk: the partial file goes (SPEC §21).
                if failure.status == 500 { content.end(session) }
                return failure
            },
            finish: finish,
            abort: {
                session.rollBack()
                content.release(session, now: emulator.now())
            })
    }

    private func complete(_ session: UploadSession, _ content: ContentStore, as digest: Digest) -> Response {
        switch content.commit(session, as: digest) {
        case .success: return created(blob: digest)
        case .failure(let failure): return error(failure)
        }
    }

    private func created(blob digest: Digest) -> Response {
        Emulator.registry(status: 201, headers: [
            ("Location", "/v2/\(name)/blobs/\(digest)"), ("Docker-Content-Digest", digest.description),
        ])
    }

    private func accepted(_ session: UploadSession) -> Response {
        Emulator.registry(status: 202, headers: sessionHeaders(session))
    }

    /// `Location`, `Range` (inclusive; `0-0` when empty, as distribution answers) and the session's id.
    private func sessionHeaders(_ session: UploadSession) -> [(name: String, value: String)] {
        [
            ("Location", "/v2/\(name)/blobs/uploads/\(session.id)"),
            ("Range", "0-\(max(0, session.size - 1))"),
            ("Docker-Upload-UUID", session.id),
        ]
    }
}

/// A `Range: bytes=…` request header with one range (RFC 9110 §14.1.2).
struct ByteRange: Equatable {
    let first: Int64?
    let last: Int64?

    init?(_ header: String) {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard spec.count == 2 else { return nil }
        let first = spec[0].isEmpty ? nil : Int64(spec[0])
        let last = spec[1].isEmpty ? nil : Int64(spec[1])
        guard (spec[0].isEmpty || first != nil) && (spec[1].isEmpty || last != nil), first != nil || last != nil
        else { return nil }
        if let first, let last, last < first { return nil }
        self.first = first
        self.last = last
    }

    /// The bytes to send of a `size`-byte blob, or nil when none can be (416).
    func resolve(size: Int64) -> Range<Int64>? {
        if let first {
            guard first < size else { return nil }
            return first..<min(size, (last ?? size - 1) + 1)
        }
        // `bytes=-N`: the last N bytes.
        guard let last, last > 0, size > 0 else { return nil }
        return max(0, size - last)..<size
    }
}

/// An upload chunk's `Content-Range: START-END` (inclusive; OCI Distribution Spec, "Pushing a blob in
/// chunks"; `bytes=` and `bytes ` prefixes tolerated, as distribution does).
struct ContentRange: Equatable {
    let start: Int64
    let end: Int64
    var count: Int64 { end - start + 1 }

    init?(_ header: String) {
        var text = Substring(header.trimmingASCIISpaces())
        for prefix in ["bytes=", "bytes "] where text.hasPrefix(prefix) { text = text.dropFirst(prefix.count) }
        if let slash = text.firstIndex(of: "/") { text = text[..<slash] }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(HTTPBytes.isDigit) && $0.count <= 18 }),
              let start = Int64(parts[0]), let end = Int64(parts[1]), end >= start
        else { return nil }
        self.start = start
        self.end = end
    }
}
