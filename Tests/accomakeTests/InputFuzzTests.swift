import Dispatch
import Foundation
import Graph
import Synchronization
import Tasks
import XCTest

/// A seeded mutation fuzzer over every input format the tool reads (hardware, mapping, workload,
/// study), run through the binary (issue 11, standing tests). Each case mutates one valid file —
/// byte flips, truncation, numeric extremes, type swaps, deleted, duplicated and renamed fields,
/// odd strings — and runs the command that reads it. Every outcome must be exit 0 with an answer,
/// or exit 1 or 2 with exactly one line on stderr that names the mutated file; never a signal,
/// another status, a hang (per-case timeout) or more lines.
///
/// `ACCOMAKE_FUZZ_CASES` sets the number of cases (default 400, for a debug build; `.ci/run`
/// runs 10,000 against the release binary) and `ACCOMAKE_FUZZ_SEED` the seed. Failing cases are
/// kept under `$TMPDIR/accomake-fuzz-failures/` with the command that reproduces them.
final class InputFuzzTests: CommandLineTestCase {
    enum Format: String, CaseIterable { case hardware, mapping, workload, study }

    static var cases: Int { ProcessInfo.processInfo.environment["ACCOMAKE_FUZZ_CASES"].flatMap(Int.init) ?? 400 }
    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["ACCOMAKE_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_261_130
    }
    static let timeout: Double = 30

    func testMutatedInputsNeverCrashHangOrRamble() throws {
        let d = Self.project("examples/defines-3layer") + "/"
        let bases: [Format: String] = [.hardware: d + "hardware.json", .mapping: d + "mapping.json",
                                       .workload: d + "workload.json", .study: try studyFile()]
        let trees = try bases.mapValues { path -> FuzzTree in
            FuzzTree(try JSONParser.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))).value)
        }
        let total = Self.cases, workers = 2
        let counts = Mutex<FuzzCounts>(FuzzCounts())
        let scratch = self.scratch.path
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let folder = scratch + "/w\(worker)"
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for i in stride(from: worker, to: total, by: workers) {
                var rng = SplitMix64(state: Self.seed &+ UInt64(i) &* 0x9E37_79B9)
                let format = Format.allCases[i % Format.allCases.count]
                let (bytes, mutation) = FuzzMutation.apply(to: trees[format]!, using: &rng)
                let file = folder + "/\(format.rawValue)-\(i).json"
                _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
                var inputs = bases
                inputs[format] = file
                let arguments = format == .study
                    ? ["run", file, "-j", "1", "--cache", folder + "/cache"]
                    : ["stack", "--hardware", inputs[.hardware]!, "--workload", inputs[.workload]!, "--mapping",
                       inputs[.mapping]!,
                       "--tile", "8x8", "--mode", "fully-cached", "-j", "1", "--cache", folder + "/cache"]
                let verdict = Self.judge(arguments, file: file, folder: folder)
                counts.withLock { $0.add(verdict, format: format, mutation: mutation, arguments: arguments,
                                         file: file) }
                try? FileManager.default.removeItem(atPath: file)
            }
        }
        let c = counts.withLock { $0 }
        print("fuzz: \(total) cases (seed \(Self.seed)) — " + Format.allCases.map { "\($0.rawValue) "
            + "\(c.perFormat[$0.rawValue, default: 0])" }
            .joined(separator: ", ") + "; answered \(c.answered), refused in one line "
                + "\(c.refused), crashes \(c.crashes), "
                + "hangs \(c.hangs), other statuses \(c.otherStatus), not one line naming the file \(c.rambling)")
        print("fuzz: mutations " + c.perMutation.sorted { $0.key < $1.key }.map { "\($0.key) "
            + "\($0.value)" }.joined(separator: ", "))
        for example in c.examples { print("fuzz: failing case: \(example)") }
        XCTAssertEqual(c.crashes + c.hangs + c.otherStatus + c.rambling, 0, c.examples.joined(separator: "\n"))
        XCTAssertEqual(c.answered + c.refused, total)
    }

    enum Verdict { case answered, refused, crash(String), hang, otherStatus(String), rambling(String) }

    /// Runs one case with the per-case timeout and classifies its outcome. Its stdout and stderr
    /// go to files in `folder` (no pipe to drain).
    static func judge(_ arguments: [String], file: String, folder: String) -> Verdict {
        let outPath = folder + "/stdout", errPath = folder + "/stderr"
        for path in [outPath, errPath] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
            return .otherStatus("cannot create the output files in \(folder)")
        }
        defer { try? out.close(); try? err.close() }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        do { try process.run() } catch { return .otherStatus("cannot start: \(error)") }
        if done.wait(timeout: .now() + timeout) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            done.wait()
            return .hang
        }
        let stdout = FileManager.default.contents(atPath: outPath) ?? Data()
        let text = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        if process.terminationReason == .uncaughtSignal {
            return .crash("signal \(process.terminationStatus): \(text.prefix(300))")
        }
        switch process.terminationStatus {
        case 0:
            return stdout.isEmpty || !text.isEmpty ? .rambling("exit 0 with stderr \(text.prefix(300))") : .answered
        case 1, 2:
            let name = (file as NSString).lastPathComponent
            guard lines.count == 1, text.hasPrefix("accomake: "), text.contains(name) else {
                return .rambling("exit \(process.terminationStatus): \(text.prefix(400))")
            }
            return .refused
        default:
            return .otherStatus("exit \(process.terminationStatus): \(text.prefix(300))")
        }
    }

    /// A small study over the DeFiNES 3-layer network: one tile, one mode, every fusion range.
    func studyFile() throws -> String {
        let d = Self.project("examples/defines-3layer") + "/"
        let path = scratch.appendingPathComponent("fuzz-study.json").path
        try """
        {
          "accelerators": [{"hardware": "\(d)hardware.json", "mapping": "\(d)mapping.json"}],
          "workloads": [{"workload": "\(d)workload.json", "max_cuts": 1}],
          "sweep": {"tile_x": [8], "tile_y": [8], "modes": ["fully-cached"], "objectives": ["energy"], "frames": 1},
          "allocation": {"objectives": ["latency", "energy", "edp"], "table": "window", "budget_bits": 1000000}
        }
        """.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }
}

