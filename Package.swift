// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "github-packages-emulator",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "github-packages-emulator", targets: ["github-packages-emulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // `import` reads GitHub over HTTPS (api.github.com, GHES).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // `import --cacert`: the CA an HTTPS API's certificate must chain to (an emulator's own, SPEC §23).
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // SHA-256 (BoringSSL's): registry digests, generated version names, ETags.
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        // X.509 for the CA and server certificate made at start (SPEC §23).
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
    ],
    targets: [
        // libevent through pkg-config (Debian/Ubuntu: libevent-dev), and OpenSSL 3 for TLS (SPEC §23;
        // libssl-dev) in the same module: see CLibevent.h for why one.
        .systemLibrary(
            name: "CLibevent",
            pkgConfig: "libevent",
            providers: [.apt(["libevent-dev", "libssl-dev"]), .brew(["libevent", "openssl@3"])]
        ),
        // Pure core: fixtures, request -> response. No sockets, no C.
        .target(name: "PackagesEmulator", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // The only module that imports CLibevent.
        .target(
            name: "PackagesEmulatorHTTP",
            dependencies: [
                "CLibevent", "PackagesEmulator",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "github-packages-emulator",
            dependencies: [
                "PackagesEmulator", "PackagesEmulatorHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "PackagesEmulatorTests",
            dependencies: ["PackagesEmulator", .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Schemas")]
        ),
        // Starts the real executable on 127.0.0.1:0 and talks to it over sockets.
        .testTarget(
            name: "LiveTests",
            // CLibevent for OpenSSL: a TLS client that can misbehave on purpose (SPEC §23's abuse cases).
            dependencies: ["github-packages-emulator", "CLibevent"]
        ),
        // Feeds byte streams to RequestParser for Tests/Differential (h11 and httptools beside it).
        .executableTarget(
            name: "http-parser-probe", dependencies: ["PackagesEmulator"], path: "Tests/Differential/Probe"
        ),
    ],
    swiftLanguageModes: [.v6]
)
