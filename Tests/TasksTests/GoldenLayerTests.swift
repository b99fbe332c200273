import Foundation
@testable import Tasks
import XCTest

/// The golden single-layer trace (model.md §4, reference/golden-single-layer.json).
/// Tolerances as the file states: energies relative 1e-9 (products of doubles in a different
/// association order may differ in the last bits), accesses, latencies and the mapping exact.
/// The parts of the golden inputs the checks read.
struct GoldenInputsView {
    let layer: Layer
    let core: Core
}

final class GoldenLayerTests: XCTestCase {
    var golden: [String: Any]!
    var inputs: GoldenInputs!
    var expected: [String: Any] { golden["expected"] as! [String: Any] }

    override func setUpWithError() throws {
        golden = try ReferenceData.json("golden-single-layer.json")
        inputs = try GoldenInputs(golden["inputs"] as! [String: Any])
    }

    func testOperandSizesAndMACs() {
        XCTAssertEqual(inputs.layer.macCount, expected["mac_count"] as? Int)
        let sizes = expected["operand_size_elements"] as! [String: Int]
        for (op, size) in sizes { XCTAssertEqual(inputs.layer.sizeElements(op), size, op) }
    }

    func testSpatialPlacementAndQuantities() throws {
        let spatial = try SpatialMapping(layer: inputs.layer, core: inputs.core, integer: false)
        let placement = expected["spatial_placement"] as! [String: [[String]]]
        for (op, levels) in placement {
            XCTAssertEqual(spatial.lists[op]?.map { $0.map(\.description) }, levels, op)
        }
        let quantities = expected["spatial_quantities"] as! [String: [String: [Int]]]
        for (op, q) in quantities {
            XCTAssertEqual(spatial.unitCount[op], q["unit_count"], op)
            XCTAssertEqual(spatial.unitUnique[op]?.map { Int($0) }, q["unit_unique"], op)
            XCTAssertEqual(spatial.memBWBoost[op], q["mem_bw_boost"], op)
        }
    }

    func testLPFsAndOrderingCount() throws {
        let evaluator = try LayerEvaluator(layer: inputs.layer, core: inputs.core)
        let lpfs = try PlainLayerSearch.orderingLPFs(layer: inputs.layer, evaluator: evaluator,
                                                     lpfLimit: inputs.lpfLimit)
        let expectedLPFs = (expected["lpfs_sorted"] as! [[Any]]).map { LPF($0[0] as! String, $0[1] as! Int) }
        XCTAssertEqual(lpfs, expectedLPFs)
        XCTAssertEqual(Array(MultisetPermutations(elements: lpfs)).count, expected["ordering_count"] as? Int)
    }

    func testWinningMappingAccessesEnergyAndLatency() throws {
        try checkGoldenResult(layer: inputs.layer, core: inputs.core)
    }

    /// The shipped example files (projects/examples/golden-layer) describe the same problem in
    /// the input formats: loading them must give the same result.
    func testShippedExampleFilesReproduceTheTrace() throws {
        let folder = ReferenceData.repository.appendingPathComponent("projects/examples/golden-layer").path
        let files = ProblemFiles(hardware: folder + "/hardware.json", workload: folder + "/workload.json",
                                 mapping: folder + "/mapping.json")
        let core = try HardwareFormat.load(files.hardware)
        let nodes = try WorkloadFormat.load(files.workload)
        let mapping = try MappingFormat.load(files.mapping)
        let node = try XCTUnwrap(nodes.first { $0.id == 0 })
        let layer = try LayerBinding.layer(node, mapping: mapping, core: core, files: files)
        try checkGoldenResult(layer: layer, core: core)
    }

    func checkGoldenResult(layer: Layer, core: Core) throws {
        let inputs = GoldenInputsView(layer: layer, core: core)
        let result = try PlainLayerSearch.run(layer: layer, core: core, lpfLimit: 6, objective: .energy)
        let e = result.evaluation
        // Mapping per operand and level.
        let mapping = expected["winning_temporal_mapping_innermost_first"] as! [String: [String: [[Any]]]]
        for (op, levels) in mapping {
            let memories = inputs.core.levels(of: inputs.layer.memoryOperandLinks[op]!)
            for (l, m) in memories.enumerated() {
                let name = inputs.core.memories[m].name
                let want = (levels[name] ?? []).map { "\($0[0] as! String)\($0[1] as! Int)" }
                XCTAssertEqual(e.temporalMapping[op]?[l].map(\.description), want, "\(op) \(name)")
            }
        }
        // Accesses (exact) and energy (1e-9 relative) per operand, level and direction.
        for row in expected["word_accesses_and_energy"] as! [[String: Any]] {
            let op = row["operand"] as! String, level = row["level"] as! Int
            guard let got = e.levels.first(where: { $0.operand == op && $0.level == level }) else {
                XCTFail("no level \(level) for \(op)"); continue
            }
            XCTAssertEqual(got.memory, row["memory"] as? String)
            for d in Direction.allCases {
                XCTAssertEqual(got.accesses[d], (row[d.rawValue] as! NSNumber).doubleValue, "\(op) \(level) \(d)")
            }
            XCTAssertEqual(got.energy, (row["energy_pJ"] as! NSNumber).doubleValue,
                           accuracy: 1e-9 * (row["energy_pJ"] as! NSNumber).doubleValue, "\(op) \(level)")
        }
        let energy = expected["energy_pJ"] as! [String: Double]
        XCTAssertEqual(e.macEnergy, energy["mac"]!, accuracy: 1e-9 * energy["mac"]!)
        XCTAssertEqual(e.memoryEnergy, energy["memory"]!, accuracy: 1e-9 * energy["memory"]!)
        XCTAssertEqual(e.energyTotal, 4_683_024.0, accuracy: 1e-9 * 4_683_024.0)

        let latency = expected["latency_reference_model"] as! [String: Any]
        XCTAssertEqual(e.doubleBuffered, latency["double_buffer_flags"] as? [String: [Bool]])
        XCTAssertEqual(e.stallSlack, latency["ss_comb"] as? Int)
        XCTAssertEqual(e.onload, 2593)
        XCTAssertEqual(e.offload, 2049)
        XCTAssertEqual(e.idealCycle, 4608)
        XCTAssertEqual(e.idealTemporalCycle, 4608)
        XCTAssertEqual([e.latencyTotal0, e.latencyTotal1, e.latencyTotal2], [4608, 7201, 9250])
        XCTAssertEqual(result.orderingsEvaluated, 720)
    }
}
