import Synchronization

/// A fault rule of `POST /_emulator/faults`: which API requests it matches, what it does, how often.
struct Fault: Sendable {
    enum Kind: Sendable, Equatable {
        /// 500, 502 or 503 with GitHub's body.
        case status(Int)
        /// The normal answer, sent this many milliseconds later.
        case delay(milliseconds: Int)
        /// 403 or 429 with `Retry-After` and GitHub's secondary-rate-limit body.
        case secondaryRateLimit(status: Int, retryAfter: Int)
        /// The connection closed without an answer.
        case drop

        var name: String {
            switch self {
            case .status: "status"
            case .delay: "delay"
            case .secondaryRateLimit: "secondary_rate_limit"
            case .drop: "drop"
            }
        }
    }

    var id: Int = 0
    var kind: Kind
    /// Matches the path's `{username}`, case-insensitively.
    var user: String?
    /// Matches a presented token that starts with it.
    var token: String?
    var packageType: String?
    /// The request's method, exactly (`DELETE`), and GitHub's operation id of its route (SPEC §20).
    var method: String?
    var operation: String?
    /// Matches left; nil: until deleted.
    var remaining: Int?
    var hits = 0

    func matches(_ subject: FaultSubject) -> Bool {
        if let user, subject.user?.asciiLowercased() != user.asciiLowercased() { return false }
        if let token, !(subject.token?.hasPrefix(token) ?? false) { return false }
        if let packageType, subject.packageType != packageType { return false }
        if let method, subject.method != method { return false }
        if let operation, subject.operation != operation { return false }
        return true
    }
}

/// What a fault can match on, taken from an API request.
struct FaultSubject {
    var user: String?
    var token: String?
    var packageType: String?
    var method: String?
    var operation: String?

    init(user: String? = nil, token: String? = nil, packageType: String? = nil, method: String? = nil,
         operation: String? = nil) {
        self.user = user
        self.token = token
        self.packageType = packageType
        self.method = method
        self.operation = operation
    }

    init(_ request: Request, target: RequestTarget) {
        let route = Route.resolve(method: request.method, path: target.path)
        method = request.method
        operation = route?.operation.id
        // The owner of `/users/{username}` or `/orgs/{org}`, on any path that has one.
        let segments = (route?.path ?? target.path).split(separator: "/", omittingEmptySubsequences: false)
        if segments.count >= 3, segments[1] == "users" || segments[1] == "orgs",
           case .success(let decoded) = PercentDecoding.decode(segments[2], plusIsSpace: false) {
            user = decoded
        }
        if let raw = route?.parameters["package_type"],
           case .success(let decoded) = PercentDecoding.decode(raw, plusIsSpace: false) {
            packageType = decoded
        }
        switch Credentials(headerValues: request.values(of: "authorization")) {
        case .token(let value): token = value
        case .basic(let user, let password): token = password.isEmpty || password == "x-oauth-basic" ? user : password
        case .none, .malformed: break
        }
        if packageType == nil, case .success(let query) = Query.parse(target.query) { packageType = query["package_type"] }
    }
}

extension FaultSubject {
    /// A registry request: its operation, the owner its name starts with, its token however presented.
    init(registry request: Request, operation: String?, name: String?) {
        self.init(method: request.method, operation: operation)
        user = name.flatMap { $0.split(separator: "/").first.map(String.init) }
        packageType = name == nil ? nil : "container"
        if case .secret(let secret) = RegistryRequest.presented(request) { token = secret }
    }
}

/// The fault rules in force, shared by every loop.
final class Faults: Sendable {
    private struct State {
        var rules: [Fault] = []
        var nextID = 1
    }

    private let state = Mutex(State())
    /// Lets the request path skip the lock while no rule exists (the common case).
    private let count = Atomic<Int>(0)

    var isEmpty: Bool { count.load(ordering: .acquiring) == 0 }

    func add(_ fault: Fault) -> Fault {
        state.withLock { state in
            var added = fault
            added.id = state.nextID
            state.nextID += 1
            state.rules.append(added)
            count.store(state.rules.count, ordering: .releasing)
            return added
        }
    }

    /// The first rule matching `subject`, used once: its `times` counts down and it goes at zero.
    func take(matching subject: FaultSubject) -> Fault? {
        state.withLock { state in
            guard let index = state.rules.firstIndex(where: { $0.matches(subject) }) else { return nil }
            state.rules[index].hits += 1
            if let remaining = state.rules[index].remaining { state.rules[index].remaining = remaining - 1 }
            let fault = state.rules[index]
            if fault.remaining == 0 { state.rules.remove(at: index) }
            count.store(state.rules.count, ordering: .releasing)
            return fault
        }
    }

    func list() -> [Fault] { state.withLock { $0.rules } }

    func clear() {
        state.withLock { state in
            state.rules = []
            count.store(0, ordering: .releasing)
        }
    }

    func remove(id: Int) -> Bool {
        state.withLock { state in
            guard let index = state.rules.firstIndex(where: { $0.id == id }) else { return false }
            state.rules.remove(at: index)
            count.store(state.rules.count, ordering: .releasing)
            return true
        }
    }
}

extension Fault {
    static let keys: Set<String> = ["kind", "status", "milliseconds", "retry_after", "user", "token",
                                    "package_type", "method", "operation", "times"]
    static let maxDelay = 60_000

