/// The cost of one result key of one tile: a layer's CME or a data-copy layer.
public struct KeyCost: Sendable, Equatable {
    public var energy: Double
    public var latency0: Int
    public var latency1: Int
    public var latency2: Int
    public var isCopy: Bool
    /// Energy per "operand@level.direction" (memory operands for copies, layer operands for layers).
    public var breakdown: [String: Double]
    /// Layers: off-loading cycles and the cycles of each off-loading pair (ACCO's offload readings).
    public var offload: Int = 0
    public var offloadPairs: [Int] = []
    /// Copies: the first hop's cycles of each action (-1 for an action that moves nothing).
    public var firstHops: [Int] = []
    /// Words moved across the top of the hierarchy, counted where they move (not recovered from
    /// an energy): for a layer, the words its output writes into the outermost output memory;
    /// for a copy, the words read out of the outermost I1 memory toward the chip. ACCO's
    /// off-loaded and reloaded bytes are these words times the port width (model.md §6.5).
    public var topWords: Double = 0

    static func copy(_ c: CopyResult) -> KeyCost {
        KeyCost(energy: c.energy, latency0: c.latency, latency1: c.latency, latency2: c.latency, isCopy: true,
                breakdown: c.breakdown, firstHops: c.firstHops, topWords: c.topReadWords)
    }

    static func layer(_ e: LayerEvaluation) -> KeyCost {
        var breakdown: [String: Double] = [:]
        var outputTop: LayerEvaluation.LevelCost?
        for l in e.levels {
            for (d, energy) in l.energyByDirection { breakdown[BreakdownKey.at(l.operand, level: l.level, d)] = energy }
            if l.operand == "O", l.level >= (outputTop?.level ?? 0) { outputTop = l }
        }
        return KeyCost(energy: e.energyTotal, latency0: e.latencyTotal0, latency1: e.latencyTotal1,
                       latency2: e.latencyTotal2,
                       isCopy: false, breakdown: breakdown, offload: e.offload, offloadPairs: e.offloadPairs,
                       topWords: outputTop?.accesses[.wrInByLow] ?? 0)
    }
}

/// Why a trunk cannot be evaluated.
public struct StackError: Error, CustomStringConvertible {
    public let description: String
}

/// Where one node's inputs (its I top) and output (its O top) live for a tile.
public struct NodePlacement: Sendable, Equatable {
    public var node: Int
    public var input: String
    public var output: String
}

/// Where a tile type keeps its data.
public struct TilePlacement: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var count: Int
    public var hCache: String?
    public var vCache: String?
    public var weights: String
    public var nodes: [NodePlacement]
}

/// Where a tile's caches come from and go to (pass-2 inputs, model.md §5.5).
struct TileContext {
    var tile: Tile
    var layout: TileLayout
    var useH: Int?
    var useV: Int?
    var weightsFromTop: Bool
    /// `vCacheReadTestStale`: the V level pass 1 computed for the trunk's last tile.
    var staleV: Int?
    var trunkWeightLevel: Int
}

/// Pass 2: one tile through the trunk (model.md §5.6).
struct TileEvaluator {
    let trunk: Network
    let hierarchy: HierarchyView
    let copier: DataCopier
    let inputOperand: String
    let outputOperand: String
    let weightOperand: String?
    /// The single-layer search on a (truncated) core.
    let search: (Layer, Core) throws -> LayerEvaluation

