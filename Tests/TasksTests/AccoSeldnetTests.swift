import Foundation
import Graph
@testable import Tasks
import XCTest

/// ACCO Step 1 + Step 2 on seldnet, tile 2 × 16, Meta_prototype_DF (reference/acco-seldnet-2x16.json).
final class AccoSeldnetTests: XCTestCase {
    /// Evaluates a seldnet range with a 2 × 16 tile, fully cached, energy objective, lpf 6.
    static func evaluate(_ a: Int?, _ b: Int?, core change: (inout Core) -> Void = { _ in }) throws
        -> (StackResult, AccoReadings) {
        var (network, core) = try Projects.network("seldnet_oxoy_m")
        change(&core)
        let trunks = CausalTrunks(network: network)
        let trunk = try trunks.trunk(after: a, through: b)
        var evaluation = StackEvaluation(trunk: trunk, core: core, mode: .fullyCached, tileX: 2, tileY: 16) { layer,
            core in
            try FastLayerSearch.run(layer: layer, core: core, lpfLimit: 6, objective: .energy).evaluation
        }
        evaluation.fullSize = trunks.fullSize
        let result = try evaluation.run()
        return (result, AccoReadings(result, trunk: trunk, core: core, isNetworkEnd: b == nil))
    }

    func testWholeNetworkWindowTotals() throws {
        let (result, readings) = try Self.evaluate(nil, nil)
        XCTAssertEqual(result.columns, 1)
        XCTAssertEqual(result.rows, 4)
        XCTAssertEqual(readings.window.latency, 4_269_199)
        XCTAssertEqual(readings.window.energy, 1_545_830_829)
        XCTAssertEqual(readings.stable.energy, 357_347_321)
        XCTAssertEqual(readings.stable.latency, 973_872)
        XCTAssertEqual(readings.warmup.energy, 479_214_087)
        XCTAssertEqual(readings.warmup.latency, 1_354_647)
    }
}

extension AccoSeldnetTests {
    /// The forced cut after layer 3 (energies and bytes are reference values; latencies are not,
    /// see the reference file): off-loading at the end of (none, 3), reloading at the start of (3, none).
    func testForcedCutOffloadAndReload() throws {
        func readings(_ a: Int?, _ b: Int?) throws -> AccoReadings { try Self.evaluate(a, b).1 }
        let head = try readings(nil, 3)
        // 21 tile columns: H caches, and layer 1 retrying its placement in the middle tiles
        // (its output walk keeps room for the inputs at the un-retried I top).
        XCTAssertEqual(head.window.energy, 378_230_715)
        XCTAssertEqual(head.window.offloadEnergy, 34_866_276)
        XCTAssertEqual(head.window.offloadedBytes, 365_568)
        XCTAssertEqual(head.window.reloadedBytes, 0)
        let tail = try readings(3, nil)
        XCTAssertEqual(tail.window.energy, 113_963_012)
        XCTAssertEqual(tail.window.reloadEnergy, 32_527_555)
        XCTAssertEqual(tail.window.reloadedBytes, 365_568)
        XCTAssertEqual(tail.stable.reloadedBytes, 86_016)
        XCTAssertEqual(tail.warmup.reloadedBytes, 107_520)
        XCTAssertEqual(tail.window.offloadedBytes, 0)
    }

    /// Issue 12: the bytes are counted, not recovered from energy ÷ DRAM cost, so a free DRAM
    /// (r_cost = w_cost = 0, which made that 0/0 and trapped) moves the same bytes as the real one
    /// — the reference values above, exactly — and its off-load and reload energies lose the DRAM
    /// share only.
    func testFreeDramMovesTheSameBytes() throws {
        func free(_ core: inout Core) {
            for m in Set(["O", "I1"].compactMap { core.levels(of: $0).last }) {
                core.memories[m].readCost = 0
                core.memories[m].writeCost = 0
            }
        }
        let head = try Self.evaluate(nil, 3, core: free).1
        XCTAssertEqual(head.window.offloadedBytes, 365_568)
        XCTAssertLessThan(head.window.offloadEnergy, 34_866_276)
        let tail = try Self.evaluate(3, nil, core: free).1
        XCTAssertEqual(tail.window.reloadedBytes, 365_568)
        XCTAssertEqual(tail.stable.reloadedBytes, 86_016)
        XCTAssertEqual(tail.warmup.reloadedBytes, 107_520)
        XCTAssertLessThan(tail.window.reloadEnergy, 32_527_555)
    }
}

