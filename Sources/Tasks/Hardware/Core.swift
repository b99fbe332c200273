import Graph
import Synchronization

/// A memory port's duty: it moves `memoryOperand` data at `level` in `direction`.
public enum Direction: String, Sendable, Hashable, CaseIterable {
    /// Read out to the level below (toward the MACs).
    case rdOutToLow = "rd_out_to_low"
    /// Write in from the level below (outputs only).
    case wrInByLow = "wr_in_by_low"
    /// Read out to the level above (outputs only).
    case rdOutToHigh = "rd_out_to_high"
    /// Write in from the level above.
    case wrInByHigh = "wr_in_by_high"

    public var isRead: Bool { self == .rdOutToLow || self == .rdOutToHigh }
    /// The position in `allCases`, for tables with one slot per direction.
    @inline(__always) public var index: Int {
        switch self {
        case .rdOutToLow: 0
        case .wrInByLow: 1
        case .rdOutToHigh: 2
        case .wrInByHigh: 3
        }
    }
    public var isLow: Bool { self == .rdOutToLow || self == .wrInByLow }
}

public struct Duty: Sendable, Hashable {
    public var memoryOperand: String
    public var level: Int
    public var direction: Direction

    public init(_ memoryOperand: String, _ level: Int, _ direction: Direction) {
        self.memoryOperand = memoryOperand; self.level = level; self.direction = direction
    }
}

public struct Port: Sendable, Hashable {
    public enum Kind: String, Sendable { case read = "r", write = "w", readWrite = "rw" }
    public var name: String
    public var kind: Kind
    public var duties: [Duty]

    public init(name: String, kind: Kind, duties: [Duty]) {
        self.name = name; self.kind = kind; self.duties = duties
    }
}

/// One memory placed in the hierarchy (model.md §3).
public struct Memory: Sendable, Hashable {
    public var name: String
    /// Capacity of one instance, in bits.
    public var size: Int
    public var readBandwidth: Int
    public var writeBandwidth: Int
    public var readGranularity: Int
    public var writeGranularity: Int
    public var readCost: Double
    public var writeCost: Double
    public var latency: Int
    /// Memory operands stored here, in declared order.
    public var operands: [String]
    public var ports: [Port]
    /// Array dims one instance spans.
    public var servedDims: [String]

    public init(name: String, size: Int, readBandwidth: Int, writeBandwidth: Int, readGranularity: Int? = nil,
                writeGranularity: Int? = nil, readCost: Double, writeCost: Double, latency: Int = 1,
                operands: [String], ports: [Port], servedDims: [String]) {
        self.name = name; self.size = size
        self.readBandwidth = readBandwidth; self.writeBandwidth = writeBandwidth
        self.readGranularity = readGranularity ?? readBandwidth
        self.writeGranularity = writeGranularity ?? writeBandwidth
        self.readCost = readCost; self.writeCost = writeCost; self.latency = latency
        self.operands = operands; self.ports = ports; self.servedDims = servedDims
    }

    func bandwidth(_ direction: Direction) -> Int { direction.isRead ? readBandwidth : writeBandwidth }
    func granularity(_ direction: Direction) -> Int { direction.isRead ? readGranularity : writeGranularity }
    func cost(_ direction: Direction) -> Double { direction.isRead ? readCost : writeCost }
}

/// A core: the MAC array and its memory hierarchy, memories in insertion order (bottom-up per
/// operand).
public struct Core: Sendable, Hashable {
    public var name: String
    /// Array dims and sizes, in order.
    public var arrayDims: [(name: String, size: Int)]
    public var macEnergy: Double
    public var memories: [Memory]

    public init(name: String, arrayDims: [(name: String, size: Int)], macEnergy: Double, memories: [Memory]) {
        self.name = name; self.arrayDims = arrayDims; self.macEnergy = macEnergy; self.memories = memories
    }

    public static func == (a: Core, b: Core) -> Bool {
        a.name == b.name && a.arrayDims.elementsEqual(b.arrayDims, by: { $0 == $1 }) && a.macEnergy == b.macEnergy
            && a.memories == b.memories
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        for d in arrayDims { hasher.combine(d.name); hasher.combine(d.size) }
        hasher.combine(macEnergy)
        hasher.combine(memories)
    }

    public var unitCount: Int { arrayDims.reduce(1) { $0 * $1.size } }

