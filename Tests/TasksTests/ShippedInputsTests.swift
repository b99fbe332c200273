import Foundation
@testable import Tasks
import XCTest

/// The shipped hardware, mapping and workload files load, and carry the numbers of the reference's
/// tables (the models as the projects/ files ship them).
final class ShippedInputsTests: XCTestCase {
    let projects = ReferenceData.repository.appendingPathComponent("projects")

    func core(_ name: String) throws -> Core {
        try HardwareFormat.load(projects.appendingPathComponent("hardware/\(name).json").path)
    }

    func testHardwareTables() throws {
        // (memory count, unit count, sizes of every memory in order) per the reference's hardware tables.
        let expected: [String: [Int]] = [
            "meta_prototype_df": [8, 16, 262_144, 8_388_608, 524_288, 8_388_608, 10_000_000_000],
            "tesla_npu_like_df": [8, 32, 8192, 8192, 1_048_576, 1_048_576, 8_388_608, 7_340_032, 10_000_000_000],
            "edge_tpu_like_df": [8, 16, 131_072, 8_388_608, 131_072, 8_388_608, 10_000_000_000],
            "tpu_like_df": [512, 16, 524_288, 8_388_608, 8_388_608, 10_000_000_000],
            "ascend_like_df": [8, 16, 65_536, 65_536, 2_097_152, 8_388_608, 8_388_608, 10_000_000_000],
        ]
        for (name, sizes) in expected {
            let c = try core(name)
            XCTAssertEqual(c.memories.map(\.size), sizes, name)
            XCTAssertEqual(c.unitCount, 1024, name)
            XCTAssertEqual(c.macEnergy, 0.04, name)
        }
        // Chains of Meta_prototype_DF and the data slip of Tesla_NPU_like_DF (decisions.md D6).
        let meta = try core("meta_prototype_df")
        XCTAssertEqual(meta.levels(of: "I1").map { meta.memories[$0].name }, ["sram_64KB", "sram_1MB_A", "dram"])
        XCTAssertEqual(meta.levels(of: "I2").map { meta.memories[$0].name }, ["rf_1B", "sram_32KB", "sram_1MB_W",
            "dram"])
        XCTAssertEqual(meta.levels(of: "O").map { meta.memories[$0].name }, ["rf_2B", "sram_64KB", "sram_1MB_A",
            "dram"])
        let tesla = try core("tesla_npu_like_df")
        XCTAssertEqual(tesla.memories.first { $0.name == "sram_896KB_A" }?.writeCost, 189.2)
        // DRAM duties: I1 fh, tl (and fl on Meta_prototype_DF), I2 fh, tl, O fh, tl, fl, th; all at their levels.
        let dram = try XCTUnwrap(meta.memories.last?.ports.first)
        XCTAssertEqual(dram.duties, [Duty("I1", 2, .wrInByHigh), Duty("I1", 2, .rdOutToLow), Duty("I1", 2, .wrInByLow),
                                     Duty("I2", 3, .wrInByHigh), Duty("I2", 3, .rdOutToLow), Duty("O", 3, .wrInByHigh),
                                     Duty("O", 3, .rdOutToLow), Duty("O", 3, .wrInByLow), Duty("O", 3, .rdOutToHigh)])
    }

    func testWorkloadsBindOnEveryShippedHardware() throws {
        // MACs of the declared sizes (placeholders included) for spot checks from the reference's workload tables.
        for workload in ["seldnet_oxoy_m", "stftcnn_1x", "stftcnn_16x"] {
            let nodes = try WorkloadFormat.load(projects.appendingPathComponent("workloads/\(workload).json").path)
            XCTAssertEqual(nodes.filter(\.isInput).count, 1, workload)
            for hardware in ["meta_prototype_df", "edge_tpu_like_df", "tesla_npu_like_df", "tpu_like_df",
                             "ascend_like_df"] {
                let files = ProblemFiles(hardware: projects.appendingPathComponent("hardware/\(hardware).json").path,
                                         workload: projects.appendingPathComponent("workloads/\(workload).json").path,
                                         mapping: projects.appendingPathComponent("mappings/\(hardware).json").path)
                let c = try HardwareFormat.load(files.hardware)
                let mapping = try MappingFormat.load(files.mapping)
                for node in nodes where !node.isInput {
                    let layer = try LayerBinding.layer(node, mapping: mapping, core: c, files: files)
                    XCTAssertEqual(layer.spatialMapping.first?.loopDim, node.operatorType == "Pooling" ? "G" : "K")
                }
            }
        }
        let seldnet = try WorkloadFormat.load(projects.appendingPathComponent("workloads/seldnet_oxoy_m.json").path)
        XCTAssertEqual(seldnet.first { $0.isInput }?.loopSizes.map(\.size), [1, 3, 224, 224])  // the K = 3 data slip
        XCTAssertEqual(seldnet.count, 9)
        let stft16 = try WorkloadFormat.load(projects.appendingPathComponent("workloads/stftcnn_16x.json").path)
        XCTAssertEqual(stft16.last?.loopSizes.map(\.size), [1, 128, 16, 16, 2, 2])
    }
}
