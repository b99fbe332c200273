import Foundation
import Synchronization

/// One consistent view of the input files for a command: each file is read once, and every later
/// read of the same path inside the snapshot sees the same bytes. A study's shortcut key and its
/// graph are made inside one snapshot, so the key describes exactly the content the answers were
/// computed from, even when a file is edited while the command runs (engine.md G11: an input
/// changed meanwhile is never recorded under the old content's key).
public final class InputSnapshot: Sendable {
    @TaskLocal static var current: InputSnapshot?
    private let files = Mutex<[String: FileSystemRead.Outcome]>([:])

    public init() {}

    /// Runs `body` with every input read on this thread served by this snapshot (a task-local:
    /// threads `body` starts itself do not inherit it; study loading runs on one thread).
    public func reading<T>(_ body: () throws -> T) rethrows -> T {
        try Self.$current.withValue(self) { try body() }
    }

    /// Every path read through the snapshot so far (read or not), sorted: what `run --watch` watches.
    public var paths: [String] { files.withLock { $0.keys.sorted() } }

    func read(_ path: String) -> FileSystemRead.Outcome {
        if let known = files.withLock({ $0[path] }) { return known }
        let read = FileSystemRead.readNow(path)
        return files.withLock { f in
            if let first = f[path] { return first }  // another thread read it first: keep one answer
            f[path] = read
            return read
        }
    }
}
