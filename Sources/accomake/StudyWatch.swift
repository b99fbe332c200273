import Dispatch
import Foundation
import Glibc
import Graph
import Tasks

/// `accomake run STUDY --watch`: answers the study, then waits for any of its input files (the
/// study file and every hardware, mapping and workload file it names) to be saved again, reruns
/// (only what the edit reaches is computed; the rest comes from the cache), and prints what
/// changed and how each best schedule moved. A save that cannot be read (a half-written file,
/// a mistake) prints its one-line error and waits for the next save. Ctrl-C stops it cleanly
/// (exit status 0); a run it interrupts leaves the cache whole and the next run resumes.
///
/// Files are polled (their identity, size and modification time) every quarter of a second,
/// which needs nothing from the system beyond `stat`; a change is acted on once two polls in a
/// row agree, so an editor's save in several writes is read once it is complete.
enum StudyWatch {
    static let pollMicroseconds: UInt32 = 250_000

    static func run(_ path: String, _ a: Arguments) throws -> Int32 {
        if a.flag("json") || a.flag("verify") {
            throw UsageError("run --watch prints text as the answers move; use run --json or run --verify "
                + "without --watch for one answer")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw UsageError("run: study file \(path) not found; give an existing study file, e.g. "
                + "projects/studies/quickstart.json")
        }
        let interrupts = Interrupts()
        var watched: [String] = [path]
        var stamps = FileStamp.of(watched)
        var last: StudyView?
        var memory = RunMemory.kept
        TrunkOptionMemo.start()
        while true {
            let inputs = InputSnapshot()
            let began = DispatchTime.now().uptimeNanoseconds
            do {
                guard let (view, outcome) = try RunCommand.execute(path, a, command: "run", inputs: inputs,
                                                                   cancellation: interrupts.flag,
                                                                   memory: &memory) else {
                    print("stopped; the interrupted run left the cache whole and the next run resumes it")
                    return 0
                }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
                print(RunCommand.summary(path, outcome, seconds: seconds)
                    + (memory.keptGraph && !outcome.shortcut ? " (graph kept from the last run)" : ""))
                if let last {
                    for change in outcome.changes.prefix(12) { print("  changed \(change)") }
                    if outcome.changes.count > 12 { print("  … and \(outcome.changes.count - 12) more changes") }
                    print(ScheduleMoves(from: last, to: view).text().joined(separator: "\n"))
                } else {
                    print(view.text())
                }
                last = view
                watched = Array(Set(inputs.paths).union([path])).sorted()
            } catch {
                // Keep watching what was watched, and whatever this attempt read besides.
                watched = Array(Set(inputs.paths).union(watched)).sorted()
                FileHandle.standardError.write(Data("accomake: \(oneLine(error).line)\n".utf8))
            }
            // Files first read by this run are stamped now; the others keep the stamp taken
            // before the run, so a save made while it ran is seen.
            for (p, stamp) in FileStamp.of(watched) where stamps.index(forKey: p) == nil { stamps[p] = stamp }
            _ = memory.lastRecord  // the run record is on disk before the wait (for `status` beside)
            print("watching \(watched.count) input files for changes (Ctrl-C stops)")
            fflush(nil)  // every stream: the lines reach a pipe now, not when a buffer fills
            guard let (changed, now) = waitForChange(stamps, interrupts.flag) else {
                print("stopped")
                return 0
            }
            stamps = now
            let names = changed.map { ($0 as NSString).lastPathComponent }
            print("\n\(names.joined(separator: ", ")) changed")
        }
    }

    /// Polls until some stamp differs from `stamps` and then holds still for one more poll:
    /// the changed paths and the stamps they settled to; nil when interrupted.
    static func waitForChange(_ stamps: [String: FileStamp?], _ flag: CancellationFlag)
        -> (changed: [String], stamps: [String: FileStamp?])?
    {
        var candidate: [String: FileStamp?]?
        while !flag.isCancelled {
            usleep(pollMicroseconds)
            let now = FileStamp.of(Array(stamps.keys))
            if now == stamps {
                candidate = nil
            } else if now == candidate {
                return (stamps.keys.filter { now[$0] != stamps[$0] }.sorted(), now)
            } else {
                candidate = now
            }
        }
        return nil
    }
}

/// What a poll knows of a file: which file the path names (device and inode: an editor that
/// saves by rename gives a new one), its size and its modification time to the nanosecond.
struct FileStamp: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var seconds: Int
    var nanoseconds: Int

    /// The stamp of each path; nil for a path that names no file (deleted, or not yet written).
    static func of(_ paths: [String]) -> [String: FileStamp?] {
        Dictionary(uniqueKeysWithValues: paths.map { p in
            var info = stat()
            guard stat(p, &info) == 0 else { return (p, nil) }
            return (p, FileStamp(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                                 seconds: info.st_mtim.tv_sec, nanoseconds: info.st_mtim.tv_nsec))
        })
    }
}