/// Counts per outcome, format and mutation, and the first failing cases.
struct FuzzCounts {
    var answered = 0, refused = 0, crashes = 0, hangs = 0, otherStatus = 0, rambling = 0
    var perFormat: [String: Int] = [:]
    var perMutation: [String: Int] = [:]
    var examples: [String] = []

    mutating func add(_ verdict: InputFuzzTests.Verdict, format: InputFuzzTests.Format, mutation: String,
                      arguments: [String], file: String) {
        perFormat[format.rawValue, default: 0] += 1
        perMutation[mutation, default: 0] += 1
        let problem: String
        switch verdict {
        case .answered: answered += 1; return
        case .refused: refused += 1; return
        case .crash(let s): crashes += 1; problem = "crash, " + s
        case .hang: hangs += 1; problem = "hang (over \(InputFuzzTests.timeout) s)"
        case .otherStatus(let s): otherStatus += 1; problem = s
        case .rambling(let s): rambling += 1; problem = s
        }
        guard examples.count < 12 else { return }
        let keep = NSTemporaryDirectory() + "/accomake-fuzz-failures"
        try? FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
        let kept = keep + "/" + (file as NSString).lastPathComponent
        try? FileManager.default.removeItem(atPath: kept)
        try? FileManager.default.copyItem(atPath: file, toPath: kept)
        examples.append("\(mutation) → \(problem) [file kept at \(kept); accomake \(arguments.joined(separator: " "))]")
    }
}

/// A JSON document as an ordered tree (object keys in file order, numbers as their text), so
/// that a mutation changes one thing and the rest of the file stays as it was.
indirect enum FuzzTree {
    case null, bool(Bool), number(String), string(String), array([FuzzTree]), object([(String, FuzzTree)])

    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(_, let text): self = .number(text)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map { FuzzTree($0.value) })
        case .object(let fields): self = .object(fields.map { ($0.key, FuzzTree($0.value.value)) })
        }
    }

    /// Paths (indices into arrays and objects) of every value, the root included.
    func paths(_ prefix: [Int] = []) -> [[Int]] {
        switch self {
        case .array(let items): [prefix] + items.enumerated().flatMap { $1.paths(prefix + [$0]) }
        case .object(let fields): [prefix] + fields.enumerated().flatMap { $1.1.paths(prefix + [$0]) }
        default: [prefix]
        }
    }

    subscript(path: ArraySlice<Int>) -> FuzzTree {
        get {
            guard let i = path.first else { return self }
            switch self {
            case .array(let items): return items[i][path.dropFirst()]
            case .object(let fields): return fields[i].1[path.dropFirst()]
            default: return self
            }
        }
        set {
            guard let i = path.first else { self = newValue; return }
            switch self {
            case .array(var items): items[i][path.dropFirst()] = newValue; self = .array(items)
            case .object(var fields): fields[i].1[path.dropFirst()] = newValue; self = .object(fields)
            default: break
            }
        }
    }

    func text() -> String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let t): t
        case .string(let s): JSONText.quote(s)
        case .array(let items): "[" + items.map { $0.text() }.joined(separator: ", ") + "]"
        case .object(let fields): "{" + fields.map { JSONText.quote($0.0) + ": " + $0.1.text() }.joined(separator: ", "
            + "") + "}"
        }
    }
}

