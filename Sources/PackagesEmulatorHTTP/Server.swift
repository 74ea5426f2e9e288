import CLibevent
import Logging
import PackagesEmulator
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Serves an `Emulator` over HTTP/1.1 (the emulator's own: Connection.swift) on libevent loops, one per
/// thread, sharing the port through `SO_REUSEPORT` listeners; every loop reads the same immutable data set.
///
/// Lifecycle: `bind` (listening when it returns, so the ready line can follow), then `run`, which
/// returns after SIGTERM or SIGINT once every loop has written the answers already queued (at most
/// `drainTimeoutSeconds`).
public final class Server: @unchecked Sendable {
    // @unchecked: each loop's libevent objects are touched only on its own thread once `run` starts;
    // other threads only call `event_active`, which libevent locks (evthread_use_pthreads).

    public struct Limits: Sendable {
        // The parser's defaults are SPEC §12's: one place for each number.
        public var maxHeadersSize = RequestParser.Limits().maxHeaderBytes
        public var maxBodySize = RequestParser.Limits().maxBodyBytes
        public var timeoutSeconds: Int32 = 30
        public var drainTimeoutSeconds: Double = 5
        /// Longest request line answered normally; longer gets 414 (checked by the core).
        public var maxRequestLine = RequestParser.Limits().maxRequestLine
        /// Open connections across every loop; past it new connections wait in the backlog.
        public var maxConnections = 10_000

        public init() {}
    }

    let emulator: Emulator
    let logger: Logger
    let limits: Limits
    let threads: Int
    private(set) var loops: [EventLoop] = []
    /// Open connections across every loop (EventLoop+Connections.swift).
    let openConnections = Atomic<Int>(0)
    private var signalEvents: [OpaquePointer] = []
    /// Called on the main loop's thread on SIGHUP (fixture reload); nil: SIGHUP does nothing.
    public var onHangup: (@Sendable () -> Void)?
    /// Persistent timers on the main loop (`every(milliseconds:_:)`) and the closures they run.
    var timers: [(event: OpaquePointer, box: Unmanaged<TimerBox>)] = []
    /// Header fields every answer carries, whichever part of the emulator made it (the GHES persona's
    /// `X-GitHub-Enterprise-Version`, SPEC §23); set before `run`.
    public var everyAnswerHeaders: [(name: String, value: String)] = []

    public init(emulator: Emulator, logger: Logger, limits: Limits = Limits(), threads: Int = 1) {
        // Before the first base, so other threads can wake a loop (STYLE.md).
        evthread_use_pthreads()
        self.emulator = emulator
        self.logger = logger
        self.limits = limits
        self.threads = max(1, threads)
    }

    deinit {
        for event in signalEvents { event_free(event) }
        for timer in timers {
            event_free(timer.event)
            timer.box.release()
        }
    }

    /// Starts listening on `host:port` (`port` 0: any free port) with one listener per thread, over TLS
    /// with `tls` (SPEC §23); returns the port. A second call adds a second address (`--tls-port`).
    @discardableResult
    public func bind(host: String, port: Int, tls: TLSContext? = nil) throws -> Int {
        let address = try ListenAddress(host: host, port: port)
        // A probe without SO_REUSEPORT fails on a port anyone holds, even another process's
        // SO_REUSEPORT group, so "address already in use" is never silently shared.
        let chosen = try address.probe()
        let first = loops.isEmpty
        if first { loops = (0..<threads).map { _ in EventLoop(server: self) } }
        for loop in loops { try loop.listen(on: address, port: chosen, tls: tls) }
        if first { handleSignals() }
        return Int(chosen)
    }

    /// SIGTERM and SIGINT stop gracefully; SIGHUP and SIGPIPE are ignored. Installed before `bind`
    /// returns, so a signal sent as soon as the ready line is read is already handled.
    private func handleSignals() {
        signal(SIGPIPE, SIG_IGN)
        // SPEC §12: SIGHUP never kills the emulator; ignored until its event below takes it over.
        signal(SIGHUP, SIG_IGN)
        // A parent may start us with these blocked (Foundation.Process from a Swift concurrency
        // thread does): the mask is inherited, and SIGTERM would then never arrive.
        var set = sigset_t()
        sigemptyset(&set)
        for number in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&set, number) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        guard let main = loops.first else { return }
        let context = Unmanaged.passUnretained(self).toOpaque()
        for number in [SIGTERM, SIGINT] {
            // evsignal_new is a macro Swift cannot see.
            if let event = event_new(main.base, number, Int16(EV_SIGNAL | EV_PERSIST), onSignal, context) {
                event_add(event, nil)
                signalEvents.append(event)
            }
        }
        if let event = event_new(main.base, SIGHUP, Int16(EV_SIGNAL | EV_PERSIST), onHangupSignal, context) {
            event_add(event, nil)
            signalEvents.append(event)
        }
    }

    /// Gives the pages of freed heap memory back to the system (glibc keeps them otherwise): after
    /// loading, the parsed fixture documents are garbage that would stay in the RSS for good.
    public static func returnFreedMemory() {
        malloc_trim(0)
    }

    var mainLoop: EventLoop? { loops.first }

    /// Runs every loop until SIGTERM or SIGINT, then drains.
    public func run() {
        guard let main = loops.first else { return }
        let others = loops.dropFirst().map { loop in Thread.start { loop.run() } }
        main.run()
        for thread in others { thread.join() }
    }

    func shutdown(signal number: CInt) {
        logger.info("stopping", metadata: ["signal": "\(number)"])
        for event in signalEvents { event_del(event) }
        for loop in loops { loop.requestShutdown() }
    }
}

private func onHangupSignal(_ fd: CInt, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<Server>.fromOpaque(context).takeUnretainedValue().onHangup?()
}

private func onSignal(_ fd: CInt, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<Server>.fromOpaque(context).takeUnretainedValue().shutdown(signal: fd)
}

/// A joinable POSIX thread running a closure (the HTTP module does without Foundation).
struct Thread {
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    private let handle: pthread_t

    static func start(_ body: @escaping () -> Void) -> Thread {
        var handle = pthread_t()
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        pthread_create(&handle, nil, { context in
            guard let context else { return nil }
            Unmanaged<Box>.fromOpaque(context).takeRetainedValue().body()
            return nil
        }, box)
        return Thread(handle: handle)
    }

    func join() {
        pthread_join(handle, nil)
    }
}