    /// The per-key costs of the tile, and where each node's inputs and output lived.
    func evaluate(_ t: TileContext) throws -> (costs: [(key: String, cost: KeyCost)], placement: [NodePlacement]) {
        let bp = BackPropagation(trunk, tileX: t.tile.width, tileY: t.tile.height, useH: t.useH != nil,
                                 makeH: t.layout.makeH != nil, useV: t.useV != nil, makeV: t.layout.makeV != nil)
        let net = bp.network
        let core = hierarchy.core
        let outputID = net.outputNode?.id
        var pending: [CopyAction] = []
        var producedAt: [Int: (memory: Int, bits: Int)] = [:]
        var results: [(String, KeyCost)] = []
        var placement: [NodePlacement] = []
        func position(_ operand: String, _ memory: Int) throws -> MemoryPosition {
            guard let l = hierarchy.position(memory, in: operand) else {
                throw StackError(description: "\(core.memories[memory].name) does not store \(operand)")
            }
            return MemoryPosition(operand: operand, level: l)
        }
        for node in net.nodes {
            guard let layer = node.layer else {
                // Input node: its tile comes from the top of the input chain (DRAM).
                guard let top = hierarchy.firstLevel(inputOperand, where: { m in
                    hierarchy.unrollCount(m) == 1 && core.memories[m].size >= node.outputBits
                }), let dram = core.levels(of: inputOperand).last else {
                    throw tooSmall("the trunk's input tile", bits: node.outputBits, operand: inputOperand, tile: t.tile)
                }
                pending.append(CopyAction(bits: node.outputBits, from: try position(inputOperand, dram),
                                          to: try position(inputOperand, top.memory)))
                producedAt[node.id] = (top.memory, node.outputBits)
                placement.append(NodePlacement(node: node.id, input: core.memories[dram].name,
                                               output: core.memories[top.memory].name))
                results.append((ResultKey.inputCopies(node.id), .copy(try copier.cost(pending))))
                pending = []
                continue
            }
            let isOutput = node.id == outputID
            let inOperand = node.sources.first.flatMap { layer.memoryOperandLinks[$0.operand] } ?? inputOperand
            var extraI = 0, extraO = 0
            let queued = pending
            while true {
                pending = queued
                let fitsInputs = { (m: Int) in
                    hierarchy.unrollCount(m) == 1 && core.memories[m].size >= node.inputBits
                }
                guard let base = hierarchy.firstLevel(inOperand, where: fitsInputs),
                      let iTop = extraI == 0 ? base : hierarchy.firstLevel(inOperand, extra: extraI,
                          where: fitsInputs) else {
                    throw tooSmall("the inputs of layer \(node.id)", bits: node.inputBits, operand: inOperand,
                                   tile: t.tile)
                }
                let baseITop = base.memory
                let oChain = core.levels(of: outputOperand)
                let oTop: Int
                if isOutput {
                    oTop = oChain.last ?? iTop.memory
                } else {
                    // The output walk reserves room for the inputs where the *first* I walk ended,
                    // before any retry moved the inputs up (`outputWalkUsesUnretriedInputTop`).
                    guard let o = hierarchy.firstLevel(outputOperand, extra: extraO, where: { m in
                        hierarchy.unrollCount(m) == 1
                            && core.memories[m].size >= node.outputBits + (m == baseITop ? node.inputBits : 0)
                    }) else { throw tooSmall("the output of layer \(node.id)", bits: node.outputBits,
                                             operand: outputOperand, tile: t.tile) }
                    oTop = o.memory
                }
                // model.md §5.6 copies before the layer.
                for (operand, producer) in node.sources {
                    guard let stored = producedAt[producer], let p = net.node(producer) else { continue }
                    let link = layer.memoryOperandLinks[operand] ?? inOperand
                    let needsCopy = p.isInput ? !iTop.walked.contains(stored.memory) : stored.memory != iTop.memory
                    if needsCopy {
                        let from = try position(p.isInput ? inputOperand : outputOperand, stored.memory)
                        pending.append(CopyAction(bits: stored.bits, from: from, to: try position(link, iTop.memory)))
                    }
                }
                if let useH = t.useH, useH != iTop.memory {
                    for (operand, _) in node.sources {
                        guard let cols = t.layout.hRead[.init(node: node.id, operand: operand)] else { continue }
                        let bits = Self.elements(layer, operand, [cols.dim: cols.amount]) * layer.outputFinalPrecision
                        let link = layer.memoryOperandLinks[operand] ?? inOperand
                        if bits > 0 {
                            pending.append(CopyAction(bits: bits, from: try position(link, useH),
                                                      to: try position(link, iTop.memory)))
                        }
                    }
                }
                if let useV = t.useV, t.staleV != iTop.memory {
                    for (operand, _) in node.sources {
                        guard let read = t.layout.vRead[.init(node: node.id, operand: operand)] else { continue }
                        var cols = BackPropagation.tensorDims(layer, operand)[read.hDim] ?? 1
                        if t.useH != nil { cols -= t.layout.hRead[.init(node: node.id, operand: operand)]?.amount ?? 0 }
                        let extents = [read.hDim: cols, read.rows.dim: read.rows.amount]
                        let bits = Self.elements(layer, operand, extents) * layer.outputFinalPrecision
                        let link = layer.memoryOperandLinks[operand] ?? inOperand
                        if bits > 0 {
                            pending.append(CopyAction(bits: bits, from: try position(link, useV),
                                                      to: try position(link, iTop.memory)))
                        }
                    }
                }
                let copyCost = try copier.cost(pending)
                // model.md §5.6 the hierarchy the layer sees, model.md §5.6 its cost.
                let (searched, truncated) = truncate(layer: layer, iTop: iTop.memory, oTop: isOutput ? nil : oTop, t: t)
                do {
                    let evaluation = try search(searched, truncated)
                    producedAt[node.id] = (oTop, node.outputBits)
                    placement.append(NodePlacement(node: node.id, input: core.memories[iTop.memory].name,
                                                   output: core.memories[oTop].name))
                    results.append((ResultKey.copiesBefore(node.id), .copy(copyCost)))
                    results.append((ResultKey.layer(node.id), .layer(evaluation)))
                    pending = isOutput ? [] : try cacheWrites(node, layer, oTop: oTop, t: t)
                    break
                } catch LayerSearchError.hierarchyTooSmall {
                    if extraO == extraI { extraO += 1 } else if extraO > extraI { extraI += 1; extraO -= 1 } else {
                        extraO += 1
                    }
                    if extraI > core.memories.count + 1 {
                        throw StackError(description: "layer \(node.id) fits no mapping at tile "
                                         + "\(t.tile.width)×\(t.tile.height), "
                                         + "whichever memories hold its data; give its memories more room "
                                         + "(memories.<name>.size in the hardware file) or use a smaller tile")
                    }
                }
            }
        }
        return (results, placement)
    }

