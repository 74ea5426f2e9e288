/// npm's view of one npm package (SPEC §22): the packument (npm's registry API, "Package metadata"), the
/// abbreviated one npm install asks for (`application/vnd.npm.install-v1+json`), and its dist-tags. It
/// is computed from the package's versions, so a REST delete or restore is seen at once.
struct Packument {
    /// `@scope/name`: the scope is the owner's login, lowercased.
    let fullName: String
    let package: Package
    /// The active versions with a tarball, lowest first.
    let versions: [(version: PackageVersion, info: NpmVersionInfo, semver: Semver)]

    init(scope: String, package: Package) {
        fullName = "@\(scope)/\(package.name)"
        self.package = package
        versions = package.allVersions.compactMap { version in
            guard version.deletedAt == nil, let info = version.npm, let semver = Semver(version.name) else { return nil }
            return (version, info, semver)
        }.sorted { $0.semver < $1.semver }
    }

    /// Tag → version, sorted by tag. `latest` is the version that holds it, else the highest release
    /// left (else the highest version): a choice of SPEC §22 for when its holder is deleted.
    var distTags: [(tag: String, version: String)] {
        var tags: [String: String] = [:]
        for entry in versions { for tag in entry.version.tags { tags[tag] = entry.version.name } }
        if tags["latest"] == nil, let highest = versions.last(where: { $0.semver.isRelease }) ?? versions.last {
            tags["latest"] = highest.version.name
        }
        return tags.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { ($0.key, $0.value) }
    }

    /// `_rev`, as CouchDB writes it (`N-HEX`): it changes with every change npm can see (versions, their
    /// tags and deprecations), so a client's stale copy is told apart (409).
    var revision: String {
        var state = "\(package.id)"
        for entry in versions {
            state += "|\(entry.version.id):\(entry.version.tags.joined(separator: ",")):\(entry.info.deprecated ?? "")"
        }
        return "\(max(versions.count, 1))-" + Digest.of(Array(state.utf8)).hex.prefix(32)
    }

    /// The tarball's path under the listener (`{api}` before it): `/npm/@o/n/-/n-V.tgz`, as npm's own
    /// registry names tarballs.
    func tarballPath(_ version: String) -> String { "/npm/\(fullName)/-/\(package.name)-\(version).tgz" }

    /// The version a tarball's file name names (`n-V.tgz`), if it is one of the active ones.
    func version(file: String) -> (version: PackageVersion, info: NpmVersionInfo, semver: Semver)? {
        let prefix = package.name + "-"
        guard file.hasPrefix(prefix), file.hasSuffix(".tgz") else { return nil }
        let name = String(file.dropFirst(prefix.count).dropLast(4))
        return versions.first { $0.version.name == name }
    }

    /// The fields of a version the abbreviated packument keeps (npm's registry API, "Abbreviated
    /// metadata format").
    static let abbreviatedFields: Set<String> = [
        "name", "version", "dependencies", "optionalDependencies", "devDependencies", "bundleDependencies",
        "peerDependencies", "peerDependenciesMeta", "bin", "directories", "engines", "cpu", "os",
        "_hasShrinkwrap", "hasInstallScript", "funding", "license",
    ]

    /// What npm's GETs answer, rendered once per partition (`Partition.packuments`): the packument
    /// full and abbreviated with holes for `{api}` in the tarball URLs, and the dist-tags.
    struct Rendered: Sendable {
        let full: Template
        let abbreviated: Template
        let distTags: [UInt8]
    }

    var rendered: Rendered {
        Rendered(full: render(abbreviated: false), abbreviated: render(abbreviated: true), distTags: renderDistTags())
    }

    func render(abbreviated: Bool) -> Template {
        var json = JSONWriter()
        json.beginObject()
        if !abbreviated {
            json.key("_id")
            json.string(fullName)
            json.key("_rev")
            json.string(revision)
        }
        json.key("name")
        json.string(fullName)
        if abbreviated {
            json.key("modified")
            json.string(package.updatedAt)
        }
        json.key("dist-tags")
        json.beginObject()
        for (tag, version) in distTags {
            json.key(tag)
            json.string(version)
        }
        json.endObject()
        json.key("versions")
        json.beginObject()
        for entry in versions {
            json.key(entry.version.name)
            json.beginObject()
            for member in entry.info.document where !abbreviated || Self.abbreviatedFields.contains(member.key) {
                guard !["name", "version", "_id", "dist", "deprecated"].contains(member.key) else { continue }
                json.key(member.key)
                json.value(member.value)
            }
            json.key("name")
            json.string(fullName)
            json.key("version")
            json.string(entry.version.name)
            if !abbreviated {
                json.key("_id")
                json.string("\(fullName)@\(entry.version.name)")
            }
            if let deprecated = entry.info.deprecated {
                json.key("deprecated")
                json.string(deprecated)
            }
            json.key("dist")
            json.beginObject()
            json.key("shasum")
            json.string(entry.info.shasum)
            json.key("integrity")
            json.string(entry.info.integrity)
            json.key("tarball")
            json.apiString(tarballPath(entry.version.name))
            json.endObject()
            json.endObject()
        }
        json.endObject()
        if !abbreviated {
            json.key("time")
            json.beginObject()
            json.key("created")
            json.string(package.createdAt)
            json.key("modified")
            json.string(package.updatedAt)
            for entry in versions {
                json.key(entry.version.name)
                json.string(entry.version.createdAt)
            }
            json.endObject()
        }
        json.endObject()
        return json.template
    }

    /// `{"tag": "version", …}`: `npm dist-tag ls`.
    func renderDistTags() -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        for (tag, version) in distTags {
            json.key(tag)
            json.string(version)
        }
        json.endObject()
        return json.bytes
    }
}

extension JSONWriter {
    /// A parsed value written back, members in their order.
    mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .number(let number): self.number(number.text)
        case .string(let text): string(text)
        case .array(let items):
            beginArray()
            for item in items { self.value(item) }
            endArray()
        case .object(let members):
            beginObject()
            for member in members {
                key(member.key)
                self.value(member.value)
            }
            endObject()
        }
    }
}
