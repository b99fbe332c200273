import Foundation
import Glibc
import Graph
import Tasks

extension StudyBench {
    /// What `run --watch` answered for two budget edits in a row.
    struct WatchEdits {
        /// Each edit's time as the watch prints it: from reading the saved study to the answer (the
        /// quarter-second polls that notice the save come before).
        var seconds: [Double]
        /// The second edit found the first one's graph in memory.
        var keptGraph: Bool
    }

    /// `run --watch` on a copy of the study with budget `budgets[0]`, then saved with `budgets[1]`
    /// and `budgets[2]`. The first answer comes from the shortcut, so the first edit builds the
    /// graph; the second is an edit of a kind already seen, answered from what the first left in
    /// memory (the graph, the trunk options, the open cache, the run record).
    static func watchEdits(_ study: Study, folder: String, cache: String, budgets: [Int]) throws -> WatchEdits {
        let (path, _, _) = try copy(study, folder: folder, name: "watch", budgetBits: budgets[0])
        let child = try ChildProcess(ChildProcess.currentExecutable, ["run", path, "--watch", "--cache", cache])
        defer {
            child.kill(SIGINT)
            _ = child.finish()
        }
        var lines: [String] = []
        var pending = ""
        func awaitRound(_ round: Int) throws {
            while lines.filter({ $0.hasPrefix("watching ") }).count < round {
                guard let bytes = child.readSome() else {
                    throw UsageError("bench study: accomake run --watch ended early:\n"
                        + lines.suffix(5).joined(separator: "\n"))
                }
                pending += String(decoding: bytes, as: UTF8.self)
                var parts = pending.components(separatedBy: "\n")
                pending = parts.removeLast()
                lines += parts
            }
        }
        try awaitRound(1)
        var seconds: [Double] = []
        var kept = false
        for (round, budget) in budgets.dropFirst().enumerated() {
            _ = try copy(study, folder: folder, name: "watch", budgetBits: budget)
            try awaitRound(round + 2)
            // The summary line: "<study>: N nodes computed, M from cache, 1.23 s[ (graph kept …)]".
            guard let summary = lines.last(where: { $0.hasPrefix(path + ": ") }),
                  let time = summary.split(separator: ", ").last?.split(separator: " ").first.flatMap({ Double($0) })
            else { throw UsageError("bench study: no summary line from run --watch for budget \(budget)") }
            seconds.append(time)
            kept = summary.hasSuffix("(graph kept from the last run)")
        }
        return WatchEdits(seconds: seconds, keptGraph: kept)
    }
}
