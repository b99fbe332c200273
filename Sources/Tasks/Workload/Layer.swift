import Graph
import Foundation

/// A relation `P = S·A + D·B` between a partially relevant data dimension (`IX`, `IY`) and its
/// two partner loop dimensions (model.md §2.2).
public struct Relation: Sendable, Hashable {
    public let pr: String
    public let a: String
    public let aScale: Int
    public let b: String
    public let bScale: Int

    public init(pr: String, a: String, aScale: Int, b: String, bScale: Int) {
        self.pr = pr; self.a = a; self.aScale = aScale; self.b = b; self.bScale = bScale
    }

    /// Parses `ix=1*ox+1*fx`: three identifiers, explicit integer coefficients, no constants.
    public init?(parsing text: String) {
        let compact = text.filter { !$0.isWhitespace }
        let sides = compact.split(separator: "=", omittingEmptySubsequences: false)
        guard sides.count == 2, !sides[0].isEmpty else { return nil }
        let terms = sides[1].split(separator: "+", omittingEmptySubsequences: false)
        guard terms.count == 2 else { return nil }
        var parsed: [(Int, String)] = []
        for term in terms {
            let parts = term.split(separator: "*", omittingEmptySubsequences: false)
            guard parts.count == 2, let k = Int(parts[0]), k > 0, Relation.isIdentifier(parts[1]) else { return nil }
            parsed.append((k, parts[1].uppercased()))
        }
        guard Relation.isIdentifier(sides[0]) else { return nil }
        self.init(pr: sides[0].uppercased(), a: parsed[0].1, aScale: parsed[0].0, b: parsed[1].1, bScale: parsed[1].0)
    }

    static func isIdentifier(_ s: Substring) -> Bool {
        guard let first = s.first, first.isLetter else { return false }
        return s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    public var text: String { "\(pr.lowercased())=\(aScale)*\(a.lowercased())+\(bScale)*\(b.lowercased())" }
}

/// An operand's relation to the loop dimensions (model.md §2.2): relevant, irrelevant,
/// and partially relevant through relations.
public struct Relevance: Sendable, Hashable {
    public let r: [String]
    public let ir: [String]
    public let pr: [Relation]

    /// Reformed lists (model.md §2.2 step 4): every pr dim P adds `P_r` to r and `P_ir` to ir.
    public var reformedR: Set<String> { Set(r + pr.map { $0.pr + "_r" }) }
    public var reformedIR: Set<String> { Set(ir + pr.map { $0.pr + "_ir" }) }
}

/// One operand of a layer as written in the equation.
public struct Operand: Sendable, Hashable {
    public let name: String
    public let indices: [String]
}

/// Why a layer description cannot be used.
public struct LayerError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// A layer of the workload, with what the cost model derives from it at construction
/// (operand list and relevance frozen from the file's loop sizes: `relevanceFrozenFromFileSizes`).
public struct Layer: Sendable, Hashable {
    public var id: Int
    public var name: String
    public var equation: String
    public var relations: [Relation]
    /// In file order (the order matters for LOMA's tie-breaks).
    public var loopSizes: [LoopSize]
    /// Bits per element per layer operand, plus `O_final` for the stored output.
    public var precision: [String: Int]
    public var operandSource: [String: [Int]]
    public var constantOperands: [String]
    /// The user spatial mapping: array dim → (loop dim, unroll), in file order.
    public var spatialMapping: [SpatialUnroll]
    /// Layer operand → memory operand (`I → I1`, `W → I2`, `O → O`).
    public var memoryOperandLinks: [String: String]

    /// Output first, then the inputs in equation order.
    public let operands: [Operand]
    public let relevance: [String: Relevance]
    /// The loop sizes the relevance was derived from (the workload file's), kept so that a copy
    /// rebuilt elsewhere (a task parameter) freezes the same lists.
    public let relevanceSizes: [LoopSize]

    public struct LoopSize: Sendable, Hashable {
        public var dim: String
        public var size: Int
        public init(_ dim: String, _ size: Int) { self.dim = dim; self.size = size }
    }

    public struct SpatialUnroll: Sendable, Hashable {
        public var arrayDim: String
        public var loopDim: String
        public var unroll: Int
        public init(_ arrayDim: String, _ loopDim: String, _ unroll: Int) {
            self.arrayDim = arrayDim; self.loopDim = loopDim; self.unroll = unroll
        }
    }

