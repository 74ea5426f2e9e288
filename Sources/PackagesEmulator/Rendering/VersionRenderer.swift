/// Renders a package version in the key order of GitHub's examples (SPEC §18): `id`, `name`, `url`,
/// `package_html_url`, `license`, `created_at`, `updated_at`, `deleted_at`, `description`, `html_url`,
/// `metadata`; the optional ones only when set.
struct VersionRenderer: Sendable {
    /// What every version of one package shares.
    struct Context: Sendable {
        let prefix: String
        let login: String
        let packageID: Int64
        let type: PackageType
        let name: String
        /// `package_html_url`, which `html_url` of a non-container version extends.
        let packageHTMLURL: String
    }

    let webURL: String

    func context(of package: Package, owner: Owner) -> Context {
        let name = PackageRenderer.pathSegment(package.name)
        let owned = "\(webURL)/\(owner.pathPrefix)/\(owner.login)/packages"
        // Seen in real answers: containers link the package page; others the repository's packages page.
        let html = package.type != .container && package.repository != nil
            ? "\(webURL)/\(owner.login)/\(package.repository ?? "")/packages/\(package.id)"
            : "\(owned)/\(package.type.rawValue)/package/\(name)"
        return Context(prefix: owner.pathPrefix, login: owner.login, packageID: package.id, type: package.type,
                       name: name, packageHTMLURL: html)
    }

    /// A version at `depth` 1 (an element of the page's array).
    func render(_ version: PackageVersion, _ context: Context) -> Template {
        var json = JSONWriter(depth: 1)
        json.beginObject()
        json.key("id")
        json.int(version.id)
        json.key("name")
        json.string(version.name)
        json.key("url")
        json.apiString("/\(context.prefix)/\(context.login)/packages/\(context.type.rawValue)/\(context.name)"
                       + "/versions/\(version.id)")
        json.key("package_html_url")
        json.string(context.packageHTMLURL)
        if let license = version.license {
            json.key("license")
            json.string(license)
        }
        json.key("created_at")
        json.string(version.createdAt)
        json.key("updated_at")
        json.string(version.updatedAt)
        if let deletedAt = version.deletedAt {
            json.key("deleted_at")
            json.string(deletedAt)
        }
        if let description = version.description {
            json.key("description")
            json.string(description)
        }
        json.key("html_url")
        json.string(context.type == .container
            ? "\(webURL)/\(context.prefix)/\(context.login)/packages/container/\(context.name)/\(version.id)"
            : context.packageHTMLURL + "?version=" + Self.queryValue(version.name))
        json.key("metadata")
        json.beginObject()
        json.key("package_type")
        json.string(context.type.rawValue)
        // Tools read `metadata.container.tags` unconditionally: always present for containers.
        // `docker.tag` is the property GitHub's description defines (its `required: [tags]` is a defect).
        if context.type == .container || context.type == .docker {
            json.key(context.type == .container ? "container" : "docker")
            json.beginObject()
            json.key(context.type == .container ? "tags" : "tag")
            json.beginArray()
            for tag in version.tags { json.string(tag) }
            json.endArray()
            json.endObject()
        }
        json.endObject()
        json.endObject()
        return json.template
    }

    /// A version name as a query value: as `pathSegment`, but `:` and `@` stay as they are (RFC 3986
    /// §3.4 allows both in a query), so `sha256:…` reads as GitHub shows it.
    static func queryValue(_ name: String) -> String {
        PackageRenderer.pathSegment(name, keeping: [UInt8(ascii: ":"), UInt8(ascii: "@")])
    }
}
