import Dispatch
import Synchronization

extension Array where Element: Sendable {
    /// `map` on every core, in order. Loading a large data set is parsing and rendering many
    /// independent files and users; on the 2-core machines this runs on, that halves the start.
    func concurrentMap<T: Sendable>(_ transform: @Sendable (Element) -> T) -> [T] {
        guard count > 1 else { return map(transform) }
        let chunkSize = Swift.max(1, count / 64)
        let chunkCount = (count + chunkSize - 1) / chunkSize
        let results = Mutex<[[T]?]>(Array<[T]?>(repeating: nil, count: chunkCount))
        DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
            let part = self[chunk * chunkSize..<Swift.min(count, (chunk + 1) * chunkSize)].map(transform)
            results.withLock { $0[chunk] = part }
        }
        return results.withLock { $0 }.flatMap { $0 ?? [] }
    }
}
