import Foundation
import Graph
@testable import Tasks
import XCTest

/// `run --watch` keeps its graph across an edit of the allocation's budget or objectives
/// (`StudyGraph.reallocated`): the kept graph must be the one a fresh build gives, and any other
/// edit must show in the structure key, so that the graph is built anew.
final class StudyGraphReallocationTests: XCTestCase {
    static let projects = Projects.folder.path
    var folder = ""

    override func setUpWithError() throws {
        let pid = ProcessInfo.processInfo.processIdentifier
        folder = NSTemporaryDirectory() + "accomake-realloc-\(pid)-\(name.hashValue)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    /// Writes a two-accelerator seldnet study and loads it.
    func study(_ name: String, tileX: [Int] = [2, 8],
               hardware: String = "\(projects)/hardware/meta_prototype_df.json", allocation: String) throws -> Study {
        let path = folder + "/" + name
        try """
            {"accelerators": [{"hardware": "\(hardware)",
                               "mapping": "\(Self.projects)/mappings/meta_prototype_df.json"},
                              {"hardware": "\(Self.projects)/hardware/edge_tpu_like_df.json",
                               "mapping": "\(Self.projects)/mappings/edge_tpu_like_df.json"}],
             "workloads": [{"workload": "\(Self.projects)/workloads/seldnet_oxoy_m.json", "max_cuts": 1}],
             "sweep": {"tile_x": \(tileX), "tile_y": [1, 16], "objectives": ["energy", "latency"]},
             "allocation": \(allocation)}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return try StudyFormat.load(path)
    }

    func assertSameGraph(_ a: StudyGraph, _ b: StudyGraph, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.graph.count, b.graph.count, file: file, line: line)
        for i in 0..<min(a.graph.count, b.graph.count) {
            let (x, y) = (a.graph.id(i), b.graph.id(i))
            guard a.graph.operatorID(of: x) == b.graph.operatorID(of: y),
                  a.graph.params(of: x) == b.graph.params(of: y),
                  a.graph.dependencies(of: x) == b.graph.dependencies(of: y) else {
                return XCTFail("node \(i) (\(a.names[i])) differs", file: file, line: line)
            }
        }
        XCTAssertEqual(a.allocationNodes, b.allocationNodes, file: file, line: line)
        XCTAssertEqual(a.names, b.names, file: file, line: line)
        XCTAssertEqual(a.problems.map(\.budgetBits), b.problems.map(\.budgetBits), file: file, line: line)
    }

    /// A new budget (and a budget left to each accelerator's default), new objectives: the same
    /// structure key, and the kept graph with its allocations remade is node for node the fresh one.
    func testBudgetAndObjectiveEditsKeepTheGraphBelowTheAllocations() throws {
        let first = try study("a.json", allocation: #"{"budget_bits": 1000000}"#)
        let kept = try StudyGraph(first)
        for (name, allocation) in [("b.json", #"{"budget_bits": 250000, "objectives": ["edp"]}"#),
                                   ("c.json", #"{"objectives": ["latency", "energy"]}"#)] {
            let edited = try study(name, allocation: allocation)
            XCTAssertEqual(StudyGraph.structureKey(edited), StudyGraph.structureKey(first), name)
            let reallocated = try kept.reallocated(for: edited)
            assertSameGraph(reallocated, try StudyGraph(edited))
            XCTAssertNotEqual(reallocated.problems.map(\.budgetBits), kept.problems.map(\.budgetBits), name)
        }
        XCTAssertEqual(try StudyGraph(try study("b.json", allocation: #"{"budget_bits": 250000}"#)).problems
            .map(\.budgetBits), [250_000, 250_000, 250_000, 250_000])
    }

    /// Any other edit gives another key: a tile size, the table, a hardware file's content (saved
    /// in place, as at an editor; saved back, the key is the first one again).
    func testOtherEditsChangeTheStructureKey() throws {
        let first = StudyGraph.structureKey(try study("a.json", allocation: #"{"budget_bits": 1000000}"#))
        XCTAssertNotNil(first)
        XCTAssertNotEqual(StudyGraph.structureKey(try study("e.json", tileX: [2, 4],
                                                            allocation: #"{"budget_bits": 1000000}"#)), first)
        XCTAssertNotEqual(StudyGraph.structureKey(try study("f.json", allocation: #"{"table": "real-time"}"#)),
                          StudyGraph.structureKey(try study("f.json", allocation: #"{"table": "window"}"#)))

        let hardware = folder + "/hw.json"
        let original = try String(contentsOfFile: "\(Self.projects)/hardware/meta_prototype_df.json", encoding: .utf8)
        try original.write(toFile: hardware, atomically: true, encoding: .utf8)
        let onCopy = try study("g.json", hardware: hardware, allocation: #"{"budget_bits": 1000000}"#)
        let before = try XCTUnwrap(StudyGraph.structureKey(onCopy))
        try original.replacingOccurrences(of: "\"r_cost\": 700", with: "\"r_cost\": 707")
            .write(toFile: hardware, atomically: true, encoding: .utf8)
        XCTAssertNotEqual(StudyGraph.structureKey(onCopy), before)
        try original.write(toFile: hardware, atomically: true, encoding: .utf8)
        XCTAssertEqual(StudyGraph.structureKey(onCopy), before)
    }
}

/// The options a watch remembers between edits: read once per trunk result and table.
final class TrunkOptionMemoTests: XCTestCase {
    func testAnOptionIsReadOncePerTrunkResultAndTable() throws {
        TrunkOptionMemo.start()
        let trunk = Artifact(Array("trunk result \(name)".utf8))
        let option = GlobalAllocation.Option(latency: 7, energy: 9, latencyDelta: 1, energyDelta: 2, peakBits: 64)
        var reads = 0
        for table in [Study.Table.window, .window, .realTime, .window] {
            let got = TrunkOptionMemo.option(trunk.digest, table: table) {
                reads += 1
                var o = option
                o.peakBits += table == .window ? 0 : 1
                return o
            }
            XCTAssertEqual(got.peakBits, table == .window ? 64 : 65)
        }
        XCTAssertEqual(reads, 2, "one read for the window table, one for the real-time one")
    }
}
