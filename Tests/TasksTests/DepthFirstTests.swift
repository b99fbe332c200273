import Foundation
import Graph
@testable import Tasks
import XCTest

/// Depth-first pieces checked against the reference's worked examples (model.md §5.2,
/// model.md §5.7) and the DeFiNES 3-layer reference (reference/defines-3layer-stack.json).
final class DepthFirstTests: XCTestCase {
    static func threeLayer() throws -> (Network, Core) {
        let folder = ReferenceData.repository.appendingPathComponent("projects/examples/defines-3layer").path
        let files = ProblemFiles(hardware: folder + "/hardware.json", workload: folder + "/workload.json",
                                 mapping: folder + "/mapping.json")
        let core = try HardwareFormat.load(files.hardware)
        let network = try Network.build(nodes: try WorkloadFormat.load(files.workload),
                                        mapping: try MappingFormat.load(files.mapping), core: core, files: files)
        return (network, core)
    }

    /// model.md §5.2 and the reference's back-propagated extents for an 8 × 8 tile.
    func testBackPropagationOfAnEightByEightTile() throws {
        let (network, _) = try Self.threeLayer()
        let full = BackPropagation(network, tileX: 8, tileY: 8, useH: false, makeH: true, useV: false, makeV: true)
        XCTAssertEqual(full.network.nodes.map { [$0.size("OX"), $0.size("OY")] }, [[14, 14], [12, 12], [10, 10], [8,
            8]])
        XCTAssertEqual(full.hIn[.init(node: 2, operand: "I")], .init(dim: "IX", amount: 2))
        XCTAssertEqual(full.hOut[1], .init(dim: "OX", amount: 2))
        XCTAssertEqual(full.hOut[-1], .init(dim: "OX", amount: 2))
        // H-cached, not the first column: every level needs 8 new columns; rows stay 14/12/10.
        let h = BackPropagation(network, tileX: 8, tileY: 8, useH: true, makeH: true, useV: false, makeV: true)
        XCTAssertEqual(h.network.nodes.map { [$0.size("OX"), $0.size("OY")] }, [[8, 14], [8, 12], [8, 10], [8, 8]])
        // Fully cached interior tile: 8 × 8 new pixels everywhere.
        let hv = BackPropagation(network, tileX: 8, tileY: 8, useH: true, makeH: true, useV: true, makeV: true)
        XCTAssertEqual(hv.network.nodes.map { [$0.size("OX"), $0.size("OY")] }, [[8, 8], [8, 8], [8, 8], [8, 8]])
        XCTAssertEqual(hv.vOut[0], .init(dim: "OY", amount: 2))
    }

    /// model.md §5.2: without a tile, back-propagation fixes every extent from the last layer alone.
    func testFullSizeCorrectionIgnoresPlaceholders() throws {
        var (network, _) = try Self.threeLayer()
        network.nodes[1].setSize("OX", 99)
        let full = BackPropagation(network, tileX: nil, tileY: nil, useH: false, makeH: false, useV: false,
                                   makeV: false)
        XCTAssertEqual(full.network.nodes.map { [$0.size("OX"), $0.size("OY")] }, [[38, 38], [36, 36], [34, 34], [32,
            32]])
    }

    /// model.md §5.7: one 14 × 14 × 16 8-bit tile from DRAM through sram_1MB_A into sram_64KB.
    func testTrunkInputCopyCost() throws {
        let (_, core) = try Self.threeLayer()
        let copier = DataCopier(core: core)
        let action = CopyAction(bits: 25_088, from: .init(operand: "I1", level: 2), to: .init(operand: "I1", level: 0))
        let result = try copier.cost([action])
        XCTAssertEqual(result.energy, 285_642.56, accuracy: 1e-9 * 285_642.56)
        XCTAssertEqual(result.latency, 441)
        XCTAssertEqual(result.breakdown["I1@2.rd_out_to_low"], 274_400)
        XCTAssertEqual(result.breakdown["I1@1.wr_in_by_high"]!, 4635.4, accuracy: 1e-9)
        // Output to input in the memory both share costs nothing (O level 1 = I1 level 0 = sram_64KB).
        let free = try copier.cost([CopyAction(bits: 9999, from: .init(operand: "O", level: 1), to: .init(operand: "I1",
            level: 0))])
        XCTAssertEqual(free.energy, 0)
        XCTAssertEqual(free.latency, 0)
        XCTAssertEqual(free.firstHops, [-1])  // an action that moves nothing (ACCO's reload test reads it)
        XCTAssertEqual(result.firstHops, [392])
    }

