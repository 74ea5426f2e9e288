// libFuzzer harness: the query parser, percent-decoding and number parsing (SPEC §7, §12).
// Compiled by Tests/Fuzz/run.sh together with every file of Sources/PackagesEmulator/; never by SwiftPM.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQuery(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    switch Query.parse(Substring(text)) {
    case .success(let query):
        // Every name is held once; the Link query must re-parse to the same effective values.
        let names = query.parameters.map(\.name)
        precondition(Set(names).count == names.count, "a name appears twice")
        _ = QueryNumber.parse(query["page"])
        _ = QueryNumber.parse(query["per_page"])
        let link = query.linkQuery(page: 2)
        if case .success(let again) = Query.parse(Substring(link)) {
            precondition(again["page"] == "2", "Link query lost page")
        } else {
            preconditionFailure("a Link query built from a valid query does not parse")
        }
    case .failure:
        break
    }
    _ = PercentDecoding.decode(Substring(text), plusIsSpace: false)
    _ = RequestTarget(text)
    return 0
}
