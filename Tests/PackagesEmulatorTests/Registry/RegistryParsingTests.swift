import Testing
@testable import PackagesEmulator

/// The registry's small parsers, table by table: digests, names, tags, ranges, manifests (SPEC §21).
@Suite struct RegistryParsingTests {
    static let hex = String(repeating: "a", count: 64)

    @Test(arguments: [
        ("sha256:" + hex, true),
        ("sha256:" + String(repeating: "a", count: 63), false),   // one digit short
        ("sha256:" + String(repeating: "a", count: 65), false),   // one too many
        ("sha256:" + String(repeating: "A", count: 64), false),   // uppercase hex
        ("sha256:" + String(repeating: "g", count: 64), false),
        ("sha512:" + hex, false),
        (hex, false),
        ("", false),
    ] as [(String, Bool)])
    func digests(_ text: String, _ valid: Bool) {
        #expect((Digest(text) != nil) == valid)
    }

    @Test func digestIsSwiftCryptoSHA256() {
        // FIPS 180-4's "abc" vector.
        #expect(Digest.of(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.of([]).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test(arguments: [
        ("octocat/web", "octocat", "web"),
        ("octo-org/octo-repo/web", "octo-org", "octo-repo/web"),
        ("a/b.c_d__e--f", "a", "b.c_d__e--f"),
        ("0/9", "0", "9"),
    ])
    func validNames(_ name: String, _ owner: String, _ package: String) {
        #expect(RegistryName.split(name)! == (owner, package))
    }

    @Test(arguments: [
        "octocat", "Octocat/web", "octocat/Web", "octocat/../web", "octocat/..", "octocat//web", "octocat/web/",
        "/web", "octocat/-web", "octocat/web-", "octocat/a___b", "octocat/a..b", "octocat/web%2F", "octocat/wéb",
        "octocat/" + String(repeating: "a", count: 248),
    ] as [String])
    func invalidNames(_ name: String) {
        #expect(RegistryName.split(name) == nil)
    }

    @Test func nameLengthLimit() {
        // 255 bytes in all is the most (distribution's limit); 256 is refused.
        #expect(RegistryName.split("octocat/" + String(repeating: "a", count: 248)) == nil)
        #expect(RegistryName.split("octocat/" + String(repeating: "a", count: 247)) != nil)
        #expect(RegistryName.split("octocat/" + String(repeating: "a", count: 246)) != nil)
    }

    @Test(arguments: [
        ("latest", true), ("v1.0.0-rc_1", true), ("_x", true), ("A", true),
        (String(repeating: "a", count: 128), true), (String(repeating: "a", count: 129), false),
        (".hidden", false), ("-x", false), ("", false), ("a/b", false), ("a b", false), ("a+b", false),
    ] as [(String, Bool)])
    func tags(_ tag: String, _ valid: Bool) {
        #expect(RegistryName.isTag(tag) == valid)
    }

    @Test func references() {
        #expect(Reference("latest") == .tag("latest"))
        #expect(Reference("sha256:" + Self.hex) == .digest(Digest("sha256:" + Self.hex)!))
        #expect(Reference("sha256:abc") == nil)
        #expect(Reference("md5:" + Self.hex) == nil)
        #expect(Reference("-x") == nil)
    }

    @Test(arguments: [
        ("bytes=0-9", 100, 0..<10), ("bytes=90-", 100, 90..<100), ("bytes=-10", 100, 90..<100),
        ("bytes=95-200", 100, 95..<100), ("bytes=99-99", 100, 99..<100), ("bytes=-200", 100, 0..<100),
    ] as [(String, Int64, Range<Int64>)])
    func satisfiableRanges(_ header: String, _ size: Int64, _ expected: Range<Int64>) {
        #expect(ByteRange(header)?.resolve(size: size) == expected)
    }

    @Test(arguments: [("bytes=100-", Int64(100)), ("bytes=100-200", 100), ("bytes=-0", 100), ("bytes=0-", 0)])
    func unsatisfiableRanges(_ header: String, _ size: Int64) {
        #expect(ByteRange(header) != nil)
        #expect(ByteRange(header)?.resolve(size: size) == nil)
    }

    @Test(arguments: ["bytes=5-4", "bytes=a-b", "bytes=0-1,3-4", "items=0-1", "bytes=-", "bytes=", "0-9"])
    func ignoredRanges(_ header: String) {
        #expect(ByteRange(header) == nil)
    }

    @Test(arguments: [
        ("0-9", Int64(0), Int64(10)), ("5-5", 5, 1), ("bytes=0-99", 0, 100), ("bytes 10-19/*", 10, 10),
    ])
    func contentRanges(_ header: String, _ start: Int64, _ count: Int64) {
        let range = ContentRange(header)
        #expect(range?.start == start)
        #expect(range?.count == count)
    }

    @Test(arguments: ["", "5-4", "-1", "1-", "a-b", "0-9-10", "+1-2", "1 - 2", String(repeating: "9", count: 19) + "-1"]
          as [String])
    func invalidContentRanges(_ header: String) {
        #expect(ContentRange(header) == nil)
    }
}

