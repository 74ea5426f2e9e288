/// A data set built from GitHub's own answers (`github-packages-emulator import`, issue 13): accounts
/// from `GET /users/{login}`, packages from the listings, versions from the version lists. What the API
/// does not show (readers, collaborators, package admins, members, enterprises) stays at its default and
/// is listed in `notes`, for `IMPORTED.md`.
public struct FixtureImport {
    public private(set) var users: [User] = []
    public private(set) var orgs: [Organization] = []
    /// What was left out or assumed, one line each.
    public private(set) var notes: [String] = []
    /// What `grantReads(to:)` added so that the importing login reads what it read, one line each.
    public private(set) var grants: [String] = []

    public init() {}

    /// An owner from `GET /users/{login}`; its index among users or orgs, or why it cannot be one.
    public mutating func addOwner(_ account: JSONValue) -> Result<(isOrg: Bool, login: String), ImportFailure> {
        guard case .string(let login)? = account["login"], case .number(let number)? = account["id"],
              let id = number.int64Value else {
            return .failure(ImportFailure("an account without login or id"))
        }
        let name: String? = if case .string(let text)? = account["name"] { text } else { nil }
        let created: String? = if case .string(let text)? = account["created_at"], FixtureRules.dateProblem(text) == nil {
            text
        } else { nil }
        if case .string("Organization")? = account["type"] {
            orgs.append(Organization(login: login, id: id, name: name, createdAt: created))
            return .success((true, login))
        }
        let siteAdmin = account["site_admin"] == .bool(true)
        users.append(User(login: login, id: id, name: name, siteAdmin: siteAdmin, createdAt: created))
        return .success((false, login))
    }

    /// Makes `login` (an imported user) an admin member of every imported organisation: the API does not
    /// show members, and the importing token's user could read what it imported.
    public mutating func addAdmin(_ login: String) {
        for index in orgs.indices where !orgs[index].members.contains(where: { $0.login == login }) {
            orgs[index].members.append(.init(login: login, role: .admin))
        }
    }

    /// Lets `login`, whose token made the import, read every package of another user that it read on the
    /// source (issue 20). The API does not say why a token may read a package, so each private or internal
    /// one gets the narrowest grant that lets `login` read it and changes no one else's answers: a
    /// collaborator of the linked repository for the repository-scoped registries (access is the
    /// repository's, SPEC §15), a reader otherwise. Organisations' packages are read through `addAdmin`.
    public mutating func grantReads(to login: String) {
        let key = login.asciiLowercased()
        for user in users.indices where users[user].login.asciiLowercased() != key {
            let owner = users[user].login
            for index in users[user].packages.indices where users[user].packages[index].visibility != .public {
                let package = users[user].packages[index]
                let place = "`\(owner)/\(package.type.rawValue)/\(package.name)`"
                if package.type.isRepositoryScoped(in: .dotcom) {
                    guard let name = package.repository,
                          let linked = users[user].repositories.firstIndex(where: { $0.name == name }),
                          !users[user].repositories[linked].collaborators.contains(login) else { continue }
                    users[user].repositories[linked].collaborators.append(login)
                    grants.append("\(login) is a collaborator of `\(owner)/\(name)`, so it reads \(place).")
                } else if !package.readers.contains(login) {
                    users[user].packages[index].readers.append(login)
                    grants.append("\(login) is a reader of \(place).")
                }
            }
        }
    }