    /// No memory of `operand`'s chain (not unrolled) holds `bits`: names the largest such memory
    /// and the field to raise, or the smaller tile. (The core's name is not part of its
    /// canonical form, so the command adds which hardware file it is.)
    func tooSmall(_ what: String, bits: Int, operand: String, tile: Tile) -> StackError {
        let core = hierarchy.core
        let candidates = core.levels(of: operand).filter { hierarchy.unrollCount($0) == 1 }
        // The largest; among equals the highest level.
        guard let size = candidates.map({ core.memories[$0].size }).max(),
              let largest = candidates.last(where: { core.memories[$0].size == size }) else {
            return StackError(description: "the hardware has no \(operand) memory that is not unrolled, so "
                              + "nothing can hold \(what); "
                              + "give a memory on the \(operand) chain an empty served_dimensions list")
        }
        let m = core.memories[largest]
        return StackError(description: "no memory holds \(what) at tile \(tile.width)×\(tile.height): \(bits) bits, "
                          + "and the largest on the \(operand) chain, \(m.name), has \(m.size); raise "
                          + "memories.\(m.name).size in the "
                          + "hardware file to at least \(bits), or use a smaller tile")
    }

    /// Π of an operand's r-dim sizes × Π pr extents, with some tensor dims overridden.
    static func elements(_ layer: Layer, _ operand: String, _ overrides: [String: Int]) -> Int {
        var dims = BackPropagation.tensorDims(layer, operand)
        for (d, v) in overrides { dims[d] = v }
        return dims.values.reduce(1, *)
    }

