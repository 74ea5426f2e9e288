/// The control routes under `/_emulator/` (issue 5): data set, journal, faults, rate limits.
/// Every answer is JSON; errors in GitHub's shape.
extension Emulator {
    private enum Route {
        case fixtures, export, clock, reset, requests, faults, fault(Substring), rateLimit(Substring)

        init?(_ path: Substring) {
            switch path {
            case "/_emulator/fixtures": self = .fixtures
            case "/_emulator/fixtures/export": self = .export
            case "/_emulator/clock": self = .clock
            case "/_emulator/reset": self = .reset
            case "/_emulator/requests": self = .requests
            case "/_emulator/faults": self = .faults
            default:
                if let id = path.dropPrefix("/_emulator/faults/"), !id.isEmpty, !id.contains("/") {
                    self = .fault(id)
                } else if let key = path.dropPrefix("/_emulator/rate-limits/"), !key.isEmpty, !key.contains("/") {
                    self = .rateLimit(key)
                } else {
                    return nil
                }
            }
        }
    }

    /// The answer of a control route, or nil when `path` and the method name none.
    func controlRoute(_ request: Request, path: Substring) -> Response? {
        guard let route = Route(path) else { return nil }
        let method = request.method == "HEAD" ? "GET" : request.method
        let allowed: Set<String> = switch route {
        case .fixtures: ["GET", "PUT"]
        case .export: ["GET"]
        case .clock: ["GET", "PUT"]
        case .reset: ["POST"]
        case .requests: ["GET", "DELETE"]
        case .faults: ["GET", "POST", "DELETE"]
        case .fault: ["DELETE"]
        case .rateLimit: ["PUT"]
        }
        guard allowed.contains(method) else { return nil }
        if method != "GET" {
            if let refusal = ControlAccess.refusal(request, settings: config.control) { return error(refusal) }
            if request.body.count > config.control.maxBodySize {
                return error(.controlBodyTooLarge(config.control.maxBodySize))
            }
        }
        switch (route, method) {
        case (.fixtures, "GET"): return ok(summary(of: store))
        case (.fixtures, _): return replaceFixtures(request.body)
        // The data set now in use, in the format `PUT` takes (SPEC §20).
        // `?format=tar`: a fixtures directory with the registry's content as layouts (SPEC §21).
        case (.export, _):
            if case .success(let query) = Query.parse(RequestTarget(request.target).query), query["format"] == "tar" {
                return exportArchive()
            }
            return ok(FixtureExport.document(store.fixtures))
        case (.clock, "GET"): return ok(renderClock())
        case (.clock, _): return setClock(request.body)
        case (.reset, _): return reset()
        case (.requests, "GET"): return ok(journal.render())
        case (.requests, _):
            journal.clear()
            return ok(journal.render())
        case (.faults, "GET"): return ok(renderFaults(faults.list()))
        case (.faults, "POST"): return addFault(request.body)
        case (.faults, _):
            faults.clear()
            return ok(renderFaults([]))
        case (.fault(let id), _):
            guard let number = Int(id), faults.remove(id: number) else { return error(.controlNotFound) }
            return ok(renderFaults(faults.list()))
        case (.rateLimit(let key), _): return setRateLimit(key, body: request.body)
        }
    }

    /// Requests that empty the journal are not recorded in it, so it reads back empty.
    static func clearsJournal(_ request: Request, path: Substring) -> Bool {
        (path == "/_emulator/requests" && request.method == "DELETE")
            || (path == "/_emulator/reset" && request.method == "POST")
    }

    private func ok(_ body: [UInt8], status: Int = 200) -> Response {
        Self.json(status: status, body, requestID: nextRequestID())
    }

    private func error(_ error: APIError) -> Response {
        Self.json(status: error.status, error.body, requestID: nextRequestID())
    }

    /// GitHub's validation shape: `{"message", "errors": [...], "documentation_url", "status"}`.
    private func failed(_ status: Int, _ message: String, _ errors: [(file: String?, path: String, message: String)])
        -> Response
    {
        var json = JSONWriter()
        json.beginObject()
        json.key("message")
        json.string(message)
        json.key("errors")
        json.beginArray()
        for item in errors {
            json.beginObject()
            if let file = item.file {
                json.key("file")
                json.string(file)
            }
            json.key("path")
            json.string(item.path)
            json.key("message")
            json.string(item.message)
            json.endObject()
        }
        json.endArray()
        json.key("documentation_url")
        json.string(DocURL.control)
        json.key("status")
        json.string(String(status))
        json.endObject()
        return Self.json(status: status, json.bytes, requestID: nextRequestID())
    }

    /// 400 `Problems parsing JSON` (GitHub's message for an unparseable body), or the value.
    private func parseBody(_ body: [UInt8]) -> (value: JSONValue?, failure: Response?) {
        do throws(JSONParseError) {
            return (try JSONParser.parse(body), nil)
        } catch {
            return (nil, failed(400, "Problems parsing JSON", [(nil, error.path, error.message)]))
        }
    }

