// Tests/Fuzz/run.sh compiles the core with swiftc alone, with a stand-in (Tests/Fuzz/CryptoStub.swift).
#if canImport(Crypto)
import Crypto
#endif

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Registry content of a fixtures directory: which blob files each repository holds (SPEC §21). The files
/// stay where they are and are served from there; pushes never write into the fixtures.
public struct RegistryContent: Sendable, Equatable {
    /// Every blob (manifests included) by digest: its file.
    public var files: [Digest: String] = [:]
    /// Lowercased `owner/name` → the blobs it holds.
    public var repositories: [String: Set<Digest>] = [:]

    public init() {}
}

/// OCI Image Layouts under `registry/OWNER/NAME/` (OCI Image Spec, "Image Layout": `oci-layout`,
/// `index.json`, `blobs/sha256/…`). Every manifest reachable from `index.json` is a version of container
/// package NAME of OWNER, tagged by `org.opencontainers.image.ref.name`; every digest is checked.
enum RegistryLayouts {
    /// Reads the layouts of `directory/registry` (none: nothing), adds their versions to `fixtures`, and
    /// reports each problem with the file and JSON path it is at.
    static func load(directory: String, into fixtures: inout FixtureSet, errors: inout [FixtureError]) -> RegistryContent {
        var content = RegistryContent()
        let root = directory + "/registry"
        var info = stat()
        guard stat(root, &info) == 0 else { return content }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            errors.append(FixtureError(file: "registry", path: "", message: "not a directory"))
            return content
        }
        for relative in layouts(under: root) {
            var layout = Layout(root: root + "/" + relative, file: "registry/" + relative)
            guard let versions = layout.read(), layout.errors.isEmpty else {
                errors += layout.errors
                continue
            }
            let parts = relative.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, let (owner, name) = RegistryName.split(relative) else {
                errors.append(FixtureError(file: layout.file, path: "",
                                           message: "not registry/OWNER/NAME with a lowercase owner and package name"))
                continue
            }
            if let problem = apply(versions, owner: owner, name: name, to: &fixtures) {
                errors.append(FixtureError(file: layout.file, path: "", message: problem))
                continue
            }
            let key = owner + "/" + name
            for (digest, path) in layout.blobs {
                content.files[digest] = path
                content.repositories[key, default: []].insert(digest)
            }
        }
        return content
    }

    /// Folders holding an `oci-layout` file, relative to `root`, sorted.
    static func layouts(under root: String, relative: String = "", depth: Int = 0) -> [String] {
        let folder = relative.isEmpty ? root : root + "/" + relative
        var info = stat()
        if !relative.isEmpty && stat(folder + "/oci-layout", &info) == 0 { return [relative] }
        // A name has at most a few segments; deeper is not a layout.
        guard depth < 8, let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return names.sorted().flatMap { name -> [String] in
            let child = relative.isEmpty ? name : relative + "/" + name
            guard stat(root + "/" + child, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return [] }
            return layouts(under: root, relative: child, depth: depth + 1)
        }
    }

    /// One manifest of a layout: what becomes a version.
    struct Version: Equatable {
        var digest: Digest
        var info: ManifestInfo
        var tags: [String]
    }

    /// Makes the versions those of the owner's declared container package `name`: a declared version of
    /// the same digest gets the content (and tags no other version has), others are added.
    static func apply(_ versions: [Version], owner: String, name: String, to fixtures: inout FixtureSet) -> String? {
        func update(_ packages: inout [Package], file: String) -> String? {
            guard let at = packages.firstIndex(where: { $0.type == .container && $0.name.asciiLowercased() == name && $0.deletedAt == nil })
            else { return "no active container package \(name) in \(file)" }
            var all = packages[at].versions ?? []
            var number: Int64 = 0
            for version in versions {
                let tagsInUse = Set(all.filter { $0.deletedAt == nil && $0.name != version.digest.description }.flatMap(\.tags))
                let free = version.tags.filter { !tagsInUse.contains($0) }
                if let existing = all.firstIndex(where: { $0.name == version.digest.description }) {
                    all[existing].manifest = version.info
                    for tag in free where !all[existing].tags.contains(tag) { all[existing].tags.append(tag) }
                } else {
                    // Ids of versions a layout adds: package id × 100000 + 90000 + n (generated ones use n ≤ 10000).
                    number += 1
                    all.append(PackageVersion(
                        id: GeneratedVersions.id(packageID: packages[at].id, number: 90_000 + number),
                        name: version.digest.description, tags: free, createdAt: packages[at].createdAt,
                        updatedAt: packages[at].updatedAt, manifest: version.info))
                }
            }
            packages[at].replaceVersions(all)
            return nil
        }
        return fixtures.changePackages(of: owner) { update(&$0, file: $1) }
    }
}

