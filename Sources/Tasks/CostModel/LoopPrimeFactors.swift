/// A loop prime factor: one (possibly merged) factor of one temporal loop. LPFs compare by dim
/// name (code-unit order), then factor (model.md §4.2).
public struct LPF: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var dim: String
    public var factor: Int

    public init(_ dim: String, _ factor: Int) { self.dim = dim; self.factor = factor }

    public static func < (a: LPF, b: LPF) -> Bool {
        if a.dim != b.dim { return Array(a.dim.utf8).lexicographicallyPrecedes(Array(b.dim.utf8)) }
        return a.factor < b.factor
    }

    public var description: String { "\(dim)\(factor)" }
    var loop: Loop { Loop(dim, Double(factor)) }
}

public struct LPFLimitTooSmall: Error, CustomStringConvertible {
    public let limit: Int
    public let layer: Int
    public var description: String {
        "lpf limit \(limit) is below the number of temporal loops with factors of layer \(layer); raise --lpf"
    }
}

enum LoopPrimeFactors {
    /// Temporal loop sizes (model.md §4.2): the layer's sizes divided by every spatial unroll, in file order.
    static func temporalSizes(_ layer: Layer, unrolls: [Loop]) -> [(dim: String, size: Int)] {
        var sizes = layer.loopSizes.map { (dim: $0.dim, size: Double($0.size)) }
        for unroll in unrolls {
            guard let i = sizes.firstIndex(where: { $0.dim == unroll.dim }) else { continue }
            let q = (sizes[i].size / unroll.size).rounded(.up)
            if q == 1 { sizes.remove(at: i) } else { sizes[i].size = q }
        }
        return sizes.map { ($0.dim, Int($0.size)) }
    }

    /// The LPF multiset after the limit (model.md §4.2), sorted ascending.
    static func lpfs(_ temporal: [(dim: String, size: Int)], limit: Int, layer: Int) throws(LPFLimitTooSmall) -> [LPF] {
        struct Factors { var dim: String; var primes: [Int]; var multiplicity: [Int]; var count: Int }
        var table: [Factors] = temporal.map { entry in
            let all = Numerics.primeFactors(entry.size)
            var primes: [Int] = [], mult: [Int] = []
            for p in all {
                if primes.last == p { mult[mult.count - 1] += 1 } else { primes.append(p); mult.append(1) }
            }
            return Factors(dim: entry.dim, primes: primes, multiplicity: mult, count: all.count)
        }
        var total = table.reduce(0) { $0 + $1.count }
        while total > limit {
            let largest = table.map(\.count).max() ?? 0
            guard let d = table.firstIndex(where: { $0.count == largest }) else { break }
            var f = table[d]
            let merged: Int
            if f.multiplicity[0] == 1 {
                guard f.primes.count >= 2 else { throw LPFLimitTooSmall(limit: limit, layer: layer) }
                merged = f.primes[0] * f.primes[1]
                f.multiplicity[0] -= 1
                f.multiplicity[1] -= 1
            } else {
                merged = f.primes[0] * f.primes[0]
                f.multiplicity[0] -= 2
            }
            if let k = f.primes.firstIndex(of: merged) {
                f.multiplicity[k] += 1
            } else {
                let k = f.primes.firstIndex { $0 > merged } ?? f.primes.count
                f.primes.insert(merged, at: k)
                f.multiplicity.insert(1, at: k)
            }
            let keep = f.multiplicity.indices.filter { f.multiplicity[$0] > 0 }
            f.primes = keep.map { f.primes[$0] }
            f.multiplicity = keep.map { f.multiplicity[$0] }
            f.count -= 1
            total -= 1
            table[d] = f
        }
        var result: [LPF] = []
        for f in table {
            for (p, m) in zip(f.primes, f.multiplicity) { result += Array(repeating: LPF(f.dim, p), count: m) }
        }
        return result.sorted()
    }
}

/// All distinct permutations of a multiset, in the order of Williams' loopless prefix-shift
/// algorithm ("Loopless generation of multiset permutations using a constant number of
/// variables by prefix shifts", SODA 2009), which is the order the reference visits them in and
/// therefore decides ties (model.md §4.2).
struct MultisetPermutations<Value: Comparable>: Sequence {
    let elements: [Value]

    func makeIterator() -> Iterator { Iterator(elements) }

    struct Iterator: IteratorProtocol {
        // A singly linked list over indices into `values`; -1 ends it.
        private var values: [Value]
        private var link: [Int]
        private var h: Int, i: Int, j: Int
        private var started = false
        private var finished = false

        init(_ elements: [Value]) {
            values = elements.sorted()
            let n = values.count
            // Prepending each ascending element in turn leaves the list in non-increasing order:
            // the head is the last sorted element and each node points to the previous one.
            link = Array(repeating: -1, count: n)
            for k in stride(from: n - 1, to: 0, by: -1) { link[k] = k - 1 }
            h = n - 1
            i = n >= 2 ? 1 : Swift.max(0, n - 1)   // second-to-last node
            j = n >= 2 ? 0 : Swift.max(0, n - 1)   // last node
        }

        private func read() -> [Value] {
            var out: [Value] = []
            out.reserveCapacity(values.count)
            var k = values.isEmpty ? -1 : h
            while k >= 0 { out.append(values[k]); k = link[k] }
            return out
        }

        mutating func next() -> [Value]? {
            advance() ? read() : nil
        }

        /// Writes the next ordering as indices into `sortedValues` (equal values may appear under
        /// either index); false when done. Allocates nothing.
        mutating func next(into buffer: inout [Int]) -> Bool {
            guard advance() else { return false }
            var k = values.isEmpty ? -1 : h
            var i = 0
            while k >= 0 { buffer[i] = k; i += 1; k = link[k] }
            return true
        }

        /// The elements in ascending order (what `next(into:)` indexes).
        var sortedValues: [Value] { values }

        private mutating func advance() -> Bool {
            if finished { return false }
            if !started {
                started = true
                if values.count <= 1 { finished = true }
                return true
            }
            guard link[j] >= 0 || values[j] < values[h] else { finished = true; return false }
            let s = (link[j] >= 0 && !(values[i] < values[link[j]])) ? j : i
            let t = link[s]
            link[s] = link[t]
            link[t] = h
            if values[t] < values[h] { i = t }
            j = link[i]
            h = t
            return true
        }
    }
}

extension LPF: PairCoding {
    var pairName: String { dim }
    var pairNumber: Int { factor }
}
