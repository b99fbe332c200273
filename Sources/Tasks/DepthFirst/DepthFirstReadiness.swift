/// What fusing layers needs of a mapping beyond what one layer needs (docs/formats.md,
/// "Depth-first-ready hierarchies"). Fused layers hand their activations over inside the
/// hierarchy: a layer writes its output through the output's memory operand (O) and its
/// consumer reads it, and the caches, through the activation input's (I1) at the levels both
/// chains share. So every layer must read all its activations through the one memory operand the
/// network's first layer reads its input through, and write its output through the one its
/// output goes through; a single layer (`accomake layer`) needs neither.
enum DepthFirstReadiness {
    static func check(_ network: Network, nodes: [WorkloadNode], mapping: [MappingEntry],
                      files: ProblemFiles) throws(InputError) {
        let layers = network.nodes.filter { $0.layer != nil }
        guard let first = layers.first, let firstLayer = first.layer,
              let inputOperand = first.sources.first.flatMap({ firstLayer.memoryOperandLinks[$0.operand] }),
              let outputOperand = firstLayer.memoryOperandLinks[firstLayer.output] else { return }
        let byId = Dictionary(nodes.map { ($0.id, $0) }) { a, _ in a }
        for node in layers {
            guard let layer = node.layer, let w = byId[node.id] else { continue }
            let entry = LayerBinding.entry(for: w, in: mapping)
            let place = "$[name=\(entry?.name ?? "default")].memory_operand_links"
            func refuse(_ operand: String, _ link: String, _ wanted: String, _ role: String) -> InputError {
                InputError(file: files.mapping, line: entry?.line, path: place + ".\(operand)",
                           problem: "layer \(node.id) \(role) \(operand) through \(link), but fused layers hand "
                               + "activations over through \(inputOperand) (inputs) and \(outputOperand) (outputs), "
                               + "as layer \(first.id) reads and writes them",
                           fix: "link \(operand) to \(wanted) in the entry \"\(entry?.name ?? "default")\" "
                               + "(docs/formats.md, \"Depth-first-ready hierarchies\")")
            }
            for (operand, _) in node.sources {
                if let link = layer.memoryOperandLinks[operand], link != inputOperand {
                    throw refuse(operand, link, inputOperand, "reads its activation")
                }
            }
            if let link = layer.memoryOperandLinks[layer.output], link != outputOperand {
                throw refuse(layer.output, link, outputOperand, "writes its output")
            }
        }
    }
}
