import Foundation
import Graph
@testable import Tasks
import XCTest

/// ONNX models in the depth-first and ACCO steps (issue 14): the causal transform on a streaming
/// model's time axis, the study fields that say how a model is read, depth-first-ready mappings,
/// and ZigZag's mappings serving accomake's element-wise Add.
final class ONNXStudyTests: XCTestCase {
    static let projects = Projects.folder.path
    static let audio = ReferenceData.folder.appendingPathComponent("onnx-audio-1d.onnx").path
    static let resnet18 = ReferenceData.folder.appendingPathComponent("zigzag-3.9.1/workload/resnet18.onnx").path
    static let zigzagMapping = ReferenceData.folder.appendingPathComponent(
        "zigzag-3.9.1/mapping/meta_prototype_like.yaml").path

    func files(workload: String, mapping: String = "\(projects)/mappings/meta_prototype_df.json",
               options: WorkloadOptions = .defaults) -> ProblemFiles {
        ProblemFiles(hardware: "\(Self.projects)/hardware/meta_prototype_df.json", workload: workload, mapping: mapping,
                     workloadOptions: options)
    }

    /// The streaming audio model's time strides become dilations of the later layers (acco.md §2):
    /// conv1's stride 2 makes conv2's dilation 2 a 4; pool2's stride 2 then makes the dilation 4
    /// for everything after it; no layer keeps a time stride.
    func testTimeStridesOfAnONNXModelBecomeDilations() throws {
        let (network, _) = try ProblemLoader.network(files(workload: Self.audio))
        let trunk = try CausalTrunks(network: network).trunk(after: nil, through: nil)
        let relations = trunk.nodes.compactMap { n in n.layer.map { ($0.name, $0.relations.map(\.text)) } }
        XCTAssertEqual(relations.map(\.0), ["conv1", "conv2", "pool2", "skip", "residual", "head"])
        XCTAssertEqual(relations.map { $0.1.last ?? "" }, ["iy=1*oy+1*fy", "iy=1*oy+4*fy", "iy=1*oy+2*fy",
                                                           "iy=1*oy+4*fy", "", "iy=1*oy+4*fy"])
        let image = try CausalTrunks(network: network, causal: false).trunk(after: nil, through: nil)
        XCTAssertEqual(image.nodes.compactMap { $0.layer?.relations.last?.text }.first, "iy=2*oy+1*fy",
                       "an image CNN keeps its strides")
    }

    func study(_ workload: String) throws -> Study {
        let text = """
            {"accelerators": [{"hardware": "\(Self.projects)/hardware/meta_prototype_df.json",
                               "mapping": "\(Self.projects)/mappings/meta_prototype_df.json"}],
             "workloads": [\(workload)],
             "sweep": {"tile_x": [4], "tile_y": [1]}, "allocation": {"table": "real-time"}}
            """
        return try StudyFormat.decode(InputFile.parse(Array(text.utf8), file: "study.json"), folder: "")
    }

    func refusal(_ workload: String) -> String {
        do {
            _ = try StudyGraph(try study(workload))
            return "accepted"
        } catch { return "\(error)" }
    }

    func testAStudyWorkloadSaysHowItsModelIsRead() throws {
        let s = try study(#"{"workload": "\#(Self.audio)", "time_axis": "x", "precision": {"W": 4, "O_final": 6}}"#)
        XCTAssertEqual(s.workloads[0].options.timeAxis, .x)
        XCTAssertEqual(s.workloads[0].options.precision["W"], 4)
        XCTAssertEqual(s.workloads[0].options.precision["I"], 8)
        XCTAssertEqual(s.workloads[0].options.precision["O_final"], 6)
        XCTAssertTrue(s.workloads[0].causal)
        XCTAssertEqual(s.workloads[0].name, "onnx-audio-1d")

        XCTAssertEqual(refusal(#"{"workload": "\#(Self.audio)", "time_axis": "t"}"#),
                       "study.json:3: $.workloads[0].time_axis: unknown time axis; use \"y\" (the first spatial axis, "
                           + "H) or \"x\" (the last, W)")
        XCTAssertEqual(refusal(#"{"workload": "\#(Self.audio)", "precision": {"B": 4}}"#).contains(
            "unknown field \"B\""), true)
        XCTAssertEqual(refusal(#"{"workload": "\#(Self.audio)", "causal": false}"#),
                       "study.json:3: $.workloads: workload 0 is not causal, and the real-time table reads the "
                           + "stable rows of a stream; use \"table\": \"window\" (the whole input) or drop "
                           + "\"causal\": false")
        let json = "\(Self.projects)/workloads/seldnet_oxoy_m.json"
        XCTAssertEqual(refusal(#"{"workload": "\#(json)", "time_axis": "x"}"#),
                       "\(json): $: time_axis and precision apply to ONNX models; this workload gives its operand "
                           + "precisions per layer and streams along Y; remove the option, or edit the layers' "
                           + "operand_precision and relations")
    }

    /// A mapping that lets one activation of a layer take another memory operand than the rest
    /// is refused before any evaluation, naming the entry and the edit.
    func testAMappingThatSplitsActivationsIsNotDepthFirstReady() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-study-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try String(contentsOfFile: "\(Self.projects)/mappings/meta_prototype_df.json", encoding: .utf8)
        let mapping = folder.appendingPathComponent("mapping.json").path
        try original.replacingOccurrences(of: "\"Y\": \"I1\"", with: "\"Y\": \"I2\"")
            .write(toFile: mapping, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ProblemLoader.network(files(workload: Self.resnet18, mapping: mapping))) { error in
            XCTAssertEqual("\(error)", "\(mapping):43: $[name=Add].memory_operand_links.Y: layer 6 reads its "
                               + "activation Y through I2, but fused layers hand activations over through I1 (inputs) "
                               + "and O (outputs), as layer 0 reads and writes them; link Y to I1 in the entry "
                               + "\"Add\" (docs/formats.md, \"Depth-first-ready hierarchies\")")
        }
        // A single layer needs no such thing.
        XCTAssertNoThrow(try ProblemLoader.layer(files(workload: Self.resnet18, mapping: mapping), id: 6))
    }

    /// ZigZag's mappings link I, W and O only; their Add entry serves accomake's Add of X and Y,
    /// both read through I's memory operand, as the shipped JSON mappings link them.
    func testAZigZagMappingServesAnAddOfXAndY() throws {
        let (network, _) = try ProblemLoader.network(files(workload: Self.resnet18, mapping: Self.zigzagMapping))
        let add = try XCTUnwrap(network.node(6)?.layer)
        XCTAssertEqual(add.memoryOperandLinks, ["O": "O", "W": "I2", "I": "I1", "X": "I1", "Y": "I1"])
    }

    /// ONNX ids have gaps (folded operators); the weight-overflow pass still cuts after a layer
    /// of the network (it cut after the missing id 23 before), here the one before each unit it
    /// records: every cut is an id of the network.
    func testWeightCutsNameLayersOfANetworkWithGaps() throws {
        let (network, core) = try ProblemLoader.network(files(workload: Self.resnet18))
        let ids = Set(network.nodes.map(\.id))
        let cuts = StackCuts.reverse(network, core)
        XCTAssertFalse(cuts.isEmpty, "resnet18's 11.7 M weights overflow the 1 MiB weight memory")
        XCTAssertEqual(cuts.filter { !ids.contains($0) }, [])
        XCTAssertEqual(StackCuts.forward(network, core).filter { !ids.contains($0) }, [])
    }
}
