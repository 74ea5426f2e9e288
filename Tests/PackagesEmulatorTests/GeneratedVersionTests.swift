import Testing

@testable import PackagesEmulator

/// The versions of a package that gives only `version_count` (SPEC §14), SHA-256 and fixture dates.
struct GeneratedVersionTests {
    @Test(arguments: [
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        // Around the padding's edges: 55 bytes fit one block, 56 to 63 need a second, 64 is exactly one.
        (String(repeating: "a", count: 55), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (String(repeating: "a", count: 56), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (String(repeating: "a", count: 63), "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
        (String(repeating: "a", count: 64), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
        (String(repeating: "a", count: 119), "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"),
    ])
    func sha256MatchesFIPS180Vectors(_ message: String, _ digest: String) {
        #expect(SHA256Hex.of(Array(message.utf8)) == digest)
    }

    static func package(_ type: PackageType, count: Int64, id: Int64 = 104,
                        created: String = "2024-01-31T23:58:30Z") -> Package {
        Package(id: id, name: "p", type: type, versionCount: count, createdAt: created,
                updatedAt: "2024-06-01T00:00:00Z")
    }

    @Test func idsArePackageIDTimes100000PlusN() {
        #expect(GeneratedVersions.id(packageID: 104, number: 1) == 10_400_001)
        #expect(GeneratedVersions.id(packageID: 1, number: 10_000) == 110_000)
        #expect(GeneratedVersions.versions(of: Self.package(.npm, count: 3)).map(\.id)
                == [10_400_001, 10_400_002, 10_400_003])
        #expect(GeneratedVersions.versions(of: Self.package(.npm, count: 0)) == [])
        #expect(GeneratedVersions.versions(of: Self.package(.npm, count: 10_000)).count == 10_000)
    }

    @Test func containerNamesAreTheSHA256OfIDAndNumber() {
        let versions = GeneratedVersions.versions(of: Self.package(.container, count: 2))
        #expect(versions.map(\.name) == [
            "sha256:d5d704704663d03c02584bd401d2318b91e197b89f4ee24b24d941052ba60263",
            "sha256:92731b9f26f859b15164003e2ea3cb61f8b6fc22c3b1048ed3836675e8146cce",
        ])
        #expect(versions.allSatisfy { FixtureRules.isContainerDigest($0.name) })
    }

    @Test(arguments: [PackageType.npm, .maven, .rubygems, .docker, .nuget])
    func otherNamesCountFrom1_0_0(_ type: PackageType) {
        let versions = GeneratedVersions.versions(of: Self.package(type, count: 3))
        #expect(versions.map(\.name) == ["1.0.0", "1.0.1", "1.0.2"])
        #expect(versions.allSatisfy { $0.tags == [] && $0.downloads == 0 && $0.deletedAt == nil })
    }

    @Test func onlyTheNewestContainerVersionIsTaggedLatest() {
        #expect(GeneratedVersions.versions(of: Self.package(.container, count: 3)).map(\.tags) == [[], [], ["latest"]])
        #expect(GeneratedVersions.versions(of: Self.package(.container, count: 1)).map(\.tags) == [["latest"]])
    }

    @Test(arguments: [
        ("2024-01-31T23:58:30Z", ["2024-01-31T23:58:30Z", "2024-01-31T23:59:30Z", "2024-02-01T00:00:30Z"]),
        ("2024-02-29T23:59:00Z", ["2024-02-29T23:59:00Z", "2024-03-01T00:00:00Z", "2024-03-01T00:01:00Z"]),
        ("2023-12-31T23:58:59Z", ["2023-12-31T23:58:59Z", "2023-12-31T23:59:59Z", "2024-01-01T00:00:59Z"]),
    ])
    func datesAreNMinus1MinutesAfterThePackage(_ created: String, _ dates: [String]) {
        let versions = GeneratedVersions.versions(of: Self.package(.npm, count: 3, created: created))
        #expect(versions.map(\.createdAt) == dates)
        #expect(versions.map(\.updatedAt) == dates)
    }

    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0), ("1969-12-31T23:59:59Z", -1), ("2000-03-01T00:00:00Z", 951_868_800),
        ("2024-02-29T12:34:56Z", 1_709_210_096), ("0001-01-01T00:00:00Z", -62_135_596_800),
        ("9999-12-31T23:59:59Z", 253_402_300_799),
    ] as [(String, Int64)])
    func fixtureDatesAreEpochSeconds(_ text: String, _ epoch: Int64) {
        #expect(FixtureDate.epoch(text) == epoch)
        #expect(FixtureDate.string(epoch) == text)
    }

    @Test func fixtureDateRoundTripsEveryDayOfFourCenturies() {
        // 1900-03-01 ... 2300-03-01 in steps of a day and 37 seconds: every month length and leap rule.
        var epoch: Int64 = -2_203_891_200
        var wrong: [String] = []
        while epoch < 10_418_889_600 {
            let text = FixtureDate.string(epoch)
            if FixtureRules.dateProblem(text) != nil || FixtureDate.epoch(text) != epoch { wrong.append(text) }
            epoch += 86_437
        }
        #expect(wrong == [])
        #expect(FixtureDate.epoch("not a date") == nil)
    }
}
