import ArgumentParser
import PackagesEmulatorHTTP

#if canImport(Glibc)
import Glibc
#endif

/// HTTPS (SPEC §23): which listener speaks it, and with which certificate.
struct TLSOptions: ParsableArguments {
    @Flag(name: .customLong("tls"), help: "Serve HTTPS instead of HTTP on --port. [EMULATOR_TLS=1]")
    var tls = false

    @Option(name: .customLong("tls-port"),
            help: "Also serve HTTPS on this port, beside HTTP on --port; 0 picks a free port. [EMULATOR_TLS_PORT]")
    var tlsPort: Int?

    @Option(name: .customLong("tls-cert"),
            help: "PEM certificate chain, the server's first. [EMULATOR_TLS_CERT, default: a CA and certificate made at start]")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-cert. [EMULATOR_TLS_KEY]")
    var tlsKey: String?

    @Option(name: .customLong("tls-name"),
            help: "A DNS name or address the made certificate is also for (it always is for localhost, 127.0.0.1 and ::1); repeatable. [EMULATOR_TLS_NAMES, comma-separated]")
    var tlsNames: [String] = []

    @Option(name: .customLong("tls-dir"),
            help: "Where the made CA is written as ca.pem. [EMULATOR_TLS_DIR, default: the data directory]")
    var tlsDir: String?

    /// What a run needs of these options; nil when it serves plain HTTP only.
    struct Settings {
        /// `--tls`: the `--port` listener speaks HTTPS.
        var replacesHTTP: Bool
        /// `--tls-port`: an HTTPS listener beside HTTP.
        var extraPort: Int?
        var certificate: (cert: String, key: String)?
        var names: [String]
        var directory: String?
    }

    func settings(environment: [String: String]) throws -> Settings? {
        let replacesHTTP = try Environment.option(tls ? true : nil, "EMULATOR_TLS", in: environment, Serve.boolean,
                                                  default: false)
        let extraPort = try Environment.option(tlsPort.map(Optional.some), "EMULATOR_TLS_PORT", in: environment,
                                               { Int($0) }, default: nil)
        let cert = try Environment.option(tlsCert.map(Optional.some), "EMULATOR_TLS_CERT", in: environment,
                                          { $0.isEmpty ? nil : $0 }, default: nil)
        let key = try Environment.option(tlsKey.map(Optional.some), "EMULATOR_TLS_KEY", in: environment,
                                         { $0.isEmpty ? nil : $0 }, default: nil)
        let names = tlsNames.isEmpty
            ? (environment["EMULATOR_TLS_NAMES"] ?? "").split(separator: ",").map { String($0.filter { $0 != " " }) }
            : tlsNames
        let directory = try Environment.option(tlsDir.map(Optional.some), "EMULATOR_TLS_DIR", in: environment,
                                               { $0.isEmpty ? nil : $0 }, default: nil)
        guard replacesHTTP || extraPort != nil else {
            let stray = [("--tls-cert", cert), ("--tls-key", key), ("--tls-dir", directory)].first { $0.1 != nil }
            if let stray { throw ValidationError("\(stray.0) needs --tls or --tls-port.") }
            if !names.isEmpty { throw ValidationError("--tls-name needs --tls or --tls-port.") }
            return nil
        }
        if replacesHTTP && extraPort != nil {
            throw ValidationError("--tls and --tls-port exclude each other: --tls serves HTTPS on --port, --tls-port beside it.")
        }
        if let extraPort, !(0...65535).contains(extraPort) {
            throw ValidationError("--tls-port must be between 0 and 65535, not \(extraPort).")
        }
        if (cert == nil) != (key == nil) { throw ValidationError("--tls-cert and --tls-key go together.") }
        if cert != nil && !names.isEmpty {
            throw ValidationError("--tls-name names the made certificate; --tls-cert brings its own names.")
        }
        if let bad = names.first(where: { !TLSCertificates.isValidName($0) }) {
            throw ValidationError("--tls-name \(bad) is neither a DNS name nor an IP address.")
        }
        return Settings(replacesHTTP: replacesHTTP, extraPort: extraPort,
                        certificate: cert.flatMap { cert in key.map { (cert, $0) } }, names: names,
                        directory: directory)
    }
}

extension TLSOptions.Settings {
    /// The server's TLS context: from `--tls-cert`/`--tls-key`, else a CA and certificate made now, the
    /// CA written as `ca.pem` to `--tls-dir` (else `dataDirectory`) and its path printed.
    func context(dataDirectory: String) throws -> TLSContext {
        if let certificate {
            return try TLSContext(certificateFile: certificate.cert, keyFile: certificate.key)
        }
        var unique: [String] = []
        for name in TLSCertificates.defaultNames + names where !unique.contains(name) { unique.append(name) }
        let made = try TLSCertificates.make(names: unique)
        let folder = directory ?? dataDirectory
        if mkdir(folder, 0o755) != 0 && errno != EEXIST {
            throw TLSSetupError( "TLS: cannot create --tls-dir \(folder): \(String(cString: strerror(errno)))")
        }
        let path = folder + "/ca.pem"
        try Self.writeWhole(Array(made.caPEM.utf8), to: path)
        printError("TLS: the CA of this run is \(path); trust it with SSL_CERT_FILE, NODE_EXTRA_CA_CERTS, "
                   + "REQUESTS_CA_BUNDLE or curl --cacert (names: \(unique.joined(separator: ", ")))")
        return try TLSContext(certificateChainPEM: Array(made.serverPEM.utf8),
                              privateKeyPEM: Array(made.serverKeyPEM.utf8))
    }

    /// Written beside, then renamed: a reader never sees half a file.
    static func writeWhole(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".partial"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        var failed = fd < 0
        if !failed {
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if written <= 0 && errno != EINTR {
                    failed = true
                    break
                }
                offset += max(0, written)
            }
            if close(fd) != 0 { failed = true }
        }
        if failed || rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw TLSSetupError( "TLS: cannot write \(path): \(reason)")
        }
    }
}

struct TLSSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
