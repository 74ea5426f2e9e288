import CLibevent
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// HTTPS on the real server (SPEC §23): the made CA, every part of the emulator over TLS, and §12's
/// guarantees when clients misbehave at the TLS layer.
@Suite struct LiveTLSTests {
    /// A fresh folder for `--tls-dir`.
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func start(_ extra: [String] = [], tlsDir: String) throws -> (EmulatorProcess, Int) {
        try EmulatorProcess.start(arguments: ["--tls", "--tls-dir", tlsDir] + extra)
    }

    static func get(_ target: String, on connection: HTTPConnection, token: String? = "ghp_octocatAdmin",
                    host: String = "127.0.0.1") throws -> HTTPResponse {
        var text = "GET \(target) HTTP/1.1\r\nHost: \(host)\r\n"
        if let token { text += "Authorization: Bearer \(token)\r\n" }
        try connection.send(text + "\r\n")
        return try connection.readResponse()
    }

    /// Every part of the emulator answers over one keep-alive TLS connection: the REST API with
    /// `https://` in bodies and `Link`, the control routes, both registries, and the GHES persona's
    /// header on each.
    @Test func everyPartAnswersOverTLSWithThePersona() throws {
        let directory = try Self.folder()
        let (emulator, port) = try Self.start(["--profile", "ghes", "--ghes-version", "3.16.4"], tlsDir: directory)
        defer { emulator.stop() }
        #expect(emulator.readyLine == "listening on https://127.0.0.1:\(port)")
        let ca = directory + "/ca.pem"
        #expect(FileManager.default.fileExists(atPath: ca))
        #expect(emulator.stderr.contains("TLS: the CA of this run is \(ca)"))
        #expect(!FileManager.default.fileExists(atPath: ca + ".partial"))

        let client = try HTTPConnection(port: port)
        try client.startTLS(caFile: ca)
        #expect(client.tls?.version == "TLSv1.3")
        #expect(client.tls?.alpn == "http/1.1")
        let listing = try Self.get("/orgs/octo-org/packages?package_type=container&per_page=1", on: client,
                                   host: "localhost:\(port)")
        #expect(listing.status == 200)
        #expect(listing.text.contains("\"url\": \"https://localhost:\(port)/orgs/octo-org/packages/container/"))
        #expect(listing.header("Link")?.hasPrefix("<https://localhost:\(port)/orgs/octo-org/packages?") == true)
        // The registry wants its own token (401 with the challenge), the rest answer as over HTTP.
        for (target, status) in [("/meta", 200), ("/api/v3/meta", 200), ("/_emulator/health", 200), ("/v2/", 401),
                                 ("/npm/-/ping", 200), ("/nowhere", 404)] {
            let answer = try Self.get(target, on: client)
            #expect(answer.header("X-GitHub-Enterprise-Version") == "3.16.4", "\(target)")
            #expect(answer.status == status, "\(target)")
        }
        #expect(try Self.get("/meta", on: client).text.contains("\"installed_version\": \"3.16.4\""))
        // The registry's challenge names the token endpoint over HTTPS.
        let challenge = try Self.get("/v2/", on: client, token: nil)
        #expect(challenge.status == 401)
        #expect(challenge.header("WWW-Authenticate")?.hasPrefix("Bearer realm=\"https://127.0.0.1/token\"") == true)
    }

    /// Eight pipelined requests in one TLS record (about 12 KB, read 4 KB at a time): OpenSSL holds the
    /// rest decrypted while the socket has nothing more to announce; every request is still answered, in
    /// order.
    @Test func pipelinedRequestsInOneRecordAreAllAnswered() throws {
        let directory = try Self.folder()
        let (emulator, port) = try Self.start(["--threads", "1"], tlsDir: directory)
        defer { emulator.stop() }
        let client = try HTTPConnection(port: port)
        try client.startTLS(caFile: directory + "/ca.pem")
        let padding = String(repeating: "p", count: 1400)
        let batch = (0..<8).map { index in
            "GET /users/octocat/packages?package_type=container&per_page=1&page=\(index % 6 + 1) HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\nAuthorization: token ghp_octocatRead\r\nX-Padding: \(padding)\r\n\r\n"
        }.joined()
        #expect(batch.utf8.count > 3 * 4096 && batch.utf8.count < 16384)
        try client.send(batch)
        // octocat has six container packages: pages 1-5 link to the next page, page 6 to the one before.
        for index in 0..<8 {
            let page = index % 6 + 1
            let answer = try client.readResponse()
            #expect(answer.status == 200, "request \(index + 1)")
            #expect(answer.header("Link")?.contains("&page=\(page == 6 ? 5 : page + 1)>") == true, "request \(index + 1)")
        }
    }

