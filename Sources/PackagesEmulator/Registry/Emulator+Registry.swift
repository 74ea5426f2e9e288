#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The Container registry's answers (SPEC §21): `/token` and `/v2/…` on the REST API's listener.
extension Emulator {
    /// Whether a request-target is a registry's (the Container registry's or npm's): its body then
    /// streams (`registryExchange`).
    public static func isRegistry(target: String) -> Bool {
        // The parser asks for every request: an origin-form path that does not start `/v`, `/t` or `/n`
        // is answered from its second byte.
        var bytes = target.utf8.makeIterator()
        if bytes.next() == UInt8(ascii: "/"), let second = bytes.next(), second != UInt8(ascii: "v"),
           second != UInt8(ascii: "t"), second != UInt8(ascii: "n") {
            return false
        }
        let path = RequestTarget(target).path
        return RegistryOperation.owns(path) || NpmOperation.owns(path)
    }

    /// Starts answering a registry request; `hasBody`: a body follows the head.
    public func registryExchange(_ request: Request, hasBody: Bool) -> RegistryExchange {
        let started = ContinuousClock.now
        let target = RequestTarget(request.target)
        if NpmOperation.owns(target.path) { return npmExchange(request, target: target, hasBody: hasBody) }
        let resolved = RegistryOperation.resolve(method: request.method, path: target.path)
        // Fault rules cover registry requests too (SPEC §20, §21): by operation, owner, token, method.
        let fault = faults.isEmpty ? nil : faults.take(matching: FaultSubject(
            registry: request, operation: resolved.match?.operation.id, name: resolved.match?.name))
        let record = { [self] (response: Response) in
            if journal.isEnabled {
                journal.record(request, response: response, fault: fault, elapsed: ContinuousClock.now - started,
                               time: config.clock())
            }
        }
        if let fault, let injected = registryFault(fault, render: { Self.registry(status: $0.status, headers: $1, body: $0.body) }) {
            var response = injected
            response.operation = resolved.match?.operation.id
            record(response)
            return .answer(response)
        }
        let delay = fault.flatMap { if case .delay(let milliseconds) = $0.kind { milliseconds } else { nil } } ?? 0
        let exchange: RegistryExchange
        let operation: RegistryOperation?
        switch resolved.match {
        case nil:
            operation = nil
            exchange = .answer(registryError(resolved.pathMatched ? .unsupported : .notFound, request))
        case let (found, name, parameters)?:
            operation = found
            let context = RegistryRequest(emulator: self, request: request, query: target.query, name: name,
                                          parameters: parameters, hasBody: hasBody, operation: found.id,
                                          delay: delay, record: record)
            exchange = context.answer(found.action)
        }
        switch exchange {
        case .answer(var response):
            response.operation = operation?.id
            response.delayMilliseconds = delay
            record(response)
            return .answer(response)
        case .body(let sink):
            return .body(sink)
        }
    }

    /// The registry's answer to a request whose body is already whole (tests, and `respond(to:)`).
    func registryResponse(_ request: Request) -> Response {
        switch registryExchange(request, hasBody: !request.body.isEmpty) {
        case .answer(let response): return response
        case .body(let sink):
            if let refused = request.body.withUnsafeBytes({ sink.write($0) }) { return refused }
            return sink.finish()
        }
    }

    /// A fault's answer in place of a registry's (nil for a delay, which delays the real one); `render`
    /// writes an error in the registry's shape (the OCI one, npm's).
    func registryFault(_ fault: Fault, render: (RegistryError, [(name: String, value: String)]) -> Response) -> Response? {
        switch fault.kind {
        case .delay: return nil
        case .drop:
            var response = Response(status: 502)
            response.dropConnection = true
            return response
        case .status(let code):
            return render(RegistryError(code, "UNKNOWN", "unknown error: injected \(code)"), [])
        case .secondaryRateLimit(let code, let retryAfter):
            // The registry's rate limit (OCI Distribution Spec, "Error Codes": TOOMANYREQUESTS).
            return render(RegistryError(code, "TOOMANYREQUESTS", "too many requests"), [("Retry-After", String(retryAfter))])
        }
    }

    /// Every registry answer: `Docker-Distribution-API-Version` and `Content-Length` (none on a 204).
    static func registry(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
                         contentType: String? = "application/json") -> Response {
        var all: [(name: String, value: String)] = [("Docker-Distribution-API-Version", "registry/2.0")]
        if let contentType, !body.isEmpty || status == 200 { all.append(("Content-Type", contentType)) }
        all += headers
        if status != 204 && !all.contains(where: { $0.name == "Content-Length" }) {
            all.append(("Content-Length", String(body.count)))
        }
        return Response(status: status, headers: all, body: body)
    }

    /// An OCI error body; 401s carry the challenge of the scope the route needs (SPEC §21).
    func registryError(_ error: RegistryError, _ request: Request, scope: String? = nil) -> Response {
        var headers: [(name: String, value: String)] = []
        if error.status == 401 {
            var challenge = "Bearer realm=\"\(apiBase(request))/token\",service=\"ghcr.io\""
            if let scope { challenge += ",scope=\"\(scope)\"" }
            headers.append(("WWW-Authenticate", challenge))
        }
        return Self.registry(status: error.status, headers: headers, body: error.body)
    }

    /// The content store under `--data-dir`, made at first use.
    func contentStore() -> Result<ContentStore, RegistryError> {
        content.withLock { current in
            if let current { return .success(current) }
            do throws(RegistryError) {
                var root = config.dataDirectory ?? ""
                if root.isEmpty { root = try Self.temporaryDirectory() }
                let store = try ContentStore(root: root, maxBlobSize: config.maxBlobSize)
                store.setFixtures(self.store.registry)
                current = store
                return .success(store)
            } catch {
                return .failure(error)
            }
        }
    }

    private static func temporaryDirectory() throws(RegistryError) -> String {
        var template = Array((ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp").utf8) + Array("/gpe-registry.XXXXXX".utf8) + [0]
        let made = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { mkdtemp($0) }
        }
        guard made != nil else { throw RegistryError.storage("cannot create a temporary data directory") }
        return String(decoding: template.dropLast(), as: UTF8.self)
    }
}
