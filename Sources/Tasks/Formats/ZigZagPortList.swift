/// ZigZag 3.9's way of giving a memory's ports (its YAML hardware files): a list of ports, each
/// with its `name`, `type` (read, write, read_write), `bandwidth_min` and `bandwidth_max` in bits
/// per cycle, and its `allocation` (`["I2, tl", "I2, fh"]`: which operand moves in which
/// direction through it). accomake's model has one read and one write bandwidth per memory (as
/// ZigZag's earlier `r_bw`/`w_bw` with `min_r_granularity`/`min_w_granularity`): a port's
/// `bandwidth_max` is the bandwidth and `bandwidth_min` the granularity, and ports of one kind that
/// disagree are refused (docs/formats.md, "Hardware").
struct ZigZagPortList {
    var readBandwidth = 0, writeBandwidth = 0
    var readGranularity = 0, writeGranularity = 0
    var ports: [Port] = []

    /// Whether `node` (a memory's `ports`) is such a list rather than one allocation per operand.
    static func matches(_ node: JSONReader) -> Bool {
        guard let list = try? node.array() else { return false }
        for item in list { return (try? item.entries())?.contains { $0.key == "name" } ?? false }
        return false
    }

    init(_ node: JSONReader, operands: [String], memory: String) throws(InputError) {
        var read: (max: Int, min: Int, at: JSONReader)?, write: (max: Int, min: Int, at: JSONReader)?
        for item in try node.array() {
            let o = try item.object(allowed: ["name", "type", "bandwidth_min", "bandwidth_max", "allocation"])
            let name = try o.required("name", "name the port, e.g. r_port_1").string()
            let typeNode = try o.required("type", "give its type: read, write or read_write")
            let kind: Port.Kind
            switch try typeNode.string() {
            case "read": kind = .read
            case "write": kind = .write
            case "read_write": kind = .readWrite
            case let other: throw typeNode.fail("\"\(other)\" is not a port type", "use read, write or read_write")
            }
            let maxNode = try o.required("bandwidth_max", "give the port's bandwidth in bits per cycle")
            let high = try maxNode.int(minimum: 1, maximum: 1 << 30, what: "bandwidth in bits per cycle")
            let low = try o.optional("bandwidth_min")?.int(minimum: 1, maximum: high, what: "minimum bandwidth (at "
                + "most bandwidth_max)") ?? high
            for (isRead, slot) in [(true, kind != .write), (false, kind != .read)] where slot {
                let known = isRead ? read : write
                if let known, known.max != high || known.min != low {
                    throw maxNode.fail("\(memory)'s \(isRead ? "read" : "write") ports have different bandwidths "
                                           + "(\(known.min)…\(known.max) and \(low)…\(high) bits per cycle); "
                                           + "accomake models one \(isRead ? "read" : "write") bandwidth per memory",
                                       "give its \(isRead ? "read" : "write") ports one bandwidth_min and "
                                           + "bandwidth_max")
                }
                if isRead { read = (high, low, maxNode) } else { write = (high, low, maxNode) }
            }
            var duties: [Duty] = []
            for entry in try o.required("allocation", "list what moves through it, e.g. [\"I2, tl\"]").array() {
                let parts = try entry.string().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, operands.contains(parts[0]),
                      let d = HardwareFormat.directions.first(where: { $0.key == parts[1] }) else {
                    throw entry.fail("\"\((try? entry.string()) ?? "")\" is not an allocation of this memory",
                                     "write \"operand, direction\" with an operand of "
                                         + "\(operands.joined(separator: ", ")) and a direction fh, tl, fl or th")
                }
                guard kind == .readWrite || (kind == .write) == d.writes else {
                    throw entry.fail("\(name) is a \(kind == .read ? "read" : "write") port and cannot "
                                         + "\(d.writes ? "write" : "read") (\(parts[1]))",
                                     "allocate fh/fl to a write or read_write port and tl/th to a read or "
                                         + "read_write port")
                }
                duties.append(Duty(parts[0], -1, d.direction))
            }
            ports.append(Port(name: name, kind: kind, duties: duties))
        }
        guard let read, let write else {
            throw node.fail("\(memory) has no \(read == nil ? "read" : "write") port",
                            "give it a read and a write port (or one read_write port)")
        }
        (readBandwidth, readGranularity, writeBandwidth, writeGranularity) = (read.max, read.min, write.max, write.min)
    }
}
