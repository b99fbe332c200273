import Foundation
import Synchronization
import XCTest

/// A test case that runs the built `accomake` binary as a user does: in a scratch folder of its
/// own, with its exit status, stdout and stderr.
class CommandLineTestCase: XCTestCase {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        var stderrLines: [Substring] { stderr.split(separator: "\n") }
    }
    /// The `accomake` binary SwiftPM built beside this test bundle (`ACCOMAKE_BIN` overrides).
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["ACCOMAKE_BIN"] { return URL(fileURLWithPath: path) }
        let beside = Bundle.main.bundleURL.appendingPathComponent("accomake")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("accomake")
    }

    /// `engine-probe` (the engine on the synthetic workload, as a process), built beside `accomake`.
    static var probe: String { binary.deletingLastPathComponent().appendingPathComponent("engine-probe").path }

    /// The package root (projects/ lives there).
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func project(_ path: String) -> String { root.appendingPathComponent("projects/" + path).path }

    /// Meta_prototype_DF + seldnet, the inputs of the reference's ACCO runs.
    static let seldnet = ["--hardware", project("hardware/meta_prototype_df.json"), "--workload",
                          project("workloads/seldnet_oxoy_m.json"),
                          "--mapping", project("mappings/meta_prototype_df.json")]

    var scratch: URL!

    /// A command's `--json` output as a dictionary.
    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("accomake-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// The test's environment plus `environment`; the default cache (no `--cache`, no
    /// `ACCOMAKE_CACHE`) is the scratch folder's `xdg/accomake`, never the user's.
    /// A one-tile, whole-network study in the scratch folder (3 nodes: stack, trunk, allocation).
    /// - Parameter accelerator: more fields of the accelerator entry (`, "axes": {…}`), or more entries.
    func writeStudy(_ name: String, tileY: [Int], description: String = "CLI test", accelerator: String = "")
        throws -> String {
        let study = """
            {"description": "\(description)",
             "accelerators": [{"hardware": "\(Self.project("hardware/meta_prototype_df.json"))",
                               "mapping": "\(Self.project("mappings/meta_prototype_df.json"))"\(accelerator)}],
             "workloads": [{"workload": "\(Self.project("workloads/seldnet_oxoy_m.json"))", "max_cuts": 0}],
             "sweep": {"tile_x": [2], "tile_y": \(tileY), "modes": ["fully-cached"], "objectives": ["energy"]},
             "allocation": {"objectives": ["energy"], "table": "window"}}
            """
        let path = scratch.appendingPathComponent(name).path
        try study.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func hermetic(_ environment: [String: String]) -> [String: String] {
        var base = ProcessInfo.processInfo.environment
        base["ACCOMAKE_CACHE"] = nil
        base["XDG_CACHE_HOME"] = scratch.appendingPathComponent("xdg").path
        return base.merging(environment) { $1 }
    }

    /// Runs the binary in the scratch folder; stdout and stderr go to files (no pipe to drain).
    /// `executable`: another program to run instead (e.g. `/bin/sh` to set a limit first).
    func run(_ arguments: [String], environment: [String: String] = [:], executable: String? = nil) throws -> Outcome {
        let outFile = scratch.appendingPathComponent("stdout"), errFile = scratch.appendingPathComponent("stderr")
        for f in [outFile, errFile] { _ = FileManager.default.createFile(atPath: f.path, contents: nil) }
        let out = try FileHandle(forWritingTo: outFile), err = try FileHandle(forWritingTo: errFile)
        defer { try? out.close(); try? err.close() }
        let process = Process()
        process.executableURL = executable.map { URL(fileURLWithPath: $0) } ?? Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = scratch
        process.environment = hermetic(environment)
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: try String(contentsOf: outFile, encoding: .utf8),
                       stderr: try String(contentsOf: errFile, encoding: .utf8))
    }

    /// Starts the binary in the scratch folder and leaves it running (`run --watch`): its output
    /// is collected as it comes, for `LiveProcess.wait(until:)`.
    func start(_ arguments: [String]) throws -> LiveProcess {
        let live = LiveProcess()
        live.process.executableURL = Self.binary
        live.process.arguments = arguments
        live.process.currentDirectoryURL = scratch
        live.process.environment = hermetic([:])
        try live.start()
        return live
    }

}

/// A running command whose stdout and stderr are collected as they arrive.
final class LiveProcess: Sendable {
    let process = Process()
    /// The bytes as they came, decoded when read: a character split across two reads is whole
    /// once its rest arrives.
    private struct Output {
        var stdout: [UInt8] = [], stderr: [UInt8] = []
        /// Streams that reached their end (the process closed them).
        var ended = 0
    }
    private let output = Mutex(Output())

    /// Each stream is read by a thread of its own with blocking reads until its end: Foundation's
    /// `readabilityHandler` now and then never delivered the end of a stream (a full `swift test`
    /// once waited out two 600-second limits for it).
    fileprivate func start() throws {
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        for (pipe, isOut) in [(out, true), (err, false)] {
            let fd = pipe.fileHandleForReading.fileDescriptor
            Thread { [self] in
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let n = read(fd, &buffer, buffer.count)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { break }
                    output.withLock { if isOut { $0.stdout += buffer[0..<n] } else { $0.stderr += buffer[0..<n] } }
                }
                output.withLock { $0.ended += 1 }
            }.start()
        }
    }

    var stdout: String { String(decoding: output.withLock { $0.stdout }, as: UTF8.self) }
    var stderr: String { String(decoding: output.withLock { $0.stderr }, as: UTF8.self) }

    /// Waits for the output to satisfy `condition` (an event, not a duration), or for the process
    /// to have ended with all its output read; `limit` only stops a test whose event never comes
    /// from hanging the suite. Whether the condition holds.
    @discardableResult
    func wait(until condition: (_ stdout: String, _ stderr: String) -> Bool, limit: TimeInterval = 600) -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline {
            let ended = output.withLock { $0.ended }
            if condition(stdout, stderr) { return true }
            if ended == 2 && !process.isRunning { return false }
            usleep(50_000)
        }
        return false
    }

    /// Sends `signal`, waits for the process to end and for its last output: its exit status.
    func stop(_ signal: Int32) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
        wait(until: { _, _ in false })
        return process.terminationStatus
    }
}
