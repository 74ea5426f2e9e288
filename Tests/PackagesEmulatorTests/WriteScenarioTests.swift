import Foundation
import Testing

@testable import PackagesEmulator

/// Deletes and restores (SPEC §13, §15–§17) against the core: each scenario is a write on a fresh data
/// set, its answer, and what a read shows afterwards.
struct WriteScenario: Sendable, CustomTestStringConvertible {
    var name: String
    var token: String?
    var method: String
    var target: String
    /// 204, or an error status and message.
    var status: Int
    var message: String?
    /// A read afterwards and the ids (versions or packages) it must list, or nil for a 404.
    var then: (target: String, ids: [Int64]?)?

    var testDescription: String { name }
}

private let org = "/orgs/acme-org/packages"
private let web = "\(org)/container/web"

private func delete(_ name: String, _ token: String?, _ target: String, _ status: Int, _ message: String? = nil,
                    then: (String, [Int64]?)? = nil) -> WriteScenario {
    WriteScenario(name: name, token: token, method: "DELETE", target: target, status: status, message: message,
                  then: then)
}

private func restore(_ name: String, _ token: String?, _ target: String, _ status: Int, _ message: String? = nil,
                     then: (String, [Int64]?)? = nil) -> WriteScenario {
    let parts = target.split(separator: "?", maxSplits: 1)
    let withRestore = String(parts[0]) + "/restore" + (parts.count > 1 ? "?" + String(parts[1]) : "")
    return WriteScenario(name: name, token: token, method: "POST", target: withRestore, status: status,
                         message: message, then: then)
}

