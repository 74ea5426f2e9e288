import ArgumentParser
import PackagesEmulatorHTTP

/// The limits of SPEC §12, each a flag with an environment variable (a flag wins).
struct LimitOptions: ParsableArguments {
    @Option(name: .customLong("max-request-line"),
            help: "Longest request line in bytes; longer gets 414. [EMULATOR_MAX_REQUEST_LINE, default 8192]")
    var maxRequestLine: Int?

    @Option(name: .customLong("max-headers-size"),
            help: "Request line and headers in bytes; 431 past it. [EMULATOR_MAX_HEADERS_SIZE, default 65536]")
    var maxHeadersSize: Int?

    @Option(name: .customLong("max-body-size"),
            help: "Request body in bytes, read and discarded; 413 past it. [EMULATOR_MAX_BODY_SIZE, default 1048576]")
    var maxBodySize: Int?

    @Option(name: .customLong("timeout"),
            help: "Seconds an idle keep-alive or slow client may take. [EMULATOR_TIMEOUT, default 30]")
    var timeout: Int?

    @Option(name: .customLong("max-connections"),
            help: "Open connections; past it new ones wait in the backlog. [EMULATOR_MAX_CONNECTIONS, default 10000]")
    var maxConnections: Int?

    func limits(environment: [String: String]) throws -> Server.Limits {
        var limits = Server.Limits()
        func value(_ flag: Int?, _ variable: String, _ range: ClosedRange<Int>, default fallback: Int) throws -> Int {
            let chosen = try Environment.option(flag, variable, in: environment, { Int($0) }, default: fallback)
            guard range.contains(chosen) else {
                throw ValidationError("\(variable) (or its flag) must be between \(range.lowerBound) and "
                                      + "\(range.upperBound), not \(chosen).")
            }
            return chosen
        }
        limits.maxRequestLine = try value(maxRequestLine, "EMULATOR_MAX_REQUEST_LINE", 64...(1 << 30),
                                          default: limits.maxRequestLine)
        limits.maxHeadersSize = try value(maxHeadersSize, "EMULATOR_MAX_HEADERS_SIZE", 256...(1 << 30),
                                          default: limits.maxHeadersSize)
        limits.maxBodySize = try value(maxBodySize, "EMULATOR_MAX_BODY_SIZE", 0...(1 << 30),
                                       default: limits.maxBodySize)
        limits.timeoutSeconds = Int32(try value(timeout, "EMULATOR_TIMEOUT", 1...86_400,
                                                default: Int(limits.timeoutSeconds)))
        limits.maxConnections = try value(maxConnections, "EMULATOR_MAX_CONNECTIONS", 1...1_000_000,
                                          default: limits.maxConnections)
        return limits
    }
}