/// What a pushed manifest must be (SPEC §21: the four media types, a declared type that agrees).
@Suite struct ManifestParsingTests {
    static let d = "sha256:" + String(repeating: "b", count: 64)

    static func image(mediaType: String? = Manifest.ociManifest, extra: String = "") -> [UInt8] {
        let type = mediaType.map { "\"mediaType\":\"\($0)\"," } ?? ""
        return Array("{\"schemaVersion\":2,\(type)\"config\":{\"digest\":\"\(d)\",\"size\":3},\"layers\":[{\"digest\":\"\(d)\",\"size\":1}]\(extra)}".utf8)
    }

    @Test(arguments: [Manifest.ociManifest, Manifest.dockerManifest])
    func imagesOfBothFamilies(_ type: String) throws {
        let manifest = try Manifest.parse(Self.image(mediaType: type), contentType: type).get()
        #expect(manifest.mediaType == type)
        #expect(manifest.kind == .image(config: Digest(Self.d)!, layers: [Digest(Self.d)!]))
    }

    @Test(arguments: [Manifest.ociIndex, Manifest.dockerList])
    func indexesOfBothFamilies(_ type: String) throws {
        let bytes = Array("{\"schemaVersion\":2,\"mediaType\":\"\(type)\",\"manifests\":[{\"digest\":\"\(Self.d)\",\"size\":9}]}".utf8)
        #expect(try Manifest.parse(bytes, contentType: type).get().kind == .index(children: [Digest(Self.d)!]))
    }

    @Test func typeFromTheBodyOrTheHeader() throws {
        // No Content-Type: the body's own mediaType; no mediaType in an OCI body: the header's.
        #expect(try Manifest.parse(Self.image(), contentType: nil).get().mediaType == Manifest.ociManifest)
        #expect(try Manifest.parse(Self.image(mediaType: nil), contentType: Manifest.ociManifest + "; charset=utf-8")
            .get().mediaType == Manifest.ociManifest)
        #expect(try Manifest.parse(Self.image(), contentType: "application/json").get().mediaType == Manifest.ociManifest)
    }

    @Test func sourceAnnotation() throws {
        let bytes = Self.image(extra: ",\"annotations\":{\"org.opencontainers.image.source\":\"https://github.com/o/r\"}")
        #expect(try Manifest.parse(bytes, contentType: nil).get().source == "https://github.com/o/r")
    }

    @Test(arguments: [
        (Array("not json".utf8), Manifest.ociManifest, "not JSON"),
        (Array("[]".utf8), Manifest.ociManifest, "not a JSON object"),
        (Array("{\"schemaVersion\":1}".utf8), Manifest.ociManifest, "schemaVersion must be 2"),
        (image(mediaType: nil), "application/vnd.docker.distribution.manifest.v1+json", "unsupported media type"),
        (image(mediaType: nil), nil, "unsupported media type (none)"),
        (image(), Manifest.dockerManifest, "differs from Content-Type"),
        (image(mediaType: Manifest.ociIndex), Manifest.ociIndex, "an index needs a manifests array"),
        (Array("{\"schemaVersion\":2,\"mediaType\":\"\(Manifest.ociManifest)\",\"layers\":[]}".utf8), nil, "needs a config"),
        (Array("{\"schemaVersion\":2,\"mediaType\":\"\(Manifest.ociManifest)\",\"config\":{\"digest\":\"\(d)\",\"size\":1}}".utf8), nil, "layers array"),
        (Array("{\"schemaVersion\":2,\"mediaType\":\"\(Manifest.ociManifest)\",\"config\":{\"digest\":\"sha256:x\",\"size\":1},\"layers\":[]}".utf8), nil, "config.digest"),
        (Array("{\"schemaVersion\":2,\"mediaType\":\"\(Manifest.ociManifest)\",\"config\":{\"digest\":\"\(d)\",\"size\":-1},\"layers\":[]}".utf8), nil, "config.size"),
        (Array("{\"schemaVersion\":2,\"mediaType\":\"\(Manifest.ociManifest)\",\"config\":{\"digest\":\"\(d)\",\"size\":1},\"layers\":[7]}".utf8), nil, "layers[0] is not an object"),
    ] as [([UInt8], String?, String)])
    func invalid(_ bytes: [UInt8], _ contentType: String?, _ why: String) {
        guard case .failure(let error) = Manifest.parse(bytes, contentType: contentType) else {
            Issue.record("accepted")
            return
        }
        #expect(error.status == 400)
        #expect(error.code == "MANIFEST_INVALID")
        #expect(error.message.contains(why), "\(error.message)")
    }
}
