import Foundation
import Testing
@testable import PackagesEmulator

/// What npm's routes read from clients (SPEC §22), table by table: versions, base64, the publish
/// document's scanner, paths, names, dist-tags and repository spellings.
struct NpmParsingTests {
    @Test(arguments: [
        ("1.0.0", true), ("0.0.0", true), ("10.20.30", true), ("1.0.0-alpha", true), ("1.0.0-alpha.1", true),
        ("1.0.0-0.3.7", true), ("1.0.0-x.7.z.92", true), ("1.0.0+build.1", true), ("1.0.0-rc.1+build.01", true),
        ("1.0", false), ("1", false), ("1.0.0.0", false), ("v1.0.0", false), ("=1.0.0", false), ("01.0.0", false),
        ("1.01.0", false), ("1.0.01", false), ("1.0.0-01", false), ("1.0.0-", false), ("1.0.0+", false),
        ("1.0.0-a..b", false), ("1.0.0-a_b", false), ("", false), ("latest", false), ("1.0.0 ", false),
        ("99999999999999999999.0.0", false), ("18446744073709551615.0.0", true),
        // 256 bytes is the cap.
        ("1.0.0-" + String(repeating: "a", count: 250), true), ("1.0.0-" + String(repeating: "a", count: 251), false),
    ])
    func semverParses(_ text: String, _ valid: Bool) {
        #expect((Semver(text) != nil) == valid, "\(text)")
    }

    /// semver.org §11's own example order, and build metadata ignored.
    @Test func semverPrecedence() throws {
        let ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                       "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0-rc.99999999999999999999", "1.0.0-rc.100000000000000000000",
                       "1.0.0-rc.a", "1.0.0", "1.0.1", "1.1.0", "2.0.0", "10.0.0"]
        let parsed = try ordered.map { try #require(Semver($0)) }
        for (a, b) in zip(parsed, parsed.dropFirst()) {
            #expect(a < b)
            #expect(!(b < a))
        }
        #expect(try #require(Semver("1.0.0+a")) == #require(Semver("1.0.0+b")))
        #expect(try #require(Semver("1.0.0")).isRelease)
        #expect(try !#require(Semver("1.0.0-rc.1")).isRelease)
    }

    static func base64(_ text: String, pieces: Int) -> (bytes: [UInt8], complete: Bool)? {
        var decoder = Base64Decoder()
        var out: [UInt8] = []
        let input = Array(text.utf8)
        let size = max(1, (input.count + pieces - 1) / max(pieces, 1))
        var at = 0
        while at < input.count {
            let end = min(at + size, input.count)
            guard input[at..<end].withUnsafeBytes({ decoder.decode($0, into: &out) }) else { return nil }
            at = end
        }
        return (out, decoder.isComplete)
    }

