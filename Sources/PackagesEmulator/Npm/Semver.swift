/// A version as npm accepts it: Semantic Versioning 2.0.0 (semver.org, §2, §9, §10), without a leading
/// `v` or `=` (npm publishes the cleaned version; GitHub's npm registry refuses anything else).
struct Semver: Comparable, Sendable {
    let major: UInt64, minor: UInt64, patch: UInt64
    /// Pre-release identifiers (§9): numeric ones compare as numbers.
    let prerelease: [Substring]

    var isRelease: Bool { prerelease.isEmpty }

    init?(_ text: String) {
        guard text.utf8.count <= 256 else { return nil }
        // Build metadata (§10) is ignored by precedence.
        let core = text.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)
        if core.count == 2, !Self.identifiers(core[1], numericLeadingZeroAllowed: true) { return nil }
        let release = core[0].split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        let numbers = release[0].split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 3 else { return nil }
        var parsed: [UInt64] = []
        for number in numbers {
            guard Self.isNumeric(number), let value = UInt64(number) else { return nil }
            parsed.append(value)
        }
        if release.count == 2 {
            guard Self.identifiers(release[1], numericLeadingZeroAllowed: false) else { return nil }
            prerelease = release[1].split(separator: ".")
        } else {
            prerelease = []
        }
        (major, minor, patch) = (parsed[0], parsed[1], parsed[2])
    }

    /// Digits without a leading zero (§2).
    private static func isNumeric(_ part: Substring) -> Bool {
        guard let first = part.utf8.first, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        return first != 0x30 || part.utf8.count == 1
    }

    /// Dot-separated, non-empty, `[0-9A-Za-z-]` identifiers (§9, §10).
    private static func identifiers(_ text: Substring, numericLeadingZeroAllowed: Bool) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.allSatisfy { part in
            guard !part.isEmpty, part.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x2D
            }) else { return false }
            let digits = part.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            return !digits || numericLeadingZeroAllowed || isNumeric(part)
        }
    }

    /// Precedence (§11): a pre-release sorts before its release; identifiers compare numerically when
    /// both are numbers, else by ASCII, and numbers before words.
    static func < (a: Semver, b: Semver) -> Bool {
        if (a.major, a.minor, a.patch) != (b.major, b.minor, b.patch) {
            return (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
        }
        if a.prerelease.isEmpty || b.prerelease.isEmpty { return !a.prerelease.isEmpty && b.prerelease.isEmpty }
        for (x, y) in zip(a.prerelease, b.prerelease) where x != y {
            // Numbers of any length (no leading zeros: the shorter is the smaller), before words.
            switch (isDigits(x), isDigits(y)) {
            case (true, true): return x.utf8.count != y.utf8.count ? x.utf8.count < y.utf8.count : x.utf8.lexicographicallyPrecedes(y.utf8)
            case (true, false): return true
            case (false, true): return false
            case (false, false): return x.utf8.lexicographicallyPrecedes(y.utf8)
            }
        }
        return a.prerelease.count < b.prerelease.count
    }

    static func == (a: Semver, b: Semver) -> Bool { !(a < b) && !(b < a) }

    private static func isDigits(_ part: Substring) -> Bool { part.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
}
