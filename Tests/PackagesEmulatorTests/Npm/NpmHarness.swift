import Crypto
import Foundation
@testable import PackagesEmulator

/// npm's protocol spoken in process against `RegistryHarness`'s emulator (WriteTestData: organisation
/// acme-org with admin octocat and member hubot, repository app; ghp_admin is octocat's with every scope).
extension RegistryHarness {
    /// One npm request with `Authorization: Bearer TOKEN`, as npm sends `_authToken`.
    func npm(_ method: String, _ target: String, token: String? = "ghp_admin", body: [UInt8] = [],
             headers: [(String, String)] = []) -> Response {
        send(method, target, token: nil, body: body, headers: headers, authorization: token.map { "Bearer " + $0 })
    }

    /// The npm error message of a response, or the body as text.
    static func npmError(_ response: Response) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let message = object["error"] as? String else { return String(decoding: response.body, as: UTF8.self) }
        return message
    }

    static func json(_ response: Response) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(bytes(of: response)))) as? [String: Any] ?? [:]
    }

    static func shasum(_ bytes: [UInt8]) -> String { Insecure.SHA1.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }
    static func integrity(_ bytes: [UInt8]) -> String { "sha512-" + Data(SHA512.hash(data: bytes)).base64EncodedString() }
    static func tarball(_ version: String) -> [UInt8] { Array("tarball of \(version)".utf8) }

    /// libnpmpublish's publish document (`buildMetadata`), with what a test wants to change.
    static func publishDocument(_ name: String, _ version: String, tarball: [UInt8]? = nil, tag: String = "latest",
                                shasum: String? = nil, integrity: String? = nil,
                                extra: [String: Any] = [:], change: (inout [String: Any]) -> Void = { _ in }) -> [UInt8] {
        let bytes = tarball ?? Self.tarball(version)
        var manifest: [String: Any] = ["name": name, "version": version, "_id": "\(name)@\(version)",
                                       "dist": ["shasum": shasum ?? Self.shasum(bytes), "integrity": integrity ?? Self.integrity(bytes),
                                                "tarball": "http://registry.test/npm/\(name)/-/x-\(version).tgz"]]
        manifest.merge(extra) { $1 }
        var document: [String: Any] = [
            "_id": name, "name": name, "dist-tags": [tag: version], "versions": [version: manifest], "access": NSNull(),
            "_attachments": ["\(name)-\(version).tgz": ["content_type": "application/octet-stream",
                                                       "data": Data(bytes).base64EncodedString(), "length": bytes.count]],
        ]
        change(&document)
        return [UInt8](try! JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]))
    }

    /// Publishes; the response.
    @discardableResult
    func publish(_ name: String, _ version: String, token: String = "ghp_admin", tag: String = "latest",
                 extra: [String: Any] = [:]) -> Response {
        npm("PUT", "/npm/" + name.replacingOccurrences(of: "/", with: "%2f"), token: token,
            body: Self.publishDocument(name, version, tag: tag, extra: extra), headers: [("Content-Type", "application/json")])
    }

    func packument(_ name: String, token: String = "ghp_admin", abbreviated: Bool = false) -> Response {
        npm("GET", "/npm/" + name.replacingOccurrences(of: "/", with: "%2f"), token: token,
            headers: abbreviated ? [("Accept", "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*")] : [])
    }

    /// The REST versions of a package of acme-org (`state` active or deleted): name → id.
    func restVersions(_ name: String, state: String = "active") -> [String: Int64] {
        let response = send("GET", "/orgs/acme-org/packages/npm/\(name)/versions?state=\(state)&per_page=100",
                            authorization: "Bearer ghp_admin")
        guard response.status == 200, let list = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]]
        else { return [:] }
        return Dictionary(uniqueKeysWithValues: list.map { ($0["name"] as! String, ($0["id"] as! NSNumber).int64Value) })
    }

    /// The files under the data directory's `blobs/sha256` and `uploads`.
    var storedFiles: [String] {
        ["blobs/sha256", "uploads"].flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/" + folder)) ?? []).map { folder + "/" + $0 }
        }.sorted()
    }
}
