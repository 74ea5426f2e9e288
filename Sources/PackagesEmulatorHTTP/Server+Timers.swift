import CLibevent

#if canImport(Glibc)
import Glibc
#endif

/// The closure a main-loop timer runs; retained by the server until it goes.
final class TimerBox {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

extension Server {
    /// Runs `body` every `milliseconds` on the main loop's thread (`--watch` polls with it).
    /// Call after `bind`, before `run`.
    public func every(milliseconds: Int, _ body: @escaping @Sendable () -> Void) {
        guard let main = mainLoop else { return }
        let box = Unmanaged.passRetained(TimerBox(body))
        guard let event = event_new(main.base, -1, Int16(EV_PERSIST), onTimer, box.toOpaque()) else {
            box.release()
            return
        }
        var interval = timeval(tv_sec: milliseconds / 1000, tv_usec: Int((milliseconds % 1000) * 1000))
        event_add(event, &interval)
        timers.append((event, box))
    }
}

private func onTimer(_ fd: CInt, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<TimerBox>.fromOpaque(context).takeUnretainedValue().body()
}
