import Graph
@testable import Tasks
import XCTest

/// The layer search as an engine node: canonical forms round-trip, results equal a direct
/// search, reruns hit the cache, and identical problems from different layers share one node.
final class LayerSearchTaskTests: XCTestCase {
    func golden() throws -> GoldenInputs {
        try GoldenInputs(try ReferenceData.json("golden-single-layer.json")["inputs"] as! [String: Any])
    }

    func testTypedFormsRoundTrip() throws {
        let g = try golden()
        let layerValue = try ValueCoder.encode(g.layer)
        XCTAssertEqual(try ValueCoder.encode(ValueCoder.decode(Layer.self, from: layerValue)), layerValue)
        let coreValue = try ValueCoder.encode(g.core)
        XCTAssertEqual(try ValueCoder.encode(ValueCoder.decode(Core.self, from: coreValue)), coreValue)
        // The hardware file's own field names, so that status names what the user edited.
        XCTAssertEqual(coreValue["memories"]?.arrayValue?.last?["r_cost"],
                       .double(g.core.memories.last?.readCost ?? -1))
        XCTAssertEqual(coreValue["operational_array"]?["multiplier_energy"], .double(g.core.macEnergy))
        let result = try FastLayerSearch.run(layer: g.layer, core: g.core, lpfLimit: 6, objective: .latency)
        let resultValue = try ValueCoder.encode(result)
        XCTAssertEqual(try ValueCoder.encode(ValueCoder.decode(LayerSearchResult.self, from: resultValue)), resultValue)
    }

    /// A 1 × 1 tile shrinks OX and OY to 1, but the relevance stays the file's
    /// (`relevanceFrozenFromFileSizes`), also after a trip through the canonical form.
    func testRelevanceStaysFrozenThroughTheCanonicalForm() throws {
        var layer = try golden().layer
        for i in layer.loopSizes.indices where ["OX", "OY"].contains(layer.loopSizes[i].dim) {
            layer.loopSizes[i].size = 1
        }
        let rebuilt = try ValueCoder.decode(Layer.self, from: ValueCoder.encode(layer))
        XCTAssertEqual(rebuilt.relevance["O"]?.r, ["K", "OY", "OX"])
        XCTAssertEqual(rebuilt.relevance, layer.relevance)
        XCTAssertEqual(rebuilt.loopSizes, layer.loopSizes)
    }

    func testHierarchyTooSmallIsAnAnswer() throws {
        var g = try golden()
        var core = g.core
        core.memories.removeLast()  // no DRAM, and top SRAMs too small for the whole tensors
        for i in core.memories.indices where core.memories[i].name.hasPrefix("sram_1MB") {
            core.memories[i].size = 4096
        }
        g = GoldenInputs(layer: g.layer, core: core, lpfLimit: 6)
        var graph = Graph()
        let n = try graph.add(LayerSearchTask.operator, LayerSearchTask.params(layer: g.layer, core: g.core,
            lpfLimit: 6, objective: .energy))
        let result = Executor(store: MemoryStore()).build(graph, targets: [n])
        XCTAssertTrue(result.failures.isEmpty)
        XCTAssertNil(try LayerSearchTask.result(try XCTUnwrap(result.outputs[n])))
    }

    func testEngineNodeCachesAndSharesIdenticalProblems() throws {
        let g = try golden()
        var renamed = g.layer
        renamed.id = 42
        renamed.name = "same problem, other layer"
        var graph = Graph()
        let a = try graph.add(LayerSearchTask.operator, LayerSearchTask.params(layer: g.layer, core: g.core,
            lpfLimit: 6, objective: .energy))
        let b = try graph.add(LayerSearchTask.operator, LayerSearchTask.params(layer: renamed, core: g.core,
            lpfLimit: 6, objective: .energy))
        let store = MemoryStore()
        let first = Executor(store: store).build(graph, targets: [a, b])
        XCTAssertEqual(first.log.count(.executed), 1)
        let result = try XCTUnwrap(try LayerSearchTask.result(try XCTUnwrap(first.outputs[a])))
        XCTAssertEqual(result.evaluation.energyTotal, 4_683_024.0, accuracy: 1e-9 * 4_683_024.0)
        XCTAssertEqual(result.evaluation.latencyTotal2, 9250)
        XCTAssertEqual(first.outputs[a], first.outputs[b])
        let second = Executor(store: store).build(graph, targets: [a, b])
        XCTAssertEqual(second.log.count(.executed), 0)
        XCTAssertEqual(second.outputs[a], first.outputs[a])
    }

    func testParametersCoverWhatChangesTheResult() throws {
        let g = try golden()
        let base = try LayerSearchTask.params(layer: g.layer, core: g.core, lpfLimit: 6, objective: .energy)
        var cheaperDRAM = g.core
        cheaperDRAM.memories[cheaperDRAM.memories.count - 1].readCost = 600
        var otherSizes = g.layer
        otherSizes.loopSizes[1].size = 32
        for changed in [try LayerSearchTask.params(layer: g.layer, core: cheaperDRAM, lpfLimit: 6, objective: .energy),
                        try LayerSearchTask.params(layer: otherSizes, core: g.core, lpfLimit: 6, objective: .energy),
                        try LayerSearchTask.params(layer: g.layer, core: g.core, lpfLimit: 5, objective: .energy),
                        try LayerSearchTask.params(layer: g.layer, core: g.core, lpfLimit: 6, objective: .latency)] {
            XCTAssertNotEqual(try CanonicalEncoder.digest(changed), try CanonicalEncoder.digest(base))
        }
    }
}
