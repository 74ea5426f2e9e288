/// Writes an answer's head (RFC 9112 §4, §5) into a buffer the caller reuses, in one pass: the status
/// line comes from a table built once, every header is copied as UTF-8, no formatting per byte.
public enum ResponseWriter {
    /// Appends the status line, `date`, the response's headers, the connection header the answer needs
    /// and the blank line. `keepAlive` false adds `Connection: close` (unless the response has one);
    /// an HTTP/1.0 client that kept the connection alive is told `Connection: keep-alive`. Returns
    /// whether the connection stays open after this answer.
    @discardableResult
    public static func appendHead(of response: Response, keepAlive: Bool, minorVersion: Int,
                                  date: [UInt8], to out: inout [UInt8]) -> Bool {
        out.append(contentsOf: statusLine(response.status))
        out.append(contentsOf: date)
        var hasConnection = false
        var stays = keepAlive
        for (name, value) in response.headers {
            if name.utf8.count == 10 && name.equalsASCIILowercase("connection") {
                hasConnection = true
                if value.equalsASCIILowercase("close") { stays = false }
            }
            out.append(contentsOf: name.utf8)
            out.append(0x3A)
            out.append(0x20)
            out.append(contentsOf: value.utf8)
            out.append(0x0D)
            out.append(0x0A)
        }
        if !hasConnection {
            if !keepAlive {
                out.append(contentsOf: connectionClose)
            } else if minorVersion == 0 {
                out.append(contentsOf: connectionKeepAlive)
            }
        }
        out.append(0x0D)
        out.append(0x0A)
        return stays
    }

    /// `HTTP/1.1 100 Continue` and its blank line (RFC 9110 §15.2.1).
    public static let continueHead: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    static func statusLine(_ status: Int) -> [UInt8] {
        statusLines.indices.contains(status) ? statusLines[status] : Array("HTTP/1.1 \(status) Unknown\r\n".utf8)
    }

    private static let statusLines: [[UInt8]] = (0..<600).map { status in
        Array("HTTP/1.1 \(status) \(Response.reason(for: status))\r\n".utf8)
    }

    private static let connectionClose = Array("Connection: close\r\n".utf8)
    private static let connectionKeepAlive = Array("Connection: keep-alive\r\n".utf8)
}

/// The `Date` header line (RFC 9110 §5.6.7, IMF-fixdate), computed without a calendar library; the shell
/// renders it once a second.
public enum HTTPDate {
    public static func line(epochSeconds: Int64) -> [UInt8] {
        let days = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
        let seconds = Int(epochSeconds - days * 86_400)
        // 1970-01-01 was a Thursday.
        let weekday = Int(((days % 7) + 11) % 7)
        let (year, month, day) = civil(days: days)
        var out = Array("Date: ".utf8)
        out.append(contentsOf: weekdays[weekday].utf8)
        out.append(contentsOf: ", ".utf8)
        appendTwoDigits(day, to: &out)
        out.append(0x20)
        out.append(contentsOf: months[month - 1].utf8)
        out.append(0x20)
        out.append(contentsOf: String(year).utf8)
        out.append(0x20)
        appendTwoDigits(seconds / 3600, to: &out)
        out.append(0x3A)
        appendTwoDigits(seconds / 60 % 60, to: &out)
        out.append(0x3A)
        appendTwoDigits(seconds % 60, to: &out)
        out.append(contentsOf: " GMT\r\n".utf8)
        return out
    }

    /// Howard Hinnant's `civil_from_days` (days since 1970-01-01 → proleptic Gregorian date).
    static func civil(days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    private static func appendTwoDigits(_ value: Int, to out: inout [UInt8]) {
        out.append(UInt8(0x30 + value / 10))
        out.append(UInt8(0x30 + value % 10))
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}
