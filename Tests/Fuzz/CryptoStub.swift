// Fuzz builds compile the core's sources with swiftc alone, without swift-crypto: this stands in for the
// part of its SHA256, SHA512 and Insecure.SHA1 the core calls (`init()`, `update(data:)`,
// `update(bufferPointer:)`, `finalize()` as a Sequence of `byteCount` bytes). It is not a hash; what the
// harnesses check never depends on digests.
// Compiled by Tests/Fuzz/run.sh only; never by SwiftPM.

struct StubHash<let byteCount: Int> {
    struct Digest: Sequence {
        var bytes: [UInt8]
        func makeIterator() -> IndexingIterator<[UInt8]> { bytes.makeIterator() }
    }

    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    init() {}

    mutating func update(data: [UInt8]) {
        for byte in data { state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    }

    mutating func update(bufferPointer: UnsafeRawBufferPointer) {
        for byte in bufferPointer { state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    }

    func finalize() -> Digest {
        Digest(bytes: (0..<byteCount).map { UInt8(truncatingIfNeeded: state >> UInt64(($0 % 8) * 8)) })
    }
}

typealias SHA256 = StubHash<32>
typealias SHA512 = StubHash<64>

enum Insecure {
    typealias SHA1 = StubHash<20>
}
