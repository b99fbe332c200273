/// The run record's file form (format 3). A study's record names ~90k nodes, each with a handful
/// of parameter-field digests that most nodes share (the hardware, a tile) and the names of its
/// inputs, so the file interns them: every distinct digest once, every field name once, and per
/// node its fields and inputs as packed 32-bit indices. (Format 2 spelled each out per node: 30 MB
/// per study, read by every `status`.) A record in another format reads as absent — the next
/// `status` names every node new, once.
extension RunRecord {
    struct Malformed: Error {}

    static let format: Int64 = 3

    /// The record in canonical form, for the file beside the cache: written by the encoder
    /// directly (a study's 90k nodes as value trees took a run half a second to build, encode
    /// and free), the same bytes as the value `["format", "operators", "field_names", "digests",
    /// "nodes", "leaves", "dynamic"]` would give.
    public func encoded() throws -> [UInt8] {
        var digests = DigestTable<UInt32>(), digestBytes: [UInt8] = []
        func intern(_ d: Digest) -> UInt32 {
            if let i = digests[d] { return i }
            let i = UInt32(digests.count)
            digests[d] = i
            digestBytes += d.bytes
            return i
        }
        var fieldNames = StringTable(), ops = StringTable()
        var encodedNodes = CanonicalEncoder(reservingCapacity: nodes.count * 256)
        encodedNodes.appendArrayHeader(count: nodes.count)
        var fields: [UInt32] = []
        for i in nodes.indices {
            // Field by field in place: copying each node out cost a tenth of the encoding.
            fields.removeAll(keepingCapacity: true)
            for (name, digest) in nodes[i].fields.sorted(by: { $0.key < $1.key }) {
                fields += [fieldNames.index(name), intern(digest)]
            }
            guard nodes[i].inputs.allSatisfy({ $0 >= 0 && Int($0) < nodes.count }) else { throw Malformed() }
            encodedNodes.appendArrayHeader(count: 8)
            encodedNodes.appendString(nodes[i].name)
            encodedNodes.appendInt(Int64(ops.index(nodes[i].op)))
            encodedNodes.appendInt(nodes[i].version)
            encodedNodes.appendBytes(Self.pack(fields))
            encodedNodes.appendBytes(Self.pack(nodes[i].inputs.map { UInt32($0) }))
            if let key = nodes[i].key { encodedNodes.appendInt(Int64(intern(key))) } else { encodedNodes.appendNull() }
            if let outcome = nodes[i].outcome {
                encodedNodes.appendString(outcome.rawValue)
            } else {
                encodedNodes.appendNull()
            }
            try encodedNodes.append(Self.encode(nodes[i].reason))
        }
        var leafList: [Value] = []
        for (d, l) in leaves.sorted(by: { $0.key < $1.key }) {
            leafList.append([.int(Int64(intern(d))),
                             .array(l.sorted { $0.key < $1.key }.map { [.string($0.key), .string($0.value)] })])
        }
        let dynamic: Value = .array(Set(dynamicExecuted.keys).union(dynamicReused.keys).sorted().map {
            [.string($0), .int(Int64(dynamicExecuted[$0] ?? 0)), .int(Int64(dynamicReused[$0] ?? 0))]
        })
        // The top-level object, its keys in bytewise order.
        var out = CanonicalEncoder(reservingCapacity: encodedNodes.bytes.count + digestBytes.count + 4096)
        out.appendObjectHeader(count: 7)
        out.appendKey("digests")
        out.appendBytes(digestBytes)
        out.appendKey("dynamic")
        try out.append(dynamic)
        out.appendKey("field_names")
        try out.append(.array(fieldNames.list))
        out.appendKey("format")
        out.appendInt(Self.format)
        out.appendKey("leaves")
        try out.append(.array(leafList))
        out.appendKey("nodes")
        out.appendEncoded(encodedNodes.bytes[...])
        out.appendKey("operators")
        try out.append(.array(ops.list))
        return out.bytes
    }

