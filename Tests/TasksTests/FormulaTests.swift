@testable import Tasks
import XCTest

/// One test per formula of model.md §4, with the reference's own worked examples as expected values.
final class FormulaTests: XCTestCase {
    /// model.md §2.3 checks: stride 1, stride 2 with kernel 3, stride = kernel, dilation.
    func testPartiallyRelevantExtents() {
        for A in 1...9 {
            for B in 1...5 {
                XCTAssertEqual(Numerics.prSize(1, Double(A), 1, Double(B)), A + B - 1)
            }
            XCTAssertEqual(Numerics.prSize(2, Double(A), 1, 3), 2 * A + 1)
            XCTAssertEqual(Numerics.prSize(3, Double(A), 1, 3), 3 * A)
            for d in 1...4 where A >= d {
                XCTAssertEqual(Numerics.prSize(1, Double(A), d, 3), A + d * 2, "A \(A) d \(d)")
            }
        }
        // Fractional sizes are fed as they are, then truncated: 1.5 + 3 − 1 = 3.5 → 3.
        XCTAssertEqual(Numerics.prSize(1, 1.5, 1, 3), 3)
    }

    func testRoundingIsHalfToEven() {
        XCTAssertEqual(Numerics.roundInt(2.5), 2)
        XCTAssertEqual(Numerics.roundInt(3.5), 4)
        XCTAssertEqual(Numerics.roundInt(-2.5), -2)
        XCTAssertEqual(Numerics.trunc(-2.7), -2)
    }

    func core(array: [(String, Int)]) -> Core {
        Core(name: "t", arrayDims: array.map { (name: $0.0, size: $0.1) }, macEnergy: 1, memories: [])
    }

    func layer(_ sizes: [(String, Int)], mapping: [(String, String, Int)]) throws -> Layer {
        try Layer(id: 1, equation: "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][ix][iy]",
                  relations: ["ix=1*ox+1*fx", "iy=1*oy+1*fy"], loopSizes: sizes.map { Layer.LoopSize($0.0, $0.1) },
                  precision: ["O": 16, "O_final": 8, "W": 8, "I": 8],
                  spatialMapping: mapping.map { Layer.SpatialUnroll($0.0, $0.1, $0.2) },
                  memoryOperandLinks: ["O": "O", "W": "I2", "I": "I1"])
    }

    /// model.md §4.1 examples: C 3 on a 2-wide dim; OX 311 by 4; a 1 × 1 tile; one loop over two dims.
    func testFractionalUnrolls() throws {
        let c = core(array: [("D1", 2), ("D2", 4), ("D3", 4), ("D4", 8)])
        let l = try layer([("B", 1), ("K", 8), ("C", 3), ("OY", 1), ("OX", 311), ("FY", 3), ("FX", 3)],
                          mapping: [("D1", "C", 2), ("D2", "OX", 4), ("D3", "OY", 4), ("D4", "K", 16)])
        let limited = SpatialMapping.limitedUnrolls(l, c).map(\.loop)
        XCTAssertEqual(limited.map(\.dim), ["C", "OX", "OY", "K"])
        XCTAssertEqual(limited[0].size, 1.5)
        XCTAssertEqual(limited[1].size, 311.0 / 78.0)
        XCTAssertEqual(limited[2].size, 1.0)
        XCTAssertEqual(limited[3].size, 8.0)
        // Temporal remainders: C 2, OX 78, K and OY gone (model.md §4.2).
        let temporal = LoopPrimeFactors.temporalSizes(l, unrolls: limited)
        XCTAssertEqual(temporal.map(\.dim), ["B", "C", "OX", "FY", "FX"])
        XCTAssertEqual(temporal.map(\.size), [1, 2, 78, 3, 3])

        // One loop dim over two array dims: the second works on the remainder of the first.
        let k = try layer([("B", 1), ("K", 64), ("C", 1), ("OY", 1), ("OX", 1), ("FY", 1), ("FX", 1)],
                          mapping: [("D2", "K", 4), ("D4", "K", 8)])
        XCTAssertEqual(SpatialMapping.limitedUnrolls(k, c).map(\.loop.size), [4, 8])
    }

    /// model.md §4.1 example: spatial OX 4 at level 0, then temporal FX 3.
    func testPrDecoupling() {
        let relevance = Relevance(r: ["C"], ir: ["K"], pr: [Relation(pr: "IX", a: "OX", aScale: 1, b: "FX", bScale: 1)])
        let out = LoopLists.decouple([[Loop("OX", 4)], [Loop("FX", 3), Loop("C", 2)]], relevance)
        XCTAssertEqual(out, [[Loop("IX_r", 4), Loop("IX_ir", 1)], [Loop("IX_r", 1.5), Loop("IX_ir", 2), Loop("C", 2)]])
    }

    /// model.md §4.2: merging takes the first dim with the largest count; composite factors appear.
    func testLPFLimit() throws {
        let lpfs = try LoopPrimeFactors.lpfs([("C", 16), ("K", 12)], limit: 3, layer: 0)
        // C 2,2,2,2 (4) → 4,2,2 → 4,4 (2); K 2,2,3 (3) → 4,3: C4 C4 K3 K4 = 4 > 3 → C 16.
        XCTAssertEqual(lpfs, [LPF("C", 16), LPF("K", 3), LPF("K", 4)])
        XCTAssertThrowsError(try LoopPrimeFactors.lpfs([("C", 2), ("K", 3), ("OX", 5)], limit: 2, layer: 7))
    }

