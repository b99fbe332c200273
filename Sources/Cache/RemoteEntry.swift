import Graph

/// What `<url>/ac/<key>` holds: our own action record, in canonical form,
/// `["accomake-ac/1", kind, digest, size, inline]` — kind 0 an output, 1 a trace; `inline` the
/// blob itself when it is at most `inlineLimit` bytes (nearly every entry of a study: one GET answers
/// it, and no cas PUT is needed), else null and the blob is at `<url>/cas/<digest>`.
struct RemoteEntry: Equatable {
    static let tag = "accomake-ac/1"
    static let inlineLimit = 64 << 10

    var record: ActionRecord
    var inline: [UInt8]?

    init(record: ActionRecord, inline: [UInt8]?) {
        self.record = record
        self.inline = inline
    }

    /// Parses an entry; nil for anything that is not exactly one (damage is a miss).
    init?(_ bytes: [UInt8]) {
        guard let parts = (try? CanonicalDecoder.decode(bytes))?.arrayValue, parts.count == 5,
              parts[0].stringValue == Self.tag, let kind = parts[1].intValue, let raw = parts[2].bytesValue,
              raw.count == 32, let size = parts[3].intValue, size >= 0 else { return nil }
        let digest = raw.withUnsafeBytes { Digest(bytes: $0) }
        switch kind {
        case 0: record = .output(digest, size: size)
        case 1: record = .trace(digest, size: size)
        default: return nil
        }
        switch parts[4] {
        case .null: inline = nil
        case .bytes(let b) where b.count == size && b.count <= Self.inlineLimit: inline = b
        default: return nil
        }
    }

    var bytes: [UInt8] {
        let kind: Int64 = if case .trace = record { 1 } else { 0 }
        let value = Value.array([.string(Self.tag), .int(kind), .bytes(record.blob.bytes), .int(record.size),
                                 inline.map { .bytes($0) } ?? .null])
        return (try? CanonicalEncoder.encode(value)) ?? []
    }
}
