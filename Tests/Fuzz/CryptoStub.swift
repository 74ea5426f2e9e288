// Fuzz builds compile the core's sources with swiftc alone, without swift-crypto: this stands in for the
// part of its SHA256 the core calls. It is not a hash; what the harnesses check never depends on digests.
// Compiled by Tests/Fuzz/run.sh only; never by SwiftPM.

struct SHA256 {
    struct Digest: Sequence {
        var bytes: [UInt8]
        func makeIterator() -> IndexingIterator<[UInt8]> { bytes.makeIterator() }
    }

    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func update(data: [UInt8]) {
        for byte in data { state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    }

    mutating func update(bufferPointer: UnsafeRawBufferPointer) {
        for byte in bufferPointer { state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    }

    func finalize() -> Digest {
        Digest(bytes: (0..<32).map { UInt8(truncatingIfNeeded: state >> UInt64(($0 % 8) * 8)) })
    }
}
