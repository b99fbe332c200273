import Foundation
@testable import Tasks
import XCTest

/// ACCO's causal transform, range enumeration and cache footprints (model.md §6.1, §6.3) against the
/// committed ACCO cache logs (reference/acco-camready-footprints.csv: 3 workloads × 70 tiles ×
/// every range × total / warm-up / stable; exact).
final class FootprintTests: XCTestCase {
    static let workloads = ["seldnet_oxoy_M": "seldnet_oxoy_m", "stftCNN_fixed_unrolling_oxoy_025_1x": "stftcnn_1x",
                            "stftCNN_fixed_unrolling_oxoy_025_16x": "stftcnn_16x"]

    static func network(_ workload: String) throws -> Network { try Projects.network(workload).0 }

    func testTransformDilationsAndExtents() throws {
        let trunks = CausalTrunks(network: try Self.network("stftcnn_16x"))
        XCTAssertEqual([0, 3, 6, 9, 11].map { trunks.dilationInFull[$0] }, [1, 2, 4, 8, 8])
        XCTAssertEqual(trunks.dilationOutFull[11], 16)
        let whole = try trunks.trunk(after: nil, through: nil)
        XCTAssertEqual([whole.outputNode?.size("OX"), whole.outputNode?.size("OY")], [16, 256])
        XCTAssertEqual(whole.nodes.first.map { [$0.size("OX"), $0.size("OY")] }, [316,
            331])  // the reference's stftCNN extents
        let first = try trunks.trunk(after: nil, through: 0)
        XCTAssertEqual([first.outputNode?.size("OX"), first.outputNode?.size("OY")], [314, 314])
    }

    /// model.md §6.1 with a user initial dilation, worked by hand for stftCNN 16x, range (2, 3) =
    /// conv 3 alone (3 × 3 kernel; time dilation 2 in the whole network). At full size the network
    /// input is 316 wide, so conv 0 → 314, conv 1 → 312, pool 2 → 156, conv 3 → 154. The output is
    /// 154 (X) × 154·2 (Y) whatever the start; the input needs 154 + 2 columns and 308 + D0·(3 − 1) rows.
    func testUserInitialDilation() throws {
        let network = try Self.network("stftcnn_16x")
        for (user, inputY) in [(nil, 312), (2, 312), (1, 310)] as [(Int?, Int)] {
            let trunks = CausalTrunks(network: network, initialDilation: user)
            let trunk = try trunks.trunk(after: 2, through: 3)
            XCTAssertEqual([trunk.outputNode?.size("OX"), trunk.outputNode?.size("OY")], [154, 308],
                           "D0 \(String(describing: user))")
            XCTAssertEqual(trunk.nodes.first.map { [$0.size("OX"), $0.size("OY")] }, [156, inputY],
                           "D0 \(String(describing: user))")
            XCTAssertTrue(trunks.admits(after: 2, through: 3))
        }
        // A user value above the range's own dilation skips the range (layer 3 has 2, layer 6 has 4).
        let four = CausalTrunks(network: network, initialDilation: 4)
        XCTAssertFalse(four.admits(after: 2, through: 3))
        XCTAssertTrue(four.admits(after: 5, through: nil))
        XCTAssertTrue(CausalTrunks(network: network).admits(after: nil, through: 0))
        // frameAmount sets the trunk output's batch (B), default 1.
        XCTAssertEqual(try CausalTrunks(network: network, frameAmount: 2).trunk(after: 2,
            through: 3).outputNode?.size("B"), 2)
        XCTAssertEqual(try CausalTrunks(network: network).trunk(after: 2, through: 3).outputNode?.size("B"), 1)
    }

    func testRangeCounts() throws {
        let seldnet = try Self.network("seldnet_oxoy_m")
        XCTAssertEqual(RangeEnumeration.ranges(seldnet, forcedCuts: [], maxCuts: 2).count, 36)
        XCTAssertEqual(RangeEnumeration.ranges(try Self.network("stftcnn_1x"), forcedCuts: [], maxCuts: 2).count, 78)
        let order = RangeEnumeration.ranges(seldnet, forcedCuts: [], maxCuts: 2).prefix(4).map(\.description)
        XCTAssertEqual(order, ["(none, none)", "(none, 0)", "(0, none)", "(none, 1)"])
        XCTAssertEqual(RangeEnumeration.ranges(seldnet, forcedCuts: [], maxCuts: 1).count, 15)
    }

    /// model.md §6.3: stftCNN 1x, whole network, 1 × 1 tiles.
    func testWorkedExampleStftCNN1x() throws {
        let trunks = CausalTrunks(network: try Self.network("stftcnn_1x"))
        let whole = try trunks.trunk(after: nil, through: nil)
        let f = Footprint(trunk: whole, fullSize: trunks.fullSize, tileX: 1, tileY: 1)
        XCTAssertEqual(f.stable.featureBits, 416_448)
        XCTAssertEqual(f.warmup.featureBits, 1_709_248)
    }

    /// The trunk tasks carry only the untransformed range (`CausalTrunks.untransformed`), not the
    /// whole network: every footprint must be the same with either (exact, all ranges, 3 tiles).
    func testUntransformedRangeGivesTheWholeNetworkWidths() throws {
        for workload in ["seldnet_oxoy_m", "stftcnn_16x"] {
            let network = try Self.network(workload)
            let trunks = CausalTrunks(network: network)
            for r in RangeEnumeration.ranges(network, forcedCuts: [], maxCuts: 2) {
                let trunk = try trunks.trunk(after: r.after, through: r.through)
                let untransformed = try trunks.untransformed(after: r.after, through: r.through)
                for (x, y) in [(1, 1), (4, 2), (64, 64)] {
                    XCTAssertEqual(Footprint(trunk: trunk, fullSize: untransformed, tileX: x, tileY: y),
                                   Footprint(trunk: trunk, fullSize: trunks.fullSize, tileX: x, tileY: y),
                                   "\(workload) \(r) \(x)×\(y)")
                }
            }
        }
    }

