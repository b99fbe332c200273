import Foundation
import Graph
@testable import Tasks
import XCTest

/// Studies end to end: the study file, the task graph with its allocation node, and what a rerun
/// recomputes (issue 6), read from the engine's event log.
final class StudyTests: XCTestCase {
    static let projects = Projects.folder.path

    /// A study over seldnet on Meta_prototype_DF; `extra` adds or replaces top-level fields.
    func study(hardware: String = "\(projects)/hardware/meta_prototype_df.json", maxCuts: Int = 0, tileX: [Int] = [2],
               tileY: [Int] = [16], allocation: String = "{}") throws -> Study {
        let text = """
            {"accelerators": [{"hardware": "\(hardware)", "mapping": "\(Self.projects)/mappings/meta_prototype_df.json"}],
             "workloads": [{"workload": "\(Self.projects)/workloads/seldnet_oxoy_m.json", "max_cuts": \(maxCuts)}],
             "sweep": {"tile_x": \(tileX), "tile_y": \(tileY)},
             "allocation": \(allocation)}
            """
        return try StudyFormat.decode(InputFile.parse(Array(text.utf8), file: "study.json"), folder: "")
    }

    /// Runs the study's graph on `store`; returns the log and the allocation reports.
    func run(_ study: Study, on store: MemoryStore) throws -> (EventLog, [AllocationReport]) {
        let built = try StudyGraph(study)
        let outcome = Executor(store: store, options: BuildOptions(jobs: 2)).build(built.graph, targets: built.problems.map(\.node))
        XCTAssertTrue(outcome.succeeded, "\(outcome.failures)")
        return (outcome.log, try built.problems.map { try AllocationTask.report(try XCTUnwrap(outcome.outputs[$0.node])) })
    }

    /// acco.md §7.2: 1 + 11 + 55 + 165 cut lists for the 12-layer stftCNN with M = 3, 1 + 7 + 21
    /// for the 8-layer seldnet with M = 2 (no weight cuts on Meta_prototype_DF).
    func testCutListCounts() throws {
        let (stft, core) = try Projects.network("stftcnn_1x")
        XCTAssertEqual(StudyRanges.cutLists(stft.fullSize(), core: core, userCuts: [], maxCuts: 3).count, 232)
        let (seld, core2) = try Projects.network("seldnet_oxoy_m")
        let lists = StudyRanges.cutLists(seld.fullSize(), core: core2, userCuts: [], maxCuts: 2)
        XCTAssertEqual(lists.count, 29)
        XCTAssertEqual(lists.prefix(3), [[], [0], [1]])
        // A user cut is in every list: 1 + 6 + 15 lists with up to two more cuts.
        XCTAssertEqual(StudyRanges.cutLists(seld.fullSize(), core: core2, userCuts: [3], maxCuts: 2).count, 22)
    }

    /// README D4: the largest on-chip memory serving I1 and O.
    func testDefaultBudget() throws {
        for (hardware, bits) in [("meta_prototype_df", 8_388_608), ("edge_tpu_like_df", 8_388_608), ("tesla_npu_like_df", 7_340_032)] {
            let core = try HardwareFormat.load(Projects.folder.appendingPathComponent("hardware/\(hardware).json").path)
            XCTAssertEqual(try StudyGraph.defaultBudget(core, file: hardware), bits, hardware)
        }
    }

