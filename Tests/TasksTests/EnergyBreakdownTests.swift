import Graph
@testable import Tasks
import XCTest

/// Where a trunk's energy goes (memory × data, and the MAC array): the parts add up to ACCO's
/// readings (reference values of AccoSeldnetTests), the off-load and reload parts to ACCO's deltas,
/// and the MAC array's part is the MAC count times the MAC energy.
final class EnergyBreakdownTests: XCTestCase {
    static func breakdown(_ a: Int?, _ b: Int?) throws -> (EnergyBreakdown, AccoReadings, StackResult, Network, Core) {
        let (network, core) = try Projects.network("seldnet_oxoy_m")
        let trunk = try CausalTrunks(network: network).trunk(after: a, through: b)
        let (result, readings) = try AccoSeldnetTests.evaluate(a, b)
        let energy = EnergyBreakdown(result, trunk: trunk, core: core,
                                     context: .init(trunk: trunk, core: core, isNetworkEnd: b == nil))
        return (energy, readings, result, trunk, core)
    }

    /// ACCO truncates each key's energy to whole pJ; the breakdown keeps fractions, so its sum
    /// exceeds the reading by less than 1 pJ per key (and by floating-point rounding, < 1e-9 relative).
    func assertAddsUp(_ parts: [Double], to reading: Int, keys: Int, _ what: String,
                      file: StaticString = #filePath, line: UInt = #line) {
        let sum = parts.reduce(0, +)
        let slack = Double(reading) * 1e-9
        XCTAssertGreaterThanOrEqual(sum, Double(reading) - slack, what, file: file, line: line)
        XCTAssertLessThan(sum, Double(reading + keys) + slack, what, file: file, line: line)
    }

    func testWholeNetworkPartsAddUpToTheReadings() throws {
        let (energy, readings, result, trunk, core) = try Self.breakdown(nil, nil)
        let keys = result.keys.count
        assertAddsUp(energy.window.energy, to: 1_545_830_829, keys: keys, "window")
        assertAddsUp(energy.warmup.energy, to: 479_214_087, keys: keys, "warm-up")
        assertAddsUp(energy.stable.energy, to: 357_347_321, keys: keys, "stable")
        XCTAssertEqual(readings.window.energy, 1_545_830_829)
        // The network's end off-loads nothing and reloads nothing: no discount.
        XCTAssertEqual(energy.window.delta.reduce(0, +), 0)
        // Every place is one of the core's memories (or the MAC array), with its kind of data.
        let names = Set(core.memories.map(\.name))
        for p in energy.places where p.data != .mac { XCTAssertTrue(names.contains(p.memory), p.memory) }
        XCTAssertEqual(energy.places.filter { $0.data == .mac }.map(\.memory), [EnergyBreakdown.macArray])
        XCTAssertEqual(energy.places.first?.memory, EnergyBreakdown.macArray, "the bottom of the hierarchy first")
        // Fully cached: every output is computed once, so the window's MAC part is the trunk's
        // MAC count times the MAC energy (the transformed trunk, whose widths the tiles cover).
        let macs = trunk.nodes.compactMap(\.layer).reduce(0) { $0 + $1.macCount }
        let mac = try XCTUnwrap(energy.places.firstIndex { $0.data == .mac })
        XCTAssertEqual(energy.window.energy[mac], core.macEnergy * Double(macs),
                       accuracy: 1e-9 * energy.window.energy[mac])
        // Weights live on the weight chain only; the network's input comes from DRAM.
        let weightChain = Set(core.levels(of: "I2").map { core.memories[$0].name })
        for (p, e) in zip(energy.places, energy.window.energy) where p.data == .weights && e > 0 {
            XCTAssertTrue(weightChain.contains(p.memory), "weights in \(p.memory)")
        }
        let dram = try XCTUnwrap(core.levels(of: "I1").last.map { core.memories[$0].name })
        XCTAssertTrue(zip(energy.places, energy.window.energy).contains { $0.0 == .init(memory: dram, data: .inputs)
            && $0.1 > 0 })
    }

    /// The forced cut after layer 3: the head's off-load part is ACCO's off-load delta (34,866,276
    /// pJ, reference), spent on the output chain's top two levels; the tail's reload part is the
    /// reload delta (32,527,555 pJ, reference) on the input chain's top two levels.
    func testCutDeltasAreTheReadingsDeltas() throws {
        let (head, headReadings, headResult, _, core) = try Self.breakdown(nil, 3)
        XCTAssertEqual(headReadings.window.offloadEnergy, 34_866_276)
        assertAddsUp(head.window.delta, to: 34_866_276, keys: 1, "off-load")
        assertAddsUp(head.window.energy, to: 378_230_715, keys: headResult.keys.count, "head window")
        let top = { (operand: String) in Set(core.levels(of: operand).suffix(2).map { core.memories[$0].name }) }
        for (p, d) in zip(head.places, head.window.delta) where d > 0 {
            XCTAssertEqual(p.data, .outputs)
            XCTAssertTrue(top("O").contains(p.memory), p.memory)
        }
        let (tail, _, tailResult, tailTrunk, _) = try Self.breakdown(3, nil)
        let reloadKeys = tailTrunk.nodes.filter(\.isCutInput).count
        XCTAssertEqual(reloadKeys, 1)
        assertAddsUp(tail.window.delta, to: 32_527_555, keys: reloadKeys, "reload")
        assertAddsUp(tail.window.energy, to: 113_963_012, keys: tailResult.keys.count, "tail window")
        for (p, d) in zip(tail.places, tail.window.delta) where d > 0 {
            XCTAssertEqual(p.data, .inputs)
            XCTAssertTrue(top("I1").contains(p.memory), p.memory)
        }
        // On chip, the discount removes exactly the delta.
        for (net, (e, d)) in zip(tail.window.net(onChip: true), zip(tail.window.energy, tail.window.delta)) {
            XCTAssertEqual(net, e - d)
        }
        XCTAssertEqual(tail.window.net(onChip: false), tail.window.energy)
    }

    /// The trunk node carries the breakdown, and the stored form reads back unchanged.
    func testTrunkArtifactCarriesTheBreakdown() throws {
        let (energy, _, _, _, _) = try Self.breakdown(nil, nil)
        let (network, core) = try Projects.network("seldnet_oxoy_m")
        let trunks = CausalTrunks(network: network)
        let trunk = try trunks.trunk(after: nil, through: nil)
        var graph = Graph()
        try graph.register(LayerSearchTask.operator)
        let stack = try graph.add(StackTask.operator, StackTask.params(
            trunk: trunk, fullSize: trunks.fullSize, core: core, mode: .fullyCached, tileX: 2, tileY: 16,
            lpfLimit: 6, objective: .energy))
        let node = try graph.add(TrunkTask.operator, TrunkTask.params(
            trunk: trunk, fullSize: trunks.fullSize, core: core, tileX: 2, tileY: 16, networkEnd: true),
                                 dependencies: [stack])
        let outcome = Executor(store: MemoryStore()).build(graph, targets: [node])
        let report = try TrunkTask.report(try XCTUnwrap(outcome.outputs[node]))
        XCTAssertEqual(report.energy, energy)
        let stored = try CanonicalEncoder.encode(ValueCoder.encode(energy))
        let again = try ValueCoder.decode(EnergyBreakdown.self, from: CanonicalDecoder.decode(stored))
        XCTAssertEqual(again, energy)
    }
}