    /// A package of a listing, with its versions (newest first, as GitHub lists them), to the owner `login`.
    public mutating func addPackage(_ value: JSONValue, versions: [JSONValue], owner login: String) {
        guard case .number(let idNumber)? = value["id"], let id = idNumber.int64Value,
              case .string(let name)? = value["name"], case .string(let typeName)? = value["package_type"],
              let type = PackageType(rawValue: typeName),
              case .string(let created)? = value["created_at"], case .string(let updated)? = value["updated_at"]
        else {
            notes.append("A package of \(login) without id, name, package_type or dates was left out.")
            return
        }
        var repository: Repository?
        if case .object = value["repository"], let repo = value["repository"] {
            let repoOwner: String? = if case .string(let text)? = repo["owner"]?["login"] { text } else { nil }
            if case .string(let repoName)? = repo["name"], case .number(let repoID)? = repo["id"],
               let repoIDValue = repoID.int64Value, repoOwner?.asciiLowercased() == login.asciiLowercased() {
                let description: String? = if case .string(let text)? = repo["description"] { text } else { nil }
                repository = Repository(name: repoName, id: repoIDValue, isPrivate: repo["private"] == .bool(true),
                                        description: description)
            } else {
                notes.append("\(login)/\(typeName)/\(name): its repository belongs to another owner; the link was left out.")
            }
        }
        var visibility = Visibility(rawValue: { if case .string(let text)? = value["visibility"] { text } else { "public" } }())
            ?? .public
        if let repository, type.isRepositoryScoped(in: .dotcom) { visibility = repository.isPrivate ? .private : .public }
        if type.isRepositoryScoped(in: .dotcom) && repository == nil {
            notes.append("\(login)/\(typeName)/\(name): a \(typeName) package needs its repository, which the answer "
                         + "did not show; left out.")
            return
        }
        let imported = versions.compactMap { version(from: $0, type: type, package: "\(login)/\(typeName)/\(name)") }
        let package = Package(id: id, name: name, type: type, visibility: visibility, createdAt: created,
                              updatedAt: updated, repository: repository?.name, versions: imported)
        if let index = users.firstIndex(where: { $0.login == login }) {
            users[index].packages.append(package)
            if let repository, users[index].repository(named: repository.name) == nil {
                users[index].repositories.append(repository)
            }
        } else if let index = orgs.firstIndex(where: { $0.login == login }) {
            orgs[index].packages.append(package)
            if let repository, orgs[index].repository(named: repository.name) == nil {
                orgs[index].repositories.append(repository)
            }
        }
    }

    private mutating func version(from value: JSONValue, type: PackageType, package: String) -> PackageVersion? {
        guard case .number(let idNumber)? = value["id"], let id = idNumber.int64Value,
              case .string(let name)? = value["name"],
              case .string(let created)? = value["created_at"], case .string(let updated)? = value["updated_at"]
        else {
            notes.append("\(package): a version without id, name or dates was left out.")
            return nil
        }
        var tags: [String] = []
        let metadata = value["metadata"]
        let list = type == .container ? metadata?["container"]?["tags"] : metadata?["docker"]?["tag"]
        if case .array(let items)? = list {
            tags = items.compactMap { if case .string(let tag) = $0 { tag } else { nil } }
        }
        let license: String? = if case .string(let text)? = value["license"] { text } else { nil }
        let description: String? = if case .string(let text)? = value["description"] { text } else { nil }
        let deleted: String? = if case .string(let text)? = value["deleted_at"] { text } else { nil }
        return PackageVersion(id: id, name: name, tags: tags, license: license, description: description,
                              createdAt: created, updatedAt: updated, deletedAt: deleted)
    }

    /// The data set, with one placeholder token per imported user (never the token used to import).
    public func fixtureSet() -> FixtureSet {
        let tokens = users.map { user in
            Token(value: Self.placeholderToken(for: user.login), login: user.login,
                  scopes: ["read:packages", "write:packages", "delete:packages", "repo"], kind: .classic)
        }
        return FixtureSet(users: users, orgs: orgs, tokens: tokens)
    }

    /// `ghp_imported_<login>`: a placeholder, never a real token.
    public static func placeholderToken(for login: String) -> String {
        "ghp_imported_" + login.asciiLowercased().replacingHyphens()
    }
}

/// Why an import cannot go on: the route, the status and GitHub's message.
public struct ImportFailure: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension String {
    fileprivate func replacingHyphens() -> String {
        String(decoding: utf8.map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "_") : $0 }, as: UTF8.self)
    }
}
