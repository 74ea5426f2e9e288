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
        // SHA-256 (BoringSSL's): registry digests, generated version names, ETags.
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // libevent through pkg-config (Debian/Ubuntu: libevent-dev).
        .systemLibrary(
            name: "CLibevent",
            pkgConfig: "libevent",
            providers: [.apt(["libevent-dev"]), .brew(["libevent"])]
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
            dependencies: ["github-packages-emulator"]
        ),
        // Feeds byte streams to RequestParser for Tests/Differential (h11 and httptools beside it).
        .executableTarget(
            name: "http-parser-probe", dependencies: ["PackagesEmulator"], path: "Tests/Differential/Probe"
        ),
    ],
    swiftLanguageModes: [.v6]
)
