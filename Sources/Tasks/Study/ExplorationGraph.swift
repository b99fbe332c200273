import Graph

/// The graphs of the single-workload commands (`stack`, `trunk` and their benchmarks): the same
/// nodes a study adds, for one accelerator and one workload, so that a command and a study that
/// ask the same question share their cached answers.
public enum ExplorationGraph {
    /// One schedule of the `stack` command: a caching mode and a tile size.
    public struct Schedule: Sendable {
        public var mode: CachingMode
        public var tileX: Int
        public var tileY: Int

        public init(_ mode: CachingMode, _ tileX: Int, _ tileY: Int) {
            self.mode = mode; self.tileX = tileX; self.tileY = tileY
        }
    }

    /// Step 1 only: one stack node per trunk and schedule, schedule by schedule. Each trunk and
    /// the core are encoded once and shared by every node, as in a study.
    public static func stacks(_ trunks: [Network], core: Core, schedules: [Schedule], lpf: Int,
                              objective: Objective) throws -> (graph: Graph, targets: [NodeID]) {
        var graph = Graph()
        try graph.register(LayerSearchTask.operator)
        let shared = try Shared(core)
        let values = try trunks.map { try TrunkValues(trunk: $0, fullSize: nil, core: shared) }
        var targets: [NodeID] = []
        for s in schedules {
            for v in values {
                let params = try StackTask.params(v, mode: s.mode, tileX: s.tileX, tileY: s.tileY, lpfLimit: lpf,
                                                  objective: objective)
                targets.append(try graph.add(StackTask.operator, params))
            }
        }
        return (graph, targets)
    }

    /// Steps 1 and 2: per range of the causal network a stack node and the trunk node reading it,
    /// with the tile clipped to the trunk's output (decisions.md D5) so equal problems are one
    /// node. The targets are the trunk nodes, in the order of `ranges`.
    public static func trunks(_ causal: CausalTrunks, core: Core, ranges: [LayerRange], tileX: Int, tileY: Int,
                              mode: CachingMode, objective: Objective, lpf: Int) throws
        -> (graph: Graph, targets: [NodeID]) {
        var graph = Graph()
        var targets: [NodeID] = []
        let last = causal.fullSize.outputNode?.id
        let shared = try Shared(core)
        for r in ranges {
            let trunk = try causal.trunk(after: r.after, through: r.through)
            let (x, y) = trunk.clippedTile(tileX, tileY)
            let widths = try causal.untransformed(after: r.after, through: r.through)
            let values = try TrunkValues(trunk: trunk, fullSize: widths, core: shared)
            targets.append(try StudyGraph.addTrunk(to: &graph, values, mode: mode, tileX: x, tileY: y, lpf: lpf,
                                                   objective: objective,
                                                   networkEnd: r.through == nil || r.through == last))
        }
        return (graph, targets)
    }
}
