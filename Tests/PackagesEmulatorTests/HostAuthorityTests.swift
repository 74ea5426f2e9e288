import Testing
@testable import PackagesEmulator

/// SPEC §12: `{api}` uses the request's `Host` only when it is a valid authority (RFC 3986 §3.2.2–3.2.3);
/// otherwise the bound address.
@Suite struct HostAuthorityTests {
    @Test(arguments: [
        ("example.test", true), ("example.test:1234", true), ("127.0.0.1:8080", true), ("localhost", true),
        ("[::1]", true), ("[::1]:8080", true), ("[2001:db8::7]:65535", true), ("my_host~1:1", true),
        ("", false), ("example.test:", false), ("example.test:abc", false), ("example.test:1:2", false),
        ("example.test:123456", false), ("example.test:65536", false), ("[::1", false), ("[]", false),
        ("[::1]x", false), ("[::1]:", false), ("[example]", false), ("::1", false), (":80", false),
        ("bad host", false), ("x/y", false), ("x\"y", false), ("a@b", false), ("é.test", false),
    ])
    func authority(host: String, valid: Bool) {
        #expect(Emulator.isAuthority(host) == valid)
    }

    @Test(arguments: ["example.test:abc", "example.test:1:2", "[::1", "x y"])
    func invalidHostFallsBackToTheBoundAddress(host: String) throws {
        let emulator = TestData.emulator()
        let response = emulator.respond(to: Request(
            method: "GET", target: "/users/octocat/packages?package_type=container&per_page=1",
            headers: [("Host", host), ("Authorization", "token ghp_read")], localAuthority: "127.0.0.1:9"))
        #expect(response.status == 200)
        let body = String(decoding: response.body, as: UTF8.self)
        #expect(body.contains("\"url\": \"http://127.0.0.1:9/users/"))
        #expect(response.header("Link")?.hasPrefix("<http://127.0.0.1:9/users/octocat/packages?") == true)
    }
}