    /// The allocation node on real trunk readings equals the reference's brute force over the same
    /// trunk reports, for every cut list and metric; seldnet 2 × 16 whole network is the §10.3 value.
    /// Tile 128 × 16 clips to 2 × 16 on every range, so each trunk has two equal options (ties).
    func testAllocationMatchesBruteForceOnSeldnet() throws {
        let s = try study(maxCuts: 1, tileX: [2, 128], tileY: [16, 1])
        let store = MemoryStore()
        let (_, reports) = try run(s, on: store)
        let report = try XCTUnwrap(reports.first)
        XCTAssertEqual(report.ranges.count, 15)
        XCTAssertEqual(report.cutLists.count, 8)
        XCTAssertEqual(report.budgetBits, 8_388_608)
        // The trunk reports, from the same cache.
        let (network, core) = try ProblemLoader.network(Projects.files(workload: "seldnet_oxoy_m", hardware: "meta_prototype_df"))
        let trunks = CausalTrunks(network: network)
        var graph = Graph()
        var nodes: [[NodeID]] = []
        for r in report.ranges {
            let trunk = try trunks.trunk(after: r.after, through: r.through)
            nodes.append(try report.tiles.map { tile in
                let (x, y) = trunk.clippedTile(tile.x, tile.y)
                return try StudyGraph.addTrunk(to: &graph, trunk: trunk, widths: try trunks.untransformed(after: r.after, through: r.through),
                                               core: core, mode: .fullyCached, tileX: x, tileY: y, lpf: 6, objective: .energy,
                                               networkEnd: r.through == nil || r.through == 7)
            })
        }
        let outcome = Executor(store: store).build(graph, targets: nodes.flatMap { $0 })
        XCTAssertEqual(outcome.log.count(.executed), 0, "the study computed every trunk already")
        let readings = try nodes.map { try $0.map { try TrunkTask.report(try XCTUnwrap(outcome.outputs[$0])) } }
        let whole = readings[0][report.tiles.firstIndex { $0 == (2, 16) } ?? -1]
        XCTAssertEqual([whole.readings.window.latency, whole.readings.window.energy], [4_269_199, 1_545_830_829])

        for metric in GlobalAllocation.Metric.allCases {
            var overall: (value: Double, cutList: Int, schedule: GlobalAllocation.Schedule)?
            for (c, cuts) in report.cutLists.enumerated() {
                let ranges = RangeEnumeration.ranges(of: cuts).map { r in report.ranges.firstIndex(of: r) ?? -1 }
                var best: GlobalAllocation.Schedule?
                // Reference order: options ranked by window latency (stable), last trunk fastest.
                let ranked = ranges.map { r in report.tiles.indices.sorted { (readings[r][$0].readings.window.latency, $0) < (readings[r][$1].readings.window.latency, $1) } }
                func walk(_ i: Int, _ choice: [Int]) {
                    if i == ranges.count {
                        let chosen = zip(ranges, choice).map { readings[$0][$1] }
                        let peak = chosen.reduce(0) { $0 + $1.footprint.total.featureBits }
                        let on = peak < report.budgetBits
                        let w = chosen.map(\.readings.window)
                        let s = GlobalAllocation.Schedule(
                            choice: choice, latency: w.reduce(0) { $0 + $1.latency - (on ? $1.offloadLatency + $1.reloadLatency : 0) },
                            energy: w.reduce(0) { $0 + $1.energy - (on ? $1.offloadEnergy + $1.reloadEnergy : 0) }, peakBits: peak, onChip: on)
                        if best.map({ s.precedes($0, by: metric) }) ?? true { best = s }
                        return
                    }
                    for t in ranked[i] { walk(i + 1, choice + [t]) }
                }
                walk(0, [])
                let b = try XCTUnwrap(best)
                XCTAssertEqual(report.perCutList[c][metric]?.schedule, b, "\(metric) cuts \(cuts)")
                let value = metric == .latency ? Double(b.latency) : metric == .energy ? Double(b.energy) : b.edp
                if overall.map({ value < $0.value }) ?? true { overall = (value, c, b) }
            }
            XCTAssertEqual(report.best[metric]?.cutList, overall?.cutList, "\(metric)")
            XCTAssertEqual(report.best[metric]?.schedule, overall?.schedule, "\(metric)")
        }
        // The whole network alone: only 2 × 16 and its clipped twin 128 × 16 (tie → the first) and 2 × 1, 128 × 1.
        let wholeBest = try XCTUnwrap(report.perCutList[0][.energy])
        XCTAssertEqual(report.tiles[wholeBest.schedule.choice[0]].x, 2)
        // The front is sorted by latency with falling energy.
        XCTAssertFalse(report.front.isEmpty)
        for (a, b) in zip(report.front, report.front.dropFirst()) {
            XCTAssertLessThan(a.schedule.latency, b.schedule.latency)
            XCTAssertGreaterThan(a.schedule.energy, b.schedule.energy)
        }
    }
}