    /// `--tls-port`: HTTP and HTTPS side by side, the same state; a large npm tarball published over TLS
    /// (a body of many TLS records) comes back byte for byte over both, through the file path of each
    /// (sendfile for HTTP, the TLS copy for HTTPS).
    @Test func tlsPortServesBesideHTTPWithOneState() throws {
        let directory = try Self.folder()
        let (emulator, port) = try EmulatorProcess.start(arguments: ["--tls-port", "0", "--tls-dir", directory])
        defer { emulator.stop() }
        let parts = emulator.readyLine.components(separatedBy: " and https://127.0.0.1:")
        #expect(parts.count == 2 && parts[0] == "listening on http://127.0.0.1:\(port)")
        let tlsPort = try #require(Int(parts.last ?? ""))
        #expect(tlsPort != port)

        let document = LiveNpmTests.document("1.0.0", size: 3 * 1024 * 1024 + 17)
        let body = document.prefix + document.data.flatMap { $0 } + document.suffix
        let secure = try HTTPConnection(port: tlsPort, timeout: 30)
        try secure.startTLS(caFile: directory + "/ca.pem")
        try secure.send(LiveNpmTests.head("PUT", "/npm/@octo-org%2flive", port: tlsPort, length: body.count))
        try secure.send(body)
        #expect(try secure.readResponse().status == 200)
        let path = "/npm/@octo-org/live/-/live-1.0.0.tgz"
        let overTLS = try Self.get(path, on: secure)
        let plain = try HTTPConnection(port: port, timeout: 30)
        let overHTTP = try Self.get(path, on: plain)
        #expect(overTLS.status == 200 && overHTTP.status == 200)
        #expect(overTLS.body == document.tarball)
        #expect(overHTTP.body == document.tarball)
        // Each listener names its own scheme in `{api}`.
        let packument = { (connection: HTTPConnection, port: Int) in
            try Self.get("/npm/@octo-org%2flive", on: connection, host: "127.0.0.1:\(port)").text
        }
        #expect(try packument(secure, tlsPort).contains("\"tarball\": \"https://127.0.0.1:\(tlsPort)/npm/@octo-org/live/-/live-1.0.0.tgz\""))
        #expect(try packument(plain, port).contains("\"tarball\": \"http://127.0.0.1:\(port)/npm/@octo-org/live/-/live-1.0.0.tgz\""))
    }

    /// The made certificate is for localhost, 127.0.0.1, ::1 and each `--tls-name`, and nothing else; a
    /// client that trusts another CA, or none, refuses it by its own check; TLS 1.1 is refused; TLS 1.2 is served.
    @Test func theMadeCertificateNamesExactlyItsNames() throws {
        let directory = try Self.folder()
        let (emulator, port) = try Self.start(["--tls-name", "emu.test", "--tls-name", "10.1.2.3"], tlsDir: directory)
        defer { emulator.stop() }
        let ca = directory + "/ca.pem"
        for host in ["localhost", "127.0.0.1", "emu.test", "10.1.2.3"] {
            let client = try HTTPConnection(port: port)
            try client.startTLS(caFile: ca, host: host)
            #expect(try Self.get("/_emulator/health", on: client).status == 200, "\(host)")
        }
        for host in ["other.test", "10.1.2.4"] {
            #expect(throws: LiveTestError.self, "\(host)") { try HTTPConnection(port: port).startTLS(caFile: ca, host: host) }
        }
        // Another run's CA is not this one's.
        let otherDirectory = try Self.folder()
        let (other, _) = try Self.start([], tlsDir: otherDirectory)
        other.stop()
        #expect(throws: LiveTestError.self) { try HTTPConnection(port: port).startTLS(caFile: otherDirectory + "/ca.pem") }
        #expect(throws: LiveTestError.self) { try HTTPConnection(port: port).startTLS(caFile: nil) }
        #expect(throws: LiveTestError.self) { try HTTPConnection(port: port).startTLS(caFile: ca, maxVersion: TLS1_1_VERSION) }
        let twelve = try HTTPConnection(port: port)
        try twelve.startTLS(caFile: ca, maxVersion: TLS1_2_VERSION)
        #expect(twelve.tls?.version == "TLSv1.2")
        #expect(try Self.get("/_emulator/health", on: twelve).status == 200)
    }

