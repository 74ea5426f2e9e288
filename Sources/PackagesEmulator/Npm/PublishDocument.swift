/// The document `npm publish` PUTs (libnpmpublish's `buildMetadata`: the packument with one version and
/// `_attachments: {"@o/n-V.tgz": {"content_type", "data": BASE64, "length"}}`), and the packument a
/// metadata update PUTs back (deprecate, unpublish's rewrite: no attachment data).
///
/// The base64 of a tarball is most of the document (up to 256 MB decoded), so it is not parsed as a JSON
/// string: a scanner finds each `_attachments.*.data` string and leaves its place (`"#N"`), the rest (the
/// skeleton, at most `maxSkeleton` bytes) goes through the strict JSON parser, and the base64 is decoded
/// later from where it lies in the body (`Attachment.data`).
struct PublishDocument {
    /// The document, with every `_attachments.*.data` string replaced by `"#N"`: `attachments[N]`.
    let members: [JSONMember]
    let attachments: [Range<Int>]

    static let maxSkeleton = 16 * 1024 * 1024
    static let maxDepth = 64

    func member(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }

    /// The document in `bytes`, or why it is not one (a sentence for npm's `{"error": …}`).
    static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<PublishDocument, PublishDocumentError> {
        var scanner = Scanner()
        if let problem = scanner.scan(bytes) { return .failure(PublishDocumentError(problem)) }
        let value: JSONValue
        do {
            value = try JSONParser.parse(scanner.skeleton, maxDepth: maxDepth)
        } catch {
            return .failure(PublishDocumentError("the body is not JSON: \(error.message)"))
        }
        guard case .object(let members) = value else {
            return .failure(PublishDocumentError("the body is not a JSON object"))
        }
        return .success(PublishDocument(members: members, attachments: scanner.attachments))
    }

    /// Copies the body's structure and finds the attachments' base64, in one pass.
    private struct Scanner {
        struct Frame {
            var isObject: Bool
            var expectingKey: Bool
            var key: [UInt8] = []
        }

        var skeleton: [UInt8] = []
        var attachments: [Range<Int>] = []
        private var stack: [Frame] = []

        /// Whether the string starting now is the value of `_attachments.NAME.data`.
        private var atAttachmentData: Bool {
            stack.count == 3 && stack[0].isObject && stack[0].key == Array("_attachments".utf8)
                && stack[1].isObject && stack[2].isObject && stack[2].key == Array("data".utf8)
                && !stack[2].expectingKey
        }

        mutating func scan(_ bytes: UnsafeRawBufferPointer) -> String? {
            var index = 0
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    // The string's end: the next unescaped quote.
                    var end = index + 1
                    while end < count && bytes[end] != UInt8(ascii: "\"") {
                        end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
                    }
                    guard end < count else { return "the body is not JSON: a string does not end" }
                    if let top = stack.last, top.isObject, top.expectingKey {
                        // A key: kept for the path only when short (the keys that matter are).
                        stack[stack.count - 1].key = end - index - 1 <= 64 ? Array(bytes[(index + 1)..<end]) : []
                        append(bytes, index...end)
                    } else if atAttachmentData {
                        skeleton += Array("\"#\(attachments.count)\"".utf8)
                        attachments.append((index + 1)..<end)
                    } else {
                        append(bytes, index...end)
                    }
                    index = end + 1
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    guard stack.count < PublishDocument.maxDepth else {
                        return "the body is nested deeper than \(PublishDocument.maxDepth) levels"
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
                skeleton.append(byte)
                guard skeleton.count <= PublishDocument.maxSkeleton else {
                    return "the document without its attachments is larger than \(PublishDocument.maxSkeleton) bytes"
                }
                index += 1
            }
            return nil
        }

        private mutating func append(_ bytes: UnsafeRawBufferPointer, _ range: ClosedRange<Int>) {
            skeleton.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range]))
        }
    }
}

struct PublishDocumentError: Error, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
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
