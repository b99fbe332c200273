import Foundation
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
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: try String(contentsOf: outFile, encoding: .utf8),
                       stderr: try String(contentsOf: errFile, encoding: .utf8))
    }

}
