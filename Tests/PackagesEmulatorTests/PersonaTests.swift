import Testing
@testable import PackagesEmulator

/// SPEC §23: `{api}` over TLS starts with `https://`; `GET /meta` tells GHES from GitHub.com.
@Suite struct PersonaTests {
    static func emulator(profile: Profile, version: String = EmulatorConfig.defaultEnterpriseVersion) -> Emulator {
        var config = EmulatorConfig()
        config.enterpriseVersion = version
        return Emulator(store: Store(RouteTestData.fixtures, profile: profile), config: config)
    }

    @Test(arguments: [(false, "http"), (true, "https")])
    func apiFollowsTheScheme(secure: Bool, scheme: String) throws {
        let request = { (host: String) in
            Request(method: "GET", target: "/users/octocat/packages?package_type=container&per_page=1",
                    headers: [("Host", host), ("Authorization", "token ghp_read")], localAuthority: "127.0.0.1:9",
                    secure: secure)
        }
        let emulator = TestData.emulator()
        // From the Host, and from the bound address when the Host is unusable.
        for (host, authority) in [("emu.test:8443", "emu.test:8443"), ("x y", "127.0.0.1:9")] {
            let response = emulator.respond(to: request(host))
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self).contains("\"url\": \"\(scheme)://\(authority)/users/"))
            #expect(response.header("Link")?.hasPrefix("<\(scheme)://\(authority)/users/octocat/packages?") == true)
        }
    }

    @Test(arguments: ["/meta", "/api/v3/meta"])
    func metaNamesTheEnterpriseVersionUnderTheGHESPersonaOnly(path: String) throws {
        let ghes = Self.emulator(profile: .ghes, version: "3.14.2").respond(to: Request(method: "GET", target: path))
        #expect(ghes.status == 200)
        #expect(String(decoding: ghes.body, as: UTF8.self)
            == "{\n  \"installed_version\": \"3.14.2\",\n  \"verifiable_password_authentication\": false\n}")
        #expect(ghes.header("Content-Type") == "application/json; charset=utf-8")
        let dotcom = Self.emulator(profile: .dotcom).respond(to: Request(method: "GET", target: path))
        #expect(dotcom.status == 200)
        #expect(String(decoding: dotcom.body, as: UTF8.self) == "{\n  \"verifiable_password_authentication\": false\n}")
    }

    @Test func metaTakesAnyoneButNotABadToken() {
        let emulator = Self.emulator(profile: .ghes)
        let send = { (headers: [(name: String, value: String)]) in
            emulator.respond(to: Request(method: "GET", target: "/meta", headers: headers))
        }
        let anonymous = send([])
        #expect(anonymous.status == 200)
        #expect(anonymous.header("X-RateLimit-Used") == "1")
        #expect(send([("Authorization", "token ghp_none")]).status == 200)
        #expect(send([("Authorization", "token nope")]).status == 401)
        #expect(emulator.respond(to: Request(method: "POST", target: "/meta")).status == 404)
    }
}
