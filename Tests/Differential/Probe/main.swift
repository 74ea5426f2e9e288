// Feeds byte streams to RequestParser and prints what it made of each, for Tests/Differential/differential.py.
//
// stdin: cases, each `length: UInt32 LE, seed: UInt64 LE, bytes[length]`. stdout: one JSON line per case,
// `{"r": [request...], "e": status or null, "m": message, "inc": bool, "cont": count}` where a request is
// `{"m": method, "t": target, "v": minor, "h": [[name, value]...], "b": body, "k": keepAlive}` and every
// byte string is hex (lossless). The bytes go in as pieces of seeded random sizes, through `append` and
// `readInto` in turn, so the incremental paths are what is compared. Requests to `/v2/` stream their bodies,
// as the registry's do (head, pieces, end: SPEC §21); they are reassembled before they are printed.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PackagesEmulator

/// SplitMix64: small, seeded, the same sequence on every platform.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

func readAll() -> [UInt8] {
    var input: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if count <= 0 { return input }
        input.append(contentsOf: chunk[0..<count])
    }
}

let hexDigits = Array("0123456789abcdef".utf8)

func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    var out: [UInt8] = [0x22]
    for byte in bytes {
        out.append(hexDigits[Int(byte >> 4)])
        out.append(hexDigits[Int(byte & 15)])
    }
    out.append(0x22)
    return String(decoding: out, as: UTF8.self)
}

func json(_ request: ParsedRequest) -> String {
    let headers = request.headers.map { "[\(hex($0.name.utf8)),\(hex($0.value.utf8))]" }.joined(separator: ",")
    return "{\"m\":\(hex(request.method.utf8)),\"t\":\(hex(request.target.utf8)),\"v\":\(request.minorVersion),"
        + "\"h\":[\(headers)],\"b\":\(hex(request.body)),\"k\":\(request.keepAlive)}"
}

/// Parses one case fed in random pieces.
func probe(_ bytes: ArraySlice<UInt8>, seed: UInt64) -> String {
    var random = SplitMix64(state: seed)
    var parser = RequestParser(streams: { _, target in target.hasPrefix("/v2/") })
    var requests: [String] = []
    var streamed: ParsedRequest?
    var failure: ParseError?
    var continues = 0
    var offset = bytes.startIndex
    var piece = 0
    feeding: while offset < bytes.endIndex {
        let left = bytes.endIndex - offset
        let size = switch random.below(4) {
        case 0: 1
        case 1: 1 + random.below(8)
        case 2: 1 + random.below(64)
        default: left
        }
        let slice = bytes[offset..<(offset + min(size, left))]
        offset += slice.count
        piece += 1
        if piece % 2 == 0 {
            slice.withUnsafeBytes { parser.append($0) }
        } else {
            _ = parser.readInto(minimum: slice.count) { space in
                slice.withUnsafeBytes { space.copyMemory(from: $0) }
                return slice.count
            }
        }
        while let event = parser.next() {
            switch event {
            case .request(let request): requests.append(json(request))
            case .expectContinue: continues += 1
            case .head(let head, _): streamed = head
            case .body(let piece): streamed?.body.append(contentsOf: piece)
            case .end:
                if let request = streamed { requests.append(json(request)) }
                streamed = nil
            case .failure(let error):
                failure = error
                break feeding
            }
        }
    }
    let error = failure.map { String($0.status) } ?? "null"
    let message = hex((failure?.message ?? "").utf8)
    let incomplete = failure == nil && !parser.isIdle
    return "{\"r\":[\(requests.joined(separator: ","))],\"e\":\(error),\"m\":\(message),"
        + "\"inc\":\(incomplete),\"cont\":\(continues)}"
}

func littleEndian(_ bytes: [UInt8], _ at: Int, _ count: Int) -> UInt64 {
    (0..<count).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
}

let input = readAll()
var position = 0
while position + 12 <= input.count {
    let length = Int(littleEndian(input, position, 4))
    let seed = littleEndian(input, position + 4, 8)
    position += 12
    guard position + length <= input.count else { break }
    print(probe(input[position..<(position + length)], seed: seed))
    position += length
}
