/// The syntactic rules of fixture values: logins, repository names, package and version names, dates
/// (SPEC §6, §10, §14).
enum FixtureRules {
    /// SPEC §6 step 9: 1–39 ASCII letters, digits and single hyphens, not starting or ending with a hyphen.
    static func isValidLogin(_ login: String) -> Bool {
        let bytes = Array(login.utf8)
        guard (1...39).contains(bytes.count), bytes.first != hyphen, bytes.last != hyphen else { return false }
        var previous: UInt8 = 0
        for byte in bytes {
            guard isAlphanumeric(byte) || byte == hyphen else { return false }
            if byte == hyphen, previous == hyphen { return false }
            previous = byte
        }
        return true
    }

    static let loginRule = "1-39 ASCII letters, digits and single hyphens, not starting or ending with a hyphen"

    /// GitHub's repository names: 1–100 ASCII letters, digits, `.`, `-`, `_`; not `.` or `..`.
    static func isValidRepositoryName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...100).contains(bytes.count), name != ".", name != ".." else { return false }
        return bytes.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == hyphen || $0 == UInt8(ascii: "_")
        }
    }

    static let repositoryNameRule = "1-100 ASCII letters, digits, '.', '-' and '_', not \".\" or \"..\""

    /// Package names go into URLs unchanged: no whitespace, no control characters, not empty.
    static func isValidPackageName(_ name: String) -> Bool {
        // Printable ASCII without space: the common case, without Unicode property tables.
        if !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return true }
        return !name.isEmpty && name.unicodeScalars.allSatisfy {
            !$0.properties.isWhitespace && $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value)
        }
    }

    /// A container version's name: `sha256:` and 64 lowercase hex digits (an image digest).
    static func isContainerDigest(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count == 71, name.hasPrefix("sha256:") else { return false }
        return bytes[7...].allSatisfy {
            ($0 >= zero && $0 <= zero + 9) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f"))
        }
    }

    static let containerDigestRule = "\"sha256:\" and 64 lowercase hex digits"

    /// `YYYY-MM-DDTHH:MM:SSZ` exactly, and a real calendar date and time (no leap seconds).
    static func dateProblem(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        let shape = "dddd-dd-ddTdd:dd:ddZ"
        guard bytes.count == shape.utf8.count else { return "is not of the form YYYY-MM-DDTHH:MM:SSZ" }
        for (byte, expected) in zip(bytes, shape.utf8) {
            let fits = expected == UInt8(ascii: "d") ? (byte >= zero && byte <= zero + 9) : byte == expected
            if !fits { return "is not of the form YYYY-MM-DDTHH:MM:SSZ" }
        }
        func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + Int(bytes[$1] - zero) } }
        let year = number(0..<4), month = number(5..<7), day = number(8..<10)
        let hour = number(11..<13), minute = number(14..<16), second = number(17..<19)
        guard (1...12).contains(month) else { return "is not a real date (month \(month))" }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...days).contains(day) else { return "is not a real date (day \(day) of a \(days)-day month)" }
        guard hour < 24, minute < 60, second < 60 else { return "is not a real time of day" }
        return nil
    }

    /// ASCII-only lowercasing: logins and repository names are ASCII and compared case-insensitively.
    static func folded(_ text: String) -> String {
        String(decoding: text.utf8.map { ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) ? $0 + 32 : $0 },
               as: UTF8.self)
    }

    private static let hyphen = UInt8(ascii: "-")
    private static let zero = UInt8(ascii: "0")

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= zero && byte <= zero + 9)
    }
}
