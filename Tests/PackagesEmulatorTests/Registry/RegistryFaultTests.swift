import Foundation
import Testing
@testable import PackagesEmulator

/// Fault rules cover the registry (SPEC §20, §21): by the registry's operation ids, owner and token.
@Suite struct RegistryFaultTests {
    static func rule(_ harness: RegistryHarness, _ json: String) -> Int {
        harness.emulator.respond(to: Request(method: "POST", target: "/_emulator/faults", headers: [("Host", "x")],
                                             body: Array(json.utf8))).status
    }

    @Test func statusFaultOnAManifestPushChangesNothing() {
        let harness = RegistryHarness()
        #expect(Self.rule(harness, #"{"kind": "status", "status": 503, "operation": "registry/put-manifest", "times": 1}"#) == 201)
        let (manifest, refused) = harness.pushImage("octocat/app", "v1", seed: "a")
        #expect(refused.status == 503)
        #expect(RegistryHarness.code(refused) == "UNKNOWN")
        #expect(refused.header("Docker-Distribution-API-Version") == "registry/2.0")
        #expect(harness.send("GET", "/v2/octocat/app/tags/list").status == 404)
        // Once only: the retry goes through.
        #expect(harness.putManifest("octocat/app", "v1", manifest).status == 201)
    }

    @Test func faultsMatchTheOwnerAndTheToken() {
        let harness = RegistryHarness()
        #expect(Self.rule(harness, #"{"kind": "secondary_rate_limit", "status": 429, "retry_after": 3, "user": "acme-org", "token": "ghp_hubot"}"#) == 201)
        #expect(harness.send("GET", "/v2/acme-org/popular/tags/list").status == 200)            // another token
        #expect(harness.send("GET", "/v2/octocat/x/tags/list", token: "ghp_hubot").status == 404) // another owner
        let limited = harness.send("GET", "/v2/acme-org/popular/tags/list", token: "ghp_hubot")
        #expect(limited.status == 429)
        #expect(limited.header("Retry-After") == "3")
        #expect(RegistryHarness.code(limited) == "TOOMANYREQUESTS")
    }

    @Test func delayAndDropMarkTheAnswer() {
        let harness = RegistryHarness()
        #expect(Self.rule(harness, #"{"kind": "delay", "milliseconds": 250, "operation": "registry/start-upload", "times": 1}"#) == 201)
        let delayed = harness.send("POST", "/v2/octocat/app/blobs/uploads/")
        #expect(delayed.status == 202)
        #expect(delayed.delayMilliseconds == 250)
        #expect(Self.rule(harness, #"{"kind": "drop", "operation": "registry/get-manifest", "times": 1}"#) == 201)
        #expect(harness.send("GET", "/v2/acme-org/popular/manifests/latest").dropConnection)
    }

    @Test func unknownOperationIsRefused() {
        let harness = RegistryHarness()
        #expect(Self.rule(harness, #"{"kind": "drop", "operation": "registry/nope"}"#) == 422)
    }
}
