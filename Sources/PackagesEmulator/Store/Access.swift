/// Who is asking, as the read and admin rules of SPEC §5 and §15 see it.
enum Requester {
    /// No token: only the routes that allow it get here (conflicts), and they show public packages.
    case anonymous
    /// An installation token (`ghs_`, `GITHUB_TOKEN`): its repository, lowercased `owner/name`.
    case installation(repository: String?)
    /// A user, through a classic, fine-grained or app user-to-server token.
    case user(Owner)
}

/// Who may read and administer one package besides its owner (SPEC §5, §15).
struct AccessRule: Sendable {
    let isPublic: Bool
    /// Lowercased logins: `readers`, `admins` and collaborators of the linked repository where they count.
    let explicitReaders: Set<String>
    /// Internal packages: every member of the owner's enterprise and of the owning organisation.
    let widelyReadable: Bool
    /// Lowercased logins of the package's `admins`.
    let admins: Set<String>
    /// Lowercased `owner/name` of the linked repository, for installation tokens.
    let repository: String?

    /// `repositoryKeys`: lowercased `owner/name` per repository name, made once per owner so that
    /// packages share the strings.
    init(package: Package, owner: Owner, repositories: [Repository], profile: Profile,
         repositoryKeys: [String: String] = [:]) {
        let linked = package.repository.flatMap { name in repositories.first { $0.name == name } }
        let collaborators = linked?.collaborators ?? []
        repository = linked.map { repositoryKeys[$0.name] ?? "\(owner.login)/\($0.name)".asciiLowercased() }
        admins = Set(package.admins.map { $0.asciiLowercased() })
        switch package.visibility {
        case .public:
            isPublic = true
            explicitReaders = []
            widelyReadable = false
        case .private:
            isPublic = false
            widelyReadable = false
            if package.type.isRepositoryScoped(in: profile) {
                // Access is the repository's.
                explicitReaders = Set(collaborators.map { $0.asciiLowercased() })
            } else {
                let inherited = package.inheritAccess ? collaborators : []
                explicitReaders = Set((package.readers + inherited).map { $0.asciiLowercased() }).union(admins)
            }
        case .internal:
            isPublic = false
            // `inherit_access` widens private packages only (SPEC §15).
            widelyReadable = true
            explicitReaders = Set(package.readers.map { $0.asciiLowercased() }).union(admins)
        }
    }

    /// Whether the user `login` (lowercased), `wide` when in the owner's enterprise or organisation,
    /// may read the package; the owner and organisation admins are decided before.
    func readable(by login: String, wide: Bool) -> Bool {
        isPublic || explicitReaders.contains(login) || (wide && widelyReadable)
    }

    func canRead(_ requester: Requester, owner: Owner) -> Bool {
        switch requester {
        case .anonymous: return isPublic
        case .installation(let repository): return isPublic || (repository != nil && repository == self.repository)
        case .user(let user):
            let login = user.login.asciiLowercased()
            return owner.isAdministered(by: login) || readable(by: login, wide: Self.isWide(user, for: owner))
        }
    }

    /// Admin on the package: deletes, restores and `state=deleted` (SPEC §15).
    func isAdmin(_ requester: Requester, owner: Owner) -> Bool {
        switch requester {
        case .anonymous: return false
        case .installation(let repository): return repository != nil && repository == self.repository
        case .user(let user):
            let login = user.login.asciiLowercased()
            return owner.isAdministered(by: login) || admins.contains(login)
        }
    }

    /// Members of the owning organisation and users of the owner's enterprise read internal packages.
    static func isWide(_ user: Owner, for owner: Owner) -> Bool {
        owner.members.contains(user.login.asciiLowercased())
            || (owner.enterprise != nil && user.enterprise == owner.enterprise)
    }
}
