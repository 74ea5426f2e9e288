#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
#if canImport(Crypto)
import Crypto
#endif

/// Tarballs of declared npm versions (SPEC §22): `npm/OWNER/NAME/VERSION.tgz`, with an optional
/// `VERSION.json` (the version's package.json fields, as npm publishes them, and `deprecated`) and an optional
/// `dist-tags.json` (`{"TAG": "VERSION"}`). Each gives the declared version of npm package NAME of OWNER
/// its content, so `npm install` works on the fixtures; export writes published packages the same way.
enum NpmTarballs {
    /// Reads `directory/npm` (none: nothing), sets the versions' content in `fixtures`, and adds each
    /// tarball's file to `content` under its SHA-256; every problem names its file.
    static func load(directory: String, into fixtures: inout FixtureSet, content: inout RegistryContent,
                     errors: inout [FixtureError]) {
        let root = directory + "/npm"
        var info = stat()
        guard stat(root, &info) == 0 else { return }
        for owner in entries(root) {
            for name in entries(root + "/" + owner) {
                let folder = "npm/\(owner)/\(name)"
                for file in entries(directory + "/" + folder) where !file.hasSuffix(".json") || file == "dist-tags.json" {
                    if file == "dist-tags.json" {
                        if let error = tag(directory, folder: folder, owner: owner, name: name, in: &fixtures) { errors.append(error) }
                        continue
                    }
                    let path = "\(folder)/\(file)"
                    guard file.hasSuffix(".tgz"), Semver(String(file.dropLast(4))) != nil else {
                        errors.append(FixtureError(file: path, path: "", message: "not VERSION.tgz or VERSION.json with a semver VERSION"))
                        continue
                    }
                    let version = String(file.dropLast(4))
                    switch read(directory + "/" + folder + "/" + version, file: "\(folder)/\(version)") {
                    case .failure(let error): errors.append(error)
                    case .success(let (npm, digest)):
                        if let problem = apply(npm, version: version, owner: owner, name: name, to: &fixtures) {
                            errors.append(FixtureError(file: path, path: "", message: problem))
                        } else {
                            content.files[digest] = directory + "/" + path
                        }
                    }
                }
            }
        }
    }

    /// `dist-tags.json`: each tag on the active version it names.
    private static func tag(_ directory: String, folder: String, owner: String, name: String,
                            in fixtures: inout FixtureSet) -> FixtureError? {
        let file = folder + "/dist-tags.json"
        let tags: [JSONMember]
        switch object(directory + "/" + file, file: file, expected: "an object of tag → version") {
        case .success(let members): tags = members
        case .failure(let error): return error
        }
        for (index, member) in tags.enumerated() {
            guard case .string(let version) = member.value, NpmRequest.tagRefusal(member.key) == nil else {
                return FixtureError(file: file, path: "$[\(index)]", message: "expected \"TAG\": \"VERSION\" with a tag that is not a version")
            }
            let problem = fixtures.changePackages(of: owner) { packages, ownerFile in
                guard let at = packages.firstIndex(where: { $0.type == .npm && $0.name.asciiLowercased() == name && $0.deletedAt == nil }),
                      var versions = packages[at].versions,
                      let target = versions.firstIndex(where: { $0.name == version && $0.deletedAt == nil && $0.npm != nil })
                else { return "no active version \(version) with a tarball of npm package \(name) in \(ownerFile)" }
                for other in versions.indices { versions[other].tags.removeAll { $0 == member.key } }
                versions[target].tags.append(member.key)
                packages[at].replaceVersions(versions)
                return nil
            }
            if let problem { return FixtureError(file: file, path: "$.\(member.key)", message: problem) }
        }
        return nil
    }

    /// The members of the JSON object in `path`.
    private static func object(_ path: String, file: String, expected: String) -> Result<[JSONMember], FixtureError> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(FixtureError(file: file, path: "", message: "cannot be read"))
        }
        do {
            guard case .object(let members) = try JSONParser.parse(Array(data)) else {
                return .failure(FixtureError(file: file, path: "$", message: "expected \(expected)"))
            }
            return .success(members)
        } catch {
            return .failure(FixtureError(file: file, path: error.path, message: error.message))
        }
    }

    /// The folder's entries, sorted, without dot files.
    private static func entries(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// `base.tgz`, hashed in pieces, and `base.json` when there is one.
    private static func read(_ base: String, file: String) -> Result<(NpmVersionInfo, Digest), FixtureError> {
        let fd = open(base + ".tgz", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(FixtureError(file: file + ".tgz", path: "", message: String(cString: strerror(errno)))) }
        defer { close(fd) }
        var sha1 = Insecure.SHA1(), sha256 = SHA256(), sha512 = SHA512()
        var size: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return .failure(FixtureError(file: file + ".tgz", path: "", message: String(cString: strerror(errno)))) }
            if count == 0 { break }
            buffer.withUnsafeBytes { bytes in
                let piece = UnsafeRawBufferPointer(rebasing: bytes[..<count])
                sha1.update(bufferPointer: piece)
                sha256.update(bufferPointer: piece)
                sha512.update(bufferPointer: piece)
            }
            size += Int64(count)
        }
        var document: [JSONMember] = []
        var deprecated: String?
        if FileManager.default.fileExists(atPath: base + ".json") {
            switch object(base + ".json", file: file + ".json", expected: "an object, the version's package.json fields") {
            case .success(let members):
                document = members.filter { $0.key != "dist" && $0.key != "deprecated" }
                if case .string(let text)? = members.last(where: { $0.key == "deprecated" })?.value, !text.isEmpty {
                    deprecated = text
                }
            case .failure(let error): return .failure(error)
            }
        }
        let info = NpmVersionInfo(document: document, tarball: Digest(sha256.finalize()), size: size,
                                  shasum: Digest.hex(sha1.finalize()),
                                  integrity: "sha512-" + Data(Array(sha512.finalize())).base64EncodedString(),
                                  deprecated: deprecated)
        return .success((info, info.tarball))
    }

    /// Gives the declared version its content.
    private static func apply(_ npm: NpmVersionInfo, version: String, owner: String, name: String,
                              to fixtures: inout FixtureSet) -> String? {
        func update(_ packages: inout [Package], file: String) -> String? {
            guard let at = packages.firstIndex(where: { $0.type == .npm && $0.name.asciiLowercased() == name && $0.deletedAt == nil })
            else { return "no active npm package \(name) in \(file)" }
            var versions = packages[at].allVersions
            guard packages[at].versions != nil, versions.contains(where: { $0.name == version }) else {
                return "npm package \(name) in \(file) declares no version \(version)"
            }
            // A deleted version of the same name has the same tarball: a restore brings it back.
            for index in versions.indices where versions[index].name == version { versions[index].npm = npm }
            packages[at].replaceVersions(versions)
            return nil
        }
        return fixtures.changePackages(of: owner) { update(&$0, file: $1) }
    }
}

extension FixtureSet {
    /// `change` on the packages of the user or organisation `login` (lowercased), told the file they come
    /// from; its problem, or that there is no such owner. Registry layouts and npm tarballs attach here.
    mutating func changePackages(of login: String, _ change: (inout [Package], String) -> String?) -> String? {
        if let index = users.firstIndex(where: { $0.login.asciiLowercased() == login }) {
            return change(&users[index].packages, "users/\(users[index].login).json")
        }
        if let index = orgs.firstIndex(where: { $0.login.asciiLowercased() == login }) {
            return change(&orgs[index].packages, "orgs/\(orgs[index].login).json")
        }
        return "no user or organisation \(login) in the fixtures"
    }
}