    public init(id: Int, name: String = "", equation: String, relations: [String], loopSizes: [LoopSize],
                precision: [String: Int], operandSource: [String: [Int]] = [:], constantOperands: [String] = [],
                spatialMapping: [SpatialUnroll] = [], memoryOperandLinks: [String: String],
                relevanceSizes: [LoopSize]? = nil) throws(LayerError) {
        self.id = id
        self.name = name
        self.equation = equation
        var parsedRelations: [Relation] = []
        for text in relations {
            guard let relation = Relation(parsing: text) else {
                throw LayerError(message: "relation \"\(text)\" is not of the form p=S*a+D*b (e.g. ix=1*ox+1*fx)")
            }
            parsedRelations.append(relation)
        }
        self.relations = parsedRelations
        self.loopSizes = loopSizes
        self.precision = precision
        self.operandSource = operandSource
        self.constantOperands = constantOperands
        self.spatialMapping = spatialMapping
        self.memoryOperandLinks = memoryOperandLinks
        self.operands = try Layer.parseEquation(equation)
        self.relevanceSizes = relevanceSizes ?? loopSizes
        self.relevance = Layer.relevance(operands: operands, relations: parsedRelations, loopSizes: self.relevanceSizes)
    }

    /// Splits `O[b][k]+=W[k][c]*I[b][c]` into operands (model.md §2.2 step 1).
    static func parseEquation(_ equation: String) throws(LayerError) -> [Operand] {
        let text = equation.filter { !$0.isWhitespace }.replacingOccurrences(of: "+=", with: "=")
        var operands: [Operand] = []
        for token in text.split(whereSeparator: { $0 == "=" || $0 == "*" || $0 == "+" }) {
            guard let open = token.firstIndex(of: "["), token.last == "]" else {
                throw LayerError(message: "equation \"\(equation)\": operand \"\(token)\" needs indices like O[b][k]")
            }
            let name = String(token[..<open])
            let indices = token[open...].dropFirst().dropLast().components(separatedBy: "][").map { $0.uppercased() }
            guard !name.isEmpty, indices.allSatisfy({ !$0.isEmpty }) else {
                throw LayerError(message: "equation \"\(equation)\": cannot read operand \"\(token)\"")
            }
            operands.append(Operand(name: name, indices: indices))
        }
        guard operands.count >= 2 else {
            throw LayerError(message: "equation \"\(equation)\" needs an output and at least one input")
        }
        return operands
    }

    /// Relevance per operand from the sizes at construction (model.md §2.2 step 3).
    static func relevance(operands: [Operand], relations: [Relation], loopSizes: [LoopSize]) -> [String: Relevance] {
        var size: [String: Int] = [:]
        for l in loopSizes { size[l.dim] = l.size }
        let prKeys = Set(relations.map(\.pr))
        let prLoops = prKeys.union(relations.flatMap { [$0.a, $0.b] })
        var result: [String: Relevance] = [:]
        for operand in operands {
            let notOne = { (dim: String) in (size[dim] ?? 1) != 1 }
            if operand.indices.contains(where: prKeys.contains) {
                let r = operand.indices.filter { !prLoops.contains($0) && notOne($0) }
                let ir = loopSizes.map(\.dim).filter {
                    !operand.indices.contains($0) && !prLoops.contains($0) && notOne($0)
                }
                result[operand.name] = Relevance(r: r, ir: ir, pr: relations)
            } else {
                let r = operand.indices.filter(notOne)
                let ir = loopSizes.map(\.dim).filter { !operand.indices.contains($0) && notOne($0) }
                result[operand.name] = Relevance(r: r, ir: ir, pr: [])
            }
        }
        return result
    }

    public var output: String { operands[0].name }
    public var inputs: [String] { operands.dropFirst().map(\.name) }

    public func size(of dim: String) -> Int { loopSizes.first { $0.dim == dim }?.size ?? 1 }

    /// Π of all loop sizes, size-1 dims included.
    public var macCount: Int { loopSizes.reduce(1) { $0 * $1.size } }

    /// Precision of the stored output.
    public var outputFinalPrecision: Int { precision["O_final"] ?? precision[output] ?? 0 }

