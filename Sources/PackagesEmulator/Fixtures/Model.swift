/// The six registries of `package_type` (SPEC §1, §2).
public enum PackageType: String, CaseIterable, Sendable, Hashable {
    case npm, maven, rubygems, docker, nuget, container

    /// Whether the registry only supports repository-scoped permissions under `profile` (SPEC §2).
    /// Docs: "About permissions for GitHub Packages".
    public func isRepositoryScoped(in profile: Profile) -> Bool {
        switch (self, profile) {
        case (.container, _): false
        case (.maven, _), (.docker, _): true
        case (.npm, .dotcom), (.nuget, .dotcom), (.rubygems, .dotcom): false
        case (.npm, .ghes), (.nuget, .ghes), (.rubygems, .ghes): true
        }
    }
}

/// Which GitHub's permission table applies: github.com or GitHub Enterprise Server (SPEC §2).
public enum Profile: String, CaseIterable, Sendable {
    case dotcom, ghes
}

/// A package's visibility in fixtures (SPEC §5).
public enum Visibility: String, CaseIterable, Sendable, Hashable {
    case `public`, `private`, `internal`
}

/// What a token is, which decides how this endpoint answers it (SPEC §3).
public enum TokenKind: String, CaseIterable, Sendable {
    case classic
    case fineGrained = "fine-grained"
    case app

    /// The kind GitHub's token prefixes announce; anything unknown is a classic token.
    public init(prefixOf token: String) {
        if token.hasPrefix("github_pat_") {
            self = .fineGrained
        } else if token.hasPrefix("ghs_") || token.hasPrefix("ghu_") {
            self = .app
        } else {
            self = .classic
        }
    }
}

/// A token of `tokens.json`, validated.
public struct Token: Sendable, Equatable {
    public var value: String
    /// The canonical login of the token's user; nil only for app tokens.
    public var login: String?
    public var scopes: [String]
    public var kind: TokenKind
    /// `OWNER/NAME` (canonical casing) of an installation token's repository (SPEC §14, §15).
    public var repository: String?

    public init(value: String, login: String?, scopes: [String], kind: TokenKind, repository: String? = nil) {
        self.value = value
        self.login = login
        self.scopes = scopes
        self.kind = kind
        self.repository = repository
    }

    /// An app token without a user: an installation token (`GITHUB_TOKEN`), SPEC §15.
    public var isInstallation: Bool { kind == .app && login == nil }
}

/// A repository of a user file, validated.
public struct Repository: Sendable, Equatable {
    public var name: String
    public var id: Int64
    public var isPrivate: Bool
    public var description: String?
    /// Canonical logins (as the users' files spell them).
    public var collaborators: [String]

    public init(name: String, id: Int64, isPrivate: Bool = false, description: String? = nil,
                collaborators: [String] = []) {
        self.name = name
        self.id = id
        self.isPrivate = isPrivate
        self.description = description
        self.collaborators = collaborators
    }
}

/// A package of a user file, validated. Defaults of SPEC §10 are already applied.
public struct Package: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var type: PackageType
    /// Already the repository's visibility for repository-scoped registries.
    public var visibility: Visibility
    public var versionCount: Int64
    public var createdAt: String
    public var updatedAt: String
    /// Name of the linked repository among the owner's `repositories`.
    public var repository: String?
    /// Canonical logins.
    public var readers: [String]
    public var inheritAccess: Bool
    /// Canonical logins with admin permission on the package (SPEC §14, §15).
    public var admins: [String]
    /// Declared versions, active and deleted; nil: `versionCount` generated ones (`generatedVersions`).
    /// With declared versions `versionCount` is the number of active ones.
    public var versions: [PackageVersion]?
    /// When the package was deleted; a deleted package is hidden from every read (SPEC §14, §17).
    public var deletedAt: String?
    public var dockerMigrationConflict: Bool

    public init(id: Int64, name: String, type: PackageType, visibility: Visibility = .public,
                versionCount: Int64 = 1, createdAt: String, updatedAt: String, repository: String? = nil,
                readers: [String] = [], inheritAccess: Bool = false, admins: [String] = [],
                versions: [PackageVersion]? = nil, deletedAt: String? = nil, dockerMigrationConflict: Bool = false) {
        self.id = id
        self.name = name
        self.type = type
        self.visibility = visibility
        self.versionCount = versionCount
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.repository = repository
        self.readers = readers
        self.inheritAccess = inheritAccess
        self.admins = admins
        self.versions = versions
        self.deletedAt = deletedAt
        self.dockerMigrationConflict = dockerMigrationConflict
        if let versions { self.versionCount = Int64(versions.count { $0.deletedAt == nil }) }
    }

    /// Every version, declared or generated (SPEC §14), in fixture order.
    public var allVersions: [PackageVersion] { versions ?? GeneratedVersions.versions(of: self) }

    /// Declares `versions` (generated ones become declared); `versionCount` follows the active ones.
    public mutating func replaceVersions(_ versions: [PackageVersion]) {
        self.versions = versions
        versionCount = Int64(versions.count { $0.deletedAt == nil })
    }
}

