/// Loads the three files of a single-layer problem and binds the requested layer.
public enum ProblemLoader {
    public static func layer(_ files: ProblemFiles, id: Int) throws(InputError) -> (Layer, Core) {
        let core = try files.core()
        let nodes = try WorkloadFormat.load(files.workload, options: files.workloadOptions)
        let mapping = try files.mappingEntries()
        guard let node = nodes.first(where: { $0.id == id && !$0.isInput }) else {
            let ids = nodes.filter { !$0.isInput }.map { String($0.id) }.joined(separator: ", ")
            throw InputError(file: files.workload, line: nil, path: "$", problem: "no layer with id \(id)",
                             fix: "choose one of \(ids) with --layer")
        }
        return (try LayerBinding.layer(node, mapping: mapping, core: core, files: files), core)
    }
}

extension ProblemLoader {
    /// The whole network of a workload, at full size (model.md §5.2: the last layer's
    /// extents decide every other one).
    public static func network(_ files: ProblemFiles) throws(InputError) -> (Network, Core) {
        let core = try files.core()
        let nodes = try WorkloadFormat.load(files.workload, options: files.workloadOptions)
        let mapping = try files.mappingEntries()
        let network = try Network.build(nodes: nodes, mapping: mapping, core: core, files: files)
        try DepthFirstReadiness.check(network, nodes: nodes, mapping: mapping, files: files)
        return (network.fullSize(), core)
    }
}

extension Network {
    /// Every extent back-propagated from the output node's; the files' intermediate sizes are
    /// placeholders.
    public func fullSize() -> Network {
        BackPropagation(self, tileX: nil, tileY: nil, useH: false, makeH: false, useV: false, makeV: false).network
    }
}
