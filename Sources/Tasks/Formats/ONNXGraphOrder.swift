/// The order in which an ONNX graph's nodes are read: producers first (ONNX asks exporters for
/// this order; a model that breaks it is still read), file order among ready nodes. A tensor no
/// node, graph input or initializer provides, a tensor produced twice, and a cycle are refused.
enum ONNXGraphOrder {
    static func order(_ model: ONNXModel, file: String) throws(InputError) -> [Int] {
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
        var needs: [[Int]] = []
        for (i, node) in graph.nodes.enumerated() {
            var producers: [Int] = []
            for input in node.inputs where !input.isEmpty {
                if let p = producer[input] {
                    producers.append(p)
                } else if !provided.contains(input) {
                    throw fail(i, "input \"\(input)\" is not produced by any node, nor a graph input or "
                                   + "initializer (a dangling input)",
                               "export the model again, or declare \"\(input)\" as a graph input")
                }
            }
            needs.append(producers)
        }
        var placed = Array(repeating: false, count: graph.nodes.count)
        var order: [Int] = []
        var progress = true
        while order.count < graph.nodes.count, progress {
            progress = false
            for i in graph.nodes.indices where !placed[i] && needs[i].allSatisfy({ placed[$0] }) {
                placed[i] = true
                order.append(i)
                progress = true
            }
        }
        if let stuck = placed.firstIndex(of: false) {
            let names = graph.nodes.indices.filter { !placed[$0] }.prefix(4).map { model.place($0) }
            throw fail(stuck, "the nodes form a cycle (each waits for another's output): "
                           + names.joined(separator: ", "),
                       "export the model again; an ONNX graph is acyclic")
        }
        return order
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