/// One layout being read: its blobs as found, its versions, its problems.
struct Layout {
    let root: String
    /// `registry/OWNER/NAME`, as errors name it.
    let file: String
    var blobs: [Digest: String] = [:]
    var errors: [FixtureError] = []
    /// Manifests already read, so an index listed twice is read once.
    var seen: Set<Digest> = []
    var versions: [RegistryLayouts.Version] = []

    init(root: String, file: String) {
        self.root = root
        self.file = file
    }

    mutating func fail(_ relative: String, _ path: String, _ message: String) {
        errors.append(FixtureError(file: file + "/" + relative, path: path, message: message))
    }

    /// The versions of the layout, children before the index that lists them.
    mutating func read() -> [RegistryLayouts.Version]? {
        guard let marker = json("oci-layout") else { return nil }
        if case .object(let members) = marker, case .string(let version)? = members.last(where: { $0.key == "imageLayoutVersion" })?.value {
            if !version.hasPrefix("1.") { fail("oci-layout", "$.imageLayoutVersion", "\(JSONValue.quoted(version)) is not 1.x") }
        } else {
            fail("oci-layout", "$", "must be an object with imageLayoutVersion")
        }
        guard case .object(let index)? = json("index.json"),
              case .array(let manifests)? = index.last(where: { $0.key == "manifests" })?.value
        else {
            if errors.isEmpty { fail("index.json", "$.manifests", "must be an array of descriptors") }
            return nil
        }
        for (position, item) in manifests.enumerated() {
            let path = "$.manifests[\(position)]"
            guard let descriptor = descriptor(item, file: "index.json", path: path) else { continue }
            var tags: [String] = []
            if case .object(let members) = item, case .object(let annotations)? = members.last(where: { $0.key == "annotations" })?.value,
               case .string(let tag)? = annotations.last(where: { $0.key == "org.opencontainers.image.ref.name" })?.value {
                guard RegistryName.isTag(tag) else {
                    fail("index.json", path + ".annotations[\"org.opencontainers.image.ref.name\"]", "\(JSONValue.quoted(tag)) is not a tag")
                    continue
                }
                tags = [tag]
            }
            manifest(descriptor, tags: tags, from: "index.json", path: path)
        }
        return versions
    }

