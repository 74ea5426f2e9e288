/// The document `npm publish` PUTs (libnpmpublish's `buildMetadata`: the packument with one version and
/// `_attachments: {"@o/n-V.tgz": {"content_type", "data": BASE64, "length"}}`), and the packument a
/// metadata update PUTs back (deprecate, unpublish's rewrite: no attachment data).
///
/// The base64 of a tarball is most of the document (up to 342 MB for a 256 MB tarball), so it is never
/// held: `PublishDocumentScanner` reads the body as it arrives, hands each `_attachments.*.data` string's
/// bytes on as they come (to be decoded and written), and keeps the rest, the skeleton, at most
/// `maxSkeleton` bytes, with `"#N"` in place of attachment N's data; the strict JSON parser reads that.
struct PublishDocument {
    /// The document, with each `_attachments.*.data` string replaced by `"#N"`, N counting from 0.
    let members: [JSONMember]
    let attachmentCount: Int

    static let maxSkeleton = 16 * 1024 * 1024
    static let maxDepth = 64

    func member(_ key: String) -> JSONValue? { members.last { $0.key == key }?.value }

    /// The whole body at once (tests, the fuzz harness): the document and each attachment's data.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<(PublishDocument, [[UInt8]]), PublishDocumentError> {
        var scanner = PublishDocumentScanner()
        var data: [[UInt8]] = []
        let fed = scanner.feed(bytes) { index, piece in
            if index == data.count { data.append([]) }
            data[index].append(contentsOf: piece)
            return true
        }
        if let problem = fed { return .failure(problem) }
        return scanner.finish().map { ($0, data) }
    }
}

/// Reads a JSON body piece by piece (SPEC §22's publish document): copies its skeleton and hands the
/// bytes of each `_attachments.NAME.data` string to the caller. It checks only what it must to find
/// those strings (brackets, strings, the keys on their path); the JSON parser checks the skeleton.
struct PublishDocumentScanner {
    private struct Frame {
        var isObject: Bool
        var expectingKey: Bool
        var key: [UInt8] = []
    }

    private enum StringKind { case key, data, other }

    private(set) var skeleton: [UInt8] = []
    private(set) var attachmentCount = 0
    private var stack: [Frame] = []
    private var string: StringKind?
    private var escaped = false
    private var key: [UInt8] = []
    private static let attachments = Array("_attachments".utf8)
    private static let data = Array("data".utf8)

    /// Whether a string starting now is the value of `_attachments.NAME.data`.
    private var atAttachmentData: Bool {
        stack.count == 3 && stack[0].isObject && stack[0].key == Self.attachments && stack[1].isObject
            && stack[2].isObject && stack[2].key == Self.data && !stack[2].expectingKey
    }

    /// Reads `bytes`; `data(N, piece)` takes attachment N's base64 as it comes, false to stop (the
    /// caller knows why: the answer is `.refused`). A problem stops the scan for good.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, data: (Int, UnsafeRawBufferPointer) -> Bool)
        -> PublishDocumentError?
    {
        var index = 0
        let count = bytes.count
        while index < count {
            if let kind = string {
                // Inside a string: up to its closing quote, an escape's next byte never ends it.
                var end = index
                while end < count {
                    let byte = bytes[end]
                    if escaped {
                        escaped = false
                    } else if byte == UInt8(ascii: "\\") {
                        escaped = true
                        // In base64 the one escape an encoder writes is `\/` (JSON allows it; Foundation's
                        // JSONSerialization writes it): the data goes on without the backslash.
                        if kind == .data {
                            if !data(attachmentCount - 1, UnsafeRawBufferPointer(rebasing: bytes[index..<end])) { return .refused }
                            index = end + 1
                        }
                    } else if byte == UInt8(ascii: "\"") {
                        break
                    }
                    end += 1
                }
                let piece = UnsafeRawBufferPointer(rebasing: bytes[index..<end])
                switch kind {
                case .data:
                    if !data(attachmentCount - 1, piece) { return .refused }
                case .key:
                    if key.count <= 64 { key.append(contentsOf: piece.prefix(65 - key.count)) }
                    if let problem = append(piece) { return problem }
                case .other:
                    if let problem = append(piece) { return problem }
                }
                guard end < count else { return nil }
                // The closing quote.
                if kind == .key { stack[stack.count - 1].key = key.count <= 64 ? key : [] }
                if kind != .data, let problem = append(UnsafeRawBufferPointer(rebasing: bytes[end...end])) { return problem }
                string = nil
                index = end + 1
                continue
            }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                if let top = stack.last, top.isObject, top.expectingKey {
                    string = .key
                    key.removeAll(keepingCapacity: true)
                } else if atAttachmentData {
                    string = .data
                    attachmentCount += 1
                    skeleton += Array("\"#\(attachmentCount - 1)\"".utf8)
                    index += 1
                    continue
                } else {
                    string = .other
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard stack.count < PublishDocument.maxDepth else {
                    return PublishDocumentError("the body is nested deeper than \(PublishDocument.maxDepth) levels")
                }
                stack.append(Frame(isObject: byte == UInt8(ascii: "{"), expectingKey: byte == UInt8(ascii: "{")))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                // A mismatched bracket is left for the parser to name.
                if !stack.isEmpty { stack.removeLast() }
            case UInt8(ascii: ":"):
                if let top = stack.last, top.isObject { stack[stack.count - 1].expectingKey = false }
            case UInt8(ascii: ","):
                if let top = stack.last, top.isObject { stack[stack.count - 1].expectingKey = true }
            default:
                break
            }
            if let problem = append(UnsafeRawBufferPointer(rebasing: bytes[index...index])) { return problem }
            index += 1
        }
        return nil
    }