    func summary(of store: Store) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        writeCounts(of: store, into: &json)
        json.key("profile")
        json.string(store.profile.rawValue)
        json.endObject()
        return json.bytes
    }

    private func replaceFixtures(_ body: [UInt8]) -> Response {
        if let failure = parseBody(body).failure { return failure }
        let current = store
        let result = FixtureLoader.validate(document: body, name: "request body", profile: current.profile)
        guard let fixtures = result.fixtures, result.errors.isEmpty else {
            return failed(422, "Validation Failed", result.errors.map { ($0.file, $0.path, $0.message) })
        }
        let replacement = Store(fixtures, profile: current.profile, webURL: current.webURL)
        replaceStore(replacement)
        return ok(summary(of: replacement))
    }

    /// Back to the start: the baseline data set as loaded, no faults, full rate limits, an empty journal,
    /// the real clock.
    private func reset() -> Response {
        let restored = baseline.withLock { $0 }.restarted()
        // What was pushed to the registry goes with the changes (SPEC §21).
        content.withLock { $0?.reset() }
        replaceStore(restored)
        clockOffset.store(0, ordering: .releasing)
        clockIsSet.store(false, ordering: .releasing)
        faults.clear()
        rateLimiter.resetAll()
        journal.clear()
        return ok(summary(of: restored))
    }

    private func renderFaults(_ list: [Fault]) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key("faults")
        json.beginArray()
        for fault in list { fault.write(to: &json) }
        json.endArray()
        json.endObject()
        return json.bytes
    }

    private func addFault(_ body: [UInt8]) -> Response {
        let parsed = parseBody(body)
        guard let value = parsed.value else { return parsed.failure ?? error(.controlNotFound) }
        let (fault, errors) = Fault.parse(value)
        guard let fault else {
            return failed(422, "Validation Failed", errors.map { (file: nil, path: $0.path, message: $0.message) })
        }
        var json = JSONWriter()
        faults.add(fault).write(to: &json)
        return ok(json.bytes, status: 201)
    }

    /// `PUT /_emulator/rate-limits/{key}` with `{"remaining": N, "reset": EPOCH}`: every token that
    /// starts with `key`, or whose login is `key`.
    private func setRateLimit(_ rawKey: Substring, body: [UInt8]) -> Response {
        guard case .success(let key) = PercentDecoding.decode(rawKey, plusIsSpace: false) else {
            return error(.controlNotFound)
        }
        let parsed = parseBody(body)
        guard let value = parsed.value else { return parsed.failure ?? error(.controlNotFound) }
        var errors: [(file: String?, path: String, message: String)] = []
        var numbers: [String: Int64] = [:]
        if let members = value.objectMembers {
            for member in members {
                guard member.key == "remaining" || member.key == "reset" else {
                    errors.append((nil, "$.\(member.key)", "unknown key; allowed: remaining, reset"))
                    continue
                }
                guard case .number(let number) = member.value, let parsed = number.int64Value, parsed >= 0 else {
                    errors.append((nil, "$.\(member.key)", "must be a non-negative integer, not \(member.value.summary)"))
                    continue
                }
                numbers[member.key] = parsed
            }
            if members.isEmpty { errors.append((nil, "$", "give remaining, reset or both")) }
        } else {
            errors.append((nil, "$", "must be an object"))
        }
        guard errors.isEmpty else { return failed(422, "Validation Failed", errors) }
        let store = self.store
        let lowered = key.asciiLowercased()
        let matched = store.tokens.values
            .filter { $0.value.hasPrefix(key) || $0.login?.asciiLowercased() == lowered }
            .sorted { $0.value < $1.value }
        guard !matched.isEmpty else {
            return error(.controlInvalid("No token starts with \(JSONValue.quoted(key)) and no token's login is it."))
        }
        let now = self.now()
        var json = JSONWriter()
        json.beginObject()
        json.key("rate_limits")
        json.beginArray()
        for token in matched {
            let state = rateLimiter.set("token:" + token.value, anonymous: false, remaining: numbers["remaining"],
                                        reset: numbers["reset"], now: now)
            json.beginObject()
            json.key("token")
            json.string(Redaction.token(token.value))
            json.key("login")
            json.optionalString(token.login)
            json.key("limit")
            json.int(state.limit)
            json.key("remaining")
            json.int(state.remaining)
            json.key("used")
            json.int(state.used)
            json.key("reset")
            json.int(state.reset)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return ok(json.bytes)
    }
}

extension Substring {
    fileprivate func dropPrefix(_ prefix: String) -> Substring? {
        hasPrefix(prefix) ? dropFirst(prefix.count) : nil
    }
}

/// `PUT /_emulator/clock` and `GET /_emulator/clock` (SPEC §20).
extension Emulator {
    func renderClock() -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key("now")
        json.int(now())
        json.key("real")
        json.bool(!clockIsSet.load(ordering: .acquiring))
        json.endObject()
        return json.bytes
    }

    /// `{"now": EPOCH}`, `{"advance": SECONDS}` or `{"real": true}`; exactly one of them.
    func setClock(_ body: [UInt8]) -> Response {
        guard let value = try? JSONParser.parse(body), case .object(let members) = value, members.count == 1,
              let member = members.first
        else { return clockError("expected one of {\"now\": EPOCH}, {\"advance\": SECONDS}, {\"real\": true}") }
        switch (member.key, member.value) {
        case ("now", .number(let number)):
            guard number.isInteger, let epoch = number.int64Value else { return clockError("now: expected an integer") }
            clockOffset.store(epoch &- config.clock(), ordering: .releasing)
            clockIsSet.store(true, ordering: .releasing)
        case ("advance", .number(let number)):
            guard number.isInteger, let seconds = number.int64Value else {
                return clockError("advance: expected an integer")
            }
            clockOffset.wrappingAdd(seconds, ordering: .acquiringAndReleasing)
            clockIsSet.store(true, ordering: .releasing)
        case ("real", .bool(true)):
            clockOffset.store(0, ordering: .releasing)
            clockIsSet.store(false, ordering: .releasing)
        default:
            return clockError("expected one of {\"now\": EPOCH}, {\"advance\": SECONDS}, {\"real\": true}")
        }
        return Self.json(status: 200, renderClock(), requestID: nextRequestID())
    }

    private func clockError(_ message: String) -> Response {
        let error = APIError(400, "Invalid clock: \(message)", documentationURL: DocURL.control)
        return Self.json(status: 400, error.body, requestID: nextRequestID())
    }
}
