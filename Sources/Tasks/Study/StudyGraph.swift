import Graph

/// The task graph of a study: per accelerator × workload × caching mode × mapping objective, a
/// stack node and a trunk node for every (range, clipped tile) (ACCO Steps 1–2), and one
/// allocation node on top of them (Step 3). Equal problems are one node: tiles clipped to the same
/// size, and anything the layer-search nodes below share.
public struct StudyGraph: Sendable {
    /// One allocation node and what it answers for.
    public struct Problem: Sendable {
        public var accelerator: Int
        public var workload: Int
        public var mode: CachingMode
        public var objective: Objective
        public var core: Core
        public var budgetBits: Int
    }

    /// Parameter fields whose changes `status` and `explain` name down to the leaf.
    public static let detailedFields: [String: String] = [
        "core": "", "budget": "allocation.budget_bits", "metrics": "allocation.objectives",
        "table": "allocation.table", "tile": "sweep tile", "lpf": "sweep.lpf", "objective": "sweep.objectives",
        "mode": "sweep.modes",
    ]

    public var graph = Graph()
    public var problems: [Problem] = []
    /// The allocation node of each problem, in the same order: the study's targets.
    public var allocationNodes: [NodeID] = []
    /// Each distinct trunk node (its stack node is its one dependency), and the estimated cost of
    /// its stack evaluation (`StudyShards.cost`): what `run --shard` divides.
    public var trunkNodes: [NodeID] = []
    public var trunkCosts: [Double] = []
    /// A name per graph node, stable across runs (for `status` and `explain`): operator, problem,
    /// range and tile.
    public var names: [String] = []
    /// Per node (by index, as `names`), the problem it belongs to: a failed node names the
    /// problem it makes infeasible.
    public var problemOfNode: [Int] = []
    /// Per problem, the name its nodes carry: `hardware/workload/mode/objective`.
    public var problemNames: [String] = []

    /// The problem of a node when it belongs to a hardware variant (whose failure is an answer:
    /// infeasible, and why), else nil.
    public func variantProblem(of node: NodeID, in study: Study) -> Int? {
        guard problemOfNode.indices.contains(node.index) else { return nil }
        let p = problemOfNode[node.index]
        return study.accelerators[problems[p].accelerator].variant == nil ? nil : p
    }

    public init(_ study: Study) throws {
        problems = try Self.problems(study)
        let eligible = study.tiles.filter { study.allocation.table == .window || $0.y == 1 }
        var workloads: [[Int]: LoadedWorkload] = [:]
        var trunkNodes: [TrunkKey: NodeID] = [:]
        for (index, p) in problems.enumerated() {
            let w = try workloads[[p.accelerator, p.workload]] ?? LoadedWorkload(study, accelerator: p.accelerator,
                workload: p.workload)
            workloads[[p.accelerator, p.workload]] = w
            let problem = "\(p.core.name)/\(study.workloads[p.workload].name)/\(p.mode)/\(p.objective.rawValue)"
            problemNames.append(problem)
            var dependencies: [NodeID] = []
            var position: [NodeID: Int] = [:]
            var slots: [[Int]] = []
            for (i, r) in w.ranges.enumerated() {
                var row: [Int] = []
                for tile in study.tiles {
                    guard eligible.contains(where: { $0 == tile }) else { row.append(-1); continue }
                    let (x, y) = w.trunks[i].clippedTile(tile.x, tile.y)
                    let key = TrunkKey(accelerator: p.accelerator, workload: p.workload, range: r, x: x, y: y,
                                       mode: p.mode, objective: p.objective)
                    let node: NodeID
                    if let n = trunkNodes[key] {
                        node = n
                    } else {
                        node = try Self.addTrunk(to: &graph, w.values[i], mode: p.mode, tileX: x, tileY: y,
                                                 lpf: study.lpf, objective: p.objective, networkEnd: w.networkEnds[i])
                        trunkNodes[key] = node
                        self.trunkNodes.append(node)
                        trunkCosts.append(StudyShards.cost(w.shapes[i], tileX: x, tileY: y))
                        names += ["stack \(problem) \(r) \(x)x\(y)", "trunk \(problem) \(r) \(x)x\(y)"]
                        problemOfNode += [index, index]
                    }
                    if position[node] == nil { position[node] = dependencies.count; dependencies.append(node) }
                    row.append(position[node] ?? 0)
                }
                slots.append(row)
            }
            let params = try AllocationTask.params(budgetBits: p.budgetBits, metrics: study.allocation.metrics,
                                                   table: study.allocation.table,
                                               tiles: study.tiles, ranges: w.ranges, cutLists: w.cutLists, slots: slots)
            allocationNodes.append(try graph.add(AllocationTask.operator, params, dependencies: dependencies))
            names.append("allocation \(problem)")
            problemOfNode.append(index)
        }
        disambiguateNames()
    }

