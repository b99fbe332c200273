/// Reads a hardware file: ZigZag's YAML hardware description (commit `3d12a96e` field names)
/// as JSON. See docs/formats.md.
public enum HardwareFormat {
    static let memoryFields = ["size", "r_bw", "w_bw", "r_cost", "w_cost", "area", "r_port", "w_port", "rw_port",
                               "latency", "min_r_granularity", "min_w_granularity", "auto_cost_extraction",
                               "operands", "ports", "served_dimensions", "force_double_buffering"]
    static let arrayFields = ["input_precision", "multiplier_energy", "multiplier_area", "unit_energy", "unit_area",
                              "dimensions", "sizes", "is_imc", "imc_type", "bit_serial_precision", "adc_resolution",
                              "systolic_dimensions"]
    /// ZigZag's port-allocation keys, their direction, and whether they write.
    static let directions: [(key: String, direction: Direction, writes: Bool)] = [
        ("fh", .wrInByHigh, true), ("tl", .rdOutToLow, false), ("fl", .wrInByLow, true), ("th", .rdOutToHigh, false),
    ]

    public static func load(_ path: String, edits: [InputEdit] = [], origin: String = "") throws(InputError) -> Core {
        try decode(InputFile.load(path, edits: edits, origin: origin)).core
    }

    /// The core and the areas the file declares (kept apart: areas enter no cost-model key).
    public static func loadWithAreas(_ path: String, edits: [InputEdit] = [],
                                     origin: String = "") throws(InputError) -> (core: Core, areas: DeclaredAreas) {
        try decode(InputFile.load(path, edits: edits, origin: origin))
    }

    static func decode(_ root: JSONReader) throws(InputError) -> (core: Core, areas: DeclaredAreas) {
        let top = try root.object(allowed: ["name", "memories", "operational_array"])
        let name = try top.optional("name")?.string() ?? ""
        let array = try top.required("operational_array",
                                     "add \"operational_array\": {\"multiplier_energy\": …, \"dimensions\": "
                                         + "[\"D1\", …], \"sizes\": [32, …]}")
        let (dims, macEnergy, multiplierArea) = try operationalArray(array)
        var areas = DeclaredAreas(multiplier: multiplierArea)
        let memoriesNode = try top.required("memories",
                                            "add \"memories\": {\"<name>\": {…}, …} listed bottom-up per operand")
        var memories: [Memory] = []
        for (memoryName, node) in try memoriesNode.entries() {
            let (memory, area) = try memory(memoryName, node, arrayDims: dims.map(\.name))
            memories.append(memory)
            areas.memories[memoryName] = area
        }
        guard !memories.isEmpty else {
            throw memoriesNode.fail("no memories", "list at least one memory per operand, innermost first")
        }
        var core = Core(name: name, arrayDims: dims, macEnergy: macEnergy, memories: memories)
        core.assignDutyLevels()
        return (core, areas)
    }

    /// The array's dimensions, its energy per MAC and its area per MAC unit (0 when not given).
    static func operationalArray(_ r: JSONReader) throws(InputError)
        -> ([(name: String, size: Int)], energy: Double, area: Double) {
        let o = try r.object(allowed: arrayFields)
        if let imc = o.optional("is_imc"), try imc.bool() {
            throw imc.fail("in-memory-computing arrays are not modelled (accomake's cost model is a digital MAC "
                               + "array)", "describe a MAC array: multiplier_energy, dimensions and sizes")
        }
        for field in ["imc_type", "bit_serial_precision", "adc_resolution"] {
            if let n = o.optional(field) {
                throw n.fail("\(field) describes an in-memory-computing array, which is not modelled",
                             "describe a MAC array: multiplier_energy, dimensions and sizes")
            }
        }
        if let n = o.optional("systolic_dimensions") {
            throw n.fail("systolic data movement between MAC units is not modelled",
                         "remove systolic_dimensions to model the array as one whose units the memories feed")
        }
        guard let energyNode = o.optional("multiplier_energy") ?? o.optional("unit_energy") else {
            throw r.fail("missing field \"multiplier_energy\"", "give the energy of one MAC in pJ")
        }
        let energy = try energyNode.nonNegative(what: "MAC energy")
        let dimsNode = try o.required("dimensions", "name the array dimensions, e.g. [\"D1\", \"D2\"]")
        let names = try dimsNode.strings()
        let sizesNode = try o.required("sizes", "give one size per dimension, e.g. [32, 32]")
        var sizes: [Int] = []
        for s in try sizesNode.array() { sizes.append(try s.int(minimum: 1, maximum: 1 << 16, what: "array size")) }
        guard names.count == sizes.count, !names.isEmpty else {
            throw sizesNode.fail("\(names.count) dimensions but \(sizes.count) sizes",
                                 "give exactly one size per dimension")
        }
        guard Set(names).count == names.count else {
            throw dimsNode.fail("a dimension is named twice", "give each dimension a distinct name")
        }
        guard sizes.reduce(1.0, { $0 * Double($1) }) <= Double(1 << 24) else {
            throw sizesNode.fail("the array has more than 2^24 MAC units", "check the sizes")
        }
        if let p = o.optional("input_precision") {
            for x in try p.array() { _ = try x.int(minimum: 0, maximum: 256, what: "precision") }
        }
        let area = try (o.optional("multiplier_area") ?? o.optional("unit_area"))?.nonNegative(what: "area") ?? 0
        return (zip(names, sizes).map { (name: $0, size: $1) }, energy, area)
    }

