import Foundation
import Testing
@testable import PackagesEmulator

/// SPEC §5's privacy rule on every read route (SPEC §15, §16): over random data sets of users and
/// organisations, a package the requester may not read (private, internal, deleted) is answered exactly
/// as one that does not exist — on get, versions, a version, lists and conflicts: same status, body,
/// `Link` and `ETag` as a data set without it — and what is readable follows §15's table written out plainly.
@Suite struct PrivacyRoutesPropertyTests {
    typealias Random = PrivacyPropertyTests.Random

    struct GenPackage {
        var id: Int; var name: String; var type: String; var visibility: String; var repository: String?
        var readers: [String]; var admins: [String]; var inherit: Bool; var deleted: Bool; var conflict: Bool
        var versions: Int
    }
    struct GenOwner {
        var login: String; var isOrg: Bool; var enterprise: String?
        /// Organisations: member login → admin?
        var members: [String: Bool]
        var repositories: [(name: String, isPrivate: Bool, collaborators: [String])]
        var packages: [GenPackage]
    }

    static let types = ["npm", "maven", "container"]

    static func generate(_ random: inout Random) -> [GenOwner] {
        let users = (0..<random.int(2..<5)).map { "user\($0)" }
        var number = 0
        let owners = users.map { ($0, false) } + (0..<random.int(1..<3)).map { ("org\($0)", true) }
        return owners.map { login, isOrg in
            var members: [String: Bool] = [:]
            if isOrg { for user in random.subset(users) + [random.pick(users)] { members[user] = random.bool() } }
            let others = users.filter { $0 != login }
            let repositories = (0..<random.int(1..<3)).map { index in
                (name: "repo\(index)", isPrivate: random.bool(), collaborators: random.subset(others))
            }
            var packages: [GenPackage] = []
            for _ in 0..<random.int(1..<7) {
                number += 1
                let type = random.pick(types)
                let repository = random.pick(repositories)
                let granular = type != "maven"
                packages.append(GenPackage(
                    id: number, name: "pkg\(number)", type: type,
                    visibility: granular ? random.pick(["public", "private", "internal"])
                        : (repository.isPrivate ? "private" : "public"),
                    repository: granular && random.bool() ? nil : repository.name,
                    readers: granular ? random.subset(others) : [], admins: granular ? random.subset(others) : [],
                    inherit: false, deleted: random.int(0..<5) == 0, conflict: random.bool(),
                    versions: random.int(1..<4)))
                if granular, packages[packages.count - 1].repository != nil { packages[packages.count - 1].inherit = random.bool() }
            }
            return GenOwner(login: login, isOrg: isOrg, enterprise: random.pick([nil, "acme"]), members: members,
                            repositories: repositories, packages: packages)
        }
    }

    static func document(_ owners: [GenOwner]) throws -> [UInt8] {
        var repositoryID = 10_000
        func object(_ owner: GenOwner, id: Int) -> [String: Any] {
            var object: [String: Any] = ["login": owner.login, "id": id]
            if let enterprise = owner.enterprise { object["enterprise"] = enterprise }
            if owner.isOrg {
                object["members"] = owner.members.sorted { $0.key < $1.key }.map { ["login": $0.key, "role": $0.value ? "admin" : "member"] }
            }
            object["repositories"] = owner.repositories.map { repository -> [String: Any] in
                repositoryID += 1
                return ["name": repository.name, "id": repositoryID, "private": repository.isPrivate,
                        "collaborators": repository.collaborators]
            }
            object["packages"] = owner.packages.map { package -> [String: Any] in
                var object: [String: Any] = [
                    "id": 100 + package.id, "name": package.name, "package_type": package.type,
                    "visibility": package.visibility, "version_count": package.versions,
                    "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z",
                    "docker_migration_conflict": package.conflict,
                ]
                if let repository = package.repository { object["repository"] = repository }
                if !package.readers.isEmpty { object["readers"] = package.readers }
                if !package.admins.isEmpty { object["admins"] = package.admins }
                if package.inherit { object["inherit_access"] = true }
                if package.deleted { object["deleted_at"] = "2024-02-01T00:00:00Z" }
                return object
            }
            return object
        }
        let users = owners.enumerated().filter { !$0.element.isOrg }.map { object($0.element, id: $0.offset + 1) }
        let orgs = owners.enumerated().filter { $0.element.isOrg }.map { object($0.element, id: $0.offset + 1) }
        let tokens = owners.filter { !$0.isOrg }.map {
            ["token": "ghp_\($0.login)", "login": $0.login, "scopes": ["read:packages", "repo"]]
        }
        return Array(try JSONSerialization.data(withJSONObject: ["tokens": tokens, "users": users, "orgs": orgs]))
    }

