import Testing
@testable import PackagesEmulator

/// SPEC §12 in the core: request-line length, request-smuggling shapes, and inputs found by fuzzing or
/// review that must stay cheap and crash-free.
@Suite struct HardeningTests {
    static let listing = "/users/octocat/packages?package_type=container"

    @Test func requestLineOverTheLimitIs414() throws {
        let emulator = TestData.emulator()
        let limit = emulator.config.maxRequestLine
        // `GET SP target SP HTTP/1.1` is exactly the limit.
        let fits = Self.listing + "&x=" + String(repeating: "a", count: limit - Self.listing.count - 16)
        let ok = emulator.respond(to: Request(method: "GET", target: fits, headers: [("Authorization", "token ghp_read")]))
        #expect(ok.status == 200)
        let long = fits + "a"
        let refused = emulator.respond(to: Request(method: "GET", target: long, headers: [("Authorization", "token ghp_read")]))
        #expect(refused.status == 414)
        #expect(refused.body == APIError.uriTooLong.body)
        #expect(refused.header("Connection") == "close")
        #expect(refused.header("Content-Length") == String(refused.body.count))
    }

    @Test(arguments: [
        ([("Content-Length", "0"), ("Content-Length", "5")], 400),
        ([("Content-Length", "5, 6")], 400),
        ([("Content-Length", "5, 5")], 200),
        ([("Content-Length", "5"), ("Content-Length", "5")], 200),
        ([("Content-Length", "-1")], 400),
        ([("Content-Length", "")], 400),
        ([("Content-Length", "0x10")], 400),
        ([("Content-Length", "3"), ("Transfer-Encoding", "chunked")], 400),
        ([("Transfer-Encoding", "gzip")], 400),
        ([("Transfer-Encoding", "gzip, chunked")], 400),
        ([("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")], 400),
        ([("Transfer-Encoding", "Chunked")], 200),
        ([("transfer-encoding", " chunked ")], 200),
        ([("Content-Length", "12")], 200),
    ] as [([(String, String)], Int)])
    func smugglingShapes(headers: [(String, String)], status: Int) {
        let emulator = TestData.emulator()
        let request = Request(method: "GET", target: Self.listing,
                              headers: [("Authorization", "token ghp_read")] + headers.map { (name: $0.0, value: $0.1) })
        let response = emulator.respond(to: request)
        #expect(response.status == status)
        if status == 400 {
            #expect(response.header("Connection") == "close")
            #expect(response.header("Content-Type") == "application/json; charset=utf-8")
        }
    }

    /// The emulator's own routes get the same framing checks.
    @Test func framingChecksApplyToEveryRoute() {
        let emulator = TestData.emulator()
        let response = emulator.respond(to: Request(
            method: "GET", target: "/_emulator/health", headers: [("Transfer-Encoding", "gzip")]))
        #expect(response.status == 400)
    }

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