    /// Π r-dim sizes × Π pr extents (model.md §2.3), at the current loop sizes.
    /// The loop sizes are searched in place (a layer has a handful): a depth-first evaluation asks
    /// for tensor sizes millions of times, and a dictionary per call was a twentieth of a cold run.
    public func sizeElements(_ operand: String) -> Int {
        tensorSize(operand) { dim in
            // The last entry for a dimension counts, as it would in a dictionary built in order.
            loopSizes.last { $0.dim == dim }.map { Double($0.size) }
        }
    }

    /// `tensorSize` of model.md §2.3 for per-dim loop sizes (missing dims count 1).
    func tensorSize(_ operand: String, _ sizes: [String: Double]) -> Int {
        tensorSize(operand) { sizes[$0] }
    }

    func tensorSize(_ operand: String, size: (String) -> Double?) -> Int {
        guard let rel = relevance[operand] else { return 0 }
        var product = 1
        for dim in rel.r { product *= Numerics.ceilInt(size(dim) ?? 1) }
        for relation in rel.pr {
            let a = (size(relation.a) ?? 1).rounded(.up), b = (size(relation.b) ?? 1).rounded(.up)
            product *= Numerics.prSize(relation.aScale, a, relation.bScale, b)
        }
        return product
    }
}

// MARK: Canonical form (task parameters)

/// A layer as task parameters hold it: only what changes a result (not its id or name, so equal
/// sub-problems of different layers share one cache entry), with the workload file's names.
extension Layer: Codable {
    enum CodingKeys: String, CodingKey {
        case equation, relations = "dimension_relations", loopSizes = "loop_sizes", precision = "operand_precision"
        case spatialMapping = "spatial_mapping", memoryOperandLinks = "memory_operand_links"
        /// `relevanceFrozenFromFileSizes`: the relevance lists follow the file's sizes.
        case relevanceSizes = "relevance_sizes"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(id: 0, equation: c.decode(String.self, forKey: .equation),
                      relations: c.decode([String].self, forKey: .relations),
                      loopSizes: c.decode([LoopSize].self, forKey: .loopSizes),
                      precision: c.decode([String: Int].self, forKey: .precision),
                      spatialMapping: c.decode([SpatialUnroll].self, forKey: .spatialMapping),
                      memoryOperandLinks: c.decode([String: String].self, forKey: .memoryOperandLinks),
                      relevanceSizes: c.decode([LoopSize].self, forKey: .relevanceSizes))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(equation, forKey: .equation)
        try c.encode(relations.map(\.text), forKey: .relations)
        try c.encode(loopSizes, forKey: .loopSizes)
        try c.encode(precision, forKey: .precision)
        try c.encode(spatialMapping, forKey: .spatialMapping)
        try c.encode(memoryOperandLinks, forKey: .memoryOperandLinks)
        try c.encode(relevanceSizes, forKey: .relevanceSizes)
    }
}

extension Layer {
    /// `ValueCoder.encode(self)`, built by hand (part of `Network.value`).
    var value: Value {
        .object([
            "equation": .string(equation), "dimension_relations": .array(relations.map { .string($0.text) }),
            "loop_sizes": .array(loopSizes.map(\.value)),
            "operand_precision": .object(precision.mapValues { .int(Int64($0)) }),
            "spatial_mapping": .array(spatialMapping.map {
                .array([.string($0.arrayDim), .string($0.loopDim), .int(Int64($0.unroll))])
            }),
            "memory_operand_links": .object(memoryOperandLinks.mapValues(Value.string)),
            "relevance_sizes": .array(relevanceSizes.map(\.value)),
        ])
    }
}

extension Layer.LoopSize {
    /// `["OX", 56]`, as `PairCoding` stores it.
    var value: Value { .array([.string(dim), .int(Int64(size))]) }
}

extension Layer.LoopSize: PairCoding {
    var pairName: String { dim }
    var pairNumber: Int { size }
}

/// Stored as `["D1", "K", 32]`, as the mapping file writes `"D1": "K, 32"`.
extension Layer.SpatialUnroll: Codable {
    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        self.init(try c.decode(String.self), try c.decode(String.self), try c.decode(Int.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(arrayDim)
        try c.encode(loopDim)
        try c.encode(unroll)
    }
}
