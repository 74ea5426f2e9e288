#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Renders a package object in GitHub's key order (SPEC §8), once per API version, at load.
///
/// Shapes follow GitHub's examples for "List packages for a user"
/// (https://docs.github.com/rest/packages/packages#list-packages-for-a-user): `owner` is a
/// simple-user, `repository` a minimal-repository.
struct PackageRenderer {
    let webURL: String

    /// What a user's packages embed, rendered once per user: the owner object and each repository
    /// object per API version.
    struct Parts {
        let owner: Template
        let repositories: [String: PerVersion<Template>]
    }

    func parts(of user: Owner, repositories userRepositories: [Repository]) -> Parts {
        // A package sits in the page's array (depth 1); its members, `owner` among them, at depth 2;
        // a repository's members, its `owner` among them, at depth 3.
        let ownerInPackage = owner(user, depth: 2)
        let ownerInRepository = owner(user, depth: 3)
        var repositories: [String: PerVersion<Template>] = [:]
        for repository in userRepositories {
            repositories[repository.name] = PerVersion { version in
                self.repository(repository, of: user, owner: ownerInRepository, version: version)
            }
        }
        return Parts(owner: ownerInPackage, repositories: repositories)
    }

    /// The package per API version. The versions differ only in the embedded repository object, so
    /// they share every other byte (and are one template when there is no repository).
    func render(_ package: Package, of owner: Owner, parts: Parts) -> PerVersion<Template> {
        let first = render(package, of: owner, parts: parts, version: .v2022_11_28)
        guard let linked = package.repository, let repository = parts.repositories[linked] else {
            return PerVersion { _ in first }
        }
        return PerVersion { version in
            version == .v2022_11_28
                ? first : first.replacing(repository[.v2022_11_28], with: repository[version])
        }
    }

    func render(_ package: Package, of owner: Owner, parts: Parts, version: APIVersion) -> Template {
        var json = JSONWriter(depth: 1)
        let login = owner.login
        let type = package.type.rawValue
        let name = Self.pathSegment(package.name)
        json.beginObject()
        json.key("id")
        json.int(package.id)
        json.key("name")
        json.string(package.name)
        json.key("package_type")
        json.string(type)
        json.key("owner")
        json.embed(parts.owner)
        json.key("version_count")
        json.int(package.versionCount)
        json.key("visibility")
        json.string(package.visibility.rawValue)
        json.key("url")
        json.apiString("/\(owner.pathPrefix)/\(login)/packages/\(type)/\(name)")
        json.key("created_at")
        json.string(package.createdAt)
        json.key("updated_at")
        json.string(package.updatedAt)
        if let linked = package.repository, let repository = parts.repositories[linked]?[version] {
            json.key("repository")
            json.embed(repository)
        }
        json.key("html_url")
        json.string("\(webURL)/\(owner.pathPrefix)/\(login)/packages/\(type)/package/\(name)")
        json.endObject()
        return json.template
    }

    /// A complete simple-user, as GitHub forms its URLs; organisations too (SPEC §18).
    func owner(_ user: Owner, depth: Int) -> Template {
        var json = JSONWriter(depth: depth)
        json.beginObject()
        simpleUserMembers(user, into: &json)
        json.endObject()
        return json.template
    }

    /// The members of a simple-user, which `public-user` begins with too (SPEC §19).
    func simpleUserMembers(_ user: Owner, into json: inout JSONWriter) {
        let base = "/users/\(user.login)"
        json.key("login")
        json.string(user.login)
        json.key("id")
        json.int(user.id)
        json.key("node_id")
        json.string(Self.nodeID(user.isOrganization ? "012:Organization\(user.id)" : "04:User\(user.id)"))
        json.key("avatar_url")
        json.string("https://avatars.githubusercontent.com/u/\(user.id)?v=4")
        json.key("gravatar_id")
        json.string("")
        json.key("url")
        json.apiString(base)
        json.key("html_url")
        json.string("\(webURL)/\(user.login)")
        for (key, suffix) in Self.userURLs {
            json.key(key)
            json.apiString(base + suffix)
        }
        json.key("type")
        json.string(user.type)
        json.key("user_view_type")
        json.string("public")
        json.key("site_admin")
        json.bool(user.siteAdmin)
    }

