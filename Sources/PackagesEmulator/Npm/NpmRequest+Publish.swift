/// The PUTs of npm (SPEC §22): a publish (libnpmpublish's document with `_attachments`), a metadata
/// update (deprecate, unpublish's rewrite: the packument back, with its `_rev`), a dist-tag. Bodies
/// stream through an `NpmUpload`; nothing is visible until the one change that makes the version.
extension NpmRequest {
    func receive(_ action: NpmOperation.Action, scope: String, ownerIndex: Int, access: RepositoryAccess) -> RegistryExchange {
        let content: ContentStore
        switch emulator.contentStore() {
        case .success(let store): content = store
        case .failure(let failure): return .answer(error(failure))
        }
        let maxTarball = emulator.config.maxNpmTarballSize
        // The largest document: the tarball in base64 (4 bytes per 3), and the rest of it.
        let limit = (maxTarball + 2) / 3 * 4 + Int64(PublishDocument.maxSkeleton)
        if let length = request.value(of: "content-length").flatMap({ Int64($0) }), length > limit {
            return .answer(error(NpmError.make(413, "the request body is larger than \(limit) bytes")))
        }
        let upload = NpmUpload(writer: action == .publish ? TarballWriter(limit: maxTarball, directory: content.root + "/uploads") : nil)
        let finish = { () -> Response in
            let response = complete(action, upload, content: content, scope: scope, ownerIndex: ownerIndex, access: access)
            // Committed, the file is gone from `uploads/` already; refused, it goes now.
            upload.writer?.discard()
            return response
        }
        guard hasBody else { return .answer(finish()) }
        let operation = self.operation, delay = self.delay
        return .body(RequestBodySink(
            write: { upload.feed($0) },
            finish: {
                var response = finish()
                response.operation = operation
                response.delayMilliseconds = delay
                return response
            },
            abort: { upload.writer?.discard() }, error: { self.error($0) }, done: record))
    }

    private func complete(_ action: NpmOperation.Action, _ upload: NpmUpload, content: ContentStore,
                          scope: String, ownerIndex: Int, access: RepositoryAccess) -> Response {
        let document: PublishDocument
        switch upload.scanner.finish() {
        case .success(let decoded): document = decoded
        case .failure(let failure):
            // `npm dist-tag add` sends the version as a bare JSON string (npm's lib/commands/dist-tag.js).
            if action == .putDistTag, case .string(let version)? = try? JSONParser.parse(upload.scanner.skeleton) {
                let tag = parameters["tag"] ?? ""
                if let refusal = Self.tagRefusal(tag) { return error(refusal) }
                return apply(.setTag(tag, version: version), scope: scope, ownerIndex: ownerIndex, access)
            }
            return error(NpmError.make(400, action == .putDistTag ? "the body must be the version as a JSON string" : failure.message))
        }
        if action == .putDistTag { return error(NpmError.make(400, "the body must be the version as a JSON string")) }
        if action == .publish, document.member("_attachments") != nil {
            return publish(document, upload, content: content, scope: scope, ownerIndex: ownerIndex, access: access)
        }
        // A metadata update: the client's copy, checked against `_rev` (the path's, else the body's).
        guard let revision = parameters["rev"] ?? document.member("_rev").flatMap({ if case .string(let text) = $0 { text } else { nil } }) else {
            return error(NpmError.make(400, "the body has no _attachments (a publish) and no _rev (a metadata update)"))
        }
        guard case .object(let versions)? = document.member("versions") else {
            return error(NpmError.make(400, "a metadata update must list the package's versions"))
        }
        var listed: [String: String?] = [:]
        for member in versions {
            guard case .object(let fields) = member.value else {
                return error(NpmError.make(400, "versions[\"\(member.key)\"] is not an object"))
            }
            let deprecated = fields.last { $0.key == "deprecated" }.flatMap { if case .string(let text) = $0.value { text } else { nil } }
            listed[member.key] = .some(deprecated)
        }
        return apply(.update(revision: revision, listed: listed), scope: scope, ownerIndex: ownerIndex, access)
    }

