// libFuzzer harness: what npm clients send (SPEC §22): the publish document, its base64 tarball, versions
// and `/npm/` paths. Input: one byte that picks where and in what pieces the body is fed, then the body.
// - PublishDocument.decode never traps and is deterministic, and PublishDocumentScanner fed the body in two
//   pieces (cut at the chosen point) or in pieces of 1–8 bytes gives what it gives fed whole: the same
//   outcome, skeleton, attachment data and ranges. Each piece handed to `data` lies in what was just fed;
//   an attachment's pieces come in order, each where the last ended or one escaping `\` later. When the
//   document decodes, each attachment's range is a JSON string's contents (a `"` just before and at its
//   end, no unescaped `"` inside), the ranges ascend without overlapping, the data is the range with each
//   escaping `\` dropped (so `\"` hands on a `"`: a quote in data is possible, and base64 then refuses
//   it), and the skeleton is the body with each such string replaced by `"#N"`. The parsed
//   `_attachments.*.data` strings are "#0", "#1", … up to attachmentCount: exactly those when nothing
//   outside the data is escaped; else those in order among others (an escaped key such as
//   `"_attach\u006dents"` is the same key to the parser but not to the scanner, which leaves it be).
// - Base64Decoder, on the body and on each attachment: fed whole, in two pieces cut at the chosen point,
//   and in pieces of 1–8 bytes, it gives the same bytes, return value, isComplete and failed. It accepts
//   (every decode true, then isComplete) exactly what a strict RFC 4648 §4 reference accepts (whole quads,
//   `=` only as the last one or two characters, left-over bits ignored), with the same bytes. Against
//   Foundation's Data(base64Encoded:) (no options): what Foundation rejects is never accepted; what both
//   accept decodes to the same bytes; Foundation accepts more, but only inputs with `=` (it lets `=` sit
//   mid-input or after a whole quad: "QQ=a", "QUJD=", "===="), never an input ours refuses without one.
// - Semver: a version that parses is == to itself and not < itself; a pre-release is < its release;
//   `+build` changes nothing; of two, exactly one of <, ==, > holds; of three, < is transitive.
// - NpmOperation.parts and resolve never trap on any path; a row resolved is one of the wanted method.
// Compiled by Tests/Fuzz/run.sh together with every file of Sources/PackagesEmulator/; never by SwiftPM.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

let npmMethods = ["GET", "HEAD", "PUT", "DELETE", "POST"]
let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), equals = UInt8(ascii: "=")

// MARK: PublishDocument

/// One scan of `body`, fed to PublishDocumentScanner in pieces cut at `cuts`: the outcome, the skeleton,
/// each attachment's data as handed to `data`, and the part of the body its pieces came from (from the
/// first piece's start to the last one's end; consecutive pieces may skip one byte, an escaping `\`).
struct DocumentRun {
    var outcome: Result<PublishDocument, PublishDocumentError>
    var ranges: [Range<Int>]
    var data: [[UInt8]]
    var skeleton: [UInt8]

    func same(as other: DocumentRun) -> Bool {
        guard ranges == other.ranges, data == other.data, skeleton == other.skeleton else { return false }
        switch (outcome, other.outcome) {
        case (.failure(let a), .failure(let b)): return a == b
        case (.success(let a), .success(let b)): return a.members == b.members && a.attachmentCount == b.attachmentCount
        default: return false
        }
    }
}

func scanDocument(_ body: [UInt8], cuts: [Int]) -> DocumentRun {
    body.withUnsafeBytes { whole in
        var scanner = PublishDocumentScanner()
        var ranges: [Range<Int>] = []
        var data: [[UInt8]] = []
        var problem: PublishDocumentError?
        var from = 0
        for cut in cuts + [body.count] where problem == nil {
            problem = scanner.feed(UnsafeRawBufferPointer(rebasing: whole[from..<cut])) { index, piece in
                let start = whole.baseAddress!.distance(to: piece.baseAddress!)
                precondition(start >= from && start + piece.count <= cut, "a piece outside what was fed")
                precondition(index == ranges.count || index == ranges.count - 1,
                             "data of attachment \(index) after \(ranges.count) attachments")
                if index == ranges.count {
                    ranges.append(start..<start)
                    data.append([])
                }
                let end = ranges[index].upperBound
                precondition(start == end || (start == end + 1 && body[end] == backslash),
                             "attachment \(index): a piece at \(start) after one ending at \(end)")
                ranges[index] = ranges[index].lowerBound..<(start + piece.count)
                data[index] += piece
                return true
            }
            from = cut
        }
        return DocumentRun(outcome: problem.map { .failure($0) } ?? scanner.finish(), ranges: ranges, data: data,
                           skeleton: scanner.skeleton)
    }
}

