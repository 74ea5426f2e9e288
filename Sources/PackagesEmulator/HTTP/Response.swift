/// An answer, complete: status, every header (including `Content-Length`) and the body of a GET.
///
/// For HEAD, 204 and 304 the shell sends the headers only; `Content-Length` still says what a GET
/// would carry (SPEC §9, §12).
public struct Response: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Send the answer this many milliseconds later, without blocking the loop (a delay fault).
    public var delayMilliseconds = 0
    /// Close the connection without answering (a drop fault).
    public var dropConnection = false
    /// GitHub's operation id of the route that answered, for the journal; nil off the route table.
    var operation: String?
    /// More of the body after `body`, sent in order: files without copying them (registry blobs, which may
    /// be gigabytes) and bytes between them (an export's tar headers). `Content-Length` counts them all.
    public var parts: [BodyPart] = []

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let wanted = name.asciiLowercased()
        return headers.first { $0.name.equalsASCIILowercase(wanted) }?.value
    }

    /// Whether the body is sent on the wire (never for HEAD, 204 or 304).
    public func sendsBody(method: String) -> Bool {
        method != "HEAD" && status != 204 && status != 304
    }

    public static func reason(for status: Int) -> String {
        switch status {
        case 202: return "Accepted"
        case 206: return "Partial Content"
        case 405: return "Method Not Allowed"
        case 416: return "Range Not Satisfiable"
        default: break
        }
        return commonReason(for: status)
    }

    static func commonReason(for status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 409: "Conflict"
        case 413: "Payload Too Large"
        case 414: "URI Too Long"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "Unknown"
        }
    }
}

/// Bytes of a file to send as a body: the shell opens it and sends them without copying (`sendfile`).
public struct ResponseFile: Sendable, Equatable {
    public var path: String
    public var offset: Int64
    public var length: Int64
}

/// A piece of a body after `Response.body`.
public enum BodyPart: Sendable, Equatable {
    case bytes([UInt8])
    case file(ResponseFile)

    public var count: Int64 {
        switch self {
        case .bytes(let bytes): Int64(bytes.count)
        case .file(let file): file.length
        }
    }
}