    static let userURLs: [(String, String)] = [
        ("followers_url", "/followers"),
        ("following_url", "/following{/other_user}"),
        ("gists_url", "/gists{/gist_id}"),
        ("starred_url", "/starred{/owner}{/repo}"),
        ("subscriptions_url", "/subscriptions"),
        ("organizations_url", "/orgs"),
        ("repos_url", "/repos"),
        ("events_url", "/events{/privacy}"),
        ("received_events_url", "/received_events"),
    ]

    /// A complete minimal-repository: its 46 required fields, plus `has_downloads` on 2022-11-28
    /// (removed from the 2026-03-10 schema).
    func repository(_ repository: Repository, of user: Owner, owner: Template, version: APIVersion) -> Template {
        let fullName = "\(user.login)/\(repository.name)"
        let base = "/repos/\(fullName)"
        var json = JSONWriter(depth: 2)
        json.beginObject()
        json.key("id")
        json.int(repository.id)
        json.key("node_id")
        json.string(Self.nodeID("010:Repository\(repository.id)"))
        json.key("name")
        json.string(repository.name)
        json.key("full_name")
        json.string(fullName)
        json.key("owner")
        json.embed(owner)
        json.key("private")
        json.bool(repository.isPrivate)
        json.key("html_url")
        json.string("\(webURL)/\(fullName)")
        json.key("description")
        json.optionalString(repository.description)
        json.key("fork")
        json.bool(false)
        json.key("url")
        json.apiString(base)
        for (key, suffix) in Self.repositoryURLs {
            json.key(key)
            json.apiString(base + suffix)
        }
        if version == .v2022_11_28 {
            json.key("has_downloads")
            json.bool(true)
        }
        json.endObject()
        return json.template
    }

    static let repositoryURLs: [(String, String)] = [
        ("archive_url", "/{archive_format}{/ref}"),
        ("assignees_url", "/assignees{/user}"),
        ("blobs_url", "/git/blobs{/sha}"),
        ("branches_url", "/branches{/branch}"),
        ("collaborators_url", "/collaborators{/collaborator}"),
        ("comments_url", "/comments{/number}"),
        ("commits_url", "/commits{/sha}"),
        ("compare_url", "/compare/{base}...{head}"),
        ("contents_url", "/contents/{+path}"),
        ("contributors_url", "/contributors"),
        ("deployments_url", "/deployments"),
        ("downloads_url", "/downloads"),
        ("events_url", "/events"),
        ("forks_url", "/forks"),
        ("git_commits_url", "/git/commits{/sha}"),
        ("git_refs_url", "/git/refs{/sha}"),
        ("git_tags_url", "/git/tags{/sha}"),
        ("issue_comment_url", "/issues/comments{/number}"),
        ("issue_events_url", "/issues/events{/number}"),
        ("issues_url", "/issues{/number}"),
        ("keys_url", "/keys{/key_id}"),
        ("labels_url", "/labels{/name}"),
        ("languages_url", "/languages"),
        ("merges_url", "/merges"),
        ("milestones_url", "/milestones{/number}"),
        ("notifications_url", "/notifications{?since,all,participating}"),
        ("pulls_url", "/pulls{/number}"),
        ("releases_url", "/releases{/id}"),
        ("stargazers_url", "/stargazers"),
        ("statuses_url", "/statuses/{sha}"),
        ("subscribers_url", "/subscribers"),
        ("subscription_url", "/subscription"),
        ("tags_url", "/tags"),
        ("teams_url", "/teams"),
        ("trees_url", "/git/trees{/sha}"),
        ("hooks_url", "/hooks"),
    ]

    /// GitHub's legacy global node id: base64 of `04:User583231` is `MDQ6VXNlcjU4MzIzMQ==`.
    static func nodeID(_ legacy: String) -> String {
        Data(legacy.utf8).base64EncodedString()
    }

    /// A package name as one URL path segment: container names may hold `/`, which GitHub encodes.
    static func pathSegment(_ name: String, keeping kept: [UInt8] = []) -> String {
        var out = ""
        for byte in name.utf8 {
            if kept.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
                continue
            }
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }
}