/// A JSON string's contents with each escaping backslash dropped (what the scanner hands on as data).
func droppingEscapes(_ raw: ArraySlice<UInt8>) -> [UInt8] {
    var out: [UInt8] = []
    var escaped = false
    for byte in raw {
        if !escaped && byte == backslash {
            escaped = true
        } else {
            escaped = false
            out.append(byte)
        }
    }
    return out
}

func checkDocument(_ body: [UInt8], selector: UInt8) {
    let first = body.withUnsafeBytes { PublishDocument.decode($0) }
    let second = body.withUnsafeBytes { PublishDocument.decode($0) }
    let whole = scanDocument(body, cuts: [])
    let cut = Int(selector) * body.count / 255
    let halves = scanDocument(body, cuts: [cut])
    precondition(halves.same(as: whole), "fed in two pieces cut at \(cut), not as fed whole")
    let step = Int(selector % 8) + 1
    let pieces = scanDocument(body, cuts: Array(stride(from: step, to: body.count, by: step)))
    precondition(pieces.same(as: whole), "fed in pieces of \(step), not as fed whole")

    let document: PublishDocument, data: [[UInt8]]
    switch (first, second, whole.outcome) {
    case (.failure(let a), .failure(let b), .failure(let c)):
        precondition(a == b && b == c, "decodes failed differently: \(a.message) / \(b.message) / \(c.message)")
        return
    case (.success(let a), .success(let b), .success(let c)):
        precondition(a.0.members == b.0.members && a.0.attachmentCount == b.0.attachmentCount && a.1 == b.1,
                     "two decodes differ")
        precondition(a.0.members == c.members && a.0.attachmentCount == c.attachmentCount, "decode is not the scan")
        (document, data) = a
    default:
        preconditionFailure("one decode succeeded, another failed")
    }
    let ranges = whole.ranges
    precondition(ranges.count == document.attachmentCount && data.count == document.attachmentCount,
                 "\(document.attachmentCount) attachments, \(ranges.count) ranges, \(data.count) data")
    // The body is the skeleton with each "#N" put back as attachment N's string: the ranges lie in the
    // body, ascend, do not overlap, and each is a whole string's contents.
    var rebuilt: [UInt8] = []
    var outside = 0
    var escapedOutside = false
    for (n, range) in ranges.enumerated() {
        precondition(range.lowerBound > outside && range.upperBound < body.count,
                     "attachment \(range) outside the body of \(body.count) bytes or overlapping the one before")
        precondition(body[range.lowerBound - 1] == quote && body[range.upperBound] == quote,
                     "attachment \(range) is not between quotes")
        precondition(whole.data[n] == data[n], "decode's data \(n) is not the scan's")
        precondition(droppingEscapes(body[range]) == data[n], "data \(n) is not the string at \(range) unescaped")
        // Inside: no quote but escaped ones (the scanner steps over `\x`).
        var index = range.lowerBound
        while index < range.upperBound {
            if body[index] == backslash {
                precondition(index + 1 < range.upperBound, "attachment \(range) ends on a backslash")
                index += 2
            } else {
                precondition(body[index] != quote, "attachment \(range) holds an unescaped quote at \(index)")
                index += 1
            }
        }
        escapedOutside = escapedOutside || body[outside..<range.lowerBound].contains(backslash)
        rebuilt += body[outside..<(range.lowerBound - 1)]
        rebuilt += Array("\"#\(n)\"".utf8)
        outside = range.upperBound + 1
    }
    escapedOutside = escapedOutside || body[outside...].contains(backslash)
    rebuilt += body[outside...]
    precondition(rebuilt == whole.skeleton, "the skeleton is not the body with its attachments' data marked")

    var markers: [String] = []
    for member in document.members where member.key == "_attachments" {
        guard case .object(let files) = member.value else { continue }
        for file in files {
            guard case .object(let fields) = file.value else { continue }
            for field in fields where field.key == "data" {
                if case .string(let text) = field.value { markers.append(text) }
            }
        }
    }
    let expected = (0..<document.attachmentCount).map { "#\($0)" }
    if escapedOutside {
        var rest = markers[...]
        for marker in expected {
            guard let at = rest.firstIndex(of: marker) else {
                preconditionFailure("attachment \(marker) missing from the parsed data strings \(markers)")
            }
            rest = rest[(at + 1)...]
        }
    } else {
        precondition(markers == expected, "the parsed data strings \(markers) are not \(expected)")
    }
    for bytes in data {
        checkBase64(bytes, selector: selector)
    }
}

// MARK: Base64

