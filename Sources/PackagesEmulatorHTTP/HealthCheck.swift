import CLibevent

#if canImport(Glibc)
import Glibc
#endif

/// `github-packages-emulator healthcheck`: one GET with libevent's HTTP client, so a container image
/// needs no curl for its HEALTHCHECK.
public enum HealthCheck {
    /// nil when `url` answered 200 within `timeoutSeconds`, else the reason.
    public static func failure(url: String, timeoutSeconds: Int32 = 2) -> String? {
        guard let uri = evhttp_uri_parse(url) else { return "not a URL: \(url)" }
        defer { evhttp_uri_free(uri) }
        guard let scheme = evhttp_uri_get_scheme(uri).map({ String(cString: $0) }), scheme == "http",
            let host = evhttp_uri_get_host(uri).map({ String(cString: $0) })
        else { return "only http:// URLs with a host are supported: \(url)" }
        let port = evhttp_uri_get_port(uri)
        let path = evhttp_uri_get_path(uri).map { String(cString: $0) } ?? ""
        let target = path.isEmpty ? "/" : path

        guard let base = event_base_new() else { return "cannot create an event loop" }
        defer { event_base_free(base) }
        guard let connection = evhttp_connection_base_new(base, nil, host, UInt16(port < 0 ? 80 : port)) else {
            return "cannot connect to \(host)"
        }
        defer { evhttp_connection_free(connection) }
        evhttp_connection_set_timeout(connection, timeoutSeconds)
        evhttp_connection_set_retries(connection, 0)

        let outcome = Outcome(base: base)
        let context = Unmanaged.passUnretained(outcome).toOpaque()
        guard let request = evhttp_request_new(onResponse, context) else { return "cannot create a request" }
        evhttp_add_header(evhttp_request_get_output_headers(request), "Host", host)
        guard evhttp_make_request(connection, request, EVHTTP_REQ_GET, target) == 0 else {
            return "cannot send the request to \(url)"
        }
        event_base_dispatch(base)
        switch outcome.status {
        case 200: return nil
        case 0: return "no answer from \(url) within \(timeoutSeconds) s"
        case let status: return "\(url) answered \(status)"
        }
    }

    final class Outcome {
        let base: OpaquePointer
        var status = 0

        init(base: OpaquePointer) {
            self.base = base
        }
    }
}

private func onResponse(_ request: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    let outcome = Unmanaged<HealthCheck.Outcome>.fromOpaque(context).takeUnretainedValue()
    // A nil request or code 0 means the connection failed or timed out.
    outcome.status = request.map { Int(evhttp_request_get_response_code($0)) } ?? 0
    // The keep-alive connection would hold the loop until its timeout.
    event_base_loopexit(outcome.base, nil)
}
