import Foundation
import Graph
import Tasks

/// `accomake bench read [FILE…] [--runs N] [--json]`: how long reading an input takes as a user
/// sees it — `accomake workload FILE` (a model) or `accomake hardware FILE` (an accelerator) in a
/// process of its own, start-up included — against the 50 ms target. Defaults: the ONNX model and
/// the ZigZag YAML accelerator in `projects/zigzag/`.
enum ReadBench {
    static let targetMilliseconds = 50.0

    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, help: .named("bench read"))
        let runs = try a.int("runs", default: 21)
        guard runs >= 1 else { throw UsageError("bench read: --runs must be at least 1") }
        let files = a.positionals.isEmpty ? ["projects/zigzag/resnet18.onnx", "projects/zigzag/edge_tpu_like.yaml"]
            : a.positionals
        var rows: [JSONText] = []
        for file in files {
            let command = file.lowercased().hasSuffix(".onnx") || isWorkload(file) ? "workload" : "hardware"
            var times: [Double] = []
            for _ in 0..<runs {
                let start = DispatchTime.now().uptimeNanoseconds
                let (status, _) = try ChildProcess(ChildProcess.currentExecutable, [command, file]).finish()
                guard status == 0 else {
                    throw UsageError("bench read: accomake \(command) \(file) failed (status \(status)); "
                                     + "run it to see why")
                }
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            times.sort()
            let median = times[times.count / 2], worst = times[times.count - 1]
            let bytes = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            rows.append(.object([("file", .string(file)), ("command", .string(command)), ("bytes", .int(bytes)),
                                 ("median_ms", .number(median)), ("max_ms", .number(worst)),
                                 ("target_ms", .number(targetMilliseconds)),
                                 ("median_to_target", .number(median / targetMilliseconds))]))
            if !a.flag("json") {
                print(String(format: "%@ (%d bytes, accomake %@): median %.1f ms, max %.1f ms over %d runs; "
                             + "%.2f× the %.0f ms target", file, bytes, command, median, worst, runs,
                             median / targetMilliseconds, targetMilliseconds))
            }
        }
        if a.flag("json") { print(JSONText.object([("runs", .int(runs)), ("files", .array(rows))]).rendered()) }
        return 0
    }

    /// A JSON or YAML file whose top level is a list is a workload; an object is hardware.
    static func isWorkload(_ file: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: file) else { return false }
        return data.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) } == UInt8(ascii: "[")
            || String(decoding: data.prefix(4096), as: UTF8.self).hasPrefix("- ")
    }
}
