import Graph
@testable import Tasks
import XCTest

/// The fast search against the plain enumeration (`PlainLayerSearch`, the oracle): the same
/// optimal cost and the same winning ordering, on the golden layer and on randomized layers and
/// hierarchies, for every objective.
final class FastSearchTests: XCTestCase {
    /// Returns the plain result, if the problem had a mapping.
    @discardableResult
    func assertSame(_ layer: Layer, _ core: Core, lpf: Int, _ objective: Objective,
                    _ context: String) -> LayerSearchResult? {
        let plain: LayerSearchResult, fast: LayerSearchResult
        do {
            plain = try PlainLayerSearch.run(layer: layer, core: core, lpfLimit: lpf, objective: objective)
        } catch {
            XCTAssertThrowsError(try FastLayerSearch.run(layer: layer, core: core, lpfLimit: lpf, objective: objective),
                                 context)
            return nil
        }
        do {
            fast = try FastLayerSearch.run(layer: layer, core: core, lpfLimit: lpf, objective: objective)
        } catch {
            XCTFail("fast failed where plain succeeded: \(error) — \(context)")
            return nil
        }
        XCTAssertEqual(objective.key(fast.evaluation), objective.key(plain.evaluation), context)
        XCTAssertEqual(fast.ordering, plain.ordering, context)
        XCTAssertEqual(fast.orderingsEvaluated, plain.orderingsEvaluated, context)
        return plain
    }

    func testGoldenLayerEveryObjective() throws {
        let inputs = try GoldenInputs(try ReferenceData.json("golden-single-layer.json")["inputs"] as! [String: Any])
        for objective in Objective.allCases {
            assertSame(inputs.layer, inputs.core, lpf: 6, objective, "golden \(objective)")
        }
    }

    /// 100 random problems × 3 objectives.
    func testRandomLayersAndHierarchies() throws {
        var rng = SplitMix64(state: 0x5EA2C4)
        var solved = 0, stalls = 0, partialWords = 0
        for trial in 0..<100 {
            let (layer, core) = try randomProblem(&rng)
            let lpf = Int.random(in: 5...6, using: &rng)
            for objective in Objective.allCases {
                let memories = core.memories.map { "\($0.name) \($0.size)" }
                let plain = assertSame(layer, core, lpf: lpf, objective,
                                       "trial \(trial) \(objective) lpf \(lpf): \(layer.loopSizes) "
                                           + "\(layer.spatialMapping) \(memories)")
                guard let e = plain?.evaluation else { continue }
                solved += 1
                if e.stallSlack > 0 { stalls += 1 }
                if e.levels.contains(where: { $0.accesses.values.contains { $0 != $0.rounded() } }) {
                    partialWords += 1
                }
            }
        }
        // The corpus must exercise what it claims to: most problems solvable, some with stalls
        // and some with fractional (partial-word) accesses.
        XCTAssertGreaterThan(solved, 200)
        XCTAssertGreaterThan(stalls, 10)
        XCTAssertGreaterThan(partialWords, 10)
        print("fast-vs-plain corpus: \(solved) solved, \(stalls) with stalls, \(partialWords) with partial words")
    }

