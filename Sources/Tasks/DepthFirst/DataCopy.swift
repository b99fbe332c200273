/// A memory position: a memory operand at a level of its chain.
struct MemoryPosition: Hashable {
    var operand: String
    var level: Int
}

/// One explicit data move (model.md §5.7).
struct CopyAction: Hashable {
    var bits: Int
    var from: MemoryPosition
    var to: MemoryPosition
}

/// The cost of a batch of copies run before a layer: the "data-copy layer" (model.md §5.7).
struct CopyResult: Equatable {
    var energy: Double = 0
    var latency: Int = 0
    /// Energy per (memory operand, level, direction), for ACCO's readings.
    var breakdown: [String: Double] = [:]
    /// Per action: the first hop's cycles, or -1 when the action moves nothing.
    var firstHops: [Int] = []
    /// Words read out of the outermost I1 memory toward the chip (ACCO's reloaded data).
    var topReadWords: Double = 0

    static func key(_ p: MemoryPosition, _ d: Direction) -> String { BreakdownKey.at(p.operand, level: p.level, d) }
}

struct CopyError: Error, CustomStringConvertible {
    let description: String
}

/// Costs copies on a core's (original) hierarchy.
struct DataCopier {
    let core: Core

    /// The memory at (operand, level).
    func memory(_ p: MemoryPosition) -> Int? {
        let chain = core.levels(of: p.operand)
        return p.level < chain.count ? chain[p.level] : nil
    }

    func level(of operand: String, at memory: Int) -> Int? { core.levels(of: operand).firstIndex(of: memory) }

    /// The port carrying (operand, level, direction) at a memory, with its bandwidth and granularity.
    func port(_ p: MemoryPosition, _ direction: Direction) throws(CopyError) -> (id: String, bw: Int, min: Int) {
        guard let m = memory(p) else { throw CopyError(description: "no level \(p.level) for \(p.operand)") }
        let mem = core.memories[m]
        guard let port = mem.ports.first(where: { $0.duties.contains(Duty(p.operand, p.level, direction)) }) else {
            throw CopyError(description: "\(mem.name) has no port for \(p.operand) \(direction.rawValue); "
                + "allocate one in the hardware file")
        }
        let read = port.kind != .write  // an rw port uses the read values
        return ("\(m).\(port.name)", read ? mem.readBandwidth : mem.writeBandwidth,
                read ? mem.readGranularity : mem.writeGranularity)
    }

    /// The hops of one action: (sender, send direction, receiver, receive direction).
    func hops(_ action: CopyAction) throws(CopyError) -> [(MemoryPosition, Direction, MemoryPosition, Direction)] {
        var source = action.from, destination = action.to
        var shared: Int?
        if source.operand != destination.operand {
            let chain = core.levels(of: source.operand)
            for m in chain.dropFirst(source.level) {
                if let l = level(of: destination.operand, at: m), l >= destination.level { shared = m; break }
            }
            guard let sharedMemory = shared else {
                throw CopyError(description: "no memory links \(source.operand) level \(source.level) to "
                    + "\(destination.operand) level \(destination.level)")
            }
            if memory(source) == sharedMemory, let l = level(of: destination.operand, at: sharedMemory) {
                source = MemoryPosition(operand: destination.operand, level: l)
            } else if memory(destination) == sharedMemory, let l = level(of: source.operand, at: sharedMemory) {
                destination = MemoryPosition(operand: source.operand, level: l)
            }
        }
        var out: [(MemoryPosition, Direction, MemoryPosition, Direction)] = []
        func straight(_ operand: String, from a: Int, to b: Int) {
            if a < b {
                for l in a..<b {
                    out.append((.init(operand: operand, level: l), .rdOutToHigh, .init(operand: operand, level: l + 1),
                                .wrInByLow))
                }
            } else if a > b {
                for l in stride(from: a, to: b, by: -1) {
                    out.append((.init(operand: operand, level: l), .rdOutToLow, .init(operand: operand, level: l - 1),
                                .wrInByHigh))
                }
            }
        }
        if source.operand == destination.operand {
            straight(source.operand, from: source.level, to: destination.level)
        } else if let m = shared, let up = level(of: source.operand, at: m), let down = level(of: destination.operand,
            at: m) {
            straight(source.operand, from: source.level, to: up)
            straight(destination.operand, from: down, to: destination.level)
        }
        return out
    }

    /// Energy, port-serialised latency and breakdown of copies that start together.
    func cost(_ actions: [CopyAction]) throws(CopyError) -> CopyResult {
        var result = CopyResult()
        var busy: [String: [(start: Int, end: Int)]] = [:]
        var portOrder: [String] = []
        for action in actions {
            var t = 0
            var seen = Set<String>()  // ports this action has used so far
            let path = try hops(action)
            result.firstHops.append(path.isEmpty ? -1 : 0)
            for (index, (sender, sendDirection, receiver, receiveDirection)) in path.enumerated() {
                let out = try port(sender, sendDirection), into = try port(receiver, receiveDirection)
                guard let sm = memory(sender), let rm = memory(receiver) else { continue }
                let bits = Double(action.bits)
                let sentWords = LayerEvaluator.wordsPerTransfer(bits: bits, granularity: Double(out.min),
                                                                width: Double(out.bw))
                let receivedWords = LayerEvaluator.wordsPerTransfer(bits: bits, granularity: Double(into.min),
                                                                     width: Double(into.bw))
                let sendEnergy = sentWords * core.memories[sm].readCost
                let receiveEnergy = receivedWords * core.memories[rm].writeCost
                if sender.operand == "I1", sendDirection == .rdOutToLow,
                    sender.level == core.levels(of: "I1").count - 1 {
                    result.topReadWords += sentWords
                }
                result.energy += sendEnergy + receiveEnergy
                result.breakdown[CopyResult.key(sender, sendDirection), default: 0] += sendEnergy
                result.breakdown[CopyResult.key(receiver, receiveDirection), default: 0] += receiveEnergy
                let cycles = max((action.bits + out.bw - 1) / out.bw, (action.bits + into.bw - 1) / into.bw)
                if index == 0 { result.firstHops[result.firstHops.count - 1] = cycles }
                for id in [out.id, into.id] {
                    if busy[id] == nil { portOrder.append(id) }
                    busy[id, default: []].append((t, t + cycles))
                }
                // `copyTimelineAdvancesOnNewReceivePort`: the timeline moves on only when the
                // receive port is new to this action (always the case on real paths).
                seen.insert(out.id)
                if seen.insert(into.id).inserted { t += cycles }
            }
        }
        // A port used once is busy until its interval ends; used several times, its uses are
        // serialised from the earliest start (and it is busy at least until the latest end).
        for id in portOrder {
            guard let intervals = busy[id], let only = intervals.first else { continue }
            let time = intervals.count == 1 ? only.end
                : max(intervals.map(\.end).max() ?? 0,
                      (intervals.map(\.start).min() ?? 0) + intervals.reduce(0) { $0 + $1.end - $1.start })
            result.latency = max(result.latency, time)
        }
        return result
    }
}
