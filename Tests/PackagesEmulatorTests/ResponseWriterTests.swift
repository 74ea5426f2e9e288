import Foundation
import Testing
@testable import PackagesEmulator

/// The answer's head as bytes (RFC 9112 §4, §9.3), the Date line (RFC 9110 §5.6.7), and the JSON answer
/// to a request the parser refused (SPEC §12).
@Suite struct ResponseWriterTests {
    static let date = "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
    static let json = Response(status: 200, headers: [("Content-Type", "application/json"), ("Content-Length", "2")],
                               body: Array("{}".utf8))
    static let closing = Response(status: 400, headers: [("Content-Length", "0"), ("Connection", "close")])

    static let heads: [Head] = [
        Head("HTTP/1.1 kept alive", json, keepAlive: true, minorVersion: 1,
             "HTTP/1.1 200 OK\r\n" + date + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n"),
        Head("HTTP/1.1 closing", json, keepAlive: false, minorVersion: 1,
             "HTTP/1.1 200 OK\r\n" + date + "Content-Type: application/json\r\nContent-Length: 2\r\n"
                + "Connection: close\r\n\r\n"),
        Head("HTTP/1.0 kept alive", json, keepAlive: true, minorVersion: 0,
             "HTTP/1.1 200 OK\r\n" + date + "Content-Type: application/json\r\nContent-Length: 2\r\n"
                + "Connection: keep-alive\r\n\r\n"),
        Head("HTTP/1.0 closing", json, keepAlive: false, minorVersion: 0,
             "HTTP/1.1 200 OK\r\n" + date + "Content-Type: application/json\r\nContent-Length: 2\r\n"
                + "Connection: close\r\n\r\n"),
        Head("the response's own Connection: close, not twice", closing, keepAlive: false, minorVersion: 1,
             "HTTP/1.1 400 Bad Request\r\n" + date + "Content-Length: 0\r\nConnection: close\r\n\r\n"),
        Head("the response's own Connection over HTTP/1.0", closing, keepAlive: true, minorVersion: 0,
             "HTTP/1.1 400 Bad Request\r\n" + date + "Content-Length: 0\r\nConnection: close\r\n\r\n"),
        Head("a lowercase connection header counts", Response(status: 204, headers: [("connection", "close")]),
             keepAlive: false, minorVersion: 1, "HTTP/1.1 204 No Content\r\n" + date + "connection: close\r\n\r\n"),
        Head("no headers", Response(status: 404), keepAlive: true, minorVersion: 1,
             "HTTP/1.1 404 Not Found\r\n" + date + "\r\n"),
        Head("431", Response(status: 431), keepAlive: false, minorVersion: 1,
             "HTTP/1.1 431 Request Header Fields Too Large\r\n" + date + "Connection: close\r\n\r\n"),
        Head("a status without a reason", Response(status: 299), keepAlive: true, minorVersion: 1,
             "HTTP/1.1 299 Unknown\r\n" + date + "\r\n"),
        Head("a status past the table", Response(status: 799), keepAlive: true, minorVersion: 1,
             "HTTP/1.1 799 Unknown\r\n" + date + "\r\n"),
        Head("UTF-8 and order kept", Response(status: 201, headers: [("X-B", "é"), ("X-A", "1"), ("X-B", "2")]),
             keepAlive: true, minorVersion: 1,
             "HTTP/1.1 201 Created\r\n" + date + "X-B: é\r\nX-A: 1\r\nX-B: 2\r\n\r\n"),
    ]

    @Test(arguments: heads)
    func headBytes(_ test: Head) {
        var out = Array("previous".utf8)
        ResponseWriter.appendHead(of: test.response, keepAlive: test.keepAlive, minorVersion: test.minorVersion,
                                  date: Array(Self.date.utf8), to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "previous" + test.expected)
    }

    @Test func continueHead() {
        #expect(ResponseWriter.continueHead == Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
    }

    // MARK: HTTPDate

    static let instants: [(seconds: Int64, text: String)] = [
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),  // RFC 9110 §5.6.7's example
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
        (951_868_799, "Tue, 29 Feb 2000 23:59:59 GMT"),
        (951_868_800, "Wed, 01 Mar 2000 00:00:00 GMT"),
        (4_107_542_399, "Sun, 28 Feb 2100 23:59:59 GMT"),
        (4_107_542_400, "Mon, 01 Mar 2100 00:00:00 GMT"),
        (4_102_444_800, "Fri, 01 Jan 2100 00:00:00 GMT"),
        (7_263_215_999, "Fri, 28 Feb 2200 23:59:59 GMT"),
        (7_263_216_000, "Sat, 01 Mar 2200 00:00:00 GMT"),
        (10_418_889_599, "Wed, 28 Feb 2300 23:59:59 GMT"),
        (10_418_889_600, "Thu, 01 Mar 2300 00:00:00 GMT"),
        (13_574_563_200, "Tue, 29 Feb 2400 00:00:00 GMT"),
        (1_078_012_800, "Sun, 29 Feb 2004 00:00:00 GMT"),
        (1_709_164_800, "Thu, 29 Feb 2024 00:00:00 GMT"),
        (1_709_251_199, "Thu, 29 Feb 2024 23:59:59 GMT"),
        (3_981_357_296, "Wed, 29 Feb 2096 12:34:56 GMT"),
        (4_233_686_399, "Thu, 28 Feb 2104 23:59:59 GMT"),
        (4_233_686_400, "Fri, 29 Feb 2104 00:00:00 GMT"),
        (946_684_799, "Fri, 31 Dec 1999 23:59:59 GMT"),
        (946_684_800, "Sat, 01 Jan 2000 00:00:00 GMT"),
        (978_307_199, "Sun, 31 Dec 2000 23:59:59 GMT"),
        (2_147_483_647, "Tue, 19 Jan 2038 03:14:07 GMT"),
        (2_147_483_648, "Tue, 19 Jan 2038 03:14:08 GMT"),
        (253_402_300_799, "Fri, 31 Dec 9999 23:59:59 GMT"),
        (-1, "Wed, 31 Dec 1969 23:59:59 GMT"),
        (-2_208_988_800, "Mon, 01 Jan 1900 00:00:00 GMT"),
        (-2_203_891_201, "Wed, 28 Feb 1900 23:59:59 GMT"),
        (-2_203_891_200, "Thu, 01 Mar 1900 00:00:00 GMT"),
        (-5_359_564_801, "Fri, 28 Feb 1800 23:59:59 GMT"),
        (-11_670_998_400, "Tue, 29 Feb 1600 00:00:00 GMT"),
        (-11_644_473_600, "Mon, 01 Jan 1601 00:00:00 GMT"),
    ]