/// RFC 4648 §4 as Base64Decoder promises it: the alphabet, whole quads, `=` only as the last one or two
/// characters of the last quad (after at least two others); the bits a padded quad leaves over ignored.
func referenceBase64(_ input: [UInt8]) -> [UInt8]? {
    func sextet(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt32(byte - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt32(byte - UInt8(ascii: "a")) + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0")) + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
    guard input.count % 4 == 0 else { return nil }
    var out: [UInt8] = []
    var start = 0
    while start < input.count {
        var padding = 0
        if start + 4 == input.count && input[start + 3] == equals {
            padding = input[start + 2] == equals ? 2 : 1
        }
        var value: UInt32 = 0
        for k in 0..<4 {
            if k >= 4 - padding {
                value <<= 6
            } else {
                guard let bits = sextet(input[start + k]) else { return nil }
                value = value << 6 | bits
            }
        }
        out.append(UInt8(truncatingIfNeeded: value >> 16))
        if padding < 2 { out.append(UInt8(truncatingIfNeeded: value >> 8)) }
        if padding < 1 { out.append(UInt8(truncatingIfNeeded: value)) }
        start += 4
    }
    return out
}

struct Base64Run: Equatable {
    var output: [UInt8] = []
    var returned = true
    var isComplete = false
    var failed = false
}

func runBase64(_ input: [UInt8], cuts: [Int]) -> Base64Run {
    var decoder = Base64Decoder()
    var run = Base64Run()
    var from = 0
    for cut in cuts + [input.count] {
        let ok = input[from..<cut].withUnsafeBytes { decoder.decode($0, into: &run.output) }
        run.returned = run.returned && ok
        from = cut
    }
    run.isComplete = decoder.isComplete
    run.failed = decoder.failed
    return run
}

func checkBase64(_ input: [UInt8], selector: UInt8) {
    let whole = runBase64(input, cuts: [])
    precondition(whole.returned == !whole.failed, "decode's result is not !failed")
    precondition(!(whole.isComplete && whole.failed), "complete and failed")
    let cut = Int(selector) * input.count / 255
    let halves = runBase64(input, cuts: [cut])
    precondition(halves == whole, "cut at \(cut): \(halves) vs whole \(whole)")
    let step = Int(selector % 8) + 1
    let pieces = runBase64(input, cuts: Array(stride(from: step, to: input.count, by: step)))
    precondition(pieces == whole, "pieces of \(step): \(pieces) vs whole \(whole)")

    let accepted = whole.returned && whole.isComplete
    let reference = referenceBase64(input)
    precondition(accepted == (reference != nil), "accepted \(accepted), the reference \(reference != nil)")
    if let reference { precondition(whole.output == reference, "decoded \(whole.output), the reference \(reference)") }

    let foundation = Data(base64Encoded: Data(input)).map { Array($0) }
    if let foundation {
        if accepted {
            precondition(whole.output == foundation, "decoded \(whole.output), Foundation \(foundation)")
        } else {
            precondition(input.contains(equals), "refused, Foundation accepts an input without =")
        }
    } else {
        precondition(!accepted, "accepted what Foundation refuses")
    }
}

// MARK: Semver

func checkSemver(_ text: String) {
    let pieces = text.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
    var versions: [Semver] = []
    // The whole text when it has no newline (a newline never parses), else each of up to three lines.
    for piece in pieces {
        guard let version = Semver(String(piece)) else { continue }
        guard let again = Semver(String(piece)) else { preconditionFailure("parses once, not twice") }
        precondition(version == again && !(version < again) && !(again < version), "not equal to itself")
        precondition(!(version < version), "less than itself")
        if !version.isRelease {
            guard let release = Semver("\(version.major).\(version.minor).\(version.patch)") else {
                preconditionFailure("the release of a pre-release does not parse")
            }
            precondition(version < release && !(release < version), "a pre-release not before its release")
        }
        if let plus = piece.firstIndex(of: "+") {
            guard let bare = Semver(String(piece[..<plus])) else { preconditionFailure("without +build does not parse") }
            precondition(bare == version, "+build changed precedence")
        }
        versions.append(version)
    }
    for a in versions {
        for b in versions {
            let relations = [a < b, a == b, b < a].filter { $0 }.count
            precondition(relations == 1, "\(relations) of <, ==, > hold")
            for c in versions where a < b && b < c { precondition(a < c, "< not transitive") }
        }
    }
}

// MARK: Entry

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNpm(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let selector = data[0]
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    checkDocument(body, selector: selector)
    checkBase64(body, selector: selector)
    let text = String(decoding: body, as: UTF8.self)
    checkSemver(text)
    _ = NpmOperation.parts(Substring(text))
    let method = npmMethods[Int(selector) % npmMethods.count]
    let resolved = NpmOperation.resolve(method: method, path: Substring(text))
    if let match = resolved.match {
        precondition(match.operation.method == (method == "HEAD" ? "GET" : method), "a row of another method")
        precondition(resolved.pathMatched, "matched without pathMatched")
    }
    _ = NpmOperation.owns(Substring(text))
    return 0
}
