/// A data set as one document in the `PUT /_emulator/fixtures` format (SPEC §20): what
/// `GET /_emulator/fixtures/export` answers, and what a test may save as fixtures.
///
/// Keys come in the fixture format's order and defaults are written out, so the document reads like a
/// fixture file. Generated versions are written as explicit `versions` (and so without `version_count`),
/// deleted packages and versions with their `deleted_at`. Validating the document gives the same data set
/// back, except that a package's `versions` are then always declared (`allVersions`).
public enum FixtureExport {
    /// `{"tokens": [...], "users": [...], "orgs": [...]}` of `fixtures`.
    public static func document(_ fixtures: FixtureSet) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key("tokens")
        json.beginArray()
        for token in fixtures.tokens { write(token, to: &json) }
        json.endArray()
        json.key("users")
        json.beginArray()
        for user in fixtures.users { write(user, to: &json) }
        json.endArray()
        json.key("orgs")
        json.beginArray()
        for org in fixtures.orgs { write(org, to: &json) }
        json.endArray()
        json.endObject()
        var bytes = json.bytes
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// The same data set as a fixtures directory: `tokens.json`, `users/<login>.json`, `orgs/<login>.json`.
    public static func files(_ fixtures: FixtureSet) -> [(path: String, bytes: [UInt8])] {
        func document(_ write: (inout JSONWriter) -> Void) -> [UInt8] {
            var json = JSONWriter()
            write(&json)
            return json.bytes + [UInt8(ascii: "\n")]
        }
        var files: [(path: String, bytes: [UInt8])] = [("tokens.json", document { json in
            json.beginObject()
            json.key("tokens")
            json.beginArray()
            for token in fixtures.tokens { write(token, to: &json) }
            json.endArray()
            json.endObject()
        })]
        for user in fixtures.users { files.append(("users/\(user.login).json", document { write(user, to: &$0) })) }
        for org in fixtures.orgs { files.append(("orgs/\(org.login).json", document { write(org, to: &$0) })) }
        return files
    }

    private static func write(_ token: Token, to json: inout JSONWriter) {
        json.beginObject()
        json.key("token")
        json.string(token.value)
        if let login = token.login {
            json.key("login")
            json.string(login)
        }
        json.key("scopes")
        strings(token.scopes, to: &json)
        // Always explicit: a token whose kind differs from its prefix's must keep it.
        json.key("kind")
        json.string(token.kind.rawValue)
        if let repository = token.repository {
            json.key("repository")
            json.string(repository)
        }
        json.endObject()
    }

    private static func write(_ user: User, to json: inout JSONWriter) {
        json.beginObject()
        json.key("login")
        json.string(user.login)
        json.key("id")
        json.int(user.id)
        json.key("name")
        json.optionalString(user.name)
        json.key("type")
        json.string(user.type)
        json.key("site_admin")
        json.bool(user.siteAdmin)
        json.key("enterprise")
        json.optionalString(user.enterprise)
        json.key("repositories")
        repositories(user.repositories, to: &json)
        json.key("packages")
        packages(user.packages, to: &json)
        if let createdAt = user.createdAt {
            json.key("created_at")
            json.string(createdAt)
        }
        json.endObject()
    }

    private static func write(_ org: Organization, to json: inout JSONWriter) {
        json.beginObject()
        json.key("login")
        json.string(org.login)
        json.key("id")
        json.int(org.id)
        json.key("name")
        json.optionalString(org.name)
        json.key("enterprise")
        json.optionalString(org.enterprise)
        json.key("members")
        json.beginArray()
        for member in org.members {
            json.beginObject()
            json.key("login")
            json.string(member.login)
            json.key("role")
            json.string(member.role.rawValue)
            json.endObject()
        }
        json.endArray()
        json.key("repositories")
        repositories(org.repositories, to: &json)
        json.key("packages")
        packages(org.packages, to: &json)
        if let createdAt = org.createdAt {
            json.key("created_at")
            json.string(createdAt)
        }
        json.endObject()
    }

    private static func repositories(_ repositories: [Repository], to json: inout JSONWriter) {
        json.beginArray()
        for repository in repositories {
            json.beginObject()
            json.key("name")
            json.string(repository.name)
            json.key("id")
            json.int(repository.id)
            json.key("private")
            json.bool(repository.isPrivate)
            json.key("description")
            json.optionalString(repository.description)
            json.key("collaborators")
            strings(repository.collaborators, to: &json)
            json.endObject()
        }
        json.endArray()
    }

    private static func packages(_ packages: [Package], to json: inout JSONWriter) {
        json.beginArray()
        for package in packages {
            json.beginObject()
            json.key("id")
            json.int(package.id)
            json.key("name")
            json.string(package.name)
            json.key("package_type")
            json.string(package.type.rawValue)
            json.key("visibility")
            json.string(package.visibility.rawValue)
            json.key("created_at")
            json.string(package.createdAt)
            json.key("updated_at")
            json.string(package.updatedAt)
            json.key("repository")
            json.optionalString(package.repository)
            json.key("readers")
            strings(package.readers, to: &json)
            json.key("inherit_access")
            json.bool(package.inheritAccess)
            json.key("admins")
            strings(package.admins, to: &json)
            json.key("versions")
            versions(package.allVersions, type: package.type, to: &json)
            if let deletedAt = package.deletedAt {
                json.key("deleted_at")
                json.string(deletedAt)
            }
            json.key("docker_migration_conflict")
            json.bool(package.dockerMigrationConflict)
            json.endObject()
        }
        json.endArray()
    }

    private static func versions(_ versions: [PackageVersion], type: PackageType, to json: inout JSONWriter) {
        json.beginArray()
        for version in versions {
            json.beginObject()
            json.key("id")
            json.int(version.id)
            json.key("name")
            json.string(version.name)
            // Only container and docker versions may have `tags`, even an empty list.
            if type == .container || type == .docker {
                json.key("tags")
                strings(version.tags, to: &json)
            }
            if let license = version.license {
                json.key("license")
                json.string(license)
            }
            if let description = version.description {
                json.key("description")
                json.string(description)
            }
            json.key("downloads")
            json.int(version.downloads)
            json.key("created_at")
            json.string(version.createdAt)
            json.key("updated_at")
            json.string(version.updatedAt)
            if let deletedAt = version.deletedAt {
                json.key("deleted_at")
                json.string(deletedAt)
            }
            json.endObject()
        }
        json.endArray()
    }

    private static func strings(_ values: [String], to json: inout JSONWriter) {
        json.beginArray()
        for value in values { json.string(value) }
        json.endArray()
    }
}