    /// Reads a record element by element, without a value tree for its 90k nodes (the tree took
    /// `status` a fifth of a second on camready); the small parts (leaves, counts, reasons) as values.
    public init(decoding bytes: [UInt8]) throws {
        var d = CanonicalDecoder(reading: bytes)
        var digests: [Digest]?, ops: [String]?, fieldNames: [String]?, format: Int64?
        var stored: [(name: String, op: Int64, version: Int64, fields: ArraySlice<UInt8>, inputs: ArraySlice<UInt8>,
                      key: Int64?, outcome: String?, reason: Value)]?
        var leafList: [Value] = [], dynamicList: [Value] = []
        for _ in 0..<(try d.objectCount()) {
            switch try d.key() {
            case "digests":
                let raw = try d.byteString()
                guard raw.count % 32 == 0 else { throw Malformed() }
                digests = raw.withUnsafeBytes { buffer in
                    (0..<raw.count / 32).map {
                        Digest(bytes: UnsafeRawBufferPointer(rebasing: buffer[$0 * 32..<$0 * 32 + 32]))
                    }
                }
            case "dynamic": dynamicList = try d.anyValue().arrayValue ?? { throw Malformed() }()
            case "field_names": fieldNames = try (0..<d.arrayCount()).map { _ in try d.text() }
            case "format": format = try d.int()
            case "leaves": leafList = try d.anyValue().arrayValue ?? { throw Malformed() }()
            case "nodes":
                stored = try (0..<d.arrayCount()).map { _ in
                    guard try d.arrayCount() == 8 else { throw Malformed() }
                    return (try d.text(), try d.int(), try d.int(), try d.byteString(), try d.byteString(),
                            try d.null() ? nil : try d.int(), try d.null() ? nil : try d.text(), try d.anyValue())
                }
            case "operators": ops = try (0..<d.arrayCount()).map { _ in try d.text() }
            default: _ = try d.anyValue()
            }
        }
        guard d.isAtEnd, format == Self.format, let digests, let ops, let fieldNames, let stored else {
            throw Malformed()
        }
        func element<T>(_ list: [T], _ index: Int64?) throws -> T {
            guard let index, index >= 0, index < list.count else { throw Malformed() }
            return list[Int(index)]
        }
        nodes = try stored.map { n in
            guard let fieldIndices = Self.unpack(Array(n.fields)), fieldIndices.count % 2 == 0,
                  let inputs = Self.unpack(Array(n.inputs)) else { throw Malformed() }
            var fields: [String: Digest] = [:]
            for f in stride(from: 0, to: fieldIndices.count, by: 2) {
                let name = try element(fieldNames, Int64(fieldIndices[f]))
                fields[name] = try element(digests, Int64(fieldIndices[f + 1]))
            }
            return Node(name: n.name, op: try element(ops, n.op), version: n.version, fields: fields,
                        inputs: try inputs.map { i in
                            guard i < stored.count else { throw Malformed() }
                            return Int32(i)
                        },
                        key: try n.key.map { try element(digests, $0) },
                        outcome: n.outcome.flatMap(EventKind.init(rawValue:)),
                        reason: try Self.decodeChange(n.reason))
        }
        leaves = [:]
        for entry in leafList {
            guard let pair = entry.arrayValue, pair.count == 2, let list = pair[1].arrayValue else { throw Malformed() }
            var map: [String: String] = [:]
            for l in list {
                let kv = try Self.strings(l)
                guard kv.count == 2 else { throw Malformed() }
                map[kv[0]] = kv[1]
            }
            leaves[try element(digests, pair[0].intValue)] = map
        }
        dynamicExecuted = [:]
        dynamicReused = [:]
        for entry in dynamicList {
            guard let t = entry.arrayValue, t.count == 3, let op = t[0].stringValue, let e = t[1].intValue,
                let r = t[2].intValue else {
                throw Malformed()
            }
            dynamicExecuted[op] = Int(e)
            dynamicReused[op] = Int(r)
        }
    }

    static func encode(_ c: Change?) -> Value {
        switch c {
        case nil: .null
        case .new: ["new"]
        case .version(let a, let b): ["version", .int(a), .int(b)]
        case .parameters(let f, let l): ["parameters", .array(f.map { .string($0) }), .array(l.map { .string($0) })]
        case .dependency(let n): ["dependency", .string(n)]
        case .notCached: ["not_cached"]
        }
    }

    static func decodeChange(_ x: Value) throws -> Change? {
        if x == .null { return nil }
        guard let a = x.arrayValue, let tag = a.first?.stringValue else { throw Malformed() }
        switch (tag, a.count) {
        case ("new", 1): return .new
        case ("version", 3): return .version(from: a[1].intValue ?? 0, to: a[2].intValue ?? 0)
        case ("parameters", 3): return .parameters(fields: try Self.strings(a[1]), leaves: try Self.strings(a[2]))
        case ("dependency", 2): return .dependency(a[1].stringValue ?? "")
        case ("not_cached", 1): return .notCached
        default: throw Malformed()
        }
    }

    /// Distinct strings in order of first use, each with its index.
    struct StringTable {
        private var indices: [String: UInt32] = [:]
        private(set) var list: [Value] = []

        mutating func index(_ s: String) -> UInt32 {
            if let known = indices[s] { return known }
            let i = UInt32(list.count)
            indices[s] = i
            list.append(.string(s))
            return i
        }
    }

    static func strings(_ x: Value?) throws -> [String] {
        guard let a = x?.arrayValue else { throw Malformed() }
        return try a.map { guard let s = $0.stringValue else { throw Malformed() }; return s }
    }

    /// 32-bit indices, little endian.
    static func pack(_ values: [UInt32]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        return out
    }

    static func unpack(_ bytes: [UInt8]) -> [UInt32]? {
        guard bytes.count % 4 == 0 else { return nil }
        return stride(from: 0, to: bytes.count, by: 4).map { i in
            UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
        }
    }
}
