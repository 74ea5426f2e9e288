import Foundation
import Testing

/// Deletes and restores on the real server over real sockets (SPEC §17): a change is atomic across event
/// loops, a 204 on the wire, a reload replaces the state and the fixture files are never touched.
@Suite struct LiveWriteTests {
    static let token = "ghp_liveAdmin"

    /// One organisation, one container package with `count` declared versions (newest tagged).
    static func dataSet(count: Int) -> String {
        let versions = (1...count).map { n in
            let hex = String(repeating: "0", count: 64 - String(n, radix: 16).count) + String(n, radix: 16)
            let minute = String(format: "%02d", n % 60), hour = String(format: "%02d", n / 60)
            return #"{"id": \#(n), "name": "sha256:\#(hex)", "tags": \#(n == count ? #"["latest"]"# : "[]"),"#
                + #" "created_at": "2024-01-01T\#(hour):\#(minute):00Z", "updated_at": "2024-01-01T00:00:00Z"}"#
        }
        return #"{"tokens": [{"token": "\#(token)", "login": "admin", "scopes": ["read:packages", "delete:packages", "write:packages"]}],"#
            + #" "users": [{"login": "admin", "id": 1}], "orgs": [{"login": "live-org", "id": 2,"#
            + #" "members": [{"login": "admin", "role": "admin"}], "packages": [{"id": 7, "name": "app","#
            + #" "package_type": "container", "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z","#
            + #" "versions": [\#(versions.joined(separator: ", "))]}]}]}"#
    }

    static func request(_ method: String, _ target: String, port: Int, body: String = "") -> String {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: token \(token)\r\n"
        if !body.isEmpty { text += "Content-Length: \(body.utf8.count)\r\n" }
        return text + "\r\n" + body
    }

    @Test func aChangeIsSeenAtOnceOnEveryLoop() throws {
        let (emulator, port) = try EmulatorProcess.start(arguments: ["--threads", "2"])
        defer { emulator.stop() }
        let count = 120
        let control = try HTTPConnection(port: port)
        try control.send("PUT /_emulator/fixtures HTTP/1.1\r\nHost: x\r\nContent-Length: "
                         + "\(Self.dataSet(count: count).utf8.count)\r\n\r\n" + Self.dataSet(count: count))
        #expect(try control.readResponse().statusLine == "HTTP/1.1 200 OK")
        // The writer, and readers on several keep-alive connections: the kernel spreads them over both loops.
        let writer = try HTTPConnection(port: port)
        let readers = try (0..<6).map { _ in try HTTPConnection(port: port) }
        let base = "/orgs/live-org/packages/container/app"
        for n in 1..<count {
            try writer.send(Self.request("DELETE", "\(base)/versions/\(n)", port: port))
            let deleted = try writer.readResponse()
            #expect(deleted.statusLine == "HTTP/1.1 204 No Content")
            for reader in readers {
                try reader.send(Self.request("GET", "\(base)/versions/\(n)", port: port))
                #expect(try reader.readResponse().statusLine == "HTTP/1.1 404 Not Found", "version \(n)")
                try reader.send(Self.request("GET", base, port: port))
                let package = try #require(try reader.readResponse().json() as? [String: Any])
                #expect(package["version_count"] as? Int == count - n, "after deleting \(n)")
            }
        }
        // The last, tagged version: GitHub's refusal.
        try writer.send(Self.request("DELETE", "\(base)/versions/\(count)", port: port))
        let refused = try writer.readResponse()
        #expect(refused.statusLine == "HTTP/1.1 400 Bad Request")
        #expect((try refused.json() as? [String: String])?["message"]
                == "You cannot delete the last tagged version of a package. You must delete the package instead.")
    }

    @Test func a204OnTheWireThenTheConnectionGoesOn() throws {
        let (emulator, port) = try EmulatorProcess.start()
        defer { emulator.stop() }
        let connection = try HTTPConnection(port: port)
        try connection.send("PUT /_emulator/fixtures HTTP/1.1\r\nHost: x\r\nContent-Length: "
                            + "\(Self.dataSet(count: 3).utf8.count)\r\n\r\n" + Self.dataSet(count: 3))
        #expect(try connection.readResponse().statusLine == "HTTP/1.1 200 OK")
        // A DELETE with a body: read and ignored (SPEC §13).
        try connection.send(Self.request("DELETE", "/orgs/live-org/packages/container/app/versions/1", port: port,
                                         body: #"{"ignored": true}"#))
        let deleted = try connection.readResponse()
        #expect(deleted.statusLine == "HTTP/1.1 204 No Content")
        #expect(deleted.header("Content-Length") == nil)
        #expect(deleted.header("Content-Type") == nil)
        #expect(deleted.header("X-RateLimit-Used") == "1")
        #expect(deleted.body.isEmpty)
        try connection.send(Self.request("POST", "/orgs/live-org/packages/container/app/versions/1/restore", port: port))
        #expect(try connection.readResponse().statusLine == "HTTP/1.1 204 No Content")
        try connection.send(Self.request("GET", "/orgs/live-org/packages/container/app/versions", port: port))
        let versions = try #require(try connection.readResponse().json() as? [[String: Any]])
        #expect(versions.compactMap { $0["id"] as? Int } == [3, 2, 1])
    }

    @Test func aReloadReplacesTheStateAndTheFilesStayAsTheyWere() throws {
        let fixtures = try TemporaryFixtures.valid()
        let files = ["tokens.json", "users/tester.json"]
        func contents() throws -> [Data] {
            try files.map { try Data(contentsOf: URL(fileURLWithPath: fixtures.path + "/" + $0)) }
        }
        let before = try contents()
        let (emulator, port) = try EmulatorProcess.start(fixtures: fixtures.path)
        defer { emulator.stop() }
        let list = try RawHTTP.get(port: port, "/users/tester/packages?package_type=npm", token: "ghp_testerRead")
        let package = try #require((try list.json() as? [[String: Any]])?.first?["name"] as? String)
        let path = "/users/tester/packages/npm/\(package)"
        let delete = try RawHTTP.request(port: port, method: "DELETE", target: path,
                                         headers: [("Authorization", "token ghp_testerAdmin")])
        guard delete.statusLine == "HTTP/1.1 204 No Content" else {
            Issue.record("the temporary fixtures need a delete:packages token: \(delete.statusLine)")
            return
        }
        #expect(try RawHTTP.get(port: port, path, token: "ghp_testerRead").statusLine == "HTTP/1.1 404 Not Found")
        #expect(try contents() == before)
        emulator.send(SIGHUP)
        var back = false
        for _ in 0..<100 where !back {
            back = try RawHTTP.get(port: port, path, token: "ghp_testerRead").statusLine == "HTTP/1.1 200 OK"
            if !back { usleep(50_000) }
        }
        #expect(back, "the reload brought the package back")
    }
}