    /// The reference: SPEC §15's read table, written out plainly.
    static func mayRead(_ reader: GenOwner, _ owner: GenOwner, _ package: GenPackage) -> Bool {
        if package.deleted { return false }
        if reader.login == owner.login || owner.members[reader.login] == true { return true }
        let repository = owner.repositories.first { $0.name == package.repository }
        let collaborator = repository?.collaborators.contains(reader.login) ?? false
        let named = package.readers.contains(reader.login) || package.admins.contains(reader.login)
        if package.type == "maven" { return package.visibility == "public" || collaborator }
        switch package.visibility {
        case "public": return true
        case "private": return named || (package.inherit && collaborator)
        default:
            return named || owner.members[reader.login] != nil
                || (owner.enterprise != nil && owner.enterprise == reader.enterprise)
        }
    }

    static func emulator(_ owners: [GenOwner]) throws -> Emulator {
        let loaded = FixtureLoader.validate(document: try document(owners), name: "generated.json", profile: .dotcom)
        let fixtures = try #require(loaded.fixtures, "\(loaded.errors)")
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
        return Emulator(store: Store(fixtures, profile: .dotcom), config: EmulatorConfig(clock: { 1_700_000_000 }))
    }

    @Test func unreadablePackagesAreIndistinguishableFromAbsentOnes() throws {
        var random = Random(state: 0x5EED_0010)
        var readable = 0
        var hidden = 0
        for round in 0..<150 {
            let owners = Self.generate(&random)
            let emulator = try Self.emulator(owners)
            for reader in owners where !reader.isOrg {
                let stripped = owners.map { owner in
                    var copy = owner
                    copy.packages = owner.packages.filter { Self.mayRead(reader, owner, $0) }
                    return copy
                }
                let blind = try Self.emulator(stripped)
                for owner in owners {
                    let segment = owner.isOrg && random.bool() ? "/orgs/\(owner.login)" : "/users/\(owner.login)"
                    var targets = Self.types.map { "\(segment)/packages?package_type=\($0)&per_page=\(random.pick([1, 100]))" }
                    targets.append("\(segment)/docker/conflicts")
                    for package in owner.packages {
                        let base = "\(segment)/packages/\(package.type)/\(random.bool() ? package.name.uppercased() : package.name)"
                        targets += [base, "\(base)/versions?per_page=2", "\(base)/versions/\((100 + package.id) * 100_000 + 1)"]
                        let allowed = Self.mayRead(reader, owner, package)
                        let answer = emulator.respond(to: Self.request(base, reader))
                        #expect((answer.status == 200) == allowed, "round \(round) \(reader.login) \(base)")
                        if allowed { readable += 1 } else { hidden += 1 }
                    }
                    for target in targets {
                        let answer = emulator.respond(to: Self.request(target, reader))
                        let reference = blind.respond(to: Self.request(target, reader))
                        let context = "round \(round) reader \(reader.login) \(target)"
                        #expect(answer.status == reference.status, "\(context)")
                        #expect(answer.body == reference.body, "\(context)")
                        #expect(answer.header("Link") == reference.header("Link"), "\(context)")
                        #expect(answer.header("ETag") == reference.header("ETag"), "\(context)")
                    }
                }
            }
        }
        #expect(readable > 500)
        #expect(hidden > 500)
    }

    static func request(_ target: String, _ reader: GenOwner) -> Request {
        Request(method: "GET", target: target, headers: [("Authorization", "token ghp_\(reader.login)")])
    }
}

/// SPEC §17's "nothing leaked" as a property: random deletes and restores by random requesters. A refused
/// write leaves the data set exactly as it was (the export is byte for byte the same), and a write (or
/// `state=deleted`) on a package the requester may not administer, whether or not they may read it, answers
/// exactly as on a package that does not exist (SPEC §16 step 11).
@Suite struct PrivacyWritesPropertyTests {
    typealias Gen = PrivacyRoutesPropertyTests
    typealias Random = PrivacyPropertyTests.Random

