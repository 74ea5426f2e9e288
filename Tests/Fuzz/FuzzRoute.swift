// libFuzzer harness: the router and every read route's checks (SPEC §13–§19) over a data set with an
// organisation, declared, deleted and generated versions. Input: "METHOD TARGET\nTOKEN". Nothing a client
// sends may crash the core or get a 5xx; every answer's body is valid JSON with a correct Content-Length.
// Compiled by Tests/Fuzz/run.sh together with every file of Sources/PackagesEmulator/; never by SwiftPM.

let routeEmulator: Emulator = {
    let date = "2024-01-01T00:00:00Z"
    var versions: [PackageVersion] = []
    for n in 1...5 {
        let name: String = "sha256:" + String(repeating: String(n), count: 64)
        let tags: [String] = n == 5 ? ["latest"] : []
        versions.append(PackageVersion(id: Int64(9000 + n), name: name, tags: tags, createdAt: date, updatedAt: date,
                                       deletedAt: n == 1 ? date : nil))
    }
    let org = Organization(
        login: "octo-org", id: 10, enterprise: "acme", members: [.init(login: "octocat", role: .admin)],
        repositories: [Repository(name: "repo", id: 20, isPrivate: true, collaborators: ["hubot"])],
        packages: [
            Package(id: 1, name: "a/b", type: .container, visibility: .private, createdAt: date, updatedAt: date,
                    repository: "repo", inheritAccess: true, versions: versions, dockerMigrationConflict: true),
            Package(id: 2, name: "lib", type: .npm, visibility: .internal, versionCount: 300, createdAt: date,
                    updatedAt: date),
            Package(id: 3, name: "m", type: .maven, createdAt: date, updatedAt: date, repository: "repo"),
        ])
    let users = [User(login: "octocat", id: 1, enterprise: "acme",
                      packages: [Package(id: 4, name: "x", type: .container, createdAt: date, updatedAt: date)]),
                 User(login: "hubot", id: 2)]
    let tokens = [
        Token(value: "ghp_a", login: "octocat", scopes: ["read:packages", "repo"], kind: .classic),
        Token(value: "ghp_h", login: "hubot", scopes: ["read:packages"], kind: .classic),
        Token(value: "ghs_r", login: nil, scopes: [], kind: .app, repository: "octo-org/repo"),
        Token(value: "ghu_u", login: "octocat", scopes: [], kind: .app),
        Token(value: "github_pat_f", login: "octocat", scopes: [], kind: .fineGrained),
    ]
    // No journal: `GET /_emulator/requests` would grow to a thousand entries and each run would parse them.
    return Emulator(store: Store(FixtureSet(users: users, orgs: [org], tokens: tokens), profile: .dotcom),
                    config: EmulatorConfig(control: ControlSettings(journalSize: 0)))
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRoute(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
    let line = lines[0].split(separator: " ", maxSplits: 1)
    let method = line.count == 2 ? String(line[0]) : "GET"
    let target = String(line.count == 2 ? line[1] : lines[0])
    var headers: [(name: String, value: String)] = [("Host", "api.test")]
    if lines.count > 1 { headers.append(("Authorization", "token " + lines[1])) }
    let response = routeEmulator.respond(to: Request(method: method, target: target, headers: headers))
    precondition(response.status < 500, "5xx for \(method) \(target)")
    precondition(response.header("Content-Length").map { Int($0) == response.body.count } ?? (response.status == 204),
                 "Content-Length does not match the body")
    if !response.body.isEmpty {
        guard (try? JSONParser.parse(response.body)) != nil else { preconditionFailure("body is not JSON") }
    }
    return 0
}