    /// SPEC §12 over TLS: garbage instead of a ClientHello, plain HTTP, a client gone mid-record, a
    /// renegotiation, a stalled handshake: each connection ends, a connection opened before them is still
    /// served, and so is a new one.
    @Test func misbehavingClientsEndOnlyTheirOwnConnection() throws {
        let directory = try Self.folder()
        let (emulator, port) = try Self.start(["--timeout", "1", "--threads", "1"], tlsDir: directory)
        defer { emulator.stop() }
        let ca = directory + "/ca.pem"
        let bystander = try HTTPConnection(port: port)
        try bystander.startTLS(caFile: ca)
        #expect(try Self.get("/_emulator/health", on: bystander).status == 200)

        // Not a TLS record (and not a request line): closed without a byte.
        let garbage = try HTTPConnection(port: port)
        try garbage.send([0x00, 0xFF, 0x13, 0x37] + Array(repeating: 0x41, count: 200))
        #expect(garbage.ends())

        // A request line: answered in plain text, then closed.
        let plain = try HTTPConnection(port: port)
        try plain.send("GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
        let refused = try plain.readResponse()
        #expect(refused.status == 400)
        #expect(refused.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(refused.text.contains("HTTPS port"))
        #expect(refused.header("Connection") == "close")

        // Gone mid-record: an application-data record cut short, then the socket closed.
        do {
            let cut = try HTTPConnection(port: port)
            try cut.startTLS(caFile: ca)
            try cut.send(raw: [0x17, 0x03, 0x03, 0x40, 0x00] + Array(repeating: 0x5A, count: 100))
        }

        // TLS 1.2 renegotiation is refused; the session ends.
        let renegotiating = try HTTPConnection(port: port)
        try renegotiating.startTLS(caFile: ca, maxVersion: TLS1_2_VERSION)
        #expect(try Self.get("/_emulator/health", on: renegotiating).status == 200)
        #expect(renegotiating.tls?.renegotiate() == false)

        #expect(try Self.get("/_emulator/health", on: bystander).status == 200)

        // A handshake record's header promising 512 bytes that never come: closed at --timeout (1 s),
        // read here with a 5 s timeout. (Last: the idle bystander would be closed at --timeout too.)
        let stalled = try HTTPConnection(port: port, timeout: 5)
        try stalled.send([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
        #expect(stalled.ends())
        let after = try HTTPConnection(port: port)
        try after.startTLS(caFile: ca)
        #expect(try Self.get("/orgs/octo-org/packages?package_type=npm", on: after).status == 200)
    }

    /// Bad TLS settings are usage errors (64) or name the file that failed (1); nothing is served.
    @Test(arguments: [
        (["--tls-cert", "/x.pem", "--tls"], 64, "--tls-cert and --tls-key go together"),
        (["--tls", "--tls-port", "0"], 64, "--tls and --tls-port exclude each other"),
        (["--tls-name", "emu.test"], 64, "--tls-name needs --tls or --tls-port"),
        (["--tls", "--tls-name", "bad name"], 64, "--tls-name bad name is neither"),
        (["--tls-port", "65536"], 64, "--tls-port must be between 0 and 65535"),
        (["--ghes-version", "3 17"], 64, "--ghes-version must be a version"),
        (["--tls", "--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.key"], 1, "TLS: cannot use --tls-cert /nonexistent.pem"),
    ])
    func badSettingsAreRefused(arguments: [String], status: Int32, message: String) throws {
        let outcome = try EmulatorProcess.run(["--host", "127.0.0.1", "--port", "0", "--fixtures",
                                               EmulatorProcess.demoFixtures] + arguments)
        #expect(outcome.status == status)
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(!outcome.stdout.contains("listening"))
    }

    /// `--tls-cert`/`--tls-key` serve the user's own certificate (here one openssl made), and
    /// `healthcheck` checks an https:// URL against `--cacert`.
    @Test func ownCertificateAndHealthCheck() throws {
        let directory = try Self.folder()
        let (cert, key) = (directory + "/own.pem", directory + "/own.key")
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                             "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=own.test",
                             "-addext", "subjectAltName=IP:127.0.0.1"]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0)
        let (emulator, port) = try Self.start(["--tls-cert", cert, "--tls-key", key], tlsDir: directory)
        defer { emulator.stop() }
        #expect(!FileManager.default.fileExists(atPath: directory + "/ca.pem"))
        let client = try HTTPConnection(port: port)
        try client.startTLS(caFile: cert)
        #expect(try Self.get("/_emulator/health", on: client).status == 200)

        let url = "https://127.0.0.1:\(port)/_emulator/health"
        let healthy = try EmulatorProcess.run(["healthcheck", "--url", url, "--cacert", cert])
        #expect(healthy.status == 0)
        #expect(healthy.stdout.contains("healthy: \(url)"))
        let untrusted = try EmulatorProcess.run(["healthcheck", "--url", url])
        #expect(untrusted.status == 1)
        #expect(untrusted.stderr.contains("certificate not trusted"))
        let plain = try EmulatorProcess.run(["healthcheck", "--url", "http://127.0.0.1:\(port)/_emulator/health"])
        #expect(plain.status == 1)
        #expect(plain.stderr.contains("answered 400"))
    }
}

extension HTTPConnection {
    /// The server ended the connection (EOF, or a reset for input it did not read) within the read
    /// timeout, without a byte of answer.
    func ends() -> Bool {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, 0)
        return count == 0 || (count < 0 && errno == ECONNRESET)
    }

    /// Bytes straight onto the socket, under any TLS session.
    func send(raw bytes: [UInt8]) throws {
        let sent = bytes.withUnsafeBytes { Socket.send(fd, $0.baseAddress, $0.count) }
        guard sent == bytes.count else { throw LiveTestError("send: errno \(errno)") }
    }
}
