import Foundation
import Synchronization
@testable import PackagesEmulator

/// An emulator over `WriteTestData` with a content store in a temporary directory (removed at deinit),
/// a clock the test moves, and helpers that speak the registry's protocol in process.
final class RegistryHarness: Sendable {
    let emulator: Emulator
    let directory: String
    let clock = TestClock()

    /// The emulator's clock, which a test moves.
    final class TestClock: Sendable {
        let now = Mutex<Int64>(WriteTestData.now)
    }

    init(maxBlobSize: Int64 = 10 * 1024 * 1024 * 1024, maxNpmTarballSize: Int64 = NpmRequest.defaultMaxTarballSize,
         fixtures: FixtureSet = WriteTestData.fixtures) {
        directory = NSTemporaryDirectory() + "gpe-registry-test-" + UUID().uuidString
        let clock = self.clock
        var config = EmulatorConfig(clock: { clock.now.withLock { $0 } }, dataDirectory: directory, maxBlobSize: maxBlobSize)
        config.maxNpmTarballSize = maxNpmTarballSize
        emulator = Emulator(store: Store(fixtures, profile: .dotcom), config: config)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    static func bearer(_ token: String) -> String { "Bearer " + Data(token.utf8).base64EncodedString() }

    /// One request; `token` is sent as `Bearer base64(TOKEN)` unless `authorization` says otherwise.
    func send(_ method: String, _ target: String, token: String? = "ghp_admin", body: [UInt8] = [],
              headers: [(String, String)] = [], authorization: String? = nil) -> Response {
        var all: [(name: String, value: String)] = [("Host", "registry.test")]
        if let authorization { all.append(("Authorization", authorization)) }
        else if let token { all.append(("Authorization", Self.bearer(token))) }
        all += headers.map { (name: $0.0, value: $0.1) }
        if !body.isEmpty { all.append(("Content-Length", String(body.count))) }
        return emulator.respond(to: Request(method: method, target: target, headers: all, body: body))
    }

    /// The body as a client gets it: the bytes, or the file range of a blob.
    static func bytes(of response: Response) -> [UInt8] {
        response.body + response.parts.flatMap { part -> [UInt8] in
            switch part {
            case .bytes(let bytes): return bytes
            case .file(let file):
                guard let handle = FileHandle(forReadingAtPath: file.path) else { return [] }
                defer { try? handle.close() }
                try? handle.seek(toOffset: UInt64(file.offset))
                return [UInt8](handle.readData(ofLength: Int(file.length)))
            }
        }
    }

    static func digest(_ bytes: [UInt8]) -> String { Digest.of(bytes).description }

    /// Pushes a blob in one request; its digest.
    @discardableResult
    func pushBlob(_ name: String, _ bytes: [UInt8], token: String = "ghp_admin") -> String {
        let digest = Self.digest(bytes)
        let response = send("POST", "/v2/\(name)/blobs/uploads/?digest=\(digest)", token: token, body: bytes)
        precondition(response.status == 201, "blob push: \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        return digest
    }

    static func imageManifest(config: [UInt8], layers: [[UInt8]], source: String? = nil,
                              mediaType: String = Manifest.ociManifest) -> [UInt8] {
        var manifest: [String: Any] = [
            "schemaVersion": 2, "mediaType": mediaType,
            "config": ["mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(config), "size": config.count],
            "layers": layers.map { ["mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest($0), "size": $0.count] },
        ]
        if let source { manifest["annotations"] = ["org.opencontainers.image.source": source] }
        return [UInt8](try! JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys]))
    }

    static func indexManifest(_ children: [[UInt8]]) -> [UInt8] {
        let index: [String: Any] = [
            "schemaVersion": 2, "mediaType": Manifest.ociIndex,
            "manifests": children.map { ["mediaType": Manifest.ociManifest, "digest": digest($0), "size": $0.count] },
        ]
        return [UInt8](try! JSONSerialization.data(withJSONObject: index, options: [.sortedKeys]))
    }

    /// Pushes config and layers, then the manifest under `reference` (nil: by digest); the manifest's
    /// bytes and the answer to its push.
    @discardableResult
    func pushImage(_ name: String, _ reference: String?, seed: String, source: String? = nil,
                   token: String = "ghp_admin") -> (manifest: [UInt8], response: Response) {
        let config = Array("{\"seed\":\"\(seed)\"}".utf8)
        let layer = Array("layer of \(seed)".utf8)
        pushBlob(name, config, token: token)
        pushBlob(name, layer, token: token)
        let manifest = Self.imageManifest(config: config, layers: [layer], source: source)
        return (manifest, putManifest(name, reference ?? Self.digest(manifest), manifest, token: token))
    }

    func putManifest(_ name: String, _ reference: String, _ manifest: [UInt8], token: String = "ghp_admin",
                     contentType: String = Manifest.ociManifest) -> Response {
        send("PUT", "/v2/\(name)/manifests/\(reference)", token: token, body: manifest,
             headers: [("Content-Type", contentType)])
    }

    /// REST: the versions of a container package (`/orgs/acme-org/…` or `/users/…`), as JSON objects.
    func versions(_ path: String, token: String = "ghp_admin") -> [[String: Any]] {
        let response = emulator.respond(to: Request(method: "GET", target: path + "/versions?per_page=100",
                                                    headers: [("Authorization", "token \(token)"), ("Host", "api.test")]))
        guard response.status == 200 else { return [] }
        return (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [[String: Any]] ?? []
    }

    static func tags(_ version: [String: Any]) -> [String] {
        ((version["metadata"] as? [String: Any])?["container"] as? [String: Any])?["tags"] as? [String] ?? []
    }

    /// The OCI error code of an answer, or nil.
    static func code(_ response: Response) -> String? {
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        return ((json?["errors"] as? [[String: Any]])?.first)?["code"] as? String
    }

    static func message(_ response: Response) -> String? {
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        return ((json?["errors"] as? [[String: Any]])?.first)?["message"] as? String
    }
}