    /// model.md §4.2: n!/Π mult! distinct orderings, the first in non-increasing order.
    func testMultisetPermutations() {
        let perms = Array(MultisetPermutations(elements: [1, 1, 2, 3]))
        XCTAssertEqual(perms.count, 12)
        XCTAssertEqual(Set(perms).count, 12)
        XCTAssertEqual(perms.first, [3, 2, 1, 1])
        XCTAssertEqual(Array(MultisetPermutations(elements: [5])), [[5]])
        XCTAssertEqual(Array(MultisetPermutations(elements: [Int]())), [[]])
        // The order, as an independent Python transcription of the model.md §4.2 pseudo-code (with real
        // linked nodes) prints it.
        XCTAssertEqual(Array(MultisetPermutations(elements: [1, 2, 3])),
                       [[3, 2, 1], [1, 3, 2], [3, 1, 2], [2, 3, 1], [1, 2, 3], [2, 1, 3]])
        XCTAssertEqual(Array(perms.prefix(4)), [[3, 2, 1, 1], [1, 3, 2, 1], [3, 1, 2, 1], [1, 3, 1, 2]])
    }

    /// model.md §4.6: the analytic union equals the timeline definition on random nested periods.
    func testMemoryUpdateWindowUnion() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            var period = 1
            var duties: [LayerEvaluator.DutyTiming] = []
            for _ in 0..<Int.random(in: 2...5, using: &rng) {
                period *= Int.random(in: 1...4, using: &rng)
                let allowed = Int.random(in: 1...max(1, period - 1), using: &rng)
                duties.append(.init(real: 0, allowed: min(allowed, period - (period > 1 ? 1 : 0)), period: period,
                                    periodCount: 1000 / period))
            }
            duties.shuffle(using: &rng)
            if duties.contains(where: { $0.allowed == $0.period }) { continue }
            var longest = 0
            for i in duties.indices where duties[i].period > duties[longest].period { longest = i }
            let pMax = duties[longest].period
            var timeline = Array(repeating: false, count: pMax)
            for d in duties {
                for start in stride(from: 0, to: pMax, by: d.period) {
                    for c in start..<min(pMax, start + d.allowed) { timeline[c] = true }
                }
            }
            let expected = timeline.filter { $0 }.count * duties[longest].periodCount
            XCTAssertEqual(LayerEvaluator.memoryUpdateWindowUnion(duties), expected, "\(duties)")
        }
    }

    /// model.md §4.5 on the shipped hardware: a partial word costs ceil(bits / granularity) × granularity / width.
    func testPartialWordGranularity() {
        XCTAssertEqual(LayerEvaluator.wordsPerTransfer(bits: 100, granularity: 64, width: 512), 0.25)
        XCTAssertEqual(LayerEvaluator.wordsPerTransfer(bits: 512, granularity: 64, width: 512), 1)
        XCTAssertEqual(LayerEvaluator.wordsPerTransfer(bits: 147_456, granularity: 64, width: 512),
                       288)  // golden W fill
        XCTAssertEqual(LayerEvaluator.wordsPerTransfer(bits: 8, granularity: 8, width: 8), 1)
    }

    /// model.md §4.3 on the golden layer: with room for 10 000 bits, I's first level keeps the prefix
    /// with the fewest accesses among those that fit (tile 256, 4096, 6144, 9216 bits; accesses
    /// 1 179 648, 1 179 648, 589 824, 294 912): C16 FY3 FX3.
    func testAllocationKeepsTheFittingPrefixWithFewestAccesses() throws {
        var g = try GoldenInputs(try ReferenceData.json("golden-single-layer.json")["inputs"] as! [String: Any])
        let ordering = [LPF("C", 16), LPF("FY", 3), LPF("FX", 3), LPF("OY", 4), LPF("OX", 4), LPF("K", 2)]
        let spatial = try SpatialMapping(layer: g.layer, core: g.core, integer: false)
        let full = try Allocator(layer: g.layer, core: g.core, spatial: spatial).allocate(ordering)
        XCTAssertEqual(full["I"]?.map { $0.map(\.description) }, [["C16", "FY3", "FX3", "OY4", "OX4", "K2"], [], []])
        let i = try XCTUnwrap(g.core.memories.firstIndex { $0.name == "sram_32KB" })
        g = GoldenInputs(layer: g.layer, core: { var c = g.core; c.memories[i].size = 10_000; return c }(), lpfLimit: 6)
        let small = try Allocator(layer: g.layer, core: g.core, spatial: spatial).allocate(ordering)
        XCTAssertEqual(small["I"]?.map { $0.map(\.description) }, [["C16", "FY3", "FX3"], ["OY4", "OX4", "K2"], []])
        // Too small for even the spatial tile (256 bits): the ordering fails.
        var tiny = g.core
        tiny.memories[i].size = 200
        XCTAssertThrowsError(try Allocator(layer: g.layer, core: tiny, spatial: spatial).allocate(ordering))
    }
}