    func testAllCommittedCacheLogs() throws {
        let text = try String(contentsOf: ReferenceData.folder.appendingPathComponent("acco-camready-footprints.csv"),
                              encoding: .utf8)
        struct Row { var before: Int?; var after: Int?; var peak: Int; var weight: Int }
        var expected: [String: [Row]] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 8 else { continue }
            let row = Row(before: Int(f[4]), after: Int(f[5]), peak: Int(f[6])!, weight: Int(f[7])!)
            expected["\(f[0])|\(f[1])|\(f[2])|\(f[3])", default: []].append(row)
        }
        var checked = 0, wrong = 0
        for (name, file) in Self.workloads {
            let network = try Self.network(file)
            let trunks = CausalTrunks(network: network)
            let ranges = RangeEnumeration.ranges(network, forcedCuts: [], maxCuts: 2)
            let built = try ranges.map { try trunks.trunk(after: $0.after, through: $0.through) }
            for tx in [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] {
                for ty in [1, 2, 4, 8, 16, 32, 64] {
                    let footprints = built.map { Footprint(trunk: $0, fullSize: trunks.fullSize, tileX: tx, tileY: ty) }
                    for (kind, pick) in [("total", \Footprint.total), ("warmup", \Footprint.warmup),
                                         ("stable", \Footprint.stable)] {
                        let rows = expected["\(name)|\(tx)|\(ty)|\(kind)"] ?? []
                        XCTAssertEqual(rows.map { LayerRange(after: $0.before, through: $0.after) }, ranges,
                                       "\(name) \(tx)×\(ty) \(kind) order")
                        for (row, f) in zip(rows, footprints) {
                            checked += 1
                            let got = f[keyPath: pick]
                            if got.featureBits != row.peak || got.weightBits != row.weight {
                                wrong += 1
                                if wrong <= 10 {
                                    let range = "(\(row.before.map(String.init) ?? "none"), "
                                        + "\(row.after.map(String.init) ?? "none"))"
                                    XCTFail("\(name) \(tx)×\(ty) \(kind) \(range): "
                                            + "\(got.featureBits)/\(got.weightBits), "
                                            + "expected \(row.peak)/\(row.weight)")
                                }
                            }
                        }
                    }
                }
            }
        }
        XCTAssertEqual(checked, 40_320)
        XCTAssertEqual(wrong, 0)
    }
}

/// model.md §6.3 per layer: the causal V cache of stftCNN 1x and the rows each layer computes in
/// the warm-up and stable tiles (reference/acco-causal-cache-stftcnn1x.json, exact).
final class CausalCacheTests: XCTestCase {
    func testPerLayerCausalCacheAndRows() throws {
        let reference = try ReferenceData.json("acco-causal-cache-stftcnn1x.json")["expected"] as! [String: Any]
        let trunks = CausalTrunks(network: try FootprintTests.network("stftcnn_1x"))
        let whole = try trunks.trunk(after: nil, through: nil)
        let planner = StackLayoutPlanner(trunk: whole, fullSize: trunks.fullSize,
                                         hierarchy: HierarchyView(core: Footprint.anyCore),
                                         mode: .fullyCached, inputOperand: "I1", outputOperand: "O", weightOperand: nil)
        // A stable tile (not the first row) with 1 × 1 tiles: the V caches are what it reads.
        let cache = BackPropagation(whole, tileX: 1, tileY: 1, useH: false, makeH: true, useV: true, makeV: true)
        let bits = planner.cacheBits(cache)
        for row in reference["layers"] as! [[String: Any]] {
            let layer = row["layer"] as! Int
            XCTAssertEqual(trunks.dilationInFull[layer], row["dil_in"] as? Int, "layer \(layer)")
            XCTAssertEqual(cache.vIn[.init(node: layer, operand: "I")]?.amount, row["cached_rows"] as? Int,
                           "layer \(layer)")
            XCTAssertEqual(bits.first { $0.node == layer }?.vIn, row["v_cache_bits"] as? Int, "layer \(layer)")
        }
        XCTAssertEqual(bits.reduce(0) { $0 + $1.vIn }, reference["v_cache_total_bits"] as? Int)
        // Rows computed: the warm-up tile walks the whole causal receptive field, a stable tile one row.
        let warmup = BackPropagation(whole, tileX: 1, tileY: 1, useH: false, makeH: true, useV: false, makeV: true)
        XCTAssertEqual((0...11).map { warmup.network.node($0)!.size("OY") },
                       reference["warmup_rows_computed_per_layer"] as? [Int])
        XCTAssertEqual(warmup.network.nodes.first?.size("OY"), reference["warmup_input_rows"] as? Int)
        XCTAssertEqual((0...11).map { cache.network.node($0)!.size("OY") },
                       reference["stable_rows_computed_per_layer"] as? [Int])
        let extent = reference["causal_input_extent"] as! [String: Int]
        XCTAssertEqual([whole.nodes.first!.size("OX"), whole.nodes.first!.size("OY")], [extent["IX"]!, extent["IY"]!])
    }
}
