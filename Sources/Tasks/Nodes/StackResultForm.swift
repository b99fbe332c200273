import Graph

/// The stack artifact: a `StackResult` stored compactly. A key's distinct costs are listed once
/// and its four buckets refer to them by index (a cost recurs across buckets and tile types);
/// energy breakdowns are dense lists over the result's breakdown names (null where absent), so
/// each name is written once per result, not once per cost.
extension StackResult: Codable {
    /// One result key: its distinct costs, and each bucket as (cost index, count) in summation order.
    struct StoredKey {
        var name: String
        var costs: [StoredCost]
        var all: [[Int]]
        var row0: [[Int]]
        var row1: [[Int]]
        var lastRow: [[Int]]

        var value: Value {
            func pairs(_ p: [[Int]]) -> Value { .array(p.map { .array($0.map { .int(Int64($0)) }) }) }
            return .object(["name": .string(name), "costs": .array(costs.map(\.value)), "all": pairs(all),
                            "row_0": pairs(row0), "row_1": pairs(row1), "last_row": pairs(lastRow)])
        }

        init(name: String, costs: [StoredCost], all: [[Int]], row0: [[Int]], row1: [[Int]], lastRow: [[Int]]) {
            self.name = name; self.costs = costs; self.all = all; self.row0 = row0; self.row1 = row1
            self.lastRow = lastRow
        }

        init(_ v: Value) throws {
            var f = try FormReader(v, "stack key")
            func pairs(_ field: String) throws -> [[Int]] { try f.list(field) { try FormReader.ints($0, "bucket") } }
            self.init(name: try f.string("name"), costs: try f.list("costs") { try StoredCost($0) },
                      all: try pairs("all"), row0: try pairs("row_0"), row1: try pairs("row_1"),
                      lastRow: try pairs("last_row"))
            try f.end()
        }
    }

    /// A key cost with its breakdown over the result's names, stored as a list in the order of
    /// its fields (a stack artifact holds hundreds of costs; named fields would double its size).
    struct StoredCost {
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

        var value: Value {
            func ints(_ x: [Int]) -> Value { .array(x.map { .int(Int64($0)) }) }
            return .array([.double(energy), .int(Int64(latency0)), .int(Int64(latency1)), .int(Int64(latency2)),
                           .bool(isCopy), .array(breakdown.map { $0.map(Value.double) ?? .null }),
                           .int(Int64(offload)), ints(offloadPairs), ints(firstHops), .double(topWords)])
        }

        init(_ v: Value) throws {
            guard case .array(let x) = v, x.count == 10, case .double(let energy) = x[0], case .bool(let isCopy) = x[4],
                  case .array(let breakdown) = x[5], case .double(let topWords) = x[9] else {
                throw MalformedArtifact(description: "key cost: ten fields")
            }
            self.init(energy: energy, latency0: try FormReader.int(x[1], "latency0"),
                      latency1: try FormReader.int(x[2], "latency1"), latency2: try FormReader.int(x[3], "latency2"),
                      isCopy: isCopy,
                      breakdown: try breakdown.map {
                          switch $0 {
                          case .null: return nil
                          case .double(let d): return d
                          default: throw MalformedArtifact(description: "key cost: breakdown")
                          }
                      },
                      offload: try FormReader.int(x[6], "offload"), offloadPairs: try FormReader.ints(x[7], "offload"),
                      firstHops: try FormReader.ints(x[8], "first hops"), topWords: topWords)
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

    /// Built as a `Value` by hand, not through keyed containers: a cold study encodes and decodes
    /// tens of thousands of these, and the generic coder was a tenth of its time.
    public init(from decoder: any Decoder) throws {
        var f = try FormReader(try decoder.singleValueContainer().decode(Value.self), "stack result")
        let names = try f.list("breakdown_names") { v in
            guard case .string(let s) = v else { throw MalformedArtifact(description: "breakdown name") }
            return s
        }
        self.init(tileTypeCounts: try FormReader.ints(try f.field("tile_type_counts"), "tile type counts"), keys: [],
                  buckets: [:], rows: try FormReader.int(try f.field("rows"), "rows"),
                  columns: try FormReader.int(try f.field("columns"), "columns"))
        placements = try f.list("placements") { try TilePlacement($0) }
        for key in try f.list("keys", { try StoredKey($0) }) {
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
        try f.end()
    }

    public func encode(to encoder: any Encoder) throws {
        // Per key, its distinct costs (in order of first appearance) and its buckets as indices.
        let distinct = keys.map { name in
            let b = buckets[name] ?? Buckets()
            var costs: [KeyCost] = []
            func bucket(_ pairs: [(cost: KeyCost, count: Int)]) -> [[Int]] {
                pairs.map { pair in
                    let i = costs.firstIndex(of: pair.cost) ?? { costs.append(pair.cost); return costs.count - 1 }()
                    return [i, pair.count]
                }
            }
            let (a, r0, r1, last) = (bucket(b.all), bucket(b.row0), bucket(b.row1), bucket(b.lastRow))
            return (name: name, costs: costs, buckets: (a, r0, r1, last))
        }
        // Every breakdown name, from the distinct costs (the buckets repeat them many times over).
        var nameSet = Set<String>()
        for key in distinct { for cost in key.costs { nameSet.formUnion(cost.breakdown.keys) } }
        let names = nameSet.sorted()
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        let stored = distinct.map { key in
            StoredKey(name: key.name, costs: key.costs.map { StoredCost($0, names: index) }, all: key.buckets.0,
                      row0: key.buckets.1, row1: key.buckets.2, lastRow: key.buckets.3)
        }
        let value = Value.object([
            "breakdown_names": .array(names.map(Value.string)),
            "tile_type_counts": .array(tileTypeCounts.map { .int(Int64($0)) }),
            "rows": .int(Int64(rows)), "columns": .int(Int64(columns)),
            "placements": .array(placements.map(\.value)),
            "keys": .array(stored.map(\.value)),
        ])
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}

extension TilePlacement {
    /// `ValueCoder.encode(self)`, built by hand, as the stack artifact holds it (one per tile type).
    var value: Value {
        var fields: [String: Value] = [
            "width": .int(Int64(width)), "height": .int(Int64(height)), "count": .int(Int64(count)),
            "weights": .string(weights),
            "nodes": .array(nodes.map {
                .object(["node": .int(Int64($0.node)), "input": .string($0.input), "output": .string($0.output)])
            }),
        ]
        if let hCache { fields["h_cache"] = .string(hCache) }
        if let vCache { fields["v_cache"] = .string(vCache) }
        return .object(fields)
    }

    init(_ v: Value) throws {
        var f = try FormReader(v, "tile placement")
        self.init(width: try f.int("width"), height: try f.int("height"), count: try f.int("count"),
                  hCache: try f.optionalString("h_cache"), vCache: try f.optionalString("v_cache"),
                  weights: try f.string("weights"),
                  nodes: try f.list("nodes") { n in
                      var node = try FormReader(n, "node placement")
                      let placement = NodePlacement(node: try node.int("node"), input: try node.string("input"),
                                                    output: try node.string("output"))
                      try node.end()
                      return placement
                  })
        try f.end()
    }
}
