import Testing
@testable import PackagesEmulator

/// SPEC §12 in the core: inputs found by fuzzing or review that must stay cheap and crash-free (the
/// framing shapes are RequestParserTests').
@Suite struct HardeningTests {
    static let listing = "/users/octocat/packages?package_type=container"

    /// 10,000 distinct names stay linear (an index past 16 names); repeated names keep the last value
    /// and their first position, whichever side of the threshold they fall on.
    @Test func manyParametersKeepLastValueAndFirstOrder() throws {
        var pieces = (0..<10_000).map { "p\($0)=\($0)" }
        pieces.insert("p3=early", at: 0)
        pieces.append("p3=last")
        pieces.append("p9999=final")
        pieces.append("p20=x")
        let query = try Query.parse(Substring(pieces.joined(separator: "&"))).get()
        #expect(query.parameters.count == 10_000)
        #expect(query["p3"] == "last")
        #expect(query["p9999"] == "final")
        #expect(query["p20"] == "x")
        #expect(query.parameters.first?.name == "p3")
        #expect(query.parameters[1].name == "p0")
        #expect(query.parameters.last?.name == "p9999")
        let link = query.linkQuery(page: 2)
        #expect(link.hasPrefix("p3=last&p0=0&p1=1&p2=2&p4=4"))
        #expect(link.hasSuffix("p9999=final&page=2"))
    }

    @Test(arguments: Array(0..<40))
    func indexThresholdBoundary(count: Int) throws {
        // Names repeated on both sides of the threshold.
        let names = (0..<count).map { "n\($0 % 20)" }
        let text = names.enumerated().map { "\($1)=\($0)" }.joined(separator: "&")
        let query = try Query.parse(Substring(text)).get()
        let distinct = Set(names).count
        #expect(query.parameters.count == distinct)
        for (index, name) in names.enumerated().reversed() where names.lastIndex(of: name) == index {
            #expect(query[name] == String(index))
        }
    }
}
