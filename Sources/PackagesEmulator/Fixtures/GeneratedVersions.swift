/// The versions of a package that gives only `version_count` (SPEC §14, a choice of the emulator):
/// version `n` (1 = oldest) has id `package id × 100000 + n`, is created `n − 1` minutes after the
/// package, and is named `sha256:` + SHA-256 of `"<package id>:<n>"` for containers, `1.0.<n − 1>`
/// otherwise; only the newest container version carries a tag, `latest`.
public enum GeneratedVersions {
    /// The most versions a package may generate.
    public static let maxCount: Int64 = 10_000

    /// The id of generated version `n` of package `packageID`.
    public static func id(packageID: Int64, number: Int64) -> Int64 {
        packageID.multipliedReportingOverflow(by: 100_000).partialValue &+ number
    }

    public static func versions(of package: Package) -> [PackageVersion] {
        let count = max(0, min(package.versionCount, maxCount))
        guard count > 0 else { return [] }
        return (1...count).map { version($0, of: package) }
    }

    /// Version `number` (1 = oldest) of a package with generated versions.
    static func version(_ number: Int64, of package: Package) -> PackageVersion {
        let count = max(0, min(package.versionCount, maxCount))
        let date = FixtureDate.string((FixtureDate.epoch(package.createdAt) ?? 0) + (number - 1) * 60)
        let isContainer = package.type == .container
        let name = isContainer ? "sha256:" + SHA256Hex.of(Array("\(package.id):\(number)".utf8)) : "1.0.\(number - 1)"
        return PackageVersion(
            id: id(packageID: package.id, number: number), name: name,
            tags: isContainer && number == count ? ["latest"] : [], createdAt: date, updatedAt: date)
    }
}

/// Fixture dates (`YYYY-MM-DDTHH:MM:SSZ`, already checked by `FixtureRules.dateProblem`) as epoch seconds.
public enum FixtureDate {
    public static func epoch(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20 else { return nil }
        func number(_ range: Range<Int>) -> Int64 {
            range.reduce(0) { $0 * 10 + Int64(bytes[$1] &- UInt8(ascii: "0")) }
        }
        let days = daysFromCivil(year: number(0..<4), month: number(5..<7), day: number(8..<10))
        return days * 86_400 + number(11..<13) * 3600 + number(14..<16) * 60 + number(17..<19)
    }

    public static func string(_ epoch: Int64) -> String {
        let days = epoch >= 0 ? epoch / 86_400 : (epoch - 86_399) / 86_400
        let seconds = epoch - days * 86_400
        let (year, month, day) = civilFromDays(days)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(year)
        return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText
            + "-\(two(month))-\(two(day))T\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))Z"
    }

    // Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian calendar).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