let writeScenarios: [WriteScenario] = [
    // §17: a delete changes every read.
    delete("delete a version", "ghp_admin", "\(web)/versions/12", 204, then: ("\(web)/versions", [11, 13])),
    delete("a deleted version is listed as deleted", "ghp_admin", "\(web)/versions/12", 204,
           then: ("\(web)/versions?state=deleted", [12, 14, 16, 15])),
    delete("a deleted version is not found", "ghp_admin", "\(web)/versions/12", 204, then: ("\(web)/versions/12", nil)),
    delete("delete a package", "ghp_admin", web, 204, then: (web, nil)),
    delete("a deleted package leaves the list", "ghp_admin", web, 204,
           then: ("\(org)?package_type=container", [2, 7, 9])),
    delete("a deleted package's versions are gone", "ghp_admin", web, 204, then: ("\(web)/versions", nil)),
    delete("delete a generated version", "ghp_admin", "\(org)/container/gen/versions/900001", 204,
           then: ("\(org)/container/gen/versions", [900_003, 900_002])),
    delete("through /users/ for an organisation", "ghp_admin", "/users/acme-org/packages/container/web/versions/12", 204,
           then: ("\(web)/versions", [11, 13])),
    delete("through the prefix", "ghp_admin", "/api/v3\(web)/versions/12", 204, then: ("\(web)/versions", [11, 13])),
    delete("the authenticated user's package", "ghp_admin", "/user/packages/npm/mine", 204,
           then: ("/users/octocat/packages/npm/mine", nil)),
    delete("a user's version", "ghp_admin", "/users/octocat/packages/npm/mine/versions/10000001", 204,
           then: ("/users/octocat/packages/npm/mine/versions", [10_000_002])),
    delete("names match in any casing", "ghp_admin", "\(org)/container/WEB", 204, then: (web, nil)),
    // §17: the refusals, in order.
    delete("more than 5000 downloads", "ghp_admin", "\(org)/container/popular/versions/22", 400,
           "Publicly visible package versions with more than 5000 downloads cannot be deleted. "
               + "Contact GitHub support for further assistance."),
    delete("few downloads", "ghp_admin", "\(org)/container/popular/versions/23", 204,
           then: ("\(org)/container/popular/versions", [21, 22])),
    delete("the last tagged version", "ghp_admin", "\(org)/container/gen/versions/900003", 400,
           "You cannot delete the last tagged version of a package. You must delete the package instead."),
    delete("a tagged version while another is tagged", "ghp_admin", "\(web)/versions/11", 204,
           then: ("\(web)/versions", [12, 13])),
    delete("the last version", "ghp_admin", "\(org)/npm/lib/versions/31", 400,
           "You cannot delete the last version of a package. You must delete the package instead."),
    // §17: restores.
    restore("restore the most recently deleted package", "ghp_admin", "\(org)/container/gone", 204,
            then: ("\(org)?package_type=container", [1, 2, 4, 7, 9])),
    restore("restore after 30 days", "ghp_admin", "\(org)/container/old", 404, "Package not found."),
    restore("restore into a used namespace", "ghp_admin", "\(org)/container/taken", 400,
            "The package namespace is in use by another package. Delete that package first."),
    restore("restore a version", "ghp_admin", "\(web)/versions/14", 204, then: ("\(web)/versions", [11, 12, 13, 14])),
    restore("restore a version after 30 days", "ghp_admin", "\(web)/versions/15", 404, "Package version not found."),
    restore("restore an active version", "ghp_admin", "\(web)/versions/11", 404, "Package version not found."),
    restore("restore a version whose name is in use", "ghp_admin", "\(web)/versions/16", 400,
            "The package version name is in use by another version. Delete that version first."),
    restore("restore with a token parameter (accepted, ignored)", "ghp_admin", "\(org)/container/gone?token=x", 204,
            then: ("\(org)/container/gone/versions", [400_001])),
    // §15: who may.
    delete("a member who may not read it", "ghp_hubot", "\(web)/versions/12", 404, "Package not found."),
    // §16 step 11: one who may read but not administer is told the package is not there, whatever follows.
    delete("a package admin who is not an organisation admin", "ghp_mona", "\(web)/versions/12", 404,
           "Package not found."),
    delete("a member on a public package", "ghp_hubot", "\(org)/container/popular/versions/23", 404,
           "Package not found."),
    delete("a member deletes a public package", "ghp_hubot", "\(org)/container/popular", 404, "Package not found."),
    restore("a package admin who is not an organisation admin restores a version", "ghp_mona", "\(web)/versions/14",
            404, "Package not found."),
    restore("the same, a version that was never there", "ghp_mona", "\(web)/versions/99", 404, "Package not found."),
    restore("a member restores a public package", "ghp_hubot", "\(org)/container/gone", 404, "Package not found."),
    delete("a stranger", "ghp_stranger", "\(web)/versions/12", 404, "Package not found."),
    delete("the installation token of the linked repository", "ghs_app", "\(web)/versions/12", 204,
           then: ("\(web)/versions", [11, 13])),
    delete("another installation token, private package", "ghs_other", "\(web)/versions/12", 404, "Package not found."),
    delete("another installation token, public package", "ghs_other", "\(org)/container/popular/versions/23", 404,
           "Package not found."),
    delete("an installation token on /user/", "ghs_app", "/user/packages/npm/mine", 403,
           "Resource not accessible by integration"),
    delete("an app user token deletes a package", "ghu_octo", web, 204, then: (web, nil)),
    delete("an app user token may not delete a version", "ghu_octo", "\(web)/versions/12", 403,
           "Resource not accessible by integration"),
    restore("an app user token may not restore", "ghu_octo", "\(org)/container/gone", 403,
            "Resource not accessible by integration"),
    delete("a fine-grained token", "github_pat_octo", web, 403, "Resource not accessible by personal access token"),
    delete("no token", nil, web, 401, "Requires authentication"),
    // §15: scopes, §16: order.
    delete("delete without delete:packages", "ghp_read", "\(web)/versions/12", 403,
           "You need at least read:packages and delete:packages scopes to delete a package version."),
    delete("delete:packages does not include read:packages", "ghp_delete_only", web, 403,
           "You need at least read:packages and delete:packages scopes to delete a package."),
    restore("restore without write:packages", "ghp_read", "\(org)/container/gone", 403,
            "You need at least read:packages and write:packages scopes to restore a package."),
    restore("restore a version without write:packages", "ghp_no_repo", "\(web)/versions/14", 403,
            "You need at least read:packages and write:packages scopes to restore a package version."),
    delete("repo for a repository-scoped registry", "ghp_no_repo", "\(org)/maven/m", 403,
           "You need at least read:packages, delete:packages and repo scopes to delete a package."),
    delete("type before owner", "ghp_admin", "/orgs/nobody/packages/pypi/x", 400, "Invalid argument."),
    delete("owner before package", "ghp_admin", "/orgs/nobody/packages/container/x", 404, "Not Found"),
    // §16 step 11 before step 10: a reader who is not an admin learns nothing of the package's versions.
    delete("admin before version", "ghp_mona", "\(web)/versions/999", 404, "Package not found."),
    delete("version after admin", "ghp_admin", "\(web)/versions/999", 404, "Package version not found."),
    delete("a user under /orgs/", "ghp_admin", "/orgs/octocat/packages/npm/mine", 404, "Not Found"),
]