    @Test(arguments: instants)
    func dateLine(seconds: Int64, text: String) {
        #expect(String(decoding: HTTPDate.line(epochSeconds: seconds), as: UTF8.self) == "Date: \(text)\r\n")
    }

    /// A few hundred instants from 1601 (past the Julian calendar) to 9999, against Foundation's formatter.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func dateLineAgreesWithDateFormatter(seed: UInt64) {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        var random = PrivacyPropertyTests.Random(state: seed)
        for _ in 0..<150 {
            let seconds = Int64.random(in: -11_644_473_600...253_402_300_799, using: &random)
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            let expected = "Date: " + formatter.string(from: date) + "\r\n"
            #expect(String(decoding: HTTPDate.line(epochSeconds: seconds), as: UTF8.self) == expected, "\(seconds)")
        }
    }

    // MARK: The answer to a refused request

    static let refusals: [(error: ParseError, message: String)] = [
        (ParseError(400, "Malformed request line: no HTTP version after the target."),
         "Malformed request line: no HTTP version after the target."),
        (.uriTooLong, "URI Too Long"),
        (.headersTooLarge, "Request Header Fields Too Large"),
        (.payloadTooLarge, "Payload Too Large"),
        (ParseError(400, "A bare LF where CRLF belongs."), "A bare LF where CRLF belongs."),
        (ParseError(400, "a \"quoted\" \\ name"), #"a \"quoted\" \\ name"#),
    ]

    /// GitHub's error shape (APIError with the REST docs URL), never HTML; the connection closes.
    @Test(arguments: refusals)
    func framingResponseIsGitHubJSONAndCloses(error: ParseError, message: String) {
        let response = TestData.emulator().framingResponse(error)
        #expect(response.status == error.status)
        let body = String(decoding: response.body, as: UTF8.self)
        #expect(body == "{\n  \"message\": \"\(message)\",\n  \"documentation_url\": \"https://docs.github.com/rest\","
            + "\n  \"status\": \"\(error.status)\"\n}")
        #expect(response.header("Content-Type") == "application/json; charset=utf-8")
        #expect(response.header("Content-Length") == String(response.body.count))
        #expect(response.headers.filter { $0.name.equalsASCIILowercase("connection") }.map(\.value) == ["close"])
        #expect(response.header("X-GitHub-Request-Id") != nil)
    }

    /// What the parser refuses is answered with its own status.
    @Test(arguments: ["GET / HTTP/1.1\r\nHost: h\r\nHost: h\r\n\r\n", "GET /" + String(repeating: "a", count: 9000)])
    func parserFailureIsAnswered(request: String) throws {
        guard case .failure(let status, let message)? = Wire.parse(Array(request.utf8)).only else {
            Issue.record("not refused")
            return
        }
        let response = TestData.emulator().framingResponse(ParseError(status, message))
        #expect(response.status == status)
        #expect(response.header("Connection") == "close")
        #expect(String(decoding: response.body, as: UTF8.self).contains("\"message\": \"\(message)\""))
    }
}

struct Head: Sendable, CustomTestStringConvertible {
    var name: String
    var response: Response
    var keepAlive: Bool
    var minorVersion: Int
    var expected: String
    init(_ name: String, _ response: Response, keepAlive: Bool, minorVersion: Int, _ expected: String) {
        self.name = name
        self.response = response
        self.keepAlive = keepAlive
        self.minorVersion = minorVersion
        self.expected = expected
    }
    var testDescription: String { name }
}
