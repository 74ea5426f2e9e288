// libFuzzer harness: what the registry reads from clients (SPEC §21): manifests with a Content-Type,
// repository names, references, `Range` and `Content-Range` headers. The first byte picks the
// Content-Type; the rest is the input. Nothing may crash, and what is accepted must be consistent:
// a manifest's media type is one of the four; a name splits into lowercase parts that join back; a
// range lies inside the blob; a reference is a tag or a digest that prints back as given.
// Compiled by Tests/Fuzz/run.sh together with every file of Sources/PackagesEmulator/; never by SwiftPM.

let contentTypes: [String?] = [nil, Manifest.ociManifest, Manifest.ociIndex, Manifest.dockerManifest, Manifest.dockerList,
                               "application/json", Manifest.ociManifest + "; charset=utf-8", "text/plain"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let contentType = contentTypes[Int(data[0]) % contentTypes.count]
    if case .success(let manifest) = Manifest.parse(bytes, contentType: contentType) {
        precondition(Manifest.mediaTypes.contains(manifest.mediaType), "an unknown media type accepted")
        switch manifest.kind {
        case .image: precondition(manifest.mediaType == Manifest.ociManifest || manifest.mediaType == Manifest.dockerManifest)
        case .index: precondition(manifest.mediaType == Manifest.ociIndex || manifest.mediaType == Manifest.dockerList)
        }
    }
    let text = String(decoding: bytes, as: UTF8.self)
    if let (owner, package) = RegistryName.split(text) {
        precondition(owner + "/" + package == text, "a name does not join back")
        precondition(!text.contains(".."), "a name with ..")
        precondition(!text.utf8.contains { $0 >= 0x41 && $0 <= 0x5A }, "a name with uppercase")
    }
    if let reference = Reference(text) {
        switch reference {
        case .tag(let tag): precondition(tag == text && tag.utf8.count <= 128)
        case .digest(let digest): precondition(digest.description == text)
        }
    }
    let size = Int64(data[0]) * 1000
    if let range = ByteRange(text), let served = range.resolve(size: size) {
        precondition(served.lowerBound >= 0 && served.upperBound <= size && !served.isEmpty, "a range outside the blob")
    }
    if let range = ContentRange(text) {
        precondition(range.start >= 0 && range.count >= 1, "an empty or negative chunk")
    }
    return 0
}
