import Graph
@testable import Tasks
import XCTest

/// Step 3 (model.md §6.6): the Pareto merge against the reference's brute force on random
/// cut lists, and one case worked by hand.
final class GlobalAllocationTests: XCTestCase {
    typealias Option = GlobalAllocation.Option

    /// Two trunks; a budget of 100 bits. Cheapest per trunk ignoring the budget: A0 (L 10) + B0
    /// (L 20) = 30 with peaks 60 + 60 ≥ 100, so no discount. A1 + B1: 12 + 22 = 34, peaks 40 + 50
    /// < 100, discounted by 5 + 6 → 23. A1 + B0: peaks 100, not under → 32. So A1 + B1 wins on
    /// latency (23). On energy: A0 + B0 = 100 + 100 = 200; A1 + B1 = 150 + 150 − 20 − 20 = 260.
    func testHandWorkedDiscountDecides() throws {
        let a = [Option(latency: 10, energy: 100, latencyDelta: 5, energyDelta: 20, peakBits: 60),
                 Option(latency: 12, energy: 150, latencyDelta: 5, energyDelta: 20, peakBits: 40)]
        let b = [Option(latency: 20, energy: 100, latencyDelta: 6, energyDelta: 20, peakBits: 60),
                 Option(latency: 22, energy: 150, latencyDelta: 6, energyDelta: 20, peakBits: 50)]
        let lat = try XCTUnwrap(GlobalAllocation.best([a, b], budget: 100, metric: .latency))
        XCTAssertEqual(lat, GlobalAllocation.Schedule(choice: [1, 1], latency: 23, energy: 260, peakBits: 90,
                                                      onChip: true))
        let en = try XCTUnwrap(GlobalAllocation.best([a, b], budget: 100, metric: .energy))
        XCTAssertEqual(en, GlobalAllocation.Schedule(choice: [0, 0], latency: 30, energy: 200, peakBits: 120,
                                                     onChip: false))
        // EDP: 30 × 200 = 6000 (0,0); 23 × 260 = 5980 (1,1); (0,1): peaks 110, 32 × 250 = 8000; (1,0): 100, 32 × 250.
        let edp = try XCTUnwrap(GlobalAllocation.best([a, b], budget: 100, metric: .edp))
        XCTAssertEqual(edp.choice, [1, 1])
        // Front: (23, 260) and (30, 200); (32, 250) is dominated by (30, 200).
        XCTAssertEqual(GlobalAllocation.front([a, b], budget: 100).map { [$0.latency, $0.energy] }, [[23, 260], [30,
            200]])
    }

    /// 3,000 random cut lists of 1–5 trunks with 1–6 options (1–4 beyond 3 trunks) drawn from small
    /// ranges (so that equal values and repeated options are frequent, and ties reach back several
    /// trunks), random budgets: the merge's value and choice equal the brute force's for every
    /// metric, and its front equals the brute-force front.
    func testMergeEqualsBruteForce() {
        var rng = SplitMix64(state: 7)
        for _ in 0..<3000 {
            let count = Int.random(in: 1...5, using: &rng)
            let trunks = (0..<count).map { _ in
                (0..<Int.random(in: 1...(count > 3 ? 4 : 6), using: &rng)).map { _ in
                    Option(latency: Int.random(in: 5...12, using: &rng), energy: Int.random(in: 5...12, using: &rng),
                           latencyDelta: Int.random(in: -1...4, using: &rng),
                           energyDelta: Int.random(in: -1...4, using: &rng),
                           peakBits: Int.random(in: 0...6, using: &rng))
                }
            }
            let budget = Int.random(in: 0...14, using: &rng)
            let all = Brute.schedules(trunks, budget: budget)
            for metric in GlobalAllocation.Metric.allCases {
                XCTAssertEqual(GlobalAllocation.best(trunks, budget: budget, metric: metric), Brute.best(all, metric),
                               "\(metric) budget \(budget) \(trunks)")
            }
            XCTAssertEqual(GlobalAllocation.front(trunks, budget: budget), Brute.front(all),
                           "front budget \(budget) \(trunks)")
        }
    }

    /// 400 random cut lists shaped like Step 3's inputs (1–4 trunks, 4–9 tile options each: more
    /// peak buys less latency and energy, with noise; budgets from none to all of the largest
    /// peaks): the bounded merge's answers equal the brute force's. The bounds must bite here —
    /// for some cut lists the (latency, energy) merge keeps fewer final points than without them.
    func testBoundedMergeEqualsBruteForceOnTileShapedOptions() {
        var rng = SplitMix64(state: 11)
        var narrowed = 0
        for _ in 0..<400 {
            let count = Int.random(in: 1...4, using: &rng)
            let trunks = (0..<count).map { _ in
                (0..<Int.random(in: 4...9, using: &rng)).map { _ -> Option in
                    let peak = Int.random(in: 1...40, using: &rng)
                    let latency = 200 - 3 * peak + Int.random(in: 0...40, using: &rng)
                    let energy = 150 - peak + Int.random(in: 0...60, using: &rng)
                    return Option(latency: latency, energy: energy,
                                  latencyDelta: Int.random(in: 0...30, using: &rng),
                                  energyDelta: Int.random(in: 0...40, using: &rng), peakBits: peak)
                }
            }
            let budget = Int.random(in: 0...(40 * count + 10), using: &rng)
            let all = Brute.schedules(trunks, budget: budget)
            let solved = GlobalAllocation.solve(trunks, budget: budget, metrics: GlobalAllocation.Metric.allCases,
                                                front: true)
            for metric in GlobalAllocation.Metric.allCases {
                XCTAssertEqual(solved.best[metric], Brute.best(all, metric), "\(metric) budget \(budget) \(trunks)")
            }
            XCTAssertEqual(solved.front, Brute.front(all), "front budget \(budget) \(trunks)")

            let ranked = GlobalAllocation.RankedOptions(trunks)
            let known = ranked.greedySchedules(budget: budget).map { ($0.latency, $0.energy) }
            for onChip in [true, false] {
                let plain = ranked.merge(onChip: onChip, budget: budget, costs: .edp, bound: .init(limit: nil))
                let bounded = ranked.merge(onChip: onChip, budget: budget, costs: .edp, bound: .init(beatenBy: known))
                XCTAssertLessThanOrEqual(bounded.count, plain.count)
                if bounded.count < plain.count { narrowed += 1 }
            }
        }
        XCTAssertGreaterThan(narrowed, 0, "the greedy schedules never narrowed a merge")
        print("bounded merges that kept fewer final points: \(narrowed) of 800")
    }

