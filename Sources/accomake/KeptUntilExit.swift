import Synchronization

/// What a one-shot command is done with but would spend a tenth of a second freeing object by
/// object — a study's graph with its 100k nodes' parameters, a run's log and record — kept until
/// the process exits, which returns the memory at once (as compilers skip freeing their ASTs).
/// Not for a long-lived process (`run --watch`), whose memory must not grow with each run.
enum KeptUntilExit {
    private static let kept = Mutex<[any Sendable]>([])

    static func keep(_ values: any Sendable...) {
        kept.withLock { $0 += values }
    }
}