    /// model.md §5.2: leftover first, last column and row flags.
    func testTileGrid() {
        let tiles = TileGrid.tiles(totalX: 32, totalY: 32, tileX: 8, tileY: 8)
        XCTAssertEqual(tiles.count, 16)
        let odd = TileGrid.tiles(totalX: 10, totalY: 5, tileX: 4, tileY: 5)
        XCTAssertEqual(odd.map { [$0.x0, $0.width] }, [[0, 2], [2, 4], [6, 4]])
        XCTAssertEqual(odd.map(\.lastColumn), [false, false, true])
        XCTAssertEqual(odd.map(\.lastRow), [true, true, true])
        // Oversized tiles are clipped to the output (decisions.md D5).
        XCTAssertEqual(TileGrid.tiles(totalX: 32, totalY: 32, tileX: 64, tileY: 40).map { [$0.width, $0.height] }, [[32,
            32]])
    }

    /// The DeFiNES reference runs (model.md §5): tile-type counts (as a multiset),
    /// energy (relative 1e-9) and DeFiNES-style latency (exact) for all five configurations.
    func testDeFiNESThreeLayerReferenceRuns() throws {
        let (network, core) = try Self.threeLayer()
        let full = BackPropagation(network, tileX: nil, tileY: nil, useH: false, makeH: false, useV: false,
                                   makeV: false).network
        let reference = try ReferenceData.json("defines-3layer-stack.json")
        let runs = (reference["expected"] as! [String: Any])["runs"] as! [[String: Any]]
        var memo: [Int: LayerEvaluation] = [:]
        let search: (Layer, Core) throws -> LayerEvaluation = { layer, core in
            var hasher = Hasher()
            hasher.combine(layer.loopSizes)
            hasher.combine(core)
            let k = hasher.finalize()
            if let e = memo[k] { return e }
            let e = try FastLayerSearch.run(layer: layer, core: core, lpfLimit: 6, objective: .energy).evaluation
            memo[k] = e
            return e
        }
        for run in runs {
            let tile = run["tile"] as! [Int]
            let modeFlags = run["mode"] as! [Bool]
            let mode = CachingMode(h: modeFlags[0], v: modeFlags[1])
            let result = try StackEvaluation(trunk: full, core: core, mode: mode, tileX: tile[0], tileY: tile[1],
                                             search: search).run()
            let label = "\(run["label"]!) \(tile)"
            XCTAssertEqual(result.tileTypeCounts.sorted(), (run["tile_type_counts"] as! [Int]).sorted(), label)
            let energy = (run["energy_total_pJ"] as! NSNumber).doubleValue
            XCTAssertEqual(result.energyTotal, energy, accuracy: 1e-9 * energy, label)
            XCTAssertEqual(result.latencyTotal1, run["latency_total_cycles"] as? Int, label)
            if mode == .fullyCached && tile == [8, 8] {
                // Per key: energy and DeFiNES-style latency.
                for row in (reference["expected"] as! [String: Any])["per_key_mode3_tile8x8"] as! [[String: Any]] {
                    let key = row["key"] as! String
                    let e = (row["energy_pJ"] as! NSNumber).doubleValue
                    XCTAssertEqual(result.energy(key), e, accuracy: 1e-9 * max(1, e), key)
                    XCTAssertEqual(result.latency1(key), row["latency_cycles"] as? Int, key)
                }
                // Placement (model.md §5): caches and intermediate tiles in sram_64KB, the trunk input
                // from DRAM, the last layer's output to DRAM.
                for p in result.placements {
                    XCTAssertTrue([nil, "sram_64KB"].contains(p.hCache) && [nil, "sram_64KB"].contains(p.vCache))
                    XCTAssertEqual(p.nodes.map { "\($0.node):\($0.input)>\($0.output)" },
                                   ["-1:dram>sram_64KB", "0:sram_64KB>sram_64KB", "1:sram_64KB>sram_64KB",
                                    "2:sram_64KB>dram"])
                }
                XCTAssertEqual(Set(result.keys), ["datamovement_b4_InputLayerNode_-1", "datamovement_b4_LayerNode_0",
                                                  "0",
                                                  "datamovement_b4_LayerNode_1", "1", "datamovement_b4_LayerNode_2",
                                                  "2"])
            }
        }
    }

