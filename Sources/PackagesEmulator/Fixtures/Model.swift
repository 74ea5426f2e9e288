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

    public init(value: String, login: String?, scopes: [String], kind: TokenKind) {
        self.value = value
        self.login = login
        self.scopes = scopes
        self.kind = kind
    }
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

    public init(id: Int64, name: String, type: PackageType, visibility: Visibility = .public,
                versionCount: Int64 = 1, createdAt: String, updatedAt: String, repository: String? = nil,
                readers: [String] = [], inheritAccess: Bool = false) {
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

    public init(login: String, id: Int64, name: String? = nil, type: String = "User", siteAdmin: Bool = false,
                enterprise: String? = nil, repositories: [Repository] = [], packages: [Package] = []) {
        self.login = login
        self.id = id
        self.name = name
        self.type = type
        self.siteAdmin = siteAdmin
        self.enterprise = enterprise
        self.repositories = repositories
        self.packages = packages
    }

    public func repository(named name: String) -> Repository? {
        repositories.first { $0.name == name }
    }
}

/// A whole validated data set: what a fixtures directory (or, later, a control request) holds.
public struct FixtureSet: Sendable, Equatable {
    public var users: [User]
    public var tokens: [Token]

    public init(users: [User], tokens: [Token]) {
        self.users = users
        self.tokens = tokens
    }
}