    /// A memory and its area per instance (0 when not given).
    static func memory(_ name: String, _ r: JSONReader, arrayDims: [String]) throws(InputError)
        -> (Memory, area: Double) {
        let o = try r.object(allowed: memoryFields)
        /// Sizes up to 2^50 bits (128 TiB), bandwidths, latencies and port counts up to 2^30.
        func int(_ key: String, minimum: Int, maximum: Int = 1 << 30, what: String,
                 default value: Int? = nil) throws(InputError) -> Int {
            guard let node = o.optional(key) else {
                if let value { return value }
                throw r.fail("missing field \"\(key)\"", "give the \(what)")
            }
            return try node.int(minimum: minimum, maximum: maximum, what: what)
        }
        let size = try int("size", minimum: 1, maximum: 1 << 50, what: "size in bits")
        if let force = o.optional("force_double_buffering"), try force.bool() {
            throw force.fail("forced double buffering is not modelled", "remove force_double_buffering")
        }
        let operandsNode = try o.required("operands", "list the memory operands stored here, e.g. [\"I1\", \"O\"]")
        let operands = try operandsNode.strings()
        let portsNode = try o.required("ports",
                                       "give one allocation per operand, e.g. [{\"fh\": "
                                           + "\"w_port_1\", \"tl\": \"r_port_1\"}]")
        // ZigZag 3.9's files list the ports with their bandwidths; the earlier form gives r_bw and w_bw.
        let listed = ZigZagPortList.matches(portsNode)
            ? try ZigZagPortList(portsNode, operands: operands, memory: name) : nil
        if listed != nil {
            for field in ["r_bw", "w_bw", "min_r_granularity", "min_w_granularity", "r_port", "w_port", "rw_port"] {
                if let n = o.optional(field) {
                    throw n.fail("\(field) is given by the ports' bandwidths when the ports are listed by name",
                                 "remove \(field)")
                }
            }
        }
        let rBW: Int, wBW: Int, rMin: Int, wMin: Int
        if let listed {
            (rBW, wBW, rMin, wMin) = (listed.readBandwidth, listed.writeBandwidth, listed.readGranularity,
                                      listed.writeGranularity)
        } else {
            rBW = try int("r_bw", minimum: 1, what: "read bandwidth in bits per cycle")
            wBW = try int("w_bw", minimum: 1, what: "write bandwidth in bits per cycle")
            rMin = try int("min_r_granularity", minimum: 1, what: "minimum read granularity in bits", default: rBW)
            wMin = try int("min_w_granularity", minimum: 1, what: "minimum write granularity in bits", default: wBW)
        }
        guard rMin <= rBW, wMin <= wBW else {
            throw r.fail("a minimum granularity exceeds its bandwidth",
                         "min_r_granularity ≤ r_bw and min_w_granularity ≤ w_bw")
        }
        guard size >= max(rMin, wMin) else {
            throw (o.optional("size") ?? r).fail("\(size) bits cannot hold one word of \(max(rMin, wMin)) bits",
                                                 "make the memory at least one access granule large")
        }
        let rCost = try o.required("r_cost", "give the energy per read word in pJ").nonNegative(what: "read cost")
        let wCost = try o.required("w_cost", "give the energy per write word in pJ").nonNegative(what: "write cost")
        let area = try o.optional("area")?.nonNegative(what: "area") ?? 0
        let latency = try int("latency", minimum: 0, what: "latency in cycles", default: 1)
        if let auto = o.optional("auto_cost_extraction"), try auto.bool() {
            throw auto.fail("automatic cost extraction (CACTI) is not supported",
                            "give r_cost and w_cost and set it to false")
        }
        let counts = (read: try int("r_port", minimum: 0, what: "number of read ports", default: 0),
                      write: try int("w_port", minimum: 0, what: "number of write ports", default: 0),
                      readWrite: try int("rw_port", minimum: 0, what: "number of read-write ports", default: 0))
        guard !operands.isEmpty, Set(operands).count == operands.count else {
            throw operandsNode.fail("operands must be a non-empty list without repeats", "e.g. [\"I1\", \"O\"]")
        }
        for operand in operands where !["I1", "I2", "O"].contains(operand) {
            throw operandsNode.fail("\"\(operand)\" is not a memory operand",
                                    "use I1, I2 and O (the mapping links layer operands to them)")
        }
        // Ports: as listed (ZigZag 3.9), or one allocation object per operand, in operand order.
        var ports: [Port] = listed?.ports ?? []
        if listed == nil {
            func port(named portName: String, at node: JSONReader, writes: Bool) throws(InputError) -> Int {
                if let i = ports.firstIndex(where: { $0.name == portName }) { return i }
                let parts = portName.split(separator: "_")
                guard parts.count == 3, parts[1] == "port", let n = Int(parts[2]), n >= 1,
                      let kind = Port.Kind(rawValue: String(parts[0])) else {
                    throw node.fail("\"\(portName)\" is not a port name", "use r_port_N, w_port_N or rw_port_N")
                }
                let available = kind == .read ? counts.read : kind == .write ? counts.write : counts.readWrite
                guard n <= available else {
                    throw node.fail("\(portName) is used but the memory declares \(available) \(kind.rawValue) port(s)",
                                    "raise \"\(kind.rawValue)_port\" to at least \(n)")
                }
                guard kind == .readWrite || (kind == .write) == writes else {
                    throw node.fail("\(portName) cannot \(writes ? "write" : "read")",
                                    "allocate fh/fl to a w_ or rw_ port and tl/th to an r_ or rw_ port")
                }
                ports.append(Port(name: portName, kind: kind, duties: []))
                return ports.count - 1
            }
            let allocations = try portsNode.array()
            guard allocations.count == operands.count else {
                throw portsNode.fail("\(allocations.count) port allocations for \(operands.count) operands",
                                     "give one allocation object per operand, in the order of \"operands\"")
            }
            var duties: [(port: Int, duty: Duty)] = []
            for (operand, allocation) in zip(operands, allocations) {
                for (key, node) in try allocation.entries() {
                    guard let d = directions.first(where: { $0.key == key }) else {
                        throw node.fail("unknown direction \"\(key)\"",
                                        "use fh (from high), tl (to low), fl (from low) or th (to high)")
                    }
                    let p = try port(named: try node.string(), at: node, writes: d.writes)
                    duties.append((p, Duty(operand, -1, d.direction)))
                }
            }
            for (p, duty) in duties { ports[p].duties.append(duty) }
        }
        let servedNode = try o.required("served_dimensions",
                                        "list the array dimensions one instance spans, e.g. "
                                            + "[\"D1\", \"D2\"] ([] for none)")
        let served = try servedNode.strings()
        for d in served where !arrayDims.contains(d) {
            throw servedNode.fail("\"\(d)\" is not a dimension of the operational array",
                                  "use one of \(arrayDims.joined(separator: ", "))")
        }
        return (Memory(name: name, size: size, readBandwidth: rBW, writeBandwidth: wBW, readGranularity: rMin,
                       writeGranularity: wMin, readCost: rCost, writeCost: wCost, latency: latency,
                       operands: operands, ports: ports, servedDims: served), area)
    }
}
