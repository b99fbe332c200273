import Foundation
@testable import Tasks
import XCTest

/// ZigZag 3.9's own hardware and mapping YAML files (issue 14), as zigzag-dse 3.9.1 ships them:
/// each loads, or is refused in one line naming what accomake does not model.
final class ZigZagFilesTests: XCTestCase {
    static let folder = ReferenceData.folder.appendingPathComponent("zigzag-3.9.1")

    /// The error a file gives, or nil when it loads.
    func outcome(_ load: () throws -> Void) -> InputError? {
        do {
            try load()
            return nil
        } catch {
            return error as? InputError
        }
    }

    /// Every `.yaml` of the package's `folder` (`count` of them) loads with `load`, or is refused in
    /// one line whose problem contains `refused[name]`.
    func checkEveryFile(in folder: String, count: Int, refused: [String: String],
                        _ load: (String) throws -> Void) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder.appendingPathComponent(folder).path)
            .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
        XCTAssertEqual(names.count, count)
        for name in names {
            let error = outcome { try load(Self.folder.appendingPathComponent("\(folder)/\(name).yaml").path) }
            if let expected = refused[name] {
                let e = try XCTUnwrap(error, "\(name) should be refused")
                XCTAssertTrue(e.problem.contains(expected), "\(name): \(e)")
                XCTAssertFalse(e.description.contains("\n"))
            } else {
                XCTAssertNil(error, "\(name): \(error.map(String.init(describing:)) ?? "")")
            }
        }
    }

    func testEveryShippedHardwareFileLoadsOrNamesWhatIsNotModelled() throws {
        let refused = [
            "aimc": "in-memory-computing arrays are not modelled",
            "dimc": "in-memory-computing arrays are not modelled",
            "gemm_l1": "l1's read ports have different bandwidths",
            "gemm_l1_l3": "forced double buffering is not modelled",
            "tpu_like": "the key \"ports\" appears twice in this mapping (lines 67 and 74)",
        ]
        try checkEveryFile(in: "hardware", count: 11, refused: refused) { _ = try HardwareFormat.load($0) }
        // What meta_prototype.yaml says, as read: the DRAM (line 152) reads 700 pJ a word through one
        // 64-bit read-write port; sram_64KB reads 64 to 512 bits a cycle; a 32 × 2 × 4 × 4 array.
        let core = try HardwareFormat.load(Self.folder.appendingPathComponent("hardware/meta_prototype.yaml").path)
        let dram = try XCTUnwrap(core.memories.last)
        XCTAssertEqual([dram.name, "\(dram.readCost)", "\(dram.readBandwidth)", "\(dram.ports.count)"],
                       ["dram", "700.0", "64", "1"])
        XCTAssertEqual(dram.ports[0].kind, .readWrite)
        XCTAssertEqual(dram.ports[0].duties.count, 8)
        let sram = try XCTUnwrap(core.memories.first { $0.name == "sram_64KB" })
        XCTAssertEqual([sram.readGranularity, sram.readBandwidth], [64, 512])
        XCTAssertEqual(core.arrayDims.map(\.size), [32, 2, 4, 4])
    }

    func testEveryShippedMappingFileLoadsOrNamesWhatIsNotModelled() throws {
        let refused = [
            "ascend_like_mixed": "a mixed spatial unrolling", "edge_tpu_like_mixed": "a mixed spatial unrolling",
            "meta_prototype_like_mixed": "a mixed spatial unrolling", "tpu_like_mixed": "a mixed spatial unrolling",
            "tesla_npu_like_mixed": "spatial mapping search", "default_imc": "spatial mapping search",
            "gemm_l1": "fixed temporal ordering", "gemm_l1_l3": "fixed temporal ordering",
            "tpu_like": "fixed temporal ordering",
        ]
        try checkEveryFile(in: "mapping", count: 14, refused: refused) { _ = try MappingFormat.load($0) }
        let entries = try MappingFormat.load(Self.folder.appendingPathComponent("mapping").path
                                                 + "/meta_prototype_like.yaml")
        XCTAssertEqual(entries.map(\.name), ["default", "Add"])
    }

    /// meta_prototype.yaml and the same hierarchy written in the JSON form (ports as one
    /// allocation per operand, r_bw/w_bw and granularities on the memory) read as one core.
    func testTheYAMLAndTheJSONFormOfOneHierarchyReadAlike() throws {
        let yaml = try HardwareFormat.load(Self.folder.appendingPathComponent("hardware/meta_prototype.yaml").path)
        let json = try HardwareFormat.load(ReferenceData.folder.appendingPathComponent(
            "meta_prototype-3.9.1-as-json.json").path)
        XCTAssertEqual(yaml.memories.map(\.name), json.memories.map(\.name))
        for (a, b) in zip(yaml.memories, json.memories) {
            XCTAssertEqual([a.size, a.readBandwidth, a.writeBandwidth, a.readGranularity, a.writeGranularity],
                           [b.size, b.readBandwidth, b.writeBandwidth, b.readGranularity, b.writeGranularity], a.name)
            XCTAssertEqual(Set(a.ports.map(\.name)), Set(b.ports.map(\.name)), a.name)
            for p in a.ports {
                let q = try XCTUnwrap(b.ports.first { $0.name == p.name })
                XCTAssertEqual(Set(p.duties), Set(q.duties), "\(a.name) \(p.name)")
            }
        }
    }
}