    /// Every reader may delete and restore as far as scopes go; admin rights decide.
    static func emulator(_ owners: [Gen.GenOwner]) throws -> Emulator {
        var text = String(decoding: try Gen.document(owners), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"read:packages\",\"repo\"",
                                         with: "\"read:packages\",\"repo\",\"delete:packages\",\"write:packages\"")
        let loaded = FixtureLoader.validate(document: Array(text.utf8), name: "generated.json", profile: .dotcom)
        let fixtures = try #require(loaded.fixtures, "\(loaded.errors)")
        return Emulator(store: Store(fixtures, profile: .dotcom), config: EmulatorConfig(clock: { 1_707_000_000 }))
    }

    /// The reference: SPEC §15's admin rule, written out plainly. On an organisation only its admins
    /// administer (a package admin must be one too); a user's packages, the user and the package's admins.
    static func mayAdminister(_ reader: Gen.GenOwner, _ owner: Gen.GenOwner, _ package: Gen.GenPackage) -> Bool {
        if package.deleted { return false }
        if owner.isOrg { return owner.members[reader.login] == true }
        return reader.login == owner.login || package.admins.contains(reader.login)
    }

    /// Headers that differ between any two requests (the request id and the rate-limit count).
    static func comparable(_ headers: [(String, String)]) -> [String] {
        headers.filter { !["X-GitHub-Request-Id", "X-RateLimit-Remaining", "X-RateLimit-Used"].contains($0.0) }
            .map { "\($0.0): \($0.1)" }
    }

    @Test func refusedWritesChangeNothingAndRevealNothing() throws {
        var random = Random(state: 0x5EED_0011)
        var refused = 0
        var applied = 0
        var readableNotAdministrable = 0
        for round in 0..<120 {
            let owners = Gen.generate(&random)
            let emulator = try Self.emulator(owners)
            // Packages a write of this round changed: the generated state no longer describes them.
            var touched: Set<Int> = []
            for _ in 0..<12 {
                let reader = random.pick(owners.filter { !$0.isOrg })
                let owner = random.pick(owners)
                guard !owner.packages.isEmpty else { continue }
                let package = random.pick(owner.packages)
                let segment = owner.isOrg && random.bool() ? "/orgs/\(owner.login)" : "/users/\(owner.login)"
                let base = "\(segment)/packages/\(package.type)/\(package.name)"
                let version = "\(base)/versions/\((100 + package.id) * 100_000 + Int(random.int(1..<3)))"
                let (method, target) = random.pick([("DELETE", base), ("POST", base + "/restore"),
                                                    ("DELETE", version), ("POST", version + "/restore"),
                                                    ("GET", base + "/versions?state=deleted")])
                let before = FixtureExport.document(emulator.store.fixtures)
                let request = Request(method: method, target: target,
                                      headers: [("Authorization", "token ghp_\(reader.login)")])
                let answer = emulator.respond(to: request)
                let context = "round \(round) \(reader.login) \(method) \(target)"
                #expect(answer.status < 500, "\(context)")
                if answer.status == 200 { continue }  // state=deleted, for an admin
                if answer.status == 204 {
                    applied += 1
                    touched.insert(package.id)
                    continue
                }
                refused += 1
                #expect(FixtureExport.document(emulator.store.fixtures) == before, "\(context)")
                // Not administrable by this reader, readable or not: the same answer as for a name nobody uses.
                if !package.deleted, !touched.contains(package.id), !Self.mayAdminister(reader, owner, package) {
                    if Gen.mayRead(reader, owner, package) { readableNotAdministrable += 1 }
                    let absent = target.replacingOccurrences(of: "/\(package.name)", with: "/nothing-here")
                    let reference = emulator.respond(to: Request(method: method, target: absent,
                                                                 headers: [("Authorization", "token ghp_\(reader.login)")]))
                    #expect(answer.status == reference.status, "\(context)")
                    #expect(answer.body == reference.body, "\(context)")
                    #expect(Self.comparable(answer.headers) == Self.comparable(reference.headers), "\(context)")
                }
            }
        }
        #expect(refused > 300)
        #expect(applied > 50)
        #expect(readableNotAdministrable > 100)
    }
}
