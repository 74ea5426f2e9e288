import Foundation
import Testing
@testable import PackagesEmulator

/// SPEC §5 as a property: over random data sets and requesters, a listing holds exactly the packages a
/// plain reference predicate allows, and the answer is the same as if the unreadable packages did not
/// exist (status, body, Link, ETag), so no answer reveals a private package.
@Suite struct PrivacyPropertyTests {
    /// SplitMix64: small, seeded, reproducible on every platform (ResponseWriterTests draws instants from it).
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: Range<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func bool() -> Bool { next() & 1 == 1 }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }
        mutating func subset(_ items: [String]) -> [String] { items.filter { _ in int(0..<3) == 0 } }
    }

    // The generated data, kept as plain values for the reference predicate.
    struct GenRepository { var name: String; var isPrivate: Bool; var collaborators: [String] }
    struct GenPackage {
        var id: Int; var name: String; var type: String; var visibility: String?; var repository: String?
        var readers: [String]; var inherit: Bool
    }
    struct GenUser {
        var login: String; var enterprise: String?
        var repositories: [GenRepository]; var packages: [GenPackage]
    }

    static let types = ["npm", "maven", "rubygems", "docker", "nuget", "container"]

    static func isGranular(_ type: String, _ profile: Profile) -> Bool {
        type == "container" || (profile == .dotcom && ["npm", "nuget", "rubygems"].contains(type))
    }

    /// A random data set that the loader must accept. Logins in references get random casing.
    static func generate(_ random: inout Random, profile: Profile) -> [GenUser] {
        let logins = (0..<random.int(2..<6)).map { "user\($0)" }
        func cased(_ login: String, _ random: inout Random) -> String {
            random.bool() ? login.uppercased() : login
        }
        var packageNumber = 0
        return logins.map { login in
            let others = logins.filter { $0 != login }
            let repositories = (0..<random.int(0..<4)).map { index in
                GenRepository(name: "repo\(index)", isPrivate: random.bool(),
                              collaborators: random.subset(others).map { cased($0, &random) })
            }
            var packages: [GenPackage] = []
            for _ in 0..<random.int(0..<9) {
                packageNumber += 1
                let type = random.pick(types)
                let name = "pkg\(packageNumber)"
                if isGranular(type, profile) {
                    let repository = repositories.isEmpty || random.bool() ? nil : random.pick(repositories).name
                    packages.append(GenPackage(
                        id: packageNumber, name: name, type: type, visibility: random.pick([nil, "public", "private", "internal"]),
                        repository: repository, readers: random.subset(others).map { cased($0, &random) },
                        inherit: repository != nil && random.bool()))
                } else if !repositories.isEmpty {
                    let repository = random.pick(repositories)
                    let visibility: String? = random.bool() ? nil : (repository.isPrivate ? "private" : "public")
                    packages.append(GenPackage(id: packageNumber, name: name, type: type, visibility: visibility,
                                               repository: repository.name, readers: [], inherit: false))
                }
            }
            return GenUser(login: login, enterprise: random.pick([nil, "acme", "other"]),
                           repositories: repositories, packages: packages)
        }
    }

    static func document(_ users: [GenUser]) throws -> [UInt8] {
        var repositoryID = 10_000
        let userObjects: [[String: Any]] = users.enumerated().map { index, user in
            var object: [String: Any] = ["login": user.login, "id": index + 1]
            if let enterprise = user.enterprise { object["enterprise"] = enterprise }
            object["repositories"] = user.repositories.map { repository -> [String: Any] in
                repositoryID += 1
                return ["name": repository.name, "id": repositoryID, "private": repository.isPrivate,
                        "collaborators": repository.collaborators]
            }
            object["packages"] = user.packages.map { package -> [String: Any] in
                var object: [String: Any] = [
                    "id": 100 + package.id, "name": package.name, "package_type": package.type,
                    "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z",
                ]
                if let visibility = package.visibility { object["visibility"] = visibility }
                if let repository = package.repository { object["repository"] = repository }
                if !package.readers.isEmpty { object["readers"] = package.readers }
                if package.inherit { object["inherit_access"] = true }
                return object
            }
            return object
        }
        let tokens = users.map { ["token": "ghp_\($0.login)", "login": $0.login, "scopes": ["read:packages", "repo"]] }
        let data = try JSONSerialization.data(withJSONObject: ["tokens": tokens, "users": userObjects])
        return Array(data)
    }

    /// The reference: SPEC §5's table, written out plainly.
    static func mayRead(_ reader: GenUser, _ owner: GenUser, _ package: GenPackage, profile: Profile) -> Bool {
        let same = { (a: String, b: String) in a.lowercased() == b.lowercased() }
        if same(reader.login, owner.login) { return true }
        let isReader = package.readers.contains { same($0, reader.login) }
        let repository = owner.repositories.first { $0.name == package.repository }
        let isCollaborator = repository?.collaborators.contains { same($0, reader.login) } ?? false
        guard isGranular(package.type, profile) else {
            return repository.map { !$0.isPrivate } == true || isCollaborator
        }
        switch package.visibility ?? "public" {
        case "public": return true
        case "private": return isReader || (package.inherit && isCollaborator)
        default: return isReader || (owner.enterprise != nil && owner.enterprise == reader.enterprise)
        }
    }

    static func effectiveVisibility(_ owner: GenUser, _ package: GenPackage, profile: Profile) -> String {
        guard isGranular(package.type, profile) else {
            return owner.repositories.first { $0.name == package.repository }!.isPrivate ? "private" : "public"
        }
        return package.visibility ?? "public"
    }

    static func matches(filter: String?, _ visibility: String, type: String, profile: Profile) -> Bool {
        guard let filter, !filter.isEmpty else { return true }
        if filter == "internal" && !isGranular(type, profile) { return visibility == "private" }
        return filter == visibility
    }

    static func emulator(_ users: [GenUser], profile: Profile) throws -> Emulator {
        let loaded = FixtureLoader.validate(document: try document(users), name: "generated.json", profile: profile)
        guard let fixtures = loaded.fixtures else {
            throw LoadFailure(errors: loaded.errors.map { "\($0)" })
        }
        // A fixed clock: rate-limit headers aside, two emulators answer byte for byte alike.
        return Emulator(store: Store(fixtures, profile: profile), config: EmulatorConfig(clock: { 1_700_000_000 }))
    }

    struct LoadFailure: Error { var errors: [String] }

    @Test func listingsHoldExactlyWhatSPEC5AllowsAndRevealNothingElse() throws {
        var random = Random(state: 0x5EED_0007)
        var listed = 0
        var hidden = 0
        for round in 0..<500 {
            let profile: Profile = random.bool() ? .dotcom : .ghes
            let users = Self.generate(&random, profile: profile)
            let emulator = try Self.emulator(users, profile: profile)
            for reader in users {
                // The same data set without what `reader` may not read: answers must not differ.
                let stripped = users.map { owner in
                    var copy = owner
                    copy.packages = owner.packages.filter { Self.mayRead(reader, owner, $0, profile: profile) }
                    return copy
                }
                let blind = try Self.emulator(stripped, profile: profile)
                for owner in users {
                    // Two registries per pair keep the run short; over 500 sets every pair and type meet.
                    for type in [random.pick(Self.types), random.pick(Self.types)] {
                        let filter = random.pick([nil, "", "public", "private", "internal", "bogus"])
                        let perPage = random.pick([1, 2, 100])
                        var target = "/users/\(random.bool() ? owner.login.uppercased() : owner.login)/packages"
                            + "?package_type=\(type)&per_page=\(perPage)"
                        if let filter { target += "&visibility=\(filter)" }
                        let request = Request(method: "GET", target: target,
                                              headers: [("Authorization", "token ghp_\(reader.login)")])
                        let answer = emulator.respond(to: request)
                        let reference = blind.respond(to: request)
                        let context = "round \(round) \(profile) reader \(reader.login) \(target)"
                        #expect(answer.status == reference.status, "\(context)")
                        let sameBody = answer.body == reference.body
                        #expect(sameBody, "\(context)")
                        #expect(answer.header("Link") == reference.header("Link"), "\(context)")
                        #expect(answer.header("ETag") == reference.header("ETag"), "\(context)")
                        guard answer.status == 200, filter != "bogus" else { continue }
                        let expected = owner.packages.filter { package in
                            package.type == type && Self.mayRead(reader, owner, package, profile: profile)
                                && Self.matches(filter: filter, Self.effectiveVisibility(owner, package, profile: profile),
                                                type: type, profile: profile)
                        }.map(\.name)
                        let names = try Self.names(answer.body)
                        #expect(names == Array(expected.prefix(perPage)), "\(context)")
                        listed += names.count
                        hidden += owner.packages.count { $0.type == type && !Self.mayRead(reader, owner, $0, profile: profile) }
                    }
                }
            }
        }
        // The generator exercised both sides.
        #expect(listed > 1000)
        #expect(hidden > 1000)
    }

    static func names(_ body: [UInt8]) throws -> [String] {
        let array = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]])
        return array.compactMap { $0["name"] as? String }
    }
}
