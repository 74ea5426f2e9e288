#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One npm request (SPEC §22): who asks, which package it names, and the answer.
struct NpmRequest {
    let emulator: Emulator
    let request: Request
    /// The scope (the owner's login) without `@`; nil for an unscoped name.
    let scope: String?
    let name: String
    let parameters: [String: String]
    let hasBody: Bool
    let operation: String
    let delay: Int
    let record: (Response) -> Void

    /// SPEC §22: 256 MB per tarball (GitHub's docs, "Working with the npm registry").
    static let defaultMaxTarballSize: Int64 = 256 * 1024 * 1024

    /// `Bearer TOKEN` (npm's `_authToken`), Basic `ANY:TOKEN` (npm's `_auth`), or `token TOKEN` (as the
    /// REST API takes it); nothing else.
    static func caller(of request: Request, in store: Store) -> RegistryRequest.Caller {
        let values = request.values(of: "authorization")
        guard let value = values.first else { return .anonymous }
        guard values.count == 1 else { return .invalid }
        let parts = value.trimmingASCIISpaces().split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return .invalid }
        var secret = String(parts[1].trimmingASCIISpaces())
        switch parts[0].lowercased() {
        case "bearer", "token": break
        case "basic":
            guard let decoded = RegistryRequest.base64(secret), let colon = decoded.firstIndex(of: ":") else { return .invalid }
            secret = String(decoded[decoded.index(after: colon)...])
        default: return .invalid
        }
        guard let token = store.tokens[secret] else { return .invalid }
        return .token(token, user: token.login.flatMap { store.user(login: $0) })
    }

    func answer(_ action: NpmOperation.Action) -> RegistryExchange {
        let store = emulator.store
        let caller = Self.caller(of: request, in: store)
        // Every request needs a token, installs too (GitHub's docs, "Authenticating to GitHub Packages").
        guard case .token(_, let user) = caller else { return .answer(error(NpmError.unauthenticated)) }
        switch action {
        case .whoami:
            let login = user?.login ?? "github-actions[bot]"
            return .answer(json(200, Array("{\"username\":\(JSONWriter.quoted(login))}".utf8)))
        case .ping: return .answer(json(200, Array("{}".utf8)))
        default: break
        }
        guard let scope else {
            return .answer(error(NpmError.make(action == .publish ? 400 : 404,
                "GitHub Packages serves scoped packages only: name the package @OWNER/\(name)")))
        }
        guard Self.isValid(name: name), Self.isValid(name: scope) else {
            return .answer(error(NpmError.make(400, "invalid package name: @\(scope)/\(name) (lowercase letters, digits, -, . and _)")))
        }
        guard let (ownerIndex, _) = store.owner(login: scope) else {
            return .answer(error(NpmError.packageUnknown(scope: scope, name: name)))
        }
        let access = RepositoryAccess(store: store, owner: scope, package: name, caller: caller, type: .npm)
        switch action {
        case .packument:
            if let refusal = readRefusal(access) { return .answer(error(refusal)) }
            let abbreviated = Self.wantsAbbreviated(request.value(of: "accept"))
            var body: [UInt8] = []
            if let rendered = rendered(access) {
                (abbreviated ? rendered.abbreviated : rendered.full).append(to: &body, api: Array(emulator.apiBase(request).utf8))
            } else {
                body = Array(Self.emptyPackument(scope: scope, name: name, abbreviated: abbreviated).utf8)
            }
            var response = json(200, body, type: abbreviated ? "application/vnd.npm.install-v1+json" : "application/json")
            // The body depends on `Accept` (RFC 9110 §12.5.5).
            response.headers.append(("Vary", "Accept"))
            return .answer(response)
        case .distTags:
            if let refusal = readRefusal(access) { return .answer(error(refusal)) }
            return .answer(json(200, rendered(access)?.distTags ?? Array("{}".utf8)))
        case .tarball:
            if let refusal = readRefusal(access) { return .answer(error(refusal)) }
            let packument = Packument(scope: scope, package: access.found!.package)
            guard let entry = packument.version(file: parameters["file"] ?? ""),
                  case .success(let content) = emulator.contentStore(), let size = content.size(of: entry.info.tarball)
            else { return .answer(error(NpmError.make(404, "Not found"))) }
            var response = Self.response(200, [], type: "application/octet-stream", length: size)
            response.parts = [.file(ResponseFile(path: content.blobPath(entry.info.tarball), offset: 0, length: size))]
            return .answer(response)
        case .publish, .update, .putDistTag:
            // Refused before the body when it is refused whatever the body says.
            if let refusal = writeRefusal(access, access.found?.package, access.found?.rule, deleting: false) {
                return .answer(error(refusal))
            }
            return receive(action, scope: scope, ownerIndex: ownerIndex, access: access)
        case .deleteDistTag:
            return .answer(apply(.removeTag(parameters["tag"] ?? ""), scope: scope, ownerIndex: ownerIndex, access))
        case .unpublishPackage:
            return .answer(apply(.unpublishPackage(revision: parameters["rev"] ?? ""), scope: scope,
                                 ownerIndex: ownerIndex, access))
        case .deleteTarball:
            return .answer(apply(.unpublishTarball(file: parameters["file"] ?? "", revision: parameters["rev"] ?? ""),
                                 scope: scope, ownerIndex: ownerIndex, access))
        case .whoami, .ping: return .answer(error(NpmError.make(404, "Not found")))
        }
    }

    /// Whether `Accept` names npm's abbreviated packument (npm install sends `application/vnd.npm.install-v1+json;
    /// q=1.0, application/json; q=0.8, */*`); media types are case-insensitive (RFC 9110 §8.3.1). On bytes:
    /// String's `contains` compares Characters, a cost on every install request.
    static func wantsAbbreviated(_ accept: String?) -> Bool {
        guard var accept else { return false }
        let needle = abbreviatedType
        return accept.withUTF8 { bytes in
            guard bytes.count >= needle.count else { return false }
            // Every byte of the needle has 0x20 set, so `| 0x20` folds only the letters of the header.
            return (0...(bytes.count - needle.count)).contains { start in
                needle.indices.allSatisfy { bytes[start + $0] | 0x20 == needle[$0] }
            }
        }
    }

    private static let abbreviatedType = Array("application/vnd.npm.install-v1+json".utf8)

    /// The package's rendered answers, from the partition the request read.
    private func rendered(_ access: RepositoryAccess) -> Packument.Rendered? {
        guard let found = access.found else { return nil }
        return access.partition?.packuments[found.package.id]
    }

    /// A package whose versions have no tarball (declared in the fixtures only): no versions to install.
    static func emptyPackument(scope: String, name: String, abbreviated: Bool) -> String {
        abbreviated ? #"{"name":"@\#(scope)/\#(name)","dist-tags":{},"versions":{}}"#
            : #"{"_id":"@\#(scope)/\#(name)","name":"@\#(scope)/\#(name)","dist-tags":{},"versions":{},"time":{}}"#
    }

    /// npm's package names (npm's `validate-npm-package-name`): lowercase, URL-safe, at most 214 bytes.
    static func isValid(name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 214, first != UInt8(ascii: "."), first != UInt8(ascii: "_") else {
            return false
        }
        return bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x2E || $0 == 0x5F }
    }

    /// §15's read rule; a classic token needs `read:packages` (or `write:packages`). Hidden → 404.
    private func readRefusal(_ access: RepositoryAccess) -> RegistryError? {
        guard let found = access.found, let owner = access.owner,
              found.rule.canRead(access.caller.requester, owner: owner) else {
            return NpmError.packageUnknown(scope: scope ?? "", name: name)
        }
        if case .token(let token, _) = access.caller, token.kind == .classic,
           !token.scopes.contains("read:packages") && !token.scopes.contains("write:packages") {
            return .deniedScopes
        }
        return nil
    }

    /// §21's write rule; unpublishing also needs `delete:packages` on a classic token. A package the
    /// caller may not read stays hidden (404).
    private func writeRefusal(_ access: RepositoryAccess, _ package: Package?, _ rule: AccessRule?, deleting: Bool) -> RegistryError? {
        if let rule, let owner = access.owner, !rule.canRead(access.caller.requester, owner: owner) {
            return NpmError.packageUnknown(scope: scope ?? "", name: name)
        }
        if let refusal = access.pushRefusal(package: package, rule: rule) { return refusal }
        if deleting, case .token(let token, _) = access.caller, token.kind == .classic,
           !token.scopes.contains("delete:packages") {
            return .deniedScopes
        }
        return nil
    }

    /// Applies a change to the owner's partition; 200 with npm's `{"ok":true}`-style answer.
    func apply(_ change: NpmChange, scope: String, ownerIndex: Int, _ access: RepositoryAccess) -> Response {
        let store = access.store
        let now = FixtureDate.string(emulator.now())
        let result = store.change(owner: ownerIndex) { partition in
            change.apply(to: partition, store: store, scope: scope, name: name, now: now) { package, rule, deleting in
                writeRefusal(access, package, rule, deleting: deleting)
            }
        }
        switch result {
        case .success: return json(200, Array("{\"ok\":true}".utf8))
        case .failure(let failure): return error(failure)
        }
    }

    func json(_ status: Int, _ body: [UInt8], type: String = "application/json") -> Response {
        var response = Self.response(status, body, type: type, length: Int64(body.count))
        response.operation = operation
        return response
    }

    func error(_ failure: RegistryError) -> Response {
        var response = Self.answer(failure)
        response.operation = operation
        return response
    }

    /// npm's answer to a failure: `{"error": …}` with its status.
    static func answer(_ failure: RegistryError) -> Response {
        let body = NpmError.body(failure)
        return response(failure.status, body, type: "application/json", length: Int64(body.count))
    }

    static func response(_ status: Int, _ body: [UInt8], type: String, length: Int64) -> Response {
        Response(status: status, headers: [("Content-Type", type), ("Content-Length", String(length))], body: body)
    }
}