    /// A known schedule rules out a partial only when it is no worse on either cost and better on
    /// one; the least completion adds each later trunk's least cost and peak.
    func testBoundAndCompletion() {
        let bound = GlobalAllocation.Bound(beatenBy: [(10, 50), (20, 30), (15, 60), (30, 30), (-5, -5)])
        XCTAssertEqual(bound.stair.map { [$0.a, $0.b] }, [[10, 50], [20, 30]])
        XCTAssertTrue(bound.beaten(a: 11, b: 50))
        XCTAssertTrue(bound.beaten(a: 10, b: 51))
        XCTAssertFalse(bound.beaten(a: 10, b: 50), "equal costs are not beaten")
        XCTAssertFalse(bound.beaten(a: 9, b: 100), "less latency than every known schedule")
        XCTAssertFalse(bound.beaten(a: 20, b: 29), "less energy than every known schedule")
        XCTAssertTrue(bound.beaten(a: 20, b: 40), "(10, 50) is no better, (20, 30) is")
        XCTAssertFalse(bound.beaten(a: 19, b: 49), "(10, 50) has more energy, (20, 30) more latency")

        let ranked = GlobalAllocation.RankedOptions([
            [Option(latency: 10, energy: 40, latencyDelta: 4, energyDelta: 9, peakBits: 7),
             Option(latency: 12, energy: 30, latencyDelta: 1, energyDelta: 1, peakBits: 3)],
            [Option(latency: 5, energy: 8, latencyDelta: 2, energyDelta: 2, peakBits: 1)],
        ])
        let on = GlobalAllocation.Completion(ranked.ranked, onChip: true, costs: .edp)
        XCTAssertEqual(on.a, [6 + 3, 3, 0])
        XCTAssertEqual(on.b, [29 + 6, 6, 0])
        XCTAssertEqual(on.leastPeak, [4, 1, 0])
        XCTAssertEqual(on.mostPeak, [8, 1, 0])
        XCTAssertTrue(on.positive)
        let off = GlobalAllocation.Completion(ranked.ranked, onChip: false, costs: .energy)
        XCTAssertEqual(off.a, [38, 8, 0])
        XCTAssertEqual(off.b, [0, 0, 0])
    }
}

/// The reference's search: every assignment in product order over the latency-ranked options (last
/// trunk fastest), keeping the first strictly better one.
private enum Brute {
    /// All schedules in enumeration order.
    static func schedules(_ trunks: [[GlobalAllocation.Option]], budget: Int) -> [GlobalAllocation.Schedule] {
        let ranked = trunks.map { list in list.indices.sorted { (list[$0].latency, $0) < (list[$1].latency, $1) } }
        var out: [GlobalAllocation.Schedule] = []
        func walk(_ t: Int, _ choice: [Int]) {
            if t == trunks.count {
                let chosen = choice.enumerated().map { trunks[$0][$1] }
                let peak = chosen.reduce(0) { $0 + $1.peakBits }
                let onChip = peak < budget
                out.append(.init(choice: choice,
                                 latency: chosen.reduce(0) { $0 + $1.latency - (onChip ? $1.latencyDelta : 0) },
                                 energy: chosen.reduce(0) { $0 + $1.energy - (onChip ? $1.energyDelta : 0) },
                                 peakBits: peak, onChip: onChip))
                return
            }
            for i in ranked[t] { walk(t + 1, choice + [i]) }
        }
        walk(0, [])
        return out
    }

    static func value(_ s: GlobalAllocation.Schedule, _ metric: GlobalAllocation.Metric) -> Int {
        switch metric {
        case .latency: s.latency
        case .energy: s.energy
        case .edp: s.latency * s.energy
        }
    }

    static func best(_ all: [GlobalAllocation.Schedule],
                     _ metric: GlobalAllocation.Metric) -> GlobalAllocation.Schedule? {
        var best: GlobalAllocation.Schedule?
        for s in all where best.map({ value(s, metric) < value($0, metric) }) ?? true { best = s }
        return best
    }

    /// The first schedule (in enumeration order) of every (latency, energy) no other improves on.
    static func front(_ all: [GlobalAllocation.Schedule]) -> [GlobalAllocation.Schedule] {
        var firstOf: [[Int]: GlobalAllocation.Schedule] = [:]
        for s in all where firstOf[[s.latency, s.energy]] == nil { firstOf[[s.latency, s.energy]] = s }
        let points = firstOf.values.filter { p in
            !firstOf.values.contains { q in
                q.latency <= p.latency && q.energy <= p.energy && (q.latency, q.energy) != (p.latency, p.energy)
            }
        }
        return points.sorted { $0.latency < $1.latency }
    }
}
