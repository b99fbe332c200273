import Foundation
import Graph
@testable import Tasks
import XCTest

/// The report's baselines (issue 15), costed from the allocation node's options exactly as
/// Step 3 costs ACCO's choice.
extension StudyTests {
    func testBaselinesAreCostedAsStep3CostsACCOsChoice() throws {
        let s = try study(maxCuts: 1, tileX: [2, 4], tileY: [16, 1])
        let (_, reports) = try run(s, on: MemoryStore())
        let r = try XCTUnwrap(reports.first)
        XCTAssertEqual(r.options.count, r.ranges.count)
        XCTAssertTrue(r.options.allSatisfy { $0.count == r.tiles.count && $0.allSatisfy { $0 != nil } },
                      "the window table admits every tile")
        for metric in GlobalAllocation.Metric.allCases {
            let acco = try XCTUnwrap(r.best[metric]).schedule
            let baselines = Baseline.all(r, layers: Array(0...7), causal: true, metric: metric)
            XCTAssertEqual(baselines.map(\.kind), Baseline.Kind.allCases)
            // Within the sweep, no baseline beats ACCO's choice on its own objective.
            for b in baselines where b.inSweep {
                let schedule = try XCTUnwrap(b.schedule, "\(b.kind)")
                XCTAssertFalse(schedule.precedes(acco, by: metric), "\(b.kind) beats ACCO on \(metric)")
                XCTAssertGreaterThanOrEqual(try XCTUnwrap(b.ratio(to: acco, metric)), 1)
            }
            // One cut at most: the single-layer trunks of layer by layer were never evaluated.
            XCTAssertEqual(baselines[0].missing, "trunk (0, 1) is not evaluated in this study (raise max_cuts, or "
                               + "drop cuts that exclude it)")
            // The whole network as one trunk: its best tile by hand, with the on-chip discount of
            // a trunk whose peak fits the budget (model.md §6.6).
            let whole = try XCTUnwrap(r.ranges.firstIndex(of: LayerRange(after: nil, through: nil)))
            let costs = r.options[whole].compactMap { $0 }.map { o in
                o.peakBits <= r.budgetBits ? (o.latency - o.latencyDelta, o.energy - o.energyDelta)
                    : (o.latency, o.energy)
            }
            let wholeSchedule = try XCTUnwrap(baselines[1].schedule)
            switch metric {
            case .energy: XCTAssertEqual(wholeSchedule.energy, costs.map(\.1).min())
            case .latency: XCTAssertEqual(wholeSchedule.latency, costs.map(\.0).min())
            case .edp: XCTAssertEqual(wholeSchedule.edp, costs.map { Double($0.0) * Double($0.1) }.min())
            }
            XCTAssertTrue(baselines[1].inSweep)
            // The stream: no cut, the widest tile one frame tall (4 × 1, study index 3).
            XCTAssertEqual(baselines[3].tiles, [3])
        }
    }
}
