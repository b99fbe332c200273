import Graph

/// The stack artifact: a `StackResult` stored compactly. A key's distinct costs are listed once
/// and its four buckets refer to them by index (a cost recurs across buckets and tile types);
/// energy breakdowns are dense lists over the result's breakdown names (null where absent), so
/// each name is written once per result, not once per cost.
extension StackResult: Codable {
    enum CodingKeys: String, CodingKey {
        case breakdownNames = "breakdown_names", tileTypeCounts = "tile_type_counts", rows, columns, placements, keys
    }

    /// One result key: its distinct costs, and each bucket as (cost index, count) in summation order.
    struct StoredKey: Codable {
        var name: String
        var costs: [StoredCost]
        var all: [[Int]]
        var row0: [[Int]]
        var row1: [[Int]]
        var lastRow: [[Int]]

        enum CodingKeys: String, CodingKey { case name, costs, all, row0 = "row_0", row1 = "row_1",
        lastRow = "last_row" }
    }

    /// A key cost with its breakdown over the result's names, stored as a list in the order of
    /// its fields (a stack artifact holds hundreds of costs; named fields would double its size).
    struct StoredCost: Codable {
        var energy: Double
        var latency0: Int
        var latency1: Int
        var latency2: Int
        var isCopy: Bool
        var breakdown: [Double?]
        var offload: Int
        var offloadPairs: [Int]
        var firstHops: [Int]
        var topWords: Double

        init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            self.init(energy: try c.decode(Double.self), latency0: try c.decode(Int.self),
                      latency1: try c.decode(Int.self),
                      latency2: try c.decode(Int.self), isCopy: try c.decode(Bool.self),
                      breakdown: try c.decode([Double?].self),
                      offload: try c.decode(Int.self), offloadPairs: try c.decode([Int].self),
                      firstHops: try c.decode([Int].self), topWords: try c.decode(Double.self))
            guard c.isAtEnd else { throw MalformedArtifact(description: "key cost: more than ten fields") }
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.unkeyedContainer()
            try c.encode(energy)
            try c.encode(latency0)
            try c.encode(latency1)
            try c.encode(latency2)
            try c.encode(isCopy)
            try c.encode(breakdown)
            try c.encode(offload)
            try c.encode(offloadPairs)
            try c.encode(firstHops)
            try c.encode(topWords)
        }

        init(_ c: KeyCost, names: [String: Int]) {
            var dense = [Double?](repeating: nil, count: names.count)
            for (k, x) in c.breakdown { if let i = names[k] { dense[i] = x } }
            self.init(energy: c.energy, latency0: c.latency0, latency1: c.latency1, latency2: c.latency2,
                      isCopy: c.isCopy,
                      breakdown: dense, offload: c.offload, offloadPairs: c.offloadPairs, firstHops: c.firstHops,
                      topWords: c.topWords)
        }

        init(energy: Double, latency0: Int, latency1: Int, latency2: Int, isCopy: Bool, breakdown: [Double?],
             offload: Int, offloadPairs: [Int], firstHops: [Int], topWords: Double) {
            self.energy = energy; self.latency0 = latency0; self.latency1 = latency1; self.latency2 = latency2
            self.isCopy = isCopy; self.breakdown = breakdown; self.offload = offload
            self.offloadPairs = offloadPairs; self.firstHops = firstHops; self.topWords = topWords
        }

        func cost(names: [String]) throws -> KeyCost {
            guard breakdown.count == names.count else {
                throw MalformedArtifact(description: "breakdown: one value per name")
            }
            var map: [String: Double] = [:]
            for (i, x) in breakdown.enumerated() { if let x { map[names[i]] = x } }
            return KeyCost(energy: energy, latency0: latency0, latency1: latency1, latency2: latency2, isCopy: isCopy,
                           breakdown: map,
                           offload: offload, offloadPairs: offloadPairs, firstHops: firstHops, topWords: topWords)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let names = try c.decode([String].self, forKey: .breakdownNames)
        self.init(tileTypeCounts: try c.decode([Int].self, forKey: .tileTypeCounts), keys: [], buckets: [:],
                  rows: try c.decode(Int.self, forKey: .rows), columns: try c.decode(Int.self, forKey: .columns))
        placements = try c.decode([TilePlacement].self, forKey: .placements)
        for key in try c.decode([StoredKey].self, forKey: .keys) {
            let costs = try key.costs.map { try $0.cost(names: names) }
            func bucket(_ pairs: [[Int]]) throws -> [(cost: KeyCost, count: Int)] {
                try pairs.map { pair in
                    guard pair.count == 2, costs.indices.contains(pair[0]) else {
                        throw MalformedArtifact(description: "bucket")
                    }
                    return (costs[pair[0]], pair[1])
                }
            }
            keys.append(key.name)
            buckets[key.name] = Buckets(all: try bucket(key.all), row0: try bucket(key.row0),
                                        row1: try bucket(key.row1), lastRow: try bucket(key.lastRow))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        let all = buckets.values.flatMap { b in
            (b.all + b.row0 + b.row1 + b.lastRow).flatMap { $0.cost.breakdown.keys }
        }
        let names = Set(all).sorted()
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        let stored = keys.map { name in
            let b = buckets[name] ?? Buckets()
            var costs: [KeyCost] = []
            func bucket(_ pairs: [(cost: KeyCost, count: Int)]) -> [[Int]] {
                pairs.map { pair in
                    let i = costs.firstIndex(of: pair.cost) ?? { costs.append(pair.cost); return costs.count - 1 }()
                    return [i, pair.count]
                }
            }
            let (a, r0, r1, last) = (bucket(b.all), bucket(b.row0), bucket(b.row1), bucket(b.lastRow))
            return StoredKey(name: name, costs: costs.map { StoredCost($0, names: index) }, all: a, row0: r0, row1: r1,
                             lastRow: last)
        }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(names, forKey: .breakdownNames)
        try c.encode(tileTypeCounts, forKey: .tileTypeCounts)
        try c.encode(rows, forKey: .rows)
        try c.encode(columns, forKey: .columns)
        try c.encode(placements, forKey: .placements)
        try c.encode(stored, forKey: .keys)
    }
}
