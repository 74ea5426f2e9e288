// libFuzzer harness: the JSON parser and the fixture decoder (SPEC §10, §12), then the store and one
// request over whatever decoded. Compiled by Tests/Fuzz/run.sh with every file of Sources/PackagesEmulator/.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFixture(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for profile in [Profile.dotcom, .ghes] {
        let result = FixtureLoader.validate(document: bytes, name: "fuzz.json", profile: profile)
        precondition(result.fixtures == nil || result.errors.isEmpty, "fixtures and errors at once")
        guard let fixtures = result.fixtures else { continue }
        let store = Store(fixtures, profile: profile, webURL: "https://github.com")
        let emulator = Emulator(store: store)
        for type in ["npm", "container", "maven"] {
            let request = Request(method: "GET", target: "/users/octocat/packages?package_type=\(type)",
                                  headers: [("Authorization", "token ghp_octocat")])
            let response = emulator.respond(to: request)
            precondition(response.status < 500, "5xx from the core")
        }
    }
    return 0
}
