import Dispatch
import Glibc
import Graph

/// Turns SIGINT and SIGTERM into a cancellation flag: the executor starts no new task, running
/// tasks finish and are cached, and the command exits with status 130. Every cache write is a
/// temp file plus rename, so an interrupt (or a kill) never leaves a half-written entry visible.
struct Interrupts {
    let flag = CancellationFlag()
    /// Kept alive for as long as the handler should stay installed.
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [flag] in flag.cancel() }
            source.resume()
            sources.append(source)
        }
    }
}