    /// Sets every port duty's level to its operand's position in that operand's chain, which is
    /// fixed by the memories' insertion order.
    mutating func assignDutyLevels() {
        var seen: [String: Int] = [:]
        for m in memories.indices {
            for p in memories[m].ports.indices {
                for d in memories[m].ports[p].duties.indices {
                    memories[m].ports[p].duties[d].level = seen[memories[m].ports[p].duties[d].memoryOperand] ?? 0
                }
            }
            for operand in memories[m].operands { seen[operand, default: 0] += 1 }
        }
    }

    /// How many copies of memory `m` the array has: one per combination of the array dimensions
    /// an instance does not span (its `served_dimensions` are shared by one instance).
    public func instances(of m: Int) -> Int {
        arrayDims.filter { !memories[m].servedDims.contains($0.name) }.reduce(1) { $0 * $1.size }
    }

    public func arraySize(_ dim: String) -> Int? { arrayDims.first { $0.name == dim }?.size }

    /// Indices into `memories` of the levels storing `memoryOperand`, innermost first.
    public func levels(of memoryOperand: String) -> [Int] {
        memories.indices.filter { memories[$0].operands.contains(memoryOperand) }
    }
}

// MARK: Canonical form (task parameters)

/// A core as task parameters hold it, with the hardware file's own field names, so that
/// `status` and `explain` name a changed field as the user wrote it (`memories[dram].r_cost`).
/// The name is left out: renaming an accelerator does not change any result.
///
/// Every layer-search request holds a (truncated) hierarchy and a study has only a few dozen
/// distinct ones, so each is encoded and decoded once per process; the memo makes a core
/// codable with `ValueCoder` only.
extension Core: Codable {
    public init(from decoder: any Decoder) throws {
        let stored = try Value(from: decoder)
        if let known = Self.memo.withLock({ $0.decoded[stored] }) {
            self = known
            return
        }
        self = try ValueCoder.decode(Form.self, from: stored).core
        let core = self
        Self.memo.withLock { $0.decoded[stored] = core }
    }

    public func encode(to encoder: any Encoder) throws {
        let value: Value
        if let known = Self.memo.withLock({ $0.encoded[self] }) {
            value = known
        } else {
            value = try ValueCoder.encode(Form(core: self))
            Self.memo.withLock { $0.encoded[self] = value }
        }
        var single = encoder.singleValueContainer()
        try single.encode(value)
    }

    private struct Memo {
        var encoded: [Core: Value] = [:]
        var decoded: [Value: Core] = [:]
    }

    private static let memo = Mutex(Memo())

    /// The fields themselves.
    private struct Form: Codable {
        let core: Core

        enum CodingKeys: String, CodingKey { case operationalArray = "operational_array", memories }
        enum ArrayKeys: String, CodingKey { case dimensions, sizes, multiplierEnergy = "multiplier_energy" }

        init(core: Core) { self.core = core }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let array = try c.nestedContainer(keyedBy: ArrayKeys.self, forKey: .operationalArray)
            let names = try array.decode([String].self, forKey: .dimensions), sizes = try array.decode([Int].self,
                forKey: .sizes)
            guard names.count == sizes.count else {
                throw DecodingError.dataCorruptedError(forKey: .sizes, in: array,
                                                       debugDescription: "one size per dimension")
            }
            core = Core(name: "", arrayDims: zip(names, sizes).map { ($0, $1) },
                        macEnergy: try array.decode(Double.self, forKey: .multiplierEnergy),
                        memories: try c.decode([Memory].self, forKey: .memories))
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            var array = c.nestedContainer(keyedBy: ArrayKeys.self, forKey: .operationalArray)
            try array.encode(core.arrayDims.map(\.name), forKey: .dimensions)
            try array.encode(core.arrayDims.map(\.size), forKey: .sizes)
            try array.encode(core.macEnergy, forKey: .multiplierEnergy)
            try c.encode(core.memories, forKey: .memories)
        }
    }
}

extension Memory: Codable {
    enum CodingKeys: String, CodingKey {
        case name, size, latency, operands, ports
        case readBandwidth = "r_bw", writeBandwidth = "w_bw"
        case readGranularity = "min_r_granularity", writeGranularity = "min_w_granularity"
        case readCost = "r_cost", writeCost = "w_cost"
        case servedDims = "served_dimensions"
    }
}

extension Port: Codable {}
extension Port.Kind: Codable {}
extension Direction: Codable {}

/// Stored as `["I1", 0, "rd_out_to_low"]`: every memory port lists its duties, and every
/// layer-search request holds the hierarchy.
extension Duty: Codable {
    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        self.init(try c.decode(String.self), try c.decode(Int.self), try c.decode(Direction.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(memoryOperand)
        try c.encode(level)
        try c.encode(direction)
    }
}