    /// What the problems of one accelerator × workload share: the causal trunk of every range
    /// (with its widths and the core as shared values), and the cut lists over those ranges.
    struct LoadedWorkload {
        let ranges: [LayerRange]
        let trunks: [Network]
        let shapes: [StudyShards.Shape]
        let values: [TrunkValues]
        let networkEnds: [Bool]
        let cutLists: [[Int]]

        init(_ study: Study, accelerator a: Int, workload w: Int) throws {
            let workload = study.workloads[w]
            let (network, core) = try ProblemLoader.network(workload.files(on: study.accelerators[a]))
            let causal = CausalTrunks(network: network, frameAmount: study.frames,
                                      initialDilation: study.initialDilation, causal: workload.causal)
            try StudyGraph.check(workload, in: causal.fullSize, study: study.file, index: w)
            ranges = StudyRanges.ranges(causal.fullSize, core: core, userCuts: workload.cuts, maxCuts: workload.maxCuts)
                .filter { causal.admits(after: $0.after, through: $0.through) }
            try StudyGraph.checkNotEmpty(ranges, workload, in: causal.fullSize, study: study, index: w)
            let evaluated = Set(ranges)
            cutLists = StudyRanges.cutLists(causal.fullSize, core: core, userCuts: workload.cuts,
                                            maxCuts: workload.maxCuts)
                .filter { RangeEnumeration.ranges(of: $0).allSatisfy(evaluated.contains) }
            let coreValue = try Shared(core)
            trunks = try ranges.map { try causal.trunk(after: $0.after, through: $0.through) }
            shapes = trunks.map(StudyShards.Shape.init)
            values = try zip(ranges, trunks).map { r, trunk in
                try TrunkValues(trunk: trunk, fullSize: causal.untransformed(after: r.after, through: r.through),
                                core: coreValue)
            }
            let last = causal.fullSize.outputNode?.id
            networkEnds = ranges.map { $0.through == nil || $0.through == last }
        }
    }

    /// The study's problems in graph order without building the graph:
    /// enough to show answers stored by a complete earlier run.
    public static func problems(_ study: Study) throws -> [Problem] {
        var out: [Problem] = []
        for (a, accelerator) in study.accelerators.enumerated() {
            let core = try accelerator.files(workload: "").core()
            let budget = try study.allocation.budgetBits ?? defaultBudget(core, file: accelerator.hardware)
            for w in study.workloads.indices {
                for mode in study.modes {
                    for objective in study.objectives {
                        out.append(Problem(accelerator: a, workload: w, mode: mode, objective: objective, core: core,
                                           budgetBits: budget))
                    }
                }
            }
        }
        return out
    }

    /// Names stay unique even when a study lists two files with the same name. (Within a problem
    /// they are unique by construction, so distinct problem names need no pass over every node.)
    mutating func disambiguateNames() {
        guard Set(problemNames).count < problemNames.count else { return }
        var seen: [String: Int] = [:]
        for i in names.indices {
            seen[names[i], default: 0] += 1
            if let n = seen[names[i]], n > 1 { names[i] += " #\(n)" }
        }
    }

