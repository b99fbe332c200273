/// The files that describe one evaluation problem, with their paths for error messages.
public struct ProblemFiles: Sendable {
    public var hardware: String
    public var workload: String
    public var mapping: String
    /// A hardware variant of a study (docs/formats.md, "Hardware axes"): the values replaced in
    /// the hardware and mapping files, and the variant's name, which replaces the file's `name`.
    public var variant: AcceleratorVariant?
    /// How an ONNX workload is read (time axis, precisions).
    public var workloadOptions: WorkloadOptions

    public init(hardware: String, workload: String, mapping: String, variant: AcceleratorVariant? = nil,
                workloadOptions: WorkloadOptions = .defaults) {
        self.hardware = hardware; self.workload = workload; self.mapping = mapping; self.variant = variant
        self.workloadOptions = workloadOptions
    }

    /// The hardware, with the variant's edits and name.
    func core() throws(InputError) -> Core { try coreWithCost().core }

    /// The hardware as `core()` gives it, and what it costs to build (on-chip capacity, area).
    func coreWithCost() throws(InputError) -> (core: Core, cost: HardwareCost) {
        var (core, areas) = try HardwareFormat.loadWithAreas(hardware, edits: variant?.hardwareEdits ?? [],
                                                             origin: variant?.name ?? "")
        if let name = variant?.name { core.name = name }
        return (core, HardwareCost(core, areas: areas))
    }

    /// The mapping entries, with the variant's edits.
    func mappingEntries() throws(InputError) -> [MappingEntry] {
        try MappingFormat.load(mapping, edits: variant?.mappingEdits ?? [], origin: variant?.name ?? "")
    }
}

/// Joins a workload node with its mapping entry into a `Layer`, checking it against the core.
public enum LayerBinding {
    /// The loop dimensions of ZigZag's layer types; a spatial unroll may name one a layer lacks.
    static let knownLoopDims: Set<String> = ["B", "K", "C", "G", "OY", "OX", "FY", "FX", "IY", "IX"]

    /// The mapping entry for a node: by layer name, then operator type, then "default".
    public static func entry(for node: WorkloadNode, in mapping: [MappingEntry]) -> MappingEntry? {
        (node.name.isEmpty ? nil : mapping.first { $0.name == node.name })
            ?? mapping.first { $0.name == node.operatorType }
            ?? mapping.first { $0.name == "default" }
    }

