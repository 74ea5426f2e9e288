/// How a registry request is answered: at once, or after its body streamed through a sink (uploads and
/// manifests), so that a blob is never held whole in memory (SPEC §21).
public enum RegistryExchange {
    case answer(Response)
    case body(RequestBodySink)
}

/// Takes a request's body as it arrives: `write` each piece, then `finish`; `abort` when the client is
/// gone. After a refusal from `write`, or `finish`, or `abort`, it takes nothing more.
public final class RequestBodySink: @unchecked Sendable {
    // Touched by the one connection that owns the request.
    private let onWrite: (UnsafeRawBufferPointer) -> RegistryError?
    private let onFinish: () -> Response
    private let onAbort: () -> Void
    /// Builds an error's answer and records the exchange (the journal).
    private let onError: (RegistryError) -> Response
    private let onDone: (Response) -> Void
    private var done = false

    init(write: @escaping (UnsafeRawBufferPointer) -> RegistryError?, finish: @escaping () -> Response,
         abort: @escaping () -> Void, error: @escaping (RegistryError) -> Response,
         done: @escaping (Response) -> Void) {
        onWrite = write
        onFinish = finish
        onAbort = abort
        onError = error
        onDone = done
    }

    /// Takes `bytes`; an answer when the request is refused by them (too large, a full disk): the
    /// exchange is then over and what it wrote is undone.
    public func write(_ bytes: UnsafeRawBufferPointer) -> Response? {
        guard !done else { return nil }
        guard let error = onWrite(bytes) else { return nil }
        done = true
        onAbort()
        let response = onError(error)
        onDone(response)
        return response
    }

    /// The body is whole: the answer.
    public func finish() -> Response {
        guard !done else { return onError(.storage("the request was already answered")) }
        done = true
        let response = onFinish()
        onDone(response)
        return response
    }

    /// The client went away mid-body: nothing it sent becomes visible.
    public func abort() {
        guard !done else { return }
        done = true
        onAbort()
    }
}