    /// The stack as an engine node: same numbers as the direct evaluation; its layer-tile
    /// searches are separate nodes, shared across modes and tile sizes; a rerun executes nothing.
    func testStackTaskThroughTheEngine() throws {
        let (network, core) = try Self.threeLayer()
        let full = BackPropagation(network, tileX: nil, tileY: nil, useH: false, makeH: false, useV: false,
                                   makeV: false).network
        let store = MemoryStore()
        func build(_ mode: CachingMode, _ x: Int, _ y: Int) throws -> (StackResult, BuildResult) {
            var graph = Graph()
            try graph.register(LayerSearchTask.operator)
            let n = try graph.add(StackTask.operator, StackTask.params(trunk: full, core: core, mode: mode, tileX: x,
                tileY: y,
                                                                       lpfLimit: 6, objective: .energy))
            let outcome = Executor(store: store).build(graph, targets: [n])
            XCTAssertEqual(outcome.failures, [])
            return (try StackTask.result(try XCTUnwrap(outcome.outputs[n])), outcome)
        }
        let (cached, first) = try build(.fullyCached, 8, 8)
        XCTAssertEqual(cached.energyTotal, 5_192_259.56, accuracy: 1e-9 * 5_192_259.56)
        XCTAssertEqual(cached.latencyTotal1, 20_541)
        XCTAssertEqual(cached.tileTypeCounts, [1, 2, 1, 2, 4, 2, 1, 2, 1])
        let searches = first.log.events.filter { $0.op == LayerSearchTask.operator.id && $0.kind == .executed }.count
        XCTAssertGreaterThan(searches, 3)
        let (_, again) = try build(.fullyCached, 8, 8)
        XCTAssertEqual(again.log.count(.executed), 0)
        // H-cached 8 × 8 needs some of the same layer tiles (the first tile, the first column).
        let (hCached, third) = try build(.hCached, 8, 8)
        XCTAssertEqual(hCached.energyTotal, 6_355_520.0, accuracy: 1e-9 * 6_355_520.0)
        let searchHits = third.log.events.filter { $0.op == LayerSearchTask.operator.id && $0.kind == .hit }
        XCTAssertGreaterThan(searchHits.count, 0)
    }

    /// A layer whose first truncated hierarchy is too small is retried with more levels; through
    /// the engine, the "too small" answers must be remembered between dynamic rounds (this once
    /// looped forever) and the totals must equal the direct evaluation.
    func testRetriesThroughTheEngineMatchTheDirectEvaluation() throws {
        let (network, core) = try ProblemLoader.network(Projects.files(workload: "fsrcnn",
            hardware: "meta_prototype_df"))
        var tooSmall = 0
        let direct = try StackEvaluation(trunk: network, core: core, mode: .recompute, tileX: 4, tileY: 540) { layer,
            core in
            do {
                return try FastLayerSearch.run(layer: layer, core: core, lpfLimit: 6, objective: .energy).evaluation
            } catch LayerSearchError.hierarchyTooSmall {
                tooSmall += 1
                throw LayerSearchError.hierarchyTooSmall(layer: layer.id)
            }
        }.run()
        XCTAssertGreaterThan(tooSmall, 0, "the case must exercise the retry")
        var graph = Graph()
        try graph.register(LayerSearchTask.operator)
        let n = try graph.add(StackTask.operator, StackTask.params(trunk: network, core: core, mode: .recompute,
                                                                   tileX: 4, tileY: 540,
                                                                   lpfLimit: 6, objective: .energy))
        let outcome = Executor(store: MemoryStore()).build(graph, targets: [n])
        let viaEngine = try StackTask.result(try XCTUnwrap(outcome.outputs[n]))
        XCTAssertEqual(viaEngine.energyTotal, direct.energyTotal)
        XCTAssertEqual(viaEngine.latencyTotal, direct.latencyTotal)
        XCTAssertEqual(viaEngine.tileTypeCounts, direct.tileTypeCounts)
    }