    @Test(arguments: [
        ("", ""), ("QQ==", "A"), ("QUI=", "AB"), ("QUJD", "ABC"), ("QUJDRA==", "ABCD"), ("aGVsbG8gd29ybGQ=", "hello world"),
        ("+/+/", "\u{fb}\u{ff}\u{bf}"),
    ])
    func base64DecodesInAnyPieces(_ text: String, _ expected: String) throws {
        for pieces in [1, 2, 3, 7] {
            let decoded = try #require(Self.base64(text, pieces: pieces))
            #expect(decoded.complete)
            if text == "+/+/" { #expect(decoded.bytes == [0xFB, 0xFF, 0xBF]) } else { #expect(decoded.bytes == Array(expected.utf8)) }
        }
    }

    @Test(arguments: ["Q", "QQ", "QQ=", "QQ=A", "QQ==QQ==", "Q===", "=QQQ", "QQ\n==", "QU I=", "QUJ\\D", "QUJD\"", "QUJ-", "QUJ_"])
    func base64RefusesWhatIsNotPaddedBase64(_ text: String) {
        let decoded = Self.base64(text, pieces: 1)
        #expect(decoded == nil || decoded?.complete == false, "\(text)")
    }

    @Test func base64AgreesWithFoundationOnRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 2, 3, 4, 5, 47, 48, 49, 1000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Data(bytes).base64EncodedString()
            #expect(Self.base64(text, pieces: 5)?.bytes == bytes)
        }
    }

    static func decode(_ text: String, pieces: Int = 1) -> Result<(PublishDocument, [[UInt8]]), PublishDocumentError> {
        if pieces == 1 { return Array(text.utf8).withUnsafeBytes { PublishDocument.decode($0) } }
        var scanner = PublishDocumentScanner()
        var data: [[UInt8]] = []
        for piece in Array(text.utf8).chunked(pieces) {
            let problem = piece.withUnsafeBytes { bytes in
                scanner.feed(bytes) { index, chunk in
                    if index == data.count { data.append([]) }
                    data[index] += chunk
                    return true
                }
            }
            if let problem { return .failure(problem) }
        }
        return scanner.finish().map { ($0, data) }
    }

    @Test(arguments: [1, 2, 3, 16])
    func scannerFindsAttachmentDataInAnyPieces(_ size: Int) throws {
        let text = #"{"name":"@o/p","x":"a\"b}","_attachments":{"@o/p-1.0.0.tgz":{"content_type":"application/octet-stream","data":"QUJD","length":3}},"versions":{"1.0.0":{"data":"kept"}}}"#
        let (document, data) = try Self.decode(text, pieces: size).get()
        #expect(data == [Array("QUJD".utf8)])
        #expect(document.attachmentCount == 1)
        guard case .object(let attachments)? = document.member("_attachments"), case .object(let fields) = attachments[0].value else {
            Issue.record("no _attachments")
            return
        }
        #expect(fields.first { $0.key == "data" }?.value == .string("#0"))
        // A `data` elsewhere and a string with an escaped quote and a brace are the document's own.
        #expect(document.member("x") == .string("a\"b}"))
        guard case .object(let versions)? = document.member("versions"), case .object(let version) = versions[0].value else {
            Issue.record("no versions")
            return
        }
        #expect(version.first?.value == .string("kept"))
    }

    @Test(arguments: [
        (#"{"_attachments":{"a":{"data":"AA=="},"b":{"data":"QQ=="}}}"#, 2),
        (#"{"_attachments":{"a":{"meta":{"data":"x"}}}}"#, 0),
        (#"{"z":{"_attachments":{"a":{"data":"x"}}}}"#, 0),
        (#"{"_attachments":[{"data":"x"}]}"#, 0),
        (#"{"_attachments":{"a":{"data":1}}}"#, 0),
        (#"{"_attachments":{"a":{"data":"","data2":"QQ=="}}}"#, 1),
    ])
    func scannerTakesOnlyAttachmentsDataStrings(_ text: String, _ count: Int) throws {
        let (document, data) = try Self.decode(text).get()
        #expect(document.attachmentCount == count)
        #expect(data.count == count)
    }

    @Test(arguments: [
        ("not json", "the body is not JSON"), ("[1]", "the body is not a JSON object"), (#"{"a":"b"#, "a string does not end"),
        (#"{"a":1,}"#, "the body is not JSON"), (#"{"a":1}}"#, "the body is not JSON"), ("", "the body is not JSON"),
        (#"{"a":1,"a":2}"#, "duplicate"),
    ])
    func scannerRefusesWhatIsNotAnObject(_ text: String, _ message: String) {
        guard case .failure(let failure) = Self.decode(text) else {
            Issue.record("accepted \(text)")
            return
        }
        #expect(failure.message.contains(message), "\(failure.message)")
    }

    @Test func scannerNestingLimitIs64() {
        func nested(_ depth: Int) -> String {
            #"{"a":"# + String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1) + "}"
        }
        #expect((try? Self.decode(nested(64)).get()) != nil)
        guard case .failure(let failure) = Self.decode(nested(65)) else {
            Issue.record("65 levels accepted")
            return
        }
        #expect(failure.message == "the body is nested deeper than 64 levels")
    }

    @Test func scannerSkeletonLimit() {
        let limit = PublishDocument.maxSkeleton
        let padding = { (count: Int) in "{\"a\":\"" + String(repeating: "x", count: count - 8) + "\"}" }
        #expect((try? Self.decode(padding(limit)).get()) != nil)
        guard case .failure(let failure) = Self.decode(padding(limit + 1)) else {
            Issue.record("over the limit accepted")
            return
        }
        #expect(failure.tooLarge)
        // Attachment data does not count against it.
        let big = "{\"_attachments\":{\"a\":{\"data\":\"" + String(repeating: "A", count: limit + 4) + "\"}}}"
        #expect((try? Self.decode(big).get())?.1.first?.count == limit + 4)
    }

    @Test(arguments: [
        ("GET", "/npm/@o%2fp", "npm/get-packument", "o", "p"), ("GET", "/npm/@o%2Fp", "npm/get-packument", "o", "p"),
        ("GET", "/npm/@o/p", "npm/get-packument", "o", "p"), ("HEAD", "/npm/@o/p", "npm/get-packument", "o", "p"),
        ("PUT", "/npm/@o%2fp", "npm/publish", "o", "p"), ("PUT", "/npm/@o%2fp/-rev/3-ab", "npm/update", "o", "p"),
        ("DELETE", "/npm/@o%2fp/-rev/3-ab", "npm/unpublish-package", "o", "p"),
        ("GET", "/npm/@o/p/-/p-1.0.0.tgz", "npm/get-tarball", "o", "p"),
        ("DELETE", "/npm/@o/p/-/p-1.0.0.tgz/-rev/3-ab", "npm/unpublish-tarball", "o", "p"),
        ("DELETE", "/npm/npm/@o/p/-/p-1.0.0.tgz/-rev/3-ab", "npm/unpublish-tarball", "o", "p"),
        ("GET", "/npm/-/package/@o%2fp/dist-tags", "npm/get-dist-tags", "o", "p"),
        ("PUT", "/npm/-/package/@o%2fp/dist-tags/beta", "npm/put-dist-tag", "o", "p"),
        ("DELETE", "/npm/-/package/@o%2fp/dist-tags/beta", "npm/delete-dist-tag", "o", "p"),
        ("GET", "/npm/-/whoami", "npm/whoami", nil, ""), ("GET", "/npm/-/ping", "npm/ping", nil, ""),
        ("GET", "/npm/left-pad", "npm/get-packument", nil, "left-pad"),
    ] as [(String, String, String, String?, String)])
    func routesResolve(_ method: String, _ path: String, _ id: String, _ scope: String?, _ name: String) throws {
        let match = try #require(NpmOperation.resolve(method: method, path: Substring(path)).match)
        #expect(match.operation.id == id)
        #expect(match.scope == scope)
        #expect(match.name == name)
    }

    @Test(arguments: [
        ("POST", "/npm/@o%2fp", true), ("PATCH", "/npm/-/whoami", true), ("GET", "/npm/@o/p/extra/x", false),
        ("GET", "/npm/@o", false), ("GET", "/npm/", false), ("GET", "/npm/@o%zzp", false), ("GET", "/npm/@o/p/-/", false),
    ])
    func routesRefuse(_ method: String, _ path: String, _ otherMethod: Bool) {
        let resolved = NpmOperation.resolve(method: method, path: Substring(path))
        #expect(resolved.match == nil)
        #expect(resolved.pathMatched == otherMethod)
    }

    @Test(arguments: [
        ("application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*", true),
        ("application/vnd.npm.install-v1+json", true), ("Application/VND.npm.Install-v1+JSON", true),
        ("application/json", false), ("application/vnd.npm.install-v1+jso", false), ("", false),
        ("*/*, application/vnd.npm.install-v1+json", true), ("application/vnd.npm.install-v2+json", false),
    ])
    func acceptAbbreviated(_ accept: String, _ wanted: Bool) {
        #expect(NpmRequest.wantsAbbreviated(accept) == wanted)
        #expect(!NpmRequest.wantsAbbreviated(nil))
    }

    @Test(arguments: [
        ("p", true), ("my-pkg.js_2", true), ("a", true), (String(repeating: "a", count: 214), true),
        (String(repeating: "a", count: 215), false), ("", false), (".p", false), ("_p", false), ("P", false),
        ("p q", false), ("p/q", false), ("p~", false), ("é", false),
    ])
    func packageNames(_ name: String, _ valid: Bool) {
        #expect(NpmRequest.isValid(name: name) == valid)
    }

    @Test(arguments: [
        ("latest", true), ("next", true), ("beta-2", true), ("1.0.0", false), ("1.0.0-rc.1", false), ("", false),
        ("a b", false), ("a/b", false), ("a%2f", false), (String(repeating: "t", count: 256), true),
        (String(repeating: "t", count: 257), false), ("v1", true),
    ])
    func distTags(_ tag: String, _ valid: Bool) {
        #expect((NpmRequest.tagRefusal(tag) == nil) == valid)
    }

    @Test(arguments: [
        ("https://github.com/o/r", "https://github.com/o/r"), ("git+https://github.com/o/r.git", "https://github.com/o/r.git"),
        ("github:o/r", "https://github.com/o/r"), ("o/r", "https://github.com/o/r"),
        ("git://github.com/o/r.git", "https://github.com/o/r.git"), ("ssh://git@github.com/o/r", "https://github.com/o/r"),
        ("http://github.com/o/r", "https://github.com/o/r"), ("https://gitlab.com/o/r", "https://gitlab.com/o/r"),
    ])
    func repositorySpellings(_ source: String, _ url: String) {
        #expect(NpmRequest.githubURL(source) == url)
    }
}

extension Array {
    /// Pieces of `size` elements (the last shorter).
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

extension NpmParsingTests {
    /// `\/` in the data (Foundation's JSONSerialization writes it) is `/`, in any pieces; any other
    /// escape reaches the decoder and is refused there.
    @Test(arguments: [1, 2, 5])
    func escapedSlashInData(_ size: Int) throws {
        let text = #"{"_attachments":{"a":{"data":"+\/+\/"}}}"#
        let (_, data) = try Self.decode(text, pieces: size).get()
        #expect(data == [Array("+/+/".utf8)])
        let (_, quoted) = try Self.decode(#"{"_attachments":{"a":{"data":"QQ\"=="}}}"#, pieces: size).get()
        #expect(quoted == [Array("QQ\"==".utf8)])
    }
}

/// The scanner against an independent JSON implementation (Foundation's JSONSerialization): random
/// documents, written by it (`\/` escapes included), give the attachment data it reads back.
struct NpmScannerDifferentialTests {
    /// The property tests' seeded SplitMix64.
    typealias Seeded = PrivacyPropertyTests.Random

    static let words = ["data", "_attachments", "name", "a\"b", "x\\y", "é", "/", "", "data2", "{", "[", "\u{1}"]

    static func value(_ depth: Int, _ random: inout Seeded) -> Any {
        switch Int.random(in: 0..<(depth > 3 ? 3 : 6), using: &random) {
        case 0: return words.randomElement(using: &random)! + String(Int.random(in: 0..<100, using: &random))
        case 1: return Int.random(in: -1000...1000, using: &random)
        case 2: return Bool.random(using: &random)
        case 3: return (0..<Int.random(in: 0..<4, using: &random)).map { _ in value(depth + 1, &random) }
        default:
            var object: [String: Any] = [:]
            for _ in 0..<Int.random(in: 0..<5, using: &random) {
                object[words.randomElement(using: &random)!] = value(depth + 1, &random)
            }
            return object
        }
    }

    @Test(arguments: 0..<8)
    func agreesWithJSONSerialization(_ seed: UInt64) throws {
        var random = Seeded(state: seed)
        for _ in 0..<250 {
            var document = (Self.value(1, &random) as? [String: Any]) ?? [:]
            if Bool.random(using: &random) {
                var attachments: [String: Any] = [:]
                for index in 0..<Int.random(in: 0..<3, using: &random) {
                    let bytes = (0..<Int.random(in: 0..<40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                    attachments["f\(index)/x.tgz"] = Bool.random(using: &random)
                        ? ["data": Data(bytes).base64EncodedString(), "length": bytes.count] : Self.value(2, &random)
                }
                document["_attachments"] = attachments
            }
            let text = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
            let reread = try #require(try JSONSerialization.jsonObject(with: text) as? [String: Any])
            // What Foundation reads as `_attachments.*.data` strings, in the order written (sorted keys).
            let expected = ((reread["_attachments"] as? [String: Any]) ?? [:]).sorted { $0.key < $1.key }
                .compactMap { ($0.value as? [String: Any])?["data"] as? String }.map { Array($0.utf8) }
            let (decoded, data) = try [UInt8](text).withUnsafeBytes { PublishDocument.decode($0) }.get()
            #expect(data == expected, "\(String(decoding: text, as: UTF8.self))")
            #expect(decoded.attachmentCount == expected.count)
            #expect(Set(decoded.members.map(\.key)) == Set(reread.keys))
        }
    }
}
