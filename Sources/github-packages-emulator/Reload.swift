import Logging
import PackagesEmulator
import Synchronization

/// Re-reads the fixtures directory into a running emulator (SIGHUP, `--watch`; issue 5).
/// An invalid set is refused with its errors logged, and the previous set keeps serving.
struct FixtureReloader: Sendable {
    let directory: String
    let profile: Profile
    let webURL: String
    let emulator: Emulator
    let logger: Logger

    /// Loads and, when valid, swaps in the new set and makes it what `POST /_emulator/reset` restores.
    @discardableResult
    func reload(reason: String) -> Bool {
        let loaded = FixtureLoader.load(directory: directory, profile: profile)
        for warning in loaded.warnings { logger.warning("\(warning)") }
        guard let fixtures = loaded.fixtures, loaded.errors.isEmpty else {
            for error in loaded.errors { logger.error("\(error)") }
            logger.error(
                "reload refused (\(reason)): \(directory): \(loaded.errors.count) error(s); still serving the previous data set")
            return false
        }
        let store = Store(fixtures, profile: profile, webURL: webURL)
        emulator.replaceStore(store, asBaseline: true)
        logger.notice("reloaded \(directory) (\(reason))", metadata: [
            "users": "\(store.userCount)", "packages": "\(store.packageCount)", "tokens": "\(store.tokenCount)",
        ])
        return true
    }
}

/// `--watch`: polls the fixtures' names, sizes and modification times; reloads when they change.
final class FixtureWatcher: Sendable {
    let reloader: FixtureReloader
    private let last: Mutex<FixtureFingerprint>

    init(reloader: FixtureReloader) {
        self.reloader = reloader
        last = Mutex(FixtureFingerprint(directory: reloader.directory))
    }

    func poll() {
        let now = FixtureFingerprint(directory: reloader.directory)
        let changed = last.withLock { last in
            defer { last = now }
            return last != now
        }
        if changed { reloader.reload(reason: "files changed") }
    }
}