    /// Reads a manifest blob and everything it references.
    mutating func manifest(_ descriptor: (digest: Digest, size: Int64, mediaType: String?), tags: [String],
                           from: String, path: String) {
        if seen.contains(descriptor.digest) {
            if let at = versions.firstIndex(where: { $0.digest == descriptor.digest }) {
                for tag in tags where !versions[at].tags.contains(tag) { versions[at].tags.append(tag) }
            }
            return
        }
        seen.insert(descriptor.digest)
        guard let bytes = blob(descriptor, from: from, path: path, keepBytes: true) else { return }
        let relative = "blobs/sha256/" + descriptor.digest.hex
        let parsed: Manifest
        switch Manifest.parse(bytes, contentType: descriptor.mediaType) {
        case .success(let value): parsed = value
        case .failure(let error):
            fail(relative, "$", error.message)
            return
        }
        switch parsed.kind {
        case .image(let config, let layers):
            for (n, digest) in ([config] + layers).enumerated() {
                _ = blob((digest, -1, nil), from: relative, path: n == 0 ? "$.config" : "$.layers[\(n - 1)]", keepBytes: false)
            }
        case .index(let children):
            let listed = childDescriptors(bytes)
            for (n, child) in children.enumerated() {
                manifest((child, -1, n < listed.count ? listed[n] : nil), tags: [], from: relative, path: "$.manifests[\(n)]")
            }
        }
        versions.append(.init(digest: descriptor.digest,
                              info: ManifestInfo(mediaType: parsed.mediaType, bytes: bytes), tags: tags))
    }

    /// The children's media types, in order.
    func childDescriptors(_ bytes: [UInt8]) -> [String?] {
        guard case .object(let members)? = try? JSONParser.parse(bytes),
              case .array(let list)? = members.last(where: { $0.key == "manifests" })?.value else { return [] }
        return list.map { item in
            guard case .object(let fields) = item, case .string(let type)? = fields.last(where: { $0.key == "mediaType" })?.value
            else { return nil }
            return type
        }
    }

    /// Checks a blob's file against its digest (and size, when known); its bytes when asked.
    mutating func blob(_ descriptor: (digest: Digest, size: Int64, mediaType: String?), from: String, path: String,
                       keepBytes: Bool) -> [UInt8]? {
        let relative = "blobs/sha256/" + descriptor.digest.hex
        let full = root + "/" + relative
        guard let (digest, size, bytes) = Self.hash(full, keep: keepBytes) else {
            fail(from, path + ".digest", "\(descriptor.digest) is not in the layout (no \(relative))")
            return nil
        }
        guard digest == descriptor.digest else {
            fail(relative, "", "its content's digest is \(digest), not \(descriptor.digest)")
            return nil
        }
        if descriptor.size >= 0 && size != descriptor.size {
            fail(from, path + ".size", "\(descriptor.size) differs from \(relative)'s \(size) bytes")
            return nil
        }
        blobs[digest] = full
        return keepBytes ? bytes : []
    }

    mutating func descriptor(_ value: JSONValue, file: String, path: String) -> (digest: Digest, size: Int64, mediaType: String?)? {
        guard case .object(let members) = value else {
            fail(file, path, "must be a descriptor object")
            return nil
        }
        func field(_ key: String) -> JSONValue? { members.last { $0.key == key }?.value }
        guard case .string(let text)? = field("digest"), let digest = Digest(text) else {
            fail(file, path + ".digest", "must be sha256: and 64 lowercase hex digits")
            return nil
        }
        guard case .number(let number)? = field("size"), let size = Int64(number.text), size >= 0 else {
            fail(file, path + ".size", "must be a byte count")
            return nil
        }
        var mediaType: String?
        if case .string(let type)? = field("mediaType") { mediaType = type }
        return (digest, size, mediaType)
    }

    mutating func json(_ relative: String) -> JSONValue? {
        guard let data = FileManager.default.contents(atPath: root + "/" + relative) else {
            fail(relative, "", "missing")
            return nil
        }
        do {
            return try JSONParser.parse([UInt8](data))
        } catch {
            fail(relative, error.path, error.message)
            return nil
        }
    }

    /// SHA-256 and size of a file, read in pieces; its bytes too when `keep`.
    static func hash(_ path: String, keep: Bool) -> (Digest, Int64, [UInt8])? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var hasher = SHA256()
        var size: Int64 = 0
        var kept: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { break }
            chunk.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            if keep { kept.append(contentsOf: chunk[..<count]) }
            size += Int64(count)
        }
        return (Digest(hasher.finalize()), size, kept)
    }
}
