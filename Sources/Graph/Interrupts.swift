import Dispatch
import Glibc

/// Turns SIGINT and SIGTERM into a cancellation flag for `BuildOptions.cancellation`: the executor
/// starts no new task, running tasks finish and are cached, and the command exits with status
/// 130. A second signal exits at once (status 130): every cache write is a temp file plus
/// rename, so an interrupt (or a kill) never leaves a half-written entry visible.
///
/// The handlers run on their own serial queue. On the global queue they would wait for a free
/// worker thread, and the executor's workers keep every one of them busy until the run ends:
/// the signal was then honoured only after the whole build had finished.
public struct Interrupts {
    public let flag = CancellationFlag()
    /// Kept alive for as long as the handler should stay installed.
    private var sources: [any DispatchSourceSignal] = []

    /// Installs the handlers for the life of the value.
    public init() {
        let queue = DispatchQueue(label: "accomake.interrupts")
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [flag] in
                if flag.isCancelled { _exit(130) }
                flag.cancel()
            }
            source.resume()
            sources.append(source)
        }
    }
}