extension ZigZagFilesTests {
    /// The mistakes issue 14 names, each made in a real ZigZag file: one line naming the file,
    /// the line, the field and the fix.
    func testMistakesInZigZagFilesAreOneLineEach() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("zigzag-mistakes-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let original = try String(contentsOf: Self.folder.appendingPathComponent("hardware/meta_prototype.yaml"),
                                  encoding: .utf8)
        func hardwareError(_ from: String, _ to: String) throws -> String {
            let path = scratch.appendingPathComponent("hardware.yaml").path
            XCTAssertTrue(original.contains(from), from)
            try original.replacingOccurrences(of: from, with: to).write(toFile: path, atomically: true, encoding: .utf8)
            return outcome { _ = try HardwareFormat.load(path) }.map { "\($0)" } ?? "loaded"
        }
        let hardware = scratch.appendingPathComponent("hardware.yaml").path
        XCTAssertEqual(try hardwareError("served_dimensions: [D3, D4]", "served_dimensions: [D3, D9]"),
                       "\(hardware):24: $.memories.rf_1B.served_dimensions: \"D9\" is not a dimension of the "
                           + "operational array; use one of D1, D2, D3, D4")
        XCTAssertEqual(try hardwareError("- I2, tl", "- I2 tl"),
                       "\(hardware):17: $.memories.rf_1B.ports[0].allocation[0]: \"I2 tl\" is not an allocation of "
                           + "this memory; write \"operand, direction\" with an operand of I2 and a direction fh, tl, "
                           + "fl or th")

        // A mapping with neither a default entry nor one for the pooling layers of an ONNX model.
        let mapping = scratch.appendingPathComponent("mapping.yaml").path
        try """
            - name: Conv
              spatial_mapping:
                D1:
                  - K, 32
              memory_operand_links:
                O: O
                W: I2
                I: I1
            """.write(toFile: mapping, atomically: true, encoding: .utf8)
        let files = ProblemFiles(hardware: Self.folder.appendingPathComponent("hardware/meta_prototype.yaml").path,
                                 workload: Self.folder.appendingPathComponent("workload/resnet18.onnx").path,
                                 mapping: mapping)
        XCTAssertEqual(outcome { _ = try ProblemLoader.network(files) }.map { "\($0)" },
                       "\(mapping): $: no entry for layer 2 (name \"/maxpool/MaxPool\", operator_type \"Pooling\"); "
                           + "add an entry named \"Pooling\" or \"default\"")
    }
}
