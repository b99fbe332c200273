/// Peak on-chip memory of a trunk for one tile size (model.md §6.3): the live data plus H and V
/// caches (corner not subtracted) maximised over all tiles, the warm-up row and the later rows,
/// and the trunk's weight bits. It needs only pass 1 of the depth-first evaluation.
public struct Footprint: Sendable, Equatable {
    public struct Peak: Sendable, Equatable {
        public var featureBits: Int
        public var weightBits: Int
    }

    public var total: Peak
    public var warmup: Peak
    public var stable: Peak

    public init(total: Peak, warmup: Peak, stable: Peak) {
        self.total = total; self.warmup = warmup; self.stable = stable
    }

    public init(trunk: Network, fullSize: Network, tileX: Int, tileY: Int) {
        let weights = trunk.nodes.reduce(0) { $0 + $1.weightBits }
        guard let out = trunk.outputNode else {
            total = Peak(featureBits: 0, weightBits: weights); warmup = total; stable = total
            return
        }
        let totalX = out.size("OX"), totalY = out.size("OY")
        let tx = min(tileX, totalX), ty = min(tileY, totalY)
        let firstX = totalX % tx == 0 ? tx : totalX % tx
        let firstY = totalY % ty == 0 ? ty : totalY % ty
        let moreColumns = firstX < totalX, moreRows = firstY < totalY
        let planner = StackLayoutPlanner(trunk: trunk, fullSize: fullSize,
                                         hierarchy: HierarchyView(core: Footprint.anyCore),
                                         mode: .fullyCached, inputOperand: "I1", outputOperand: "O", weightOperand: nil)
        func peak(_ firstColumn: Bool, _ firstRow: Bool) -> Int {
            planner.determine(width: firstColumn ? firstX : tx, height: firstRow ? firstY : ty, firstX: firstColumn,
                              firstY: firstRow).peakHV
        }
        let row0 = max(peak(true, true), moreColumns ? peak(false, true) : 0)
        let later = moreRows ? max(peak(true, false), moreColumns ? peak(false, false) : 0) : 0
        total = Peak(featureBits: max(row0, later), weightBits: weights)
        warmup = Peak(featureBits: row0, weightBits: weights)
        stable = moreRows ? Peak(featureBits: later, weightBits: weights) : Peak(featureBits: 0, weightBits: 0)
    }

    /// Footprints do not depend on the hardware: pass 1's level choice is not used, so any core
    /// serves (one memory holding everything).
    static let anyCore = Core(name: "footprint", arrayDims: [("D1", 1)], macEnergy: 0, memories: [
        Memory(name: "any", size: Int.max / 4, readBandwidth: 64, writeBandwidth: 64, readCost: 0, writeCost: 0,
               operands: ["I1", "I2", "O"], ports: [], servedDims: ["D1"]),
    ])
}

extension Footprint: Codable {}

extension Footprint.Peak: Codable {
    enum CodingKeys: String, CodingKey { case featureBits = "feature_bits", weightBits = "weight_bits" }
}