    /// model.md §5.6: V then H cache writes after a layer, charged before the next node.
    func cacheWrites(_ node: Network.Node, _ layer: Layer, oTop: Int, t: TileContext) throws -> [CopyAction] {
        var out: [CopyAction] = []
        let from = MemoryPosition(operand: outputOperand, level: hierarchy.position(oTop, in: outputOperand) ?? 0)
        var writtenRows: (String, Int)?
        if let makeV = t.layout.makeV, makeV != oTop,
            let rows = t.layout.vWrite.first(where: { $0.producer == node.id }) {
            let bits = Self.elements(layer, layer.output, [rows.dim: rows.amount]) * layer.outputFinalPrecision
            writtenRows = (rows.dim, rows.amount)
            if bits > 0, let l = hierarchy.position(makeV, in: outputOperand) {
                out.append(CopyAction(bits: bits, from: from, to: .init(operand: outputOperand, level: l)))
            }
        }
        if let makeH = t.layout.makeH, makeH != oTop,
            let cols = t.layout.hWrite.first(where: { $0.producer == node.id }) {
            var overrides = [cols.dim: cols.amount]
            if let (dim, rows) = writtenRows { overrides[dim] = layer.size(of: dim) - rows }
            let bits = Self.elements(layer, layer.output, overrides) * layer.outputFinalPrecision
            if bits > 0, let l = hierarchy.position(makeH, in: outputOperand) {
                out.append(CopyAction(bits: bits, from: from, to: .init(operand: outputOperand, level: l)))
            }
        }
        return out
    }

    /// model.md §5.6: the core without the input levels above the I top, the output levels above the
    /// O top (unless the trunk's output layer) and, after the first tile, the weight levels above
    /// the trunk's weight level. An element-wise layer with both inputs on `I1` is searched with
    /// its second input on an `I2` aliased onto every `I1` level (the weight chain removed).
    func truncate(layer: Layer, iTop: Int, oTop: Int?, t: TileContext) -> (Layer, Core) {
        var keep: [String: Int] = [:]  // memory operand → highest core memory index kept
        for (operand, _) in trunk.node(layer.id)?.sources ?? [] {
            if let link = layer.memoryOperandLinks[operand] { keep[link] = iTop }
        }
        if let oTop { keep[outputOperand] = oTop }
        let constant = trunk.node(layer.id)?.constantOperands ?? layer.inputs
        if !t.weightsFromTop, let w = constant.first.flatMap({ layer.memoryOperandLinks[$0] }) {
            keep[w] = t.trunkWeightLevel
        }
        var core = hierarchy.core
        for (operand, top) in keep {
            let chain = core.levels(of: operand)
            guard let cut = chain.firstIndex(of: top) else { continue }
            for m in chain.dropFirst(cut + 1) {
                core.memories[m].operands.removeAll { $0 == operand }
                for p in core.memories[m].ports.indices {
                    core.memories[m].ports[p].duties.removeAll { $0.memoryOperand == operand }
                }
            }
        }
        var searched = layer
        let activations = (trunk.node(layer.id)?.sources ?? []).map(\.operand)
        if activations.count == 2, Set(activations.compactMap { layer.memoryOperandLinks[$0] }) == ["I1"] {
            for m in core.memories.indices {
                core.memories[m].operands.removeAll { $0 == "I2" }
                for p in core.memories[m].ports.indices {
                    core.memories[m].ports[p].duties.removeAll { $0.memoryOperand == "I2" }
                }
                guard core.memories[m].operands.contains("I1") else { continue }
                core.memories[m].operands.append("I2")
                for p in core.memories[m].ports.indices {
                    let inputDuties = core.memories[m].ports[p].duties.filter { $0.memoryOperand == "I1" }
                    core.memories[m].ports[p].duties += inputDuties
                        .map { Duty("I2", $0.level, $0.direction) }
                }
            }
            searched.memoryOperandLinks[activations[1]] = "I2"
        }
        core.memories.removeAll { $0.operands.isEmpty }
        for m in core.memories.indices { core.memories[m].ports.removeAll { $0.duties.isEmpty } }
        return (searched, core)
    }
}

// MARK: Canonical form (part of the stack artifact)

extension TilePlacement: Codable {
    enum CodingKeys: String, CodingKey { case width, height, count, hCache = "h_cache", vCache = "v_cache", weights,
    nodes }
}

extension NodePlacement: Codable {}