/// The mutations, each named for the counts.
enum FuzzMutation {
    static let extremes = ["0", "-1", "-0.5", "0.5", "1e15", "1e17", "1e300", "1e308", "-1e308", "9223372036854775807",
                           "9223372036854775808", "4294967296", "1e-300", "3.0000001", "65536", "2147483647"]
    static let strings = ["", "ZZ", "ZZ, 32", "O", "I1", "W", "dram", "x\u{0}y", "é", String(repeating: "a",
        count: 5000),
                          "\u{202E}evil", "=1+1", "ix=1*ox+1*fx", "K, 0"]
    static let swaps: [FuzzTree] = [.null, .bool(true), .number("7"), .string("x"), .array([]), .object([]),
                                    .array([.number("1"), .string("2")])]

    static func apply(to tree: FuzzTree, using rng: inout SplitMix64) -> ([UInt8], String) {
        let paths = tree.paths()
        var t = tree
        switch Int.random(in: 0..<9, using: &rng) {
        case 0:
            var bytes = Array(tree.text().utf8)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            return (bytes, "byte flip")
        case 1:
            let bytes = Array(tree.text().utf8)
            return (Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng))), "truncation")
        case 2, 3:
            let numbers = paths.filter { if case .number = tree[$0[...]] { true } else { false } }
            guard let p = numbers.randomElement(using: &rng) else { break }
            t[p[...]] = .number(extremes.randomElement(using: &rng)!)
            return (Array(t.text().utf8), "numeric extreme")
        case 4:
            guard let p = paths.randomElement(using: &rng) else { break }
            t[p[...]] = swaps.randomElement(using: &rng)!
            return (Array(t.text().utf8), "type swap")
        case 5:
            let strings = paths.filter { if case .string = tree[$0[...]] { true } else { false } }
            guard let p = strings.randomElement(using: &rng) else { break }
            t[p[...]] = .string(Self.strings.randomElement(using: &rng)!)
            return (Array(t.text().utf8), "odd string")
        case 6, 7:
            let containers = paths.filter {
                switch tree[$0[...]] {
                case .object(let f): !f.isEmpty
                case .array(let a): !a.isEmpty
                default: false
                }
            }
            guard let p = containers.randomElement(using: &rng) else { break }
            let duplicate = Int.random(in: 0..<3, using: &rng) == 0
            switch t[p[...]] {
            case .object(var fields):
                let i = Int.random(in: 0..<fields.count, using: &rng)
                if duplicate { fields.insert(fields[i], at: i) } else { fields.remove(at: i) }
                t[p[...]] = .object(fields)
            case .array(var items):
                let i = Int.random(in: 0..<items.count, using: &rng)
                if duplicate { items.insert(items[i], at: i) } else { items.remove(at: i) }
                t[p[...]] = .array(items)
            default: break
            }
            return (Array(t.text().utf8), duplicate ? "duplicated field" : "deleted field")
        default:
            let objects = paths.filter { if case .object(let f) = tree[$0[...]] { !f.isEmpty } else { false } }
            guard let p = objects.randomElement(using: &rng), case .object(var fields) = t[p[...]] else { break }
            let i = Int.random(in: 0..<fields.count, using: &rng)
            fields[i].0 = Bool.random(using: &rng) ? fields[i].0.uppercased() : fields[i].0 + "x"
            t[p[...]] = .object(fields)
            return (Array(t.text().utf8), "renamed field")
        }
        return (Array(tree.text().utf8), "none")
    }
}
