/// What one run of a graph did, kept beside the cache so that the next command can say what is
/// dirty and why (`status`), and what ran last time and why (`explain`) — the part ninja's
/// `.ninja_log` plays for ninja. Nodes are matched across runs by a caller-given name.
///
/// Per node it keeps the digest of each top-level parameter field, so a change is named by field;
/// for the fields the caller asks to detail (a hardware description, say) it keeps their leaves
/// once per distinct value, so the change is named down to the leaf, spelled as the user's input
/// file spells it (`memories.dram.r_cost: 700 → 710`).
public struct RunRecord: Sendable, Equatable {
    public struct Node: Sendable, Equatable {
        public var name: String
        public var op: String
        public var version: Int64
        /// Digest of each top-level parameter field ("" for parameters that are not an object).
        public var fields: [String: Digest]
        /// Its inputs, by their place in `nodes` (`RunRecord.inputNames(of:)` names them).
        public var inputs: [Int32]
        /// The node's final key in that run (nil when it never got one).
        public var key: Digest?
        public var outcome: EventKind?
        /// Why it had to run, against the run before (nil: it was up to date).
        public var reason: Change?
    }

    /// The names of node `n`'s inputs.
    public func inputNames(of n: Node) -> [String] { n.inputs.map { nodes[Int($0)].name } }

    /// Why a node is not up to date.
    public enum Change: Sendable, Equatable, CustomStringConvertible {
        case new
        case version(from: Int64, to: Int64)
        /// Parameter fields that differ, and the leaves that differ in the detailed ones.
        case parameters(fields: [String], leaves: [String])
        case dependency(String)
        /// Same inputs, but the result is no longer in the cache.
        case notCached

        public var description: String {
            switch self {
            case .new: "new: not in the last recorded run of this study, nor in the cache"
            case .version(let a, let b): "operator version \(a) → \(b)"
            case .parameters(let fields, let leaves):
                "changed " + (leaves.isEmpty ? fields.joined(separator: ", ") : leaves.joined(separator: "; "))
            case .dependency(let name): "input \(name) is dirty"
            case .notCached: "no longer in the cache (its result, or a result it asks for)"
            }
        }
    }

    public var nodes: [Node]
    /// Leaf path → rendered value, per distinct detailed field value (by its digest).
    public var leaves: [Digest: [String: String]]
    /// Dynamic (task-requested) nodes per operator: how many ran and how many were reused.
    public var dynamicExecuted: [String: Int]
    public var dynamicReused: [String: Int]

    /// The graph as it is now against the last record: per node its change (nil when up to date)
    /// and its parameter-field digests, which the record written after the run reuses.
    public struct Assessment: Sendable {
        public let changes: [Change?]
        let fields: [[String: Digest]]

        /// Each parameter change that made a node dirty, once, in graph order: leaves where detailed,
        /// else the field's name.
        public var changedParameters: [String] {
            var seen = Set<String>(), out: [String] = []
            for case .parameters(let fields, let leaves)? in changes {
                for c in leaves.isEmpty ? fields : leaves where seen.insert(c).inserted { out.append(c) }
            }
            return out
        }
    }

    /// What would have to run in `graph` now, against `previous`. `cached` tells whether a key
    /// still has its result. `detail` maps each field to detail down to its leaves to the name its
    /// input file gives it ("" when the leaves are the file's own fields, as for a hardware file).
    /// - Parameter sameParameters: nodes known to have the parameters their place in `previous`
    ///   had (a graph kept from the run that made `previous`, `run --watch`): their field digests
    ///   are taken from it rather than derived again; nil: none known.
    public static func assess(_ graph: Graph, names: [String], detail: [String: String], previous: RunRecord?,
                              cached: (Digest) -> Bool, sameParameters: ((Int) -> Bool)? = nil) -> Assessment {
        let oldNodes = previous?.nodes ?? []
        // Most runs' graphs have the last run's nodes in the same places: then no table by name
        // is needed (hashing every name twice was a tenth of `status`). Names are unique in a
        // study's graph; in one that repeats a name, each node is matched to its own place.
        let samePlaces = oldNodes.count == names.count && zip(oldNodes, names).allSatisfy { $0.name == $1 }
        var before: [String: Int] = [:]
        if !samePlaces {
            before.reserveCapacity(oldNodes.count)
            for (i, n) in oldNodes.enumerated() where before[n.name] == nil { before[n.name] = i }
        }
        func previousIndex(_ i: Int) -> Int? { samePlaces ? i : before[names[i]] }
        var out: [Change?] = []
        var fieldDigests = FieldDigests()
        let allFields = (0..<graph.count).map { i in
            samePlaces && sameParameters?(i) == true ? oldNodes[i].fields
                : fieldDigests.of(graph.params(of: NodeID(index: i)))
        }
        for i in 0..<graph.count {
            let id = NodeID(index: i)
            guard let o = previousIndex(i) else { out.append(.new); continue }
            let old = oldNodes[o]
            let op = graph.operators[graph.nodes[i].op]
            if op.version != old.version { out.append(.version(from: old.version, to: op.version)); continue }
            let params = graph.params(of: id)
            let fields = allFields[i]
            if fields != old.fields {
                let changed = Set(fields.keys).union(old.fields.keys).filter { fields[$0] != old.fields[$0] }.sorted()
                var leafChanges: [String] = []
                for f in changed {
                    guard let spelling = detail[f] else { continue }
                    guard let was = old.fields[f].flatMap({ previous?.leaves[$0] }), let value = params.field(f) else {
                        continue
                    }
                    let now = Self.leaves(value)
                    for path in Set(now.keys).union(was.keys).sorted() where now[path] != was[path] {
                        let name = spelling.isEmpty ? String(path.drop { $0 == "." }) : spelling + path
                        leafChanges.append("\(name): \(was[path] ?? "absent") → \(now[path] ?? "absent")")
                    }
                }
                out.append(.parameters(fields: changed, leaves: leafChanges))
                continue
            }
            if let dirty = graph.dependencies(of: id).first(where: { out[$0.index] != nil }) {
                out.append(.dependency(names[dirty.index]))
                continue
            }
            // A node answered through a closure key above it last time has no key of its own
            // in the record; the walk (or the closure key) decides whether it is still cached.
            if old.outcome == .covered { out.append(nil); continue }
            out.append(old.key.map(cached) == true ? nil : .notCached)
        }
        return Assessment(changes: out, fields: allFields)
    }