/// A version of a package (SPEC §14). Defaults are applied.
public struct PackageVersion: Sendable, Equatable {
    public var id: Int64
    public var name: String
    /// `container` and `docker` only.
    public var tags: [String]
    public var license: String?
    public var description: String?
    public var downloads: Int64
    public var createdAt: String
    public var updatedAt: String
    public var deletedAt: String?
    /// Container versions pushed to the registry: what their name's digest holds (SPEC §21).
    public var manifest: ManifestInfo?
    /// npm versions published to the registry or given a tarball by the fixtures (SPEC §22).
    public var npm: NpmVersionInfo?

    public init(id: Int64, name: String, tags: [String] = [], license: String? = nil, description: String? = nil,
                downloads: Int64 = 0, createdAt: String, updatedAt: String, deletedAt: String? = nil,
                manifest: ManifestInfo? = nil, npm: NpmVersionInfo? = nil) {
        self.id = id
        self.name = name
        self.tags = tags
        self.license = license
        self.description = description
        self.downloads = downloads
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deletedAt = deletedAt
        self.manifest = manifest
        self.npm = npm
    }
}

/// What an npm version holds beyond its REST fields (SPEC §22): its document as published, its tarball
/// (stored by SHA-256 beside the registry's blobs) and npm's two checksums of it. For npm versions `tags`
/// are the version's dist-tags.
public struct NpmVersionInfo: Sendable, Equatable {
    /// `versions[V]` as published (package.json's fields), without `dist` and `deprecated`.
    public var document: [JSONMember]
    public var tarball: Digest
    public var size: Int64
    /// SHA-1 as hex (`dist.shasum`) and `sha512-BASE64` (`dist.integrity`, Subresource Integrity).
    public var shasum: String
    public var integrity: String
    public var deprecated: String?

    public init(document: [JSONMember], tarball: Digest, size: Int64, shasum: String, integrity: String,
                deprecated: String? = nil) {
        self.document = document
        self.tarball = tarball
        self.size = size
        self.shasum = shasum
        self.integrity = integrity
        self.deprecated = deprecated
    }
}

/// The manifest behind a container version, whose name is its digest. Its bytes (at most 4 MiB, most a
/// few hundred) are kept with the version, so a pull is answered without touching the disk.
public struct ManifestInfo: Sendable, Equatable {
    public var mediaType: String
    public var bytes: [UInt8]

    public init(mediaType: String, bytes: [UInt8]) {
        self.mediaType = mediaType
        self.bytes = bytes
    }
}

/// A user file, validated.
public struct User: Sendable, Equatable {
    public var login: String
    public var id: Int64
    public var name: String?
    public var type: String
    public var siteAdmin: Bool
    public var enterprise: String?
    public var repositories: [Repository]
    public var packages: [Package]
    /// The account's `created_at` (and `updated_at`) in `GET /user` (SPEC §19); nil: the default.
    public var createdAt: String?

    public init(login: String, id: Int64, name: String? = nil, type: String = "User", siteAdmin: Bool = false,
                enterprise: String? = nil, repositories: [Repository] = [], packages: [Package] = [],
                createdAt: String? = nil) {
        self.login = login
        self.id = id
        self.name = name
        self.type = type
        self.siteAdmin = siteAdmin
        self.enterprise = enterprise
        self.repositories = repositories
        self.packages = packages
        self.createdAt = createdAt
    }

    public func repository(named name: String) -> Repository? {
        repositories.first { $0.name == name }
    }
}

/// An organisation file (SPEC §14), validated.
public struct Organization: Sendable, Equatable {
    public enum Role: String, CaseIterable, Sendable {
        case admin, member
    }

    public struct Member: Sendable, Equatable {
        /// Canonical login of a user.
        public var login: String
        public var role: Role

        public init(login: String, role: Role = .member) {
            self.login = login
            self.role = role
        }
    }

    public var login: String
    public var id: Int64
    public var name: String?
    public var enterprise: String?
    public var members: [Member]
    public var repositories: [Repository]
    public var packages: [Package]
    public var createdAt: String?

    public init(login: String, id: Int64, name: String? = nil, enterprise: String? = nil, members: [Member] = [],
                repositories: [Repository] = [], packages: [Package] = [], createdAt: String? = nil) {
        self.login = login
        self.id = id
        self.name = name
        self.enterprise = enterprise
        self.members = members
        self.repositories = repositories
        self.packages = packages
        self.createdAt = createdAt
    }

    public func repository(named name: String) -> Repository? {
        repositories.first { $0.name == name }
    }
}

/// A whole validated data set: what a fixtures directory (or, later, a control request) holds.
public struct FixtureSet: Sendable, Equatable {
    public var users: [User]
    public var orgs: [Organization]
    public var tokens: [Token]
    /// Registry content of `registry/` (SPEC §21): where each blob's file is.
    public var registry: RegistryContent

    public init(users: [User], orgs: [Organization] = [], tokens: [Token], registry: RegistryContent = RegistryContent()) {
        self.users = users
        self.orgs = orgs
        self.tokens = tokens
        self.registry = registry
    }
}
