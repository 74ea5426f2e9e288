// libFuzzer harness: the Authorization header parser (SPEC §3, §12).
// Compiled by Tests/Fuzz/run.sh together with every file of Sources/PackagesEmulator/; never by SwiftPM.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAuthorization(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    // A newline separates header values: one value, or several (which must be refused).
    let values = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let credentials = Credentials(headerValues: values)
    if values.count > 1 {
        precondition(credentials == .malformed, "two Authorization headers were accepted")
    }
    if case .token(let token) = credentials {
        precondition(!token.isEmpty && !token.contains(" "), "token with a space or empty")
    }
    return 0
}
