/// A manifest as a client pushes it: its bytes are kept as they are, and only what the registry checks
/// is read from them (OCI Image Spec "Image Manifest", "Image Index"; Docker's schema 2 and manifest
/// list, which have the same shape).
struct Manifest: Equatable {
    enum Kind: Equatable {
        /// An image: its config and layers are blobs of the repository.
        case image(config: Digest, layers: [Digest])
        /// An index: its children are manifests of the repository.
        case index(children: [Digest])
    }

    static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    static let ociIndex = "application/vnd.oci.image.index.v1+json"
    static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    static let dockerList = "application/vnd.docker.distribution.manifest.list.v2+json"
    /// The four media types ghcr.io takes (SPEC §21).
    static let mediaTypes: Set<String> = [ociManifest, ociIndex, dockerManifest, dockerList]

    /// The manifest's media type: its `Content-Type`, which its own `mediaType` must agree with.
    let mediaType: String
    let kind: Kind
    /// `org.opencontainers.image.source` of its annotations: what links a new package (SPEC §21).
    let source: String?

    /// The most bytes a manifest may have (ghcr.io's and distribution's 4 MiB).
    static let maxBytes = 4 * 1024 * 1024

    /// Reads `bytes` pushed with `Content-Type` `contentType` (nil when absent).
    static func parse(_ bytes: [UInt8], contentType: String?) -> Result<Manifest, RegistryError> {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            return .failure(.manifestInvalid("not JSON: \(error.description)"))
        }
        guard case .object(let members) = root else { return .failure(.manifestInvalid("not a JSON object")) }
        func member(_ key: String) -> JSONValue? { members.last { $0.key == key }?.value }
        guard case .number(let version)? = member("schemaVersion"), version.text == "2" else {
            return .failure(.manifestInvalid("schemaVersion must be 2"))
        }
        var declared: String?
        if let value = member("mediaType") {
            guard case .string(let text) = value else { return .failure(.manifestInvalid("mediaType is not a string")) }
            declared = text
        }
        // `Content-Type` may carry parameters; a generic or absent one defers to the body's own type.
        let header = contentType.map { String($0.split(separator: ";").first ?? "").trimmingASCIISpaces() }
            .map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let mediaType: String
        switch (header, declared) {
        case (let header?, let declared?) where mediaTypes.contains(header):
            guard header == declared else {
                return .failure(.manifestInvalid("mediaType \(declared) differs from Content-Type \(header)"))
            }
            mediaType = header
        case (let header?, nil) where mediaTypes.contains(header):
            mediaType = header
        case (_, let declared?) where mediaTypes.contains(declared):
            guard header == nil || header == "application/json" || header == "application/octet-stream" else {
                return .failure(.manifestInvalid("unsupported media type \(header ?? "")"))
            }
            mediaType = declared
        default:
            return .failure(.manifestInvalid("unsupported media type \(header ?? declared ?? "(none)")"))
        }
        var source: String?
        if case .object(let annotations)? = member("annotations") {
            if case .string(let text)? = annotations.last(where: { $0.key == "org.opencontainers.image.source" })?.value {
                source = text
            }
        }
        if mediaType == ociIndex || mediaType == dockerList {
            guard case .array(let list)? = member("manifests") else {
                return .failure(.manifestInvalid("an index needs a manifests array"))
            }
            return descriptors(list, at: "manifests").map {
                Manifest(mediaType: mediaType, kind: .index(children: $0), source: source)
            }
        }
        guard let configValue = member("config") else { return .failure(.manifestInvalid("a manifest needs a config")) }
        let config: Digest
        switch descriptor(configValue, at: "config") {
        case .success(let digest): config = digest
        case .failure(let error): return .failure(error)
        }
        guard case .array(let list)? = member("layers") else {
            return .failure(.manifestInvalid("a manifest needs a layers array"))
        }
        return descriptors(list, at: "layers").map {
            Manifest(mediaType: mediaType, kind: .image(config: config, layers: $0), source: source)
        }
    }

    /// The digests of an array of descriptors, or the first one's problem.
    private static func descriptors(_ list: [JSONValue], at path: String) -> Result<[Digest], RegistryError> {
        var digests: [Digest] = []
        for (index, item) in list.enumerated() {
            switch descriptor(item, at: "\(path)[\(index)]") {
            case .success(let digest): digests.append(digest)
            case .failure(let error): return .failure(error)
            }
        }
        return .success(digests)
    }

    /// The digest of a descriptor (OCI Image Spec "Descriptors": `mediaType`, `digest`, `size`).
    private static func descriptor(_ value: JSONValue, at path: String) -> Result<Digest, RegistryError> {
        guard case .object(let members) = value else { return .failure(.manifestInvalid("\(path) is not an object")) }
        guard case .string(let text)? = members.last(where: { $0.key == "digest" })?.value, let digest = Digest(text) else {
            return .failure(.manifestInvalid("\(path).digest is not a sha256 digest"))
        }
        guard case .number(let size)? = members.last(where: { $0.key == "size" })?.value,
              Int64(size.text).map({ $0 >= 0 }) == true
        else { return .failure(.manifestInvalid("\(path).size is not a size")) }
        return .success(digest)
    }
}
