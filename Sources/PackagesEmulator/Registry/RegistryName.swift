/// Repository names and references of `/v2/NAME/...` (OCI Distribution Spec, "Pulling manifests").
enum RegistryName {
    /// `OWNER/NAME`: path components of `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*` joined by `/`, at least two
    /// (ghcr.io's names are an owner and a package). Uppercase, `..`, an empty component: invalid.
    static func split(_ name: String) -> (owner: String, package: String)? {
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        guard components.count >= 2, name.utf8.count <= 255, components.allSatisfy(isComponent) else { return nil }
        return (String(components[0]), components.dropFirst().joined(separator: "/"))
    }

    static func isComponent(_ component: Substring) -> Bool {
        let bytes = Array(component.utf8)
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else {
            return false
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if isAlphanumeric(byte) {
                index += 1
                continue
            }
            // A separator: `.`, `_`, `__` or a run of `-`, always between alphanumerics.
            var end = index + 1
            switch byte {
            case UInt8(ascii: "."): break
            case UInt8(ascii: "_"): if end < bytes.count && bytes[end] == UInt8(ascii: "_") { end += 1 }
            case UInt8(ascii: "-"): while end < bytes.count && bytes[end] == UInt8(ascii: "-") { end += 1 }
            default: return false
            }
            guard end < bytes.count, isAlphanumeric(bytes[end]) else { return false }
            index = end
        }
        return true
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
    }

    /// A tag: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
    static func isTag(_ text: some StringProtocol) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= 128, first != UInt8(ascii: "."), first != UInt8(ascii: "-")
        else { return false }
        return bytes.allSatisfy { byte in
            isAlphanumeric(byte) || (byte >= 0x41 && byte <= 0x5A) || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }
}

/// What a manifest route names: a tag or a digest.
enum Reference: Equatable {
    case tag(String)
    case digest(Digest)

    init?(_ text: some StringProtocol) {
        if text.hasPrefix("sha256:") || text.contains(":") {
            guard let digest = Digest(text) else { return nil }
            self = .digest(digest)
        } else {
            guard RegistryName.isTag(text) else { return nil }
            self = .tag(String(text))
        }
    }
}