    private mutating func append(_ bytes: UnsafeRawBufferPointer) -> PublishDocumentError? {
        guard skeleton.count + bytes.count <= PublishDocument.maxSkeleton else {
            return PublishDocumentError(
                "the document without its attachments' data is larger than \(PublishDocument.maxSkeleton) bytes",
                tooLarge: true)
        }
        skeleton.append(contentsOf: bytes)
        return nil
    }

    /// The body is whole: the document, or why it is not one (a sentence for npm's `{"error": …}`).
    func finish() -> Result<PublishDocument, PublishDocumentError> {
        if string != nil { return .failure(PublishDocumentError("the body is not JSON: a string does not end")) }
        let value: JSONValue
        do {
            value = try JSONParser.parse(skeleton, maxDepth: PublishDocument.maxDepth)
        } catch {
            return .failure(PublishDocumentError("the body is not JSON: \(error.message)"))
        }
        guard case .object(let members) = value else {
            return .failure(PublishDocumentError("the body is not a JSON object"))
        }
        return .success(PublishDocument(members: members, attachmentCount: attachmentCount))
    }
}

struct PublishDocumentError: Error, Equatable {
    let message: String
    /// Over `maxSkeleton`: 413 rather than 400.
    let tooLarge: Bool

    init(_ message: String, tooLarge: Bool = false) {
        self.message = message
        self.tooLarge = tooLarge
    }

    /// The caller's `data` refused a piece (it keeps the reason).
    static let refused = PublishDocumentError("refused")
}

/// Base64 (RFC 4648 §4, padded, no line breaks: what Node's `Buffer.toString('base64')` writes), decoded a
/// piece at a time so that a tarball never exists whole in memory.
struct Base64Decoder {
    private var quad: (UInt32, Int) = (0, 0)
    private var padding = 0
    private(set) var failed = false

    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(value)
        }
        return table
    }()

    /// Decodes `input` onto `output`; false once anything is not base64 (then for good).
    mutating func decode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) -> Bool {
        guard !failed else { return false }
        for byte in input {
            if byte == UInt8(ascii: "=") {
                // Padding only ends the last quad, after at least two characters.
                guard quad.1 >= 2 else { failed = true; return false }
                padding += 1
                quad.0 <<= 6
                quad.1 += 1
            } else {
                let value = Self.values[Int(byte)]
                guard value != 0xFF, padding == 0 else { failed = true; return false }
                quad.0 = quad.0 << 6 | UInt32(value)
                quad.1 += 1
            }
            if quad.1 == 4 {
                output.append(UInt8(truncatingIfNeeded: quad.0 >> 16))
                if padding < 2 { output.append(UInt8(truncatingIfNeeded: quad.0 >> 8)) }
                if padding < 1 { output.append(UInt8(truncatingIfNeeded: quad.0)) }
                quad = (0, 0)
                if padding > 0 { padding = 3 }  // Nothing may follow a padded quad.
            }
        }
        return true
    }

    /// Whether the input ended on a whole quad.
    var isComplete: Bool { !failed && quad.1 == 0 }
}