    /// A stack node (Step 1, depth-first evaluation of the causal trunk) and the trunk node reading
    /// it (Step 2); returns the trunk node. Registers the layer-search operator the stack node asks for.
    public static func addTrunk(to graph: inout Graph, trunk: Network, widths: Network, core: Core, mode: CachingMode,
                                tileX: Int,
                                tileY: Int, lpf: Int, objective: Objective, networkEnd: Bool) throws -> NodeID {
        try addTrunk(to: &graph, try TrunkValues(trunk: trunk, fullSize: widths, core: core), mode: mode, tileX: tileX,
                     tileY: tileY, lpf: lpf, objective: objective, networkEnd: networkEnd)
    }

    static func addTrunk(to graph: inout Graph, _ values: TrunkValues, mode: CachingMode, tileX: Int, tileY: Int,
                         lpf: Int, objective: Objective, networkEnd: Bool) throws -> NodeID {
        try graph.register(LayerSearchTask.operator)
        let stack = try graph.add(StackTask.operator, StackTask.params(values, mode: mode, tileX: tileX, tileY: tileY,
            lpfLimit: lpf,
                                                                      objective: objective))
        return try graph.add(TrunkTask.operator, TrunkTask.params(values, tileX: tileX, tileY: tileY,
                                                                  networkEnd: networkEnd),
                             dependencies: [stack])
    }

    /// decisions.md D4: the capacity of the largest on-chip memory that serves both I1 and O (on chip:
    /// not the top level of any operand).
    public static func defaultBudget(_ core: Core, file: String) throws(InputError) -> Int {
        let tops = Set(Set(core.memories.flatMap(\.operands)).compactMap { core.levels(of: $0).last })
        let candidates = core.memories.indices.filter { !tops.contains($0) && core.memories[$0].operands.contains("I1")
            && core.memories[$0].operands.contains("O") }
        guard let best = candidates.max(by: { core.memories[$0].size < core.memories[$1].size }) else {
            throw InputError(file: file, line: nil, path: "$.memories",
                             problem: "no on-chip memory holds both I1 and O, so there is no default on-chip budget",
                             fix: "set \"budget_bits\" in the study's \"allocation\"")
        }
        return core.memories[best].size
    }

    /// User cuts must name layers of the workload.
    static func check(_ workload: Study.Workload, in network: Network, study: String, index: Int) throws(InputError) {
        let ids = network.nodes.filter { !$0.isInput }.map(\.id)
        for cut in workload.cuts where !ids.contains(cut) {
            throw InputError(file: study, line: nil, path: "$.workloads[\(index)].cuts",
                             problem: "\(workload.path) has no layer \(cut)",
                             fix: "its layer ids are \(ids.map(String.init).joined(separator: ", "))")
        }
    }

    /// A workload with no range to evaluate would give no schedule at all: say why instead.
    static func checkNotEmpty(_ ranges: [LayerRange], _ workload: Study.Workload, in network: Network, study: Study,
                              index: Int) throws(InputError) {
        guard ranges.isEmpty else { return }
        let layers = network.nodes.filter { !$0.isInput }
        if layers.isEmpty {
            throw InputError(file: workload.path, line: nil, path: "$",
                             problem: "the workload has input nodes only, no layer",
                             fix: "list the layers after the input node")
        }
        if let dilation = study.initialDilation {
            throw InputError(file: study.file, line: nil, path: "$.sweep.initial_dilation",
                             problem: "no fusion range of \(workload.path) starts at a layer with time "
                                 + "dilation \(dilation) or more, "
                                 + "so there is nothing to evaluate",
                             fix: "lower initial_dilation (1 starts every range at the frame rate) or remove it")
        }
        throw InputError(file: study.file, line: nil, path: "$.workloads[\(index)]",
                         problem: "\(workload.path) yields no fusion range to evaluate (cuts \(workload.cuts), "
                             + "max_cuts \(workload.maxCuts))",
                         fix: "allow more cuts (max_cuts) or remove cuts that leave no range")
    }

    struct TrunkKey: Hashable {
        var accelerator: Int, workload: Int
        var range: LayerRange
        var x: Int, y: Int
        var mode: CachingMode
        var objective: Objective
    }
}