extension AccoSeldnetTests {
    /// Steps 1 and 2 as engine nodes (stack → trunk): the same readings as the direct path, and
    /// the footprint of the reference's seldnet example (128 × 16 is the same trunk clipped; 2 × 16 here).
    func testTrunkTaskThroughTheEngine() throws {
        let (network, core) = try Projects.network("seldnet_oxoy_m")
        let trunks = CausalTrunks(network: network)
        let trunk = try trunks.trunk(after: nil, through: nil)
        var graph = Graph()
        try graph.register(LayerSearchTask.operator)
        let stack = try graph.add(StackTask.operator, StackTask.params(trunk: trunk, fullSize: trunks.fullSize,
            core: core, mode: .fullyCached,
                                                                      tileX: 2, tileY: 16, lpfLimit: 6,
                                                                      objective: .energy))
        let node = try graph.add(TrunkTask.operator, TrunkTask.params(trunk: trunk, fullSize: trunks.fullSize,
                                                                      core: core, tileX: 2, tileY: 16,
                                                                     networkEnd: true), dependencies: [stack])
        let outcome = Executor(store: MemoryStore()).build(graph, targets: [node])
        let report = try TrunkTask.report(try XCTUnwrap(outcome.outputs[node]))
        XCTAssertEqual(report.readings.window.latency, 4_269_199)
        XCTAssertEqual(report.readings.window.energy, 1_545_830_829)
        XCTAssertEqual(report.readings.stable.latency, 973_872)
        XCTAssertEqual(report.readings.warmup.energy, 479_214_087)
        XCTAssertEqual(report.tileTypeCounts.reduce(0, +), 4)
        XCTAssertEqual(report.footprint, Footprint(trunk: trunk, fullSize: trunks.fullSize, tileX: 2, tileY: 16))
    }
}

extension AccoSeldnetTests {
    /// A stored stack result (each distinct cost once per key, buckets as index/count pairs)
    /// reads back with the same pairs in the same order, so the same truncated readings: the
    /// 9-type (none, 3) grid, where equal costs recur across tile types and buckets.
    func testStoredStackResultKeepsPairsAndOrder() throws {
        let (network, core) = try Projects.network("seldnet_oxoy_m")
        let trunk = try CausalTrunks(network: network).trunk(after: nil, through: 3)
        let (result, readings) = try Self.evaluate(nil, 3)
        let bytes = try CanonicalEncoder.encode(ValueCoder.encode(result))
        let back = try ValueCoder.decode(StackResult.self, from: CanonicalDecoder.decode(bytes))
        XCTAssertEqual(back.keys, result.keys)
        XCTAssertEqual(back.tileTypeCounts, [1, 19, 1, 3, 57, 3, 1, 19, 1])
        for key in result.keys {
            let a = try XCTUnwrap(result.buckets[key]), b = try XCTUnwrap(back.buckets[key])
            for (x, y) in [(a.all, b.all), (a.row0, b.row0), (a.row1, b.row1), (a.lastRow, b.lastRow)] {
                XCTAssertEqual(x.map(\.count), y.map(\.count), key)
                XCTAssertEqual(x.map(\.cost), y.map(\.cost), key)
            }
        }
        // Nine tile types, one pair each in the window bucket of every key.
        XCTAssertEqual(back.buckets["2"]?.all.count, 9)
        let again = AccoReadings(back, trunk: trunk, core: core, isNetworkEnd: false)
        XCTAssertEqual(again.window.energy, 378_230_715)
        XCTAssertEqual(again.window, readings.window)
        XCTAssertEqual(again.stable, readings.stable)
        XCTAssertEqual(again.warmup, readings.warmup)
    }

    /// The stack artifact's bytes are pinned: the hand-built form writes exactly what the
    /// keyed-container form wrote before it (checked then by `run --verify` on sram-sweep,
    /// 26,358 nodes), so caches stay valid; a field the form does not know is refused.
    func testStoredStackResultBytesArePinned() throws {
        let (result, _) = try Self.evaluate(nil, 3)
        let bytes = try CanonicalEncoder.encode(ValueCoder.encode(result))
        XCTAssertEqual(SHA256.hash(bytes).hex, "73641f85a1c607c633ce5f164fb46881a214be39dbf7b7c7189d27e05df0fb57")
        guard case .object(var fields) = try CanonicalDecoder.decode(bytes) else { return XCTFail("not an object") }
        fields["extra"] = .int(1)
        XCTAssertThrowsError(try ValueCoder.decode(StackResult.self, from: .object(fields)))
    }

    /// Tile placements are built and read by hand too: the same value the generic coder gives
    /// (absent caches left out), read back equal; an unknown field is refused.
    func testTilePlacementFormIsTheCodedOne() throws {
        let (result, _) = try Self.evaluate(nil, 3)
        XCTAssertFalse(result.placements.isEmpty)
        var caches = 0
        for p in result.placements {
            XCTAssertEqual(p.value, try ValueCoder.encode(p))
            XCTAssertEqual(try TilePlacement(p.value), p)
            caches += (p.hCache == nil ? 0 : 1) + (p.vCache == nil ? 0 : 1)
        }
        XCTAssertGreaterThan(caches, 0, "some placement names a cache")
        var bare = result.placements[0]
        bare.hCache = nil
        bare.vCache = "I1@sram"
        XCTAssertEqual(bare.value, try ValueCoder.encode(bare))
        XCTAssertEqual(try TilePlacement(bare.value), bare)
        guard case .object(var fields) = bare.value else { return XCTFail("not an object") }
        fields["extra"] = .int(1)
        XCTAssertThrowsError(try TilePlacement(.object(fields)))
    }
}
