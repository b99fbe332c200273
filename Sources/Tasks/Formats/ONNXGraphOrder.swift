/// The graph checks before an ONNX model is read: ONNX requires the nodes in topological order
/// (every input produced by an earlier node, a graph input or an initializer), and accomake's
/// layer ids are the node indices, so their order is the network's. A tensor nothing provides
/// (a dangling input), one produced twice, and a node reading a later node's output (out of order,
/// or a cycle) are refused.
enum ONNXGraphOrder {
    static func check(_ model: ONNXModel, file: String) throws(InputError) {
        let graph = model.graph
        func fail(_ index: Int, _ problem: String, _ fix: String) -> InputError {
            InputError(file: file, line: nil, path: model.place(index), problem: problem, fix: fix)
        }
        var producer: [String: Int] = [:]
        for (i, node) in graph.nodes.enumerated() {
            for output in node.outputs where !output.isEmpty {
                if let first = producer[output] {
                    throw fail(i, "tensor \"\(output)\" is also the output of \(model.place(first))",
                               "export the model again; every tensor has one producer")
                }
                producer[output] = i
            }
        }
        let provided = Set(graph.inputs.map(\.name)).union(graph.initializers.map(\.name))
        for (i, node) in graph.nodes.enumerated() {
            for input in node.inputs where !input.isEmpty {
                if let p = producer[input] {
                    guard p < i else {
                        throw fail(i, "reads \"\(input)\", the output of \(p == i ? "itself" : model.place(p)), "
                                       + "a node that does not come before it (a cycle, or nodes out of order)",
                                   "export the model again; ONNX requires the nodes in topological order")
                    }
                } else if !provided.contains(input) {
                    throw fail(i, "input \"\(input)\" is not produced by any node, nor a graph input or "
                                   + "initializer (a dangling input)",
                               "export the model again, or declare \"\(input)\" as a graph input")
                }
            }
        }
    }
}

extension ONNXModel {
    /// Where a node is, for messages: `graph.node[12] "/conv1/Conv" (Conv)`.
    func place(_ index: Int?) -> String {
        guard let index, graph.nodes.indices.contains(index) else { return "graph" }
        let n = graph.nodes[index]
        return "graph.node[\(index)] \(n.name.isEmpty ? "" : "\"\(n.name)\" ")(\(n.opType))"
    }
}