    public static func layer(_ node: WorkloadNode, mapping: [MappingEntry], core: Core,
                             files: ProblemFiles) throws(InputError) -> Layer {
        guard let entry = entry(for: node, in: mapping) else {
            throw InputError(file: files.mapping, line: nil, path: "$",
                             problem: "no entry for layer \(node.id) (name \"\(node.name)\", operator_type "
                                 + "\"\(node.operatorType)\")",
                             fix: "add an entry named \"\(node.operatorType)\" or \"default\"")
        }
        let entryPath = "$[name=\(entry.name)]"
        for unroll in entry.spatialMapping {
            // A dimension this layer lacks is allowed (one entry serves several layers), a name
            // no layer can have ("ZZ") is a typo.
            let isLoopDim = node.loopSizes.contains { $0.dim == unroll.loopDim }
            guard isLoopDim || Self.knownLoopDims.contains(unroll.loopDim) else {
                throw InputError(file: files.mapping, line: entry.line,
                                 path: "\(entryPath).spatial_mapping.\(unroll.arrayDim)",
                                 problem: "\(unroll.loopDim) is not a loop dimension of layer \(node.id)",
                                 fix: "unroll one of \(node.loopSizes.map(\.dim).joined(separator: ", "))")
            }
            guard let size = core.arraySize(unroll.arrayDim) else {
                throw InputError(file: files.mapping, line: entry.line,
                                 path: "\(entryPath).spatial_mapping.\(unroll.arrayDim)",
                                 problem: "\(unroll.arrayDim) is not a dimension of the array of \(files.hardware)",
                                 fix: "use one of \(core.arrayDims.map(\.name).joined(separator: ", "))")
            }
            guard unroll.unroll <= size else {
                throw InputError(file: files.mapping, line: entry.line,
                                 path: "\(entryPath).spatial_mapping.\(unroll.arrayDim)",
                                 problem: "unroll \(unroll.unroll) is larger than dimension "
                                     + "\(unroll.arrayDim) of the array of "
                                     + "\(files.hardware) (\(size))",
                                 fix: "unroll \(unroll.loopDim) by at most \(size) on \(unroll.arrayDim)")
            }
        }
        // An entry that links only I (ZigZag's) serves an Add of X and Y: both are activations,
        // read where their producers wrote them, through I's memory operand.
        var links = entry.memoryOperandLinks
        for operand in ["X", "Y"] where links[operand] == nil && !node.constantOperands.contains(operand) {
            if let link = links["I"], (try? Layer.parseEquation(node.equation))?.contains(where: {
                $0.name == operand
            }) ?? false {
                links[operand] = link
            }
        }
        let layer: Layer
        do {
            layer = try Layer(id: node.id, name: node.name, equation: node.equation, relations: node.relations,
                              loopSizes: node.loopSizes, precision: node.precision, operandSource: node.operandSource,
                              constantOperands: node.constantOperands, spatialMapping: entry.spatialMapping,
                              memoryOperandLinks: links)
        } catch {
            throw InputError(file: files.workload, line: node.line, path: "$[id=\(node.id)]", problem: error.message,
                             fix: "fix the layer")
        }
        let stored = Set(core.memories.flatMap(\.operands))
        let outputLink = links[layer.output]
        var linkedBy: [String: String] = [:]
        for op in layer.operands.map(\.name) {
            if let memOp = links[op] {
                guard stored.contains(memOp) else {
                    throw InputError(file: files.mapping, line: entry.line,
                                     path: "\(entryPath).memory_operand_links.\(op)",
                                     problem: "\"\(memOp)\" is not a memory operand of \(files.hardware)",
                                     fix: "link \(op) to one of \(stored.sorted().joined(separator: ", "))")
                }
                // Activations may share one (a residual add reads X and Y through I1); the output
                // and a constant operand (weights) each need their own.
                if op != layer.output, memOp == outputLink {
                    throw InputError(file: files.mapping, line: entry.line,
                                     path: "\(entryPath).memory_operand_links.\(op)",
                                     problem: "input \(op) is linked to \(memOp), the memory operand of "
                                         + "the output \(layer.output)",
                                     fix: "link inputs to I1 or I2 and the output to O")
                }
                if let other = linkedBy[memOp],
                    node.constantOperands.contains(op) || node.constantOperands.contains(other) {
                    throw InputError(file: files.mapping, line: entry.line,
                                     path: "\(entryPath).memory_operand_links.\(op)",
                                     problem: "\(other) and \(op) are both linked to \(memOp), and one of "
                                         + "them is a constant operand",
                                     fix: "give the weights a memory operand of their own (e.g. W: I2, I: I1)")
                }
                linkedBy[memOp] = linkedBy[memOp] ?? op
            }
            guard let memOp = links[op] else {
                throw InputError(file: files.mapping, line: entry.line, path: "\(entryPath).memory_operand_links",
                                 problem: "operand \(op) of layer \(node.id) has no memory operand link",
                                 fix: "add \"\(op)\": \"I1\", \"I2\" or \"O\"")
            }
            guard !core.levels(of: memOp).isEmpty else {
                throw InputError(file: files.hardware, line: nil, path: "$.memories",
                                 problem: "no memory stores \(memOp) (operand \(op) of layer \(node.id))",
                                 fix: "add \(memOp) to the operands of a memory chain, or link \(op) "
                                     + "to another memory operand")
            }
        }
        return layer
    }
}
