/// The data set as a fixtures directory, registry content included (SPEC §20, §21): serving what
/// `GET /_emulator/fixtures/export?format=tar` answers gives the same REST answers and the same bytes on
/// `/v2/`.
extension Emulator {
    /// `tokens.json`, `users/…`, `orgs/…`, and an OCI image layout for each active container package with
    /// content: every manifest (active and deleted versions, so a restore finds its bytes), tagged by
    /// `org.opencontainers.image.ref.name`, and every blob they reference, sent from where it is stored.
    func exportEntries() -> [(path: String, content: FixtureArchive.Content)] {
        let fixtures = store.fixtures
        var entries: [(path: String, content: FixtureArchive.Content)] =
            FixtureExport.files(fixtures).map { ($0.path, .bytes($0.bytes)) }
        let content = try? contentStore().get()
        let owners = fixtures.users.map { ($0.login, $0.packages) } + fixtures.orgs.map { ($0.login, $0.packages) }
        for (login, packages) in owners {
            for package in packages where package.type == .container && package.deletedAt == nil {
                let versions = package.allVersions.filter { $0.manifest != nil }
                guard !versions.isEmpty else { continue }
                let folder = "registry/\(login.asciiLowercased())/\(package.name.asciiLowercased())/"
                var descriptors: [String] = []
                var blobs: [(path: String, content: FixtureArchive.Content)] = []
                var written: Set<String> = []
                func add(_ digest: String, _ item: FixtureArchive.Content) {
                    guard written.insert(digest).inserted else { return }
                    blobs.append((folder + "blobs/sha256/" + digest.dropFirst(7), item))
                }
                for version in versions {
                    guard let manifest = version.manifest else { continue }
                    let fields = "\"mediaType\":\(JSONWriter.quoted(manifest.mediaType)),\"digest\":\(JSONWriter.quoted(version.name)),"
                        + "\"size\":\(manifest.bytes.count)"
                    let tags = version.deletedAt == nil ? version.tags : []
                    descriptors += tags.isEmpty ? ["{\(fields)}"] : tags.map { tag in
                        "{\(fields),\"annotations\":{\"org.opencontainers.image.ref.name\":\(JSONWriter.quoted(tag))}}"
                    }
                    add(version.name, .bytes(manifest.bytes))
                    if case .success(let parsed) = Manifest.parse(manifest.bytes, contentType: manifest.mediaType),
                       case .image(let config, let layers) = parsed.kind, let content {
                        for blob in [config] + layers {
                            if let size = content.size(of: blob) { add(blob.description, .file(content.blobPath(blob), size)) }
                        }
                    }
                }
                entries.append((folder + "oci-layout", .bytes(Array("{\"imageLayoutVersion\":\"1.0.0\"}\n".utf8))))
                let index = "{\"schemaVersion\":2,\"manifests\":[\(descriptors.joined(separator: ","))]}\n"
                entries.append((folder + "index.json", .bytes(Array(index.utf8))))
                entries += blobs
            }
            for package in packages where package.type == .npm && package.deletedAt == nil {
                entries += npmEntries(package, folder: "npm/\(login.asciiLowercased())/\(package.name.asciiLowercased())/",
                                      content: content)
            }
        }
        return entries
    }

    /// An npm package's tarballs (active and deleted versions, so a restore finds them), each with its
    /// document, and the dist-tags set on its active versions (SPEC §22, `NpmTarballs`).
    private func npmEntries(_ package: Package, folder: String, content: ContentStore?)
        -> [(path: String, content: FixtureArchive.Content)]
    {
        var entries: [(path: String, content: FixtureArchive.Content)] = []
        var written: Set<String> = []
        // Active versions first: a deleted one of the same name has the same tarball.
        let versions = package.allVersions.filter { $0.deletedAt == nil } + package.allVersions.filter { $0.deletedAt != nil }
        for version in versions {
            guard let npm = version.npm, let content, let size = content.size(of: npm.tarball),
                  written.insert(version.name).inserted else { continue }
            entries.append((folder + version.name + ".tgz", .file(content.blobPath(npm.tarball), size)))
            var json = JSONWriter()
            json.value(.object(npm.document + (npm.deprecated.map { [JSONMember(key: "deprecated", value: .string($0))] } ?? [])))
            entries.append((folder + version.name + ".json", .bytes(json.bytes + [0x0A])))
        }
        let tags = versions.filter { $0.deletedAt == nil && $0.npm != nil }.flatMap { version in version.tags.map { ($0, version.name) } }
        if !tags.isEmpty {
            var json = JSONWriter()
            json.value(.object(tags.map { JSONMember(key: $0.0, value: .string($0.1)) }))
            entries.append((folder + "dist-tags.json", .bytes(json.bytes + [0x0A])))
        }
        return entries
    }

    /// The export as a tar archive, streamed.
    func exportArchive() -> Response {
        let parts = FixtureArchive.parts(exportEntries())
        let length = parts.reduce(Int64(0)) { $0 + $1.count }
        var response = Response(status: 200, headers: [
            ("Content-Type", "application/x-tar"),
            ("Content-Disposition", "attachment; filename=\"fixtures.tar\""),
            ("X-GitHub-Request-Id", nextRequestID()),
            ("Content-Length", String(length)),
        ])
        response.parts = parts
        return response
    }
}
