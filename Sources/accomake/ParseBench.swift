import Dispatch
import Foundation
import Graph
import Tasks

/// `accomake bench parse [--mb N] [--json]`
///
/// The memory an input file costs to read: writes two files of about N MB (default 15, under the
/// 16 MiB input limit) — a realistic workload (a chain of convolution layers, pretty-printed) and
/// the worst case, one list of small numbers — and reads each in a fresh process (the workload
/// is parsed and decoded, the number list parsed), reporting the peak memory the read added over
/// the process's start-up, as a multiple of the file's size. Targets: the parse at most 4× the
/// file (the number list, the worst case for a tape of 4 bytes per value); the workload at most
/// 6× (its parse plus the decoded layers, about twice the text). The tree parser took 22× and
/// 6.3× (issue 11 #12).
enum ParseBench {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, help: .named("bench parse"))
        if let file = a.value("file") { return try measure(file, kind: a.value("kind") ?? "workload") }
        let megabytes = try a.int("mb", default: 15, range: 1...16)
        let folder = NSTemporaryDirectory() + "/accomake-bench-parse-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let target = megabytes << 20
        let files = [("workload", folder + "/workload.json", workload(bytes: target)),
                     ("numbers", folder + "/numbers.json", numbers(bytes: target))]
        var rows: [(kind: String, bytes: Int, growthMB: Double, seconds: Double)] = []
        for (kind, path, text) in files {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let (status, output) = try ChildProcess(ChildProcess.currentExecutable,
                                                    ["bench", "parse", "--file", path, "--kind", kind]).finish()
            let fields = String(decoding: output,
                                as: UTF8.self).split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
            guard status == 0, fields.count == 2 else {
                throw UsageError("bench parse: reading \(kind) failed (status \(status))")
            }
            rows.append((kind, text.utf8.count, fields[0], fields[1]))
        }
        let targetRatio = ["workload": 6.0, "numbers": 4.0]
        if a.flag("json") {
            print(JSONText.object(rows.map { row in
                (row.kind, JSONText.object([
                    ("file_mb", .number(BenchCommand.round6(Double(row.bytes) / 1_048_576))),
                    ("growth_mb", .number(BenchCommand.round6(row.growthMB))),
                    ("ratio", .number(BenchCommand.round6(row.growthMB * 1_048_576 / Double(row.bytes)))),
                    ("seconds", .number(BenchCommand.round6(row.seconds))),
                    ("target_ratio", .number(targetRatio[row.kind] ?? 0)),
                ]))
            }).rendered())
        } else {
            print("parse benchmark: peak memory a read adds, as a multiple of the file")
            for row in rows {
                let mb = Double(row.bytes) / 1_048_576
                print("  \(row.kind.padding(toLength: 9, withPad: " ", startingAt: 0)) "
                      + "\(BenchCommand.fmt(mb)) MB file  "
                      + "+\(BenchCommand.fmt(row.growthMB)) MB = \(BenchCommand.fmt(row.growthMB / mb))×  "
                      + "(target ≤ \(Int(targetRatio[row.kind] ?? 0))×) in \(BenchCommand.ms(row.seconds))")
            }
        }
        return 0
    }

    /// The child: reads one file and prints the peak memory growth (MB) and the seconds it took.
    static func measure(_ path: String, kind: String) throws -> Int32 {
        let before = peakMB()
        let began = DispatchTime.now().uptimeNanoseconds
        // Both go through the workload reader, as an input file does; the number list is
        // parsed whole and then refused at its first item (not a layer object).
        do {
            let nodes = try WorkloadFormat.load(path)
            guard kind == "workload", nodes.count > 1 else {
                throw UsageError("bench parse: \(path) read unexpectedly")
            }
        } catch let error as InputError where kind == "numbers" && error.problem.hasPrefix("expected an object") {}
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        print("\(peakMB() - before) \(seconds)")
        return 0
    }

    /// The process's resident high-water mark (`VmHWM`; unlike `ru_maxrss` it starts afresh at
    /// exec, so the parent's own peak does not leak into the child's figure).
    static func peakMB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kB = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return 0 }
        return kB / 1024
    }

    /// A chain of 3 × 3 convolutions, one layer per object, pretty-printed as the shipped files are.
    static func workload(bytes: Int) -> String {
        var text = """
        [
          {
            "id": -1,
            "operator_type": "input",
            "loop_dims": ["B", "K", "OY", "OX"],
            "loop_sizes": [1, 16, 64, 64],
            "operand_precision": {"O": 8}
          }
        """
        var id = 0
        while text.utf8.count < bytes - 1_000 {
            let channels = id == 0 ? 16 : 32
            text += """
            ,
              {
                "id": \(id),
                "name": "conv\(id)",
                "operator_type": "Conv",
                "equation": "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][ix][iy]",
                "dimension_relations": ["ix=1*ox+1*fx", "iy=1*oy+1*fy"],
                "loop_dims": ["B", "K", "C", "OY", "OX", "FY", "FX"],
                "loop_sizes": [1, 32, \(channels), 64, 64, 3, 3],
                "operand_precision": {"O": 16, "O_final": 8, "W": 8, "I": 8},
                "operand_source": {"W": \(id), "I": \(id - 1)},
                "constant_operands": ["W"],
                "operand_source_dimension_mapping": {"I": {"IX": "OX", "IY": "OY", "C": "K"}},
                "padding": [[1, 1], [1, 1]]
              }
            """
            id += 1
        }
        return text + "\n]\n"
    }

    /// One list of single-digit numbers: two bytes per value, the densest a file can be.
    static func numbers(bytes: Int) -> String {
        "[" + Array(repeating: "7", count: bytes / 2 - 1).joined(separator: ",") + "]\n"
    }
}
