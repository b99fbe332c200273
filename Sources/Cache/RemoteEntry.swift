import Graph

/// What `<url>/ac/<key>` holds: our own action record, in canonical form,
/// `["accomake-ac/2", kind, digest, size, inline, codec]` — kind 0 an output, 1 a trace; `inline`
/// the blob itself when it is at most `inlineLimit` bytes (nearly every entry of a study: one GET
/// answers it, and no cas PUT is needed), else null and the blob is at `<url>/cas/<digest>`; codec
/// 1 when the inline bytes are compressed (`BlobCompression`: study results shrink several-fold,
/// so the server stores and sends a fraction of the bytes), 0 when they are the blob as it is.
/// Entries of the first form, `["accomake-ac/1", kind, digest, size, inline]`, are still read; an
/// accomake that knows only that form reads the second as damage, i.e. a miss.
struct RemoteEntry: Equatable {
    static let tag = "accomake-ac/2"
    static let uncompressedTag = "accomake-ac/1"
    static let inlineLimit = 64 << 10

    var record: ActionRecord
    /// The inline blob, decoded.
    var inline: [UInt8]?

    init(record: ActionRecord, inline: [UInt8]?) {
        self.record = record
        self.inline = inline
    }

    /// Parses an entry; nil for anything that is not exactly one (damage is a miss).
    init?(_ bytes: [UInt8]) {
        guard let parts = (try? CanonicalDecoder.decode(bytes))?.arrayValue,
              parts.count == 6 && parts[0].stringValue == Self.tag
                || parts.count == 5 && parts[0].stringValue == Self.uncompressedTag,
              let kind = parts[1].intValue, let raw = parts[2].bytesValue,
              raw.count == 32, let size = parts[3].intValue, size >= 0 else { return nil }
        let digest = raw.withUnsafeBytes { Digest(bytes: $0) }
        switch kind {
        case 0: record = .output(digest, size: size)
        case 1: record = .trace(digest, size: size)
        default: return nil
        }
        let compressed = parts.count == 6 && parts[5].intValue == 1
        guard parts.count == 5 || compressed || parts[5].intValue == 0 else { return nil }
        switch parts[4] {
        case .null: inline = nil
        case .bytes(let b) where size <= Self.inlineLimit:
            if compressed {
                guard let blob = b.withUnsafeBytes({ BlobCompression.decompress($0, count: Int(size)) }) else {
                    return nil
                }
                inline = blob
            } else {
                guard b.count == size else { return nil }
                inline = b
            }
        default: return nil
        }
    }

    /// The entry in the current form, its inline blob compressed when that makes it smaller;
    /// written field by field (no value tree around a copy of the blob). The compressed form is
    /// handed on to the local pack that stores the same blob next (`CompressionHandoff`).
    var bytes: [UInt8] {
        let packed = inline.flatMap { blob in blob.withUnsafeBytes { BlobCompression.compress($0) } }
        if let inline, inline.count > ActionLogRecord.inlineLimit {
            CompressionHandoff.give(record.blob, compressed: packed)
        }
        let kind: Int64 = if case .trace = record { 1 } else { 0 }
        var e = CanonicalEncoder(reservingCapacity: 96 + ((packed ?? inline)?.count ?? 0))
        e.appendArrayHeader(count: 6)
        e.appendString(Self.tag)
        e.appendInt(kind)
        e.appendDigest(record.blob)
        e.appendInt(record.size)
        if let stored = packed ?? inline { e.appendBytes(stored) } else { e.appendNull() }
        e.appendInt(packed == nil ? 0 : 1)
        return e.bytes
    }
}
