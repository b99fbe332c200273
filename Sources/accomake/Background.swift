import Dispatch
import Synchronization

/// Work started on another thread now, whose value is waited for later: for bookkeeping no node
/// needs (a run record read, assessed and written), so that it takes the second core rather than
/// the critical path of a command.
final class Background<T: Sendable>: Sendable {
    private let result = Mutex<T?>(nil)
    private let group = DispatchGroup()

    init(_ work: @escaping @Sendable () -> T) {
        group.enter()
        DispatchQueue.global().async { [self] in
            let value = work()
            result.withLock { $0 = value }
            group.leave()
        }
    }

    /// Waits for the work to finish.
    var value: T {
        group.wait()
        guard let value = result.withLock({ $0 }) else { preconditionFailure("background work left no value") }
        return value
    }
}

extension Array where Element: Sendable {
    /// `map` over both cores (each element's work is independent), results in order.
    func concurrentMap<T: Sendable>(_ transform: @escaping @Sendable (Element) throws -> T) throws -> [T] {
        let results = Mutex([Result<T, any Error>?](repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: count) { [self] i in
            let r = Result { try transform(self[i]) }
            results.withLock { $0[i] = r }
        }
        return try results.withLock { $0 }.map { r in
            guard let r else { preconditionFailure("concurrentPerform skipped an element") }
            return try r.get()
        }
    }
}
