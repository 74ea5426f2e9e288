/// Percent-decoding of path segments and query components, once, as UTF-8 (SPEC §12).
enum PercentDecoding {
    enum Failure: Error, Equatable {
        /// `%zz`, or a `%` without two hex digits after it.
        case invalidEscape(String)
        /// `%00`, or a raw NUL.
        case nul
        /// The decoded bytes are not UTF-8.
        case notUTF8
    }

    /// Decodes `text`; `plusIsSpace` for query components (form encoding, as Rack decodes them).
    static func decode(_ text: Substring, plusIsSpace: Bool) -> Result<String, Failure> {
        let utf8 = text.utf8
        if !utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") || $0 == 0 }) {
            return .success(String(text))
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let first = utf8.index(after: index)
                guard first != utf8.endIndex, let high = hexValue(utf8[first]) else {
                    return .failure(.invalidEscape(escapeText(utf8, from: index)))
                }
                let second = utf8.index(after: first)
                guard second != utf8.endIndex, let low = hexValue(utf8[second]) else {
                    return .failure(.invalidEscape(escapeText(utf8, from: index)))
                }
                bytes.append(high << 4 | low)
                index = utf8.index(after: second)
            } else {
                bytes.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index = utf8.index(after: index)
            }
        }
        if bytes.contains(0) { return .failure(.nul) }
        guard let decoded = String(validating: bytes, as: UTF8.self) else { return .failure(.notUTF8) }
        return .success(decoded)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The offending escape as sent: `%` and at most two characters after it.
    private static func escapeText(_ utf8: Substring.UTF8View, from index: Substring.UTF8View.Index) -> String {
        let end = utf8.index(index, offsetBy: 3, limitedBy: utf8.endIndex) ?? utf8.endIndex
        return String(decoding: utf8[index..<end], as: UTF8.self)
    }
}

extension PercentDecoding.Failure {
    /// GitHub's error for a request whose `part` ("path" or "query") cannot be decoded.
    func apiError(in part: String) -> APIError {
        let problem =
            switch self {
            case .invalidEscape(let escape): "Invalid percent-encoding \(JSONWriter.quoted(escape)) in the \(part)."
            case .nul: "A NUL byte (%00) is not allowed in the \(part)."
            case .notUTF8: "The percent-decoded \(part) is not valid UTF-8."
            }
        return APIError(400, problem, documentationURL: DocURL.rest)
    }
}