    /// The record of a finished run: its assessment as made before it, outcomes from its log. A
    /// node the log does not name was `covered`: answered through a closure key above it.
    public init(_ graph: Graph, names: [String], detail: [String: String], assessment: Assessment,
                log: EventLog) {
        var outcome = [Event?](repeating: nil, count: graph.count)
        var executed: [String: Int] = [:], reused: [String: Int] = [:]
        for e in log.events {
            if e.node.index >= 0 && e.node.index < graph.count {
                outcome[e.node.index] = e
            } else if e.kind == .executed {
                executed[e.op, default: 0] += 1
            } else if e.kind == .hit || e.kind == .cutoff {
                reused[e.op, default: 0] += 1
            }
        }
        var leaves: [Digest: [String: String]] = [:]
        nodes = (0..<graph.count).map { i in
            let id = NodeID(index: i)
            let fields = assessment.fields[i]
            for f in detail.keys {
                if let d = fields[f], leaves[d] == nil, let value = graph.params(of: id).field(f) {
                    leaves[d] = Self.leaves(value)
                }
            }
            return Node(name: names[i], op: graph.operatorID(of: id),
                        version: graph.operators[graph.nodes[i].op].version,
                        fields: fields, inputs: graph.dependencies(of: id).map { Int32($0.index) },
                        key: outcome[i]?.key, outcome: outcome[i]?.kind ?? .covered, reason: assessment.changes[i])
        }
        self.leaves = leaves
        dynamicExecuted = executed
        dynamicReused = reused
    }

    /// The digest of each top-level parameter field. A study's nodes share most field values (the
    /// same network, core, mode), so the digests of shared references and scalars are kept by
    /// value (not of doubles: 0.0 and -0.0 are equal values with different encodings).
    struct FieldDigests {
        private var known: [Value: Digest] = [:]

        mutating func of(_ params: Value) -> [String: Digest] {
            guard case .object(let fields) = params else {
                return (try? CanonicalEncoder.digest(params)).map { ["": $0] } ?? [:]
            }
            return fields.compactMapValues { value in
                switch value {
                case .shared, .int, .string, .bool:
                    if let d = known[value] { return d }
                    let d = try? CanonicalEncoder.digest(value)
                    known[value] = d
                    return d
                default:
                    return try? CanonicalEncoder.digest(value)
                }
            }
        }
    }

    /// Every leaf of a value by path; an array element that is an object with a string `name`
    /// is addressed by that name, as a file that keys its entries by name spells it
    /// (`.memories.dram.size`); a whole number is written without a fraction (`700`, not `700.0`).
    static func leaves(_ value: Value, path: String = "") -> [String: String] {
        switch value.resolved {
        case .object(let fields):
            return fields.reduce(into: [:]) { out, f in out.merge(leaves(f.value, path: path + "." + f.key)) { a,
                _ in a } }
        case .array(let items):
            return items.enumerated().reduce(into: [:]) { out, item in
                let label = item.element["name"]?.stringValue.map { "." + $0 } ?? "[\(item.offset)]"
                out.merge(leaves(item.element, path: path + label)) { a, _ in a }
            }
        case .double(let d) where d == d.rounded() && abs(d) < 1e15:
            return [path: String(Int64(d))]
        default:
            return [path: ValueText.render(value, limit: 80)]
        }
    }
}

extension Value {
    func field(_ name: String) -> Value? {
        if name.isEmpty { return self }
        return self[name]
    }
}