struct WriteScenarioTests {
    static func send(_ emulator: Emulator, _ method: String, _ target: String, token: String?) -> Response {
        var headers: [(name: String, value: String)] = [("Host", "api.test")]
        if let token { headers.append(("Authorization", "token \(token)")) }
        return emulator.respond(to: Request(method: method, target: target, headers: headers))
    }

    /// `X-Accepted-OAuth-Scopes` of writes (SPEC §15, a choice of order), whichever check answered; `repo`
    /// last for a repository-scoped registry.
    @Test(arguments: [
        ("DELETE", "\(web)/versions/12", "ghp_admin", "delete:packages, read:packages"),
        ("DELETE", "\(web)/versions/12", "ghp_read", "delete:packages, read:packages"),
        ("DELETE", "\(org)/maven/m", "ghp_admin", "delete:packages, read:packages, repo"),
        ("POST", "\(web)/versions/14/restore", "ghp_admin", "read:packages, write:packages"),
        ("POST", "\(org)/maven/m/restore", "ghp_read", "read:packages, write:packages, repo"),
    ])
    func acceptedScopesOfWrites(method: String, target: String, token: String, accepted: String) {
        let answer = Self.send(WriteTestData.emulator(), method, target, token: token)
        #expect(answer.header("X-Accepted-OAuth-Scopes") == accepted)
    }

    /// A list's `ETag` hashes every object of the page: a change to any of them, not only the first,
    /// makes the old tag stale (no 304 for data that changed, SPEC §17).
    @Test func aChangeToAnyListedObjectChangesTheListsETag() throws {
        let emulator = WriteTestData.emulator()
        let list = "\(org)?package_type=container"
        let before = Self.send(emulator, "GET", list, token: "ghp_admin")
        let first = try #require(try JSONSerialization.jsonObject(with: Data(before.body)) as? [[String: Any]])
        #expect(first.first?["name"] as? String == "web")
        // popular is listed after web; deleting one of its versions changes its version_count only.
        #expect(Self.send(emulator, "DELETE", "\(org)/container/popular/versions/23", token: "ghp_admin").status == 204)
        let after = Self.send(emulator, "GET", list, token: "ghp_admin")
        #expect(after.header("ETag") != nil)
        #expect(after.header("ETag") != before.header("ETag"))
    }

    @Test(arguments: writeScenarios)
    func answers(_ scenario: WriteScenario) throws {
        let emulator = WriteTestData.emulator()
        let before = FixtureExport.document(emulator.store.fixtures)
        let response = Self.send(emulator, scenario.method, scenario.target, token: scenario.token)
        #expect(response.status == scenario.status)
        if scenario.status == 204 {
            #expect(response.body.isEmpty)
            #expect(response.header("Content-Length") == nil)
            #expect(response.header("Content-Type") == nil)
            #expect(response.header("X-RateLimit-Used") == "1")
        } else {
            let body = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String])
            #expect(body["message"] == scenario.message)
            // A refused write changes nothing.
            #expect(FixtureExport.document(emulator.store.fixtures) == before)
        }
        guard let (target, ids) = scenario.then else { return }
        let read = Self.send(emulator, "GET", target, token: "ghp_admin")
        guard let ids else {
            #expect(read.status == 404)
            return
        }
        #expect(read.status == 200)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(read.body)) as? [[String: Any]])
        #expect(list.map { ($0["id"] as? NSNumber)?.int64Value } == ids)
    }
}