    func planner(_ core: Core, _ mode: CachingMode) throws -> StackLayoutPlanner {
        let (network, _) = try Self.threeLayer()
        let full = network.fullSize()
        return StackLayoutPlanner(trunk: full, fullSize: full, hierarchy: HierarchyView(core: core), mode: mode,
                                  inputOperand: "I1", outputOperand: "O", weightOperand: "I2")
    }

    /// model.md §5.5 for an interior 8 × 8 tile of the 3-layer chain, fully cached: live peak 20 992
    /// bits (an 8 × 8 × 16 input tile, a 10 × 10 × 16 layer input and an 8 × 8 × 16 output at
    /// 8 bits); per layer H-in (160 × 2 × 8 = 2 560), V-in ((160 × IX_full // 10) × 2 × 8 with
    /// IX_full 38, 36, 34) and corner ((320 // 10) × 2 × 8 = 512) bits.
    func testCacheSizesAndPeaks() throws {
        let (_, core) = try Self.threeLayer()
        let p = try planner(core, .fullyCached)
        let interior = p.determine(width: 8, height: 8, firstX: false, firstY: false)
        XCTAssertEqual(interior.livePeak, 20_992)
        XCTAssertEqual(interior.peakH, 20_992 + 3 * 2560)
        XCTAssertEqual(interior.peakHV, 20_992 + 3 * 2560 + (9728 + 9216 + 8704))
        XCTAssertEqual(interior.cornerBits, 3 * 512)
        // A first-column tile's H peak is the plain live peak (`firstColumnHPeakOmitsCaches`).
        let firstColumn = p.determine(width: 8, height: 8, firstX: true, firstY: false)
        XCTAssertEqual(firstColumn.peakH, firstColumn.livePeak)
        // Reads per mode: none in the first column/row; none at all without caching.
        XCTAssertEqual(interior.hRead[.init(node: 1, operand: "I")], .init(dim: "IX", amount: 2))
        XCTAssertEqual(interior.vRead[.init(node: 1, operand: "I")]?.rows, .init(dim: "IY", amount: 2))
        XCTAssertTrue(firstColumn.hRead.isEmpty)
        XCTAssertTrue(try planner(core, .recompute).determine(width: 8, height: 8, firstX: false,
                                                              firstY: false).hRead.isEmpty)
        XCTAssertTrue(try planner(core, .hCached).determine(width: 8, height: 8, firstX: false,
                                                            firstY: false).vRead.isEmpty)
    }

    /// model.md §5.5 on a small hierarchy: with sram_64KB cut to 40 000 bits the H cache still fits there
    /// (28 672 bits) but the V cache (56 320 − 1 536 corner bits) moves up to sram_1MB_A.
    func testLevelChoiceOnASmallHierarchy() throws {
        var (_, core) = try Self.threeLayer()
        let small = try XCTUnwrap(core.memories.firstIndex { $0.name == "sram_64KB" })
        let big = try XCTUnwrap(core.memories.firstIndex { $0.name == "sram_1MB_A" })
        let weights = try XCTUnwrap(core.memories.firstIndex { $0.name == "sram_32KB" })
        XCTAssertEqual(try planner(core, .fullyCached).determine(width: 8, height: 8, firstX: false,
                                                                 firstY: false).vLevel, small)
        core.memories[small].size = 40_000
        let layout = try planner(core, .fullyCached).determine(width: 8, height: 8, firstX: false, firstY: false)
        XCTAssertEqual(layout.hLevel, small)
        XCTAssertEqual(layout.vLevel, big)
        XCTAssertEqual(layout.wLevel, weights)  // 3 × 16 × 16 × 9 × 8 = 55 296 bits of weights fit in 256 Kbit
        XCTAssertNil(try planner(core, .recompute).determine(width: 8, height: 8, firstX: false, firstY: false).hLevel)
    }
}
