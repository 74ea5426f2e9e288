/// Manifests and tags (OCI Distribution Spec, "Pushing manifests", "Pulling manifests", "Listing tags";
/// SPEC §21): a manifest is a version of the container package, its tags the version's tags.
extension RegistryRequest {
    func putManifest(_ repository: RepositoryAccess) -> RegistryExchange {
        if let refusal = repository.currentPushRefusal { return .answer(error(refusal, scope: pushScope)) }
        guard let reference = parameters["reference"].flatMap({ Reference($0) }) else {
            return .answer(error(.tagInvalid))
        }
        let tooLarge = RegistryError(413, "MANIFEST_INVALID", "manifest invalid: larger than 4 MiB")
        if let length = contentLength, length > Manifest.maxBytes { return .answer(error(tooLarge)) }
        let buffer = ManifestBuffer()
        let finish = { [self] () -> Response in
            switch store(buffer.bytes, reference: reference, repository) {
            case .success(let digest):
                return Emulator.registry(status: 201, headers: [
                    ("Location", "/v2/\(name)/manifests/\(digest)"), ("Docker-Content-Digest", digest.description),
                ])
            case .failure(let failure): return error(failure)
            }
        }
        guard hasBody else { return .answer(finish()) }
        return sink(
            write: { bytes in
                guard buffer.bytes.count + bytes.count <= Manifest.maxBytes else { return tooLarge }
                buffer.bytes.append(contentsOf: bytes)
                return nil
            },
            finish: finish, abort: {})
    }

    /// Checks a pushed manifest and makes it a version (SPEC §21's "one state").
    private func store(_ bytes: [UInt8], reference: Reference, _ repository: RepositoryAccess) -> Result<Digest, RegistryError> {
        let manifest: Manifest
        switch Manifest.parse(bytes, contentType: request.value(of: "content-type")) {
        case .success(let parsed): manifest = parsed
        case .failure(let failure): return .failure(failure)
        }
        let digest = Digest.of(bytes)
        if case .digest(let named) = reference, named != digest { return .failure(.digestInvalid) }
        guard case .success(let content) = emulator.contentStore() else { return .failure(.storage("no data directory")) }
        var children: [Digest] = []
        switch manifest.kind {
        case .image(let config, let layers):
            for blob in [config] + layers where !content.isLinked(blob, to: repository.key) || content.size(of: blob) == nil {
                return .failure(RegistryError(400, "MANIFEST_BLOB_UNKNOWN", "blob unknown to registry: \(blob)"))
            }
        case .index(let listed):
            children = listed
        }
        guard let ownerIndex = repository.ownerIndex, let owner = repository.owner else { return .failure(.denied) }
        let store = repository.store
        let push = ManifestPush(
            name: repository.packageName, digest: digest,
            info: ManifestInfo(mediaType: manifest.mediaType, bytes: bytes),
            tag: { if case .tag(let tag) = reference { tag } else { nil } }(),
            repository: repository.linkedRepository(manifest.source),
            children: children, now: FixtureDate.string(emulator.now()))
        let result = store.change(owner: ownerIndex) { partition in
            push.apply(to: partition, store: store) { repository.pushRefusal(package: $0, rule: $1) }
        }
        return result.map { digest }
    }

    func getManifest(_ repository: RepositoryAccess) -> Response {
        if let refusal = repository.pullRefusal { return error(refusal, scope: pullScope) }
        guard let found = repository.found, let reference = parameters["reference"].flatMap({ Reference($0) }),
              let version = found.package.version(for: reference), let info = version.manifest
        else { return error(.manifestUnknown) }
        return Emulator.registry(status: 200, headers: [("Docker-Content-Digest", version.name)], body: info.bytes,
                                 contentType: info.mediaType)
    }

    /// `GET …/tags/list[?n=&last=]`: sorted; `n` pages, with a `Link` to the next page.
    func listTags(_ repository: RepositoryAccess) -> Response {
        if let refusal = repository.pullRefusal { return error(refusal, scope: pullScope) }
        guard let found = repository.found else { return error(.nameUnknown) }
        var tags = found.package.activeTags
        let query = parsedQuery
        if let last = query?["last"] {
            tags = tags.filter { last.utf8.lexicographicallyPrecedes($0.utf8) }
        }
        var headers: [(name: String, value: String)] = []
        if let text = query?["n"] {
            guard let count = Int(text), count >= 0, text.utf8.allSatisfy(HTTPBytes.isDigit) else {
                return error(RegistryError(400, "PAGINATION_NUMBER_INVALID", "invalid number of results requested"))
            }
            if tags.count > count {
                tags = Array(tags.prefix(count))
                if let next = tags.last {
                    headers.append(("Link", "</v2/\(name)/tags/list?n=\(count)&last=\(next)>; rel=\"next\""))
                }
            }
        }
        let list = tags.map(JSONWriter.quoted).joined(separator: ",")
        let body = Array("{\"name\":\(JSONWriter.quoted(name)),\"tags\":[\(list)]}".utf8)
        return Emulator.registry(status: 200, headers: headers, body: body)
    }
}

/// A manifest's bytes as they arrive (at most 4 MiB).
final class ManifestBuffer: @unchecked Sendable {
    var bytes: [UInt8] = []
}
