import Dispatch
import Foundation

/// A "done/total, rate, ETA" line on stderr, only when stderr is a terminal.
final class ProgressLine: Sendable {
    private let enabled = isatty(2) != 0
    private let began = DispatchTime.now().uptimeNanoseconds

    func update(_ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        FileHandle.standardError.write(Data(String(format: "\r%d/%d nodes, %.0f/s, ETA %.0f s   ", done, total, rate,
                                                   eta).utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