    /// A rule from the JSON body of `POST /_emulator/faults`, or every problem with it (path, message).
    static func parse(_ value: JSONValue) -> (fault: Fault?, errors: [(path: String, message: String)]) {
        guard let members = value.objectMembers else { return (nil, [("$", "must be an object")]) }
        var errors: [(path: String, message: String)] = []
        for member in members where !keys.contains(member.key) {
            errors.append(("$.\(member.key)", "unknown key; allowed: \(keys.sorted().joined(separator: ", "))"))
        }
        func int(_ key: String, _ range: ClosedRange<Int>) -> Int?? {
            guard let field = value[key] else { return .some(nil) }
            guard case .number(let number) = field, let parsed = number.int64Value, range.contains(Int(parsed))
            else {
                errors.append(("$.\(key)", "must be an integer from \(range.lowerBound) to \(range.upperBound), "
                               + "not \(field.summary)"))
                return nil
            }
            return .some(Int(parsed))
        }
        func string(_ key: String) -> String? {
            guard let field = value[key] else { return nil }
            guard case .string(let text) = field, !text.isEmpty else {
                errors.append(("$.\(key)", "must be a non-empty string, not \(field.summary)"))
                return nil
            }
            return text
        }
        let status = int("status", 100...599)
        let milliseconds = int("milliseconds", 1...maxDelay)
        let retryAfter = int("retry_after", 0...86_400)
        let times = int("times", 1...Int(Int32.max))
        let user = string("user")
        let token = string("token")
        let packageType = string("package_type")
        if let packageType, PackageType(rawValue: packageType) == nil {
            errors.append(("$.package_type", "\(JSONValue.quoted(packageType)) is not one of "
                           + PackageType.allCases.map(\.rawValue).joined(separator: ", ")))
        }
        let method = string("method")
        let operation = string("operation")
        if let operation, !RouteTable.operations.contains(where: { $0.id == operation }),
           !RouteTable.registry.contains(where: { $0.id == operation }), !RouteTable.npm.contains(where: { $0.id == operation }) {
            errors.append(("$.operation", "\(JSONValue.quoted(operation)) is not the id of an operation the emulator "
                           + "serves (GitHub's operation ids, e.g. \"packages/delete-package-version-for-user\", "
                           + "or the registries', e.g. \"registry/put-manifest\", \"npm/publish\")"))
        }
        var kind: Kind?
        let kindName = string("kind")
        func refuse(_ key: String, _ present: Int??) {
            if case .some(.some) = present {
                errors.append(("$.\(key)", "not allowed for kind \(JSONValue.quoted(kindName ?? ""))"))
            }
        }
        switch kindName {
        case "status":
            switch status {
            case .some(.some(let code)) where [500, 502, 503].contains(code): kind = .status(code)
            case .some(.some(let code)): errors.append(("$.status", "must be 500, 502 or 503, not \(code)"))
            case .some(.none): errors.append(("$.status", "required for kind \"status\" (500, 502 or 503)"))
            case .none: break
            }
            refuse("milliseconds", milliseconds)
            refuse("retry_after", retryAfter)
        case "delay":
            if case .some(.some(let value)) = milliseconds { kind = .delay(milliseconds: value) }
            if case .some(.none) = milliseconds {
                errors.append(("$.milliseconds", "required for kind \"delay\" (1 to \(maxDelay))"))
            }
            refuse("status", status)
            refuse("retry_after", retryAfter)
        case "secondary_rate_limit":
            let code = status.flatMap { $0 } ?? 403
            if code != 403 && code != 429 { errors.append(("$.status", "must be 403 or 429, not \(code)")) }
            if let seconds = retryAfter { kind = .secondaryRateLimit(status: code, retryAfter: seconds ?? 60) }
            refuse("milliseconds", milliseconds)
        case "drop":
            kind = .drop
            refuse("status", status)
            refuse("milliseconds", milliseconds)
            refuse("retry_after", retryAfter)
        case .some(let other):
            errors.append(("$.kind", "\(JSONValue.quoted(other)) is not one of status, delay, "
                           + "secondary_rate_limit, drop"))
        case .none:
            if value["kind"] == nil {
                errors.append(("$.kind", "required: status, delay, secondary_rate_limit or drop"))
            }
        }
        guard errors.isEmpty, let kind, let times else { return (nil, errors) }
        return (Fault(kind: kind, user: user, token: token, packageType: packageType, method: method,
                      operation: operation, remaining: times), [])
    }

    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("id")
        json.int(Int64(id))
        json.key("kind")
        json.string(kind.name)
        switch kind {
        case .status(let code):
            json.key("status")
            json.int(Int64(code))
        case .delay(let milliseconds):
            json.key("milliseconds")
            json.int(Int64(milliseconds))
        case .secondaryRateLimit(let code, let retryAfter):
            json.key("status")
            json.int(Int64(code))
            json.key("retry_after")
            json.int(Int64(retryAfter))
        case .drop:
            break
        }
        json.key("user")
        json.optionalString(user)
        json.key("token")
        json.optionalString(token.map(Redaction.token))
        json.key("package_type")
        json.optionalString(packageType)
        json.key("method")
        json.optionalString(method)
        json.key("operation")
        json.optionalString(operation)
        json.key("times")
        if let remaining { json.int(Int64(remaining)) } else { json.null() }
        json.key("hits")
        json.int(Int64(hits))
        json.endObject()
    }
}