    /// A dist-tag may not be a version (npm refuses `Tag name must not be a valid SemVer range`).
    static func tagRefusal(_ tag: String) -> RegistryError? {
        guard !tag.isEmpty, tag.utf8.count <= 256, Semver(tag) == nil,
              tag.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "%") })
        else { return NpmError.make(400, "invalid dist-tag \(JSONWriter.quoted(tag)): a tag is a word, not a version") }
        return nil
    }

    private func publish(_ document: PublishDocument, _ upload: NpmUpload, content: ContentStore,
                         scope: String, ownerIndex: Int, access: RepositoryAccess) -> Response {
        let fullName = "@\(scope)/\(name)"
        guard case .string(let named)? = document.member("name"), named == fullName else {
            return error(NpmError.make(400, "the document's name must be \(fullName), the package of the URL"))
        }
        guard case .object(let versions)? = document.member("versions"), versions.count == 1,
              case .object(let fields) = versions[0].value else {
            return error(NpmError.make(400, "a publish carries exactly one version in versions"))
        }
        let version = versions[0].key
        guard Semver(version) != nil else {
            return error(NpmError.make(400, "version \(JSONWriter.quoted(version)) is not a valid semver"))
        }
        guard case .object(let attachments)? = document.member("_attachments"), attachments.count == 1,
              case .object(let attachment) = attachments[0].value,
              case .string(let marker)? = attachment.last(where: { $0.key == "data" })?.value, marker == "#0",
              document.attachmentCount == 1, let writer = upload.writer
        else {
            return error(NpmError.make(400, "a publish carries exactly one attachment with its data (the tarball in base64)"))
        }
        var tags: [String] = []
        if case .object(let distTags)? = document.member("dist-tags") {
            for member in distTags where member.value == .string(version) {
                if let refusal = Self.tagRefusal(member.key) { return error(refusal) }
                tags.append(member.key)
            }
        }
        if tags.isEmpty { tags = ["latest"] }
        let staged: StagedTarball
        switch writer.finish() {
        case .success(let tarball): staged = tarball
        case .failure(let failure): return error(failure)
        }
        // The document's checksums must be the tarball's (npm computes both; ssri's format for integrity).
        var dist: [JSONMember] = []
        if case .object(let members)? = fields.last(where: { $0.key == "dist" })?.value { dist = members }
        for (key, actual) in [("shasum", staged.shasum), ("integrity", staged.integrity)] {
            guard let declared = dist.last(where: { $0.key == key })?.value else { continue }
            guard declared == .string(actual) else {
                let said = if case .string(let text) = declared { JSONValue.quoted(text) } else { declared.summary }
                return error(NpmError.make(400, "dist.\(key) does not match the tarball: the document says \(said), the tarball's is \(JSONWriter.quoted(actual))"))
            }
        }
        // `repository` is a string or `{"type": "git", "url": …}` (package.json's documentation).
        var source: String?
        switch fields.last(where: { $0.key == "repository" })?.value {
        case .string(let text)?: source = text
        case .object(let members)?:
            if case .string(let url)? = members.last(where: { $0.key == "url" })?.value { source = url }
        default: break
        }
        let info = NpmVersionInfo(document: fields.filter { $0.key != "dist" && $0.key != "deprecated" },
                                  tarball: staged.digest, size: staged.size, shasum: staged.shasum,
                                  integrity: staged.integrity)
        // Refused, the staged file goes with the writer (`receive`'s finish).
        return apply(.publish(version: version, info: info, tags: tags,
                              repository: access.linkedRepository(Self.githubURL(source)),
                              commit: { content.commit(staged) }),
                     scope: scope, ownerIndex: ownerIndex, access)
    }

    /// npm's spellings of a GitHub repository (`git+https://github.com/o/r.git`, `github:o/r`, `o/r`)
    /// as `https://github.com/o/r`.
    static func githubURL(_ source: String?) -> String? {
        guard var text = source else { return nil }
        if text.hasPrefix("git+") { text.removeFirst(4) }
        if text.hasPrefix("github:") { return "https://github.com/" + text.dropFirst(7) }
        if text.hasPrefix("git://github.com/") || text.hasPrefix("ssh://git@github.com/") {
            return "https://github.com/" + text.split(separator: "/", maxSplits: 3).dropFirst(2).joined(separator: "/")
        }
        if text.hasPrefix("http://github.com/") { return "https://" + text.dropFirst(7) }
        if !text.contains(":"), text.split(separator: "/").count == 2 { return "https://github.com/" + text }
        return text
    }
}

/// One npm PUT's body as it arrives: its skeleton, and for a publish, its tarball being written.
final class NpmUpload: @unchecked Sendable {
    // Touched by the one connection that owns the request.
    var scanner = PublishDocumentScanner()
    let writer: TarballWriter?

    init(writer: TarballWriter?) { self.writer = writer }

    /// Reads a piece of the body; the refusal that ends the exchange, if any.
    func feed(_ bytes: UnsafeRawBufferPointer) -> RegistryError? {
        var refusal: RegistryError?
        let problem = scanner.feed(bytes) { [writer] index, piece in
            guard let writer else {
                refusal = NpmError.make(400, "attachments are published with PUT /npm/@OWNER%2fNAME only")
                return false
            }
            guard index == 0 else {
                refusal = NpmError.make(400, "a publish carries exactly one attachment with its data (the tarball in base64)")
                return false
            }
            refusal = writer.append(base64: piece)
            return refusal == nil
        }
        if let refusal { return refusal }
        if let problem { return NpmError.make(problem.tooLarge ? 413 : 400, problem.message) }
        return nil
    }
}