    func randomProblem(_ rng: inout SplitMix64) throws -> (Layer, Core) {
        func pick<T>(_ xs: [T]) -> T { xs.randomElement(using: &rng)! }
        let d1 = pick([2, 4, 8]), d2 = pick([1, 2, 4]), d3 = pick([1, 2, 4])
        let pooling = Int.random(in: 0..<4, using: &rng) == 0
        let k = pick([2, 4, 6, 8, 12, 16, 32]), c = pick([1, 2, 3, 4, 8, 16])
        let ox = Int.random(in: 1...10, using: &rng), oy = Int.random(in: 1...10, using: &rng)
        let fx = pick([1, 2, 3]), fy = pick([1, 3])
        let sx = pick([1, 1, 2]), sy = pick([1, 2]), dil = pick([1, 1, 2])
        let layer: Layer
        if pooling {
            layer = try Layer(id: 1, equation: "O[b][g][oy][ox]+=W[fx][fy]*I[b][g][ix][iy]",
                              relations: ["ix=\(sx)*ox+1*fx", "iy=\(sy)*oy+\(dil)*fy"],
                              loopSizes: [.init("B", 1), .init("G", k), .init("OY", oy), .init("OX", ox),
                                          .init("FX", fx), .init("FY", fy)],
                              precision: ["O": 16, "O_final": 8, "I": 8, "W": 0],
                              spatialMapping: [.init("D1", "G", pick([1, d1])), .init("D3", "OX", pick([1, d3]))],
                              memoryOperandLinks: ["O": "O", "W": "I2", "I": "I1"])
        } else {
            layer = try Layer(id: 1, equation: "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][ix][iy]",
                              relations: ["ix=\(sx)*ox+1*fx", "iy=\(sy)*oy+\(dil)*fy"],
                              loopSizes: [.init("B", 1), .init("K", k), .init("C", c), .init("OY", oy), .init("OX", ox),
                                          .init("FY", fy), .init("FX", fx)],
                              precision: ["O": 16, "O_final": 8, "W": 8, "I": 8],
                              spatialMapping: [.init("D1", "K", pick([1, d1])), .init("D2", "C", pick([1, d2])),
                                               .init("D3", "OX", pick([1, d3]))],
                              memoryOperandLinks: ["O": "O", "W": "I2", "I": "I1"])
        }
        func sram(_ name: String, _ ops: [String], size: Int, bw: Int) -> Memory {
            let duties = ops.flatMap { op -> [Duty] in
                op == "O" ? [Duty(op, 0, .wrInByHigh), Duty(op, 0, .rdOutToLow), Duty(op, 0, .wrInByLow),
                             Duty(op, 0, .rdOutToHigh)]
                    : [Duty(op, 0, .wrInByHigh), Duty(op, 0, .rdOutToLow)]
            }
            return Memory(name: name, size: size, readBandwidth: bw, writeBandwidth: bw, readGranularity: min(bw, 64),
                          writeGranularity: min(bw, 64), readCost: Double(bw) / 8 * pick([1.0, 1.5, 2.25]),
                          writeCost: Double(bw) / 8 * pick([1.2, 1.7, 2.5]), latency: 1, operands: ops,
                          ports: [Port(name: "r_port_1", kind: .read, duties: duties.filter { $0.direction.isRead }),
                                  Port(name: "w_port_1", kind: .write, duties: duties.filter { !$0.direction.isRead })],
                          servedDims: ["D1", "D2", "D3"])
        }
        var memories: [Memory] = []
        memories.append(Memory(name: "rf_w", size: pick([8, 16, 64]), readBandwidth: 8, writeBandwidth: 8,
                               readCost: 0.01, writeCost: 0.01, operands: ["I2"],
                               ports: [Port(name: "r_port_1", kind: .read, duties: [Duty("I2", 0, .rdOutToLow)]),
                                       Port(name: "w_port_1", kind: .write, duties: [Duty("I2", 0, .wrInByHigh)])],
                               servedDims: pick([["D3"], [], ["D2", "D3"]])))
        memories.append(Memory(name: "rf_o", size: pick([16, 32, 128]), readBandwidth: 16, writeBandwidth: 16,
                               readCost: 0.02, writeCost: 0.02, operands: ["O"],
                               ports: [Port(name: "r_port_1", kind: .read, duties: [Duty("O", 0, .rdOutToLow)]),
                                       Port(name: "r_port_2", kind: .read, duties: [Duty("O", 0, .rdOutToHigh)]),
                                       Port(name: "w_port_1", kind: .write, duties: [Duty("O", 0, .wrInByHigh)]),
                                       Port(name: "w_port_2", kind: .write, duties: [Duty("O", 0, .wrInByLow)])],
                               servedDims: pick([["D2"], []])))
        memories.append(sram("sram_w", ["I2"], size: pick([4096, 65536, 524288]), bw: pick([128, 512])))
        memories.append(sram("sram_a", ["I1", "O"], size: pick([8192, 65536, 262144]), bw: pick([64, 256, 1024])))
        var dram = sram("dram", ["I1", "I2", "O"], size: 10_000_000_000, bw: 64)
        dram.readCost = 700; dram.writeCost = 750
        dram.ports = [Port(name: "rw_port_1", kind: .readWrite, duties: dram.ports.flatMap(\.duties))]
        memories.append(dram)
        var core = Core(name: "random", arrayDims: [("D1", d1), ("D2", d2), ("D3", d3)], macEnergy: 0.04,
                        memories: memories)
        core.assignDutyLevels()
        return (layer, core)
    }
}
