/// One request a trace names (engine.md §2): the digest and size its bytes are stored under and,
/// for a request without dependencies of its own, the key its node had when the trace was made,
/// with the operator and version that key was derived for.
///
/// A replay under the same operator version takes that key instead of reading the request's
/// parameters back, checking them and hashing them again — a study's whole-graph walk replays
/// 57k layer-search requests of 5.5 KB each. The key is the node's base key, a function of the
/// operator, its version and the parameters only (no dependency, so no output, enters it), which
/// the request's digest fixes; under another version the key is derived from the bytes as before.
public struct TraceEntry: Sendable, Equatable {
    /// A request node's base key and what it was derived under.
    public struct DerivedKey: Sendable, Equatable {
        public var op: String
        public var version: Int64
        public var key: Digest

        public init(op: String, version: Int64, key: Digest) {
            self.op = op; self.version = version; self.key = key
        }
    }

    public var digest: Digest
    public var size: Int64
    public var key: DerivedKey?

    public init(digest: Digest, size: Int64, key: DerivedKey? = nil) {
        self.digest = digest; self.size = size; self.key = key
    }

    /// A trace's bytes: one array per request, `[digest, size]` or `[digest, size, op, version,
    /// key]`. (An accomake from before derived keys reads the longer form as a damaged trace: it
    /// reruns the asking task, never answers wrongly.)
    public static func encode(_ entries: [TraceEntry]) throws(CanonicalEncodingError) -> [UInt8] {
        try CanonicalEncoder.encode(.array(entries.map { e in
            var fields: [Value] = [.bytes(e.digest.bytes), .int(e.size)]
            if let k = e.key { fields += [.string(k.op), .int(k.version), .bytes(k.key.bytes)] }
            return .array(fields)
        }))
    }

    /// The entries of a trace's bytes; nil when they are malformed. Read field by field (no value
    /// tree: a whole-graph walk reads a trace per stack).
    public static func decode(_ bytes: [UInt8]) -> [TraceEntry]? {
        var reader = CanonicalDecoder(reading: bytes)
        func readDigest() throws -> Digest? {
            let raw = try reader.byteString()
            return raw.count == 32 ? raw.withUnsafeBytes { Digest(bytes: $0) } : nil
        }
        do {
            let count = try reader.arrayCount()
            var out: [TraceEntry] = []
            out.reserveCapacity(min(count, 1 << 16))
            for _ in 0..<count {
                let fields = try reader.arrayCount()
                guard fields == 2 || fields == 5, let digest = try readDigest() else { return nil }
                let size = try reader.int()
                guard size >= 0 else { return nil }
                var e = TraceEntry(digest: digest, size: size)
                if fields == 5 {
                    let op = try reader.text(), version = try reader.int()
                    guard let key = try readDigest() else { return nil }
                    e.key = DerivedKey(op: op, version: version, key: key)
                }
                out.append(e)
            }
            return reader.isAtEnd ? out : nil
        } catch {
            return nil
        }
    }
}

extension Graph {
    /// The key the node of `request` will have (its base key), when the request has no
    /// dependencies and names an operator of this graph — what a trace entry records.
    func derivedKey(_ request: NodeRequest, _ encoded: EncodedRequest) -> TraceEntry.DerivedKey? {
        guard request.dependencies.isEmpty, let range = encoded.params,
              let index = operatorIndex(of: request.op) else { return nil }
        let op = operators[index]
        return TraceEntry.DerivedKey(op: op.id, version: op.version,
                                     key: NodeKey.node(operator: op.id, version: op.version,
                                                       encodedParams: encoded.bytes[range], dependencyDigests: []))
    }
}
