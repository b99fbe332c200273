import Graph

/// One action-cache entry as stored in the log: a 88-byte header, where the blob is when it sits
/// in a pack file, the blob itself when it is small (inline), and a checksum.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | magic `ACR1` (a format change gets a new magic; unknown records are skipped) |
/// | 4 | 1 | kind: 1 output, 2 trace, 3 tombstone (the key was evicted) |
/// | 5 | 1 | flags: bit 0 = the blob follows the header (inline); bit 1 = packed (never both) |
/// | 6 | 2 | inline length L, little-endian (0 unless inline; at most `inlineLimit`) |
/// | 8 | 32 | node key |
/// | 40 | 32 | blob digest |
/// | 72 | 8 | blob size, little-endian |
/// | 80 | 4 | last use, seconds since 1970, little-endian (for age- and LRU-bounded GC) |
/// | 84 | 4 | task duration in microseconds, saturated (metadata, never part of a key) |
/// | 88 | P | when packed (P = 24, else 0): pack number (8), offset (8), stored length (4), codec (1), |
/// |  |  | zero (3), little-endian (`PackLocation`) |
/// | 88+P | L | the blob, when inline |
/// | 88+P+L | 8 | FNV-1a 64 of bytes 0..<88+P+L |
///
/// Small blobs are stored inline because creating one file per blob costs several file-system
/// calls, which dominated the executor's per-node overhead for typical small artifacts; inline
/// blobs are still content-addressed (verified against their digest when read).
///
/// A torn, truncated or bit-flipped record fails the magic or checksum test and is skipped:
/// the key is then a miss, never a wrong hit.
struct ActionLogRecord: Equatable {
    enum Kind: UInt8 { case output = 1, trace = 2, tombstone = 3 }

    /// Size of a record without inline bytes.
    static let size = 96
    static let headerSize = 88
    /// Blobs up to this many bytes go inline.
    static let inlineLimit = 256
    static let magic: (UInt8, UInt8, UInt8, UInt8) = (0x41, 0x43, 0x52, 0x31)  // "ACR1"

    var kind: Kind
    var key: Digest
    var blob: Digest
    var blobSize: Int64
    var lastUse: UInt32
    var durationMicros: UInt32
    var inline: [UInt8]?
    var packed: PackLocation?

    var byteCount: Int { Self.size + (packed == nil ? 0 : PackLocation.size) + (inline?.count ?? 0) }

    init(kind: Kind, key: Digest, blob: Digest, blobSize: Int64, lastUse: UInt32, durationMicros: UInt32,
         inline: [UInt8]? = nil, packed: PackLocation? = nil) {
        self.inline = inline
        self.packed = packed
        self.kind = kind
        self.key = key
        self.blob = blob
        self.blobSize = blobSize
        self.lastUse = lastUse
        self.durationMicros = durationMicros
    }

    init(key: Digest, record: ActionRecord, lastUse: UInt32, durationMicros: UInt32, inline: [UInt8]? = nil,
         packed: PackLocation? = nil) {
        let kind: Kind = switch record {
        case .output: .output
        case .trace: .trace
        }
        self.init(kind: kind, key: key, blob: record.blob, blobSize: record.size, lastUse: lastUse,
                  durationMicros: durationMicros, inline: inline, packed: packed)
    }

    static func tombstone(_ key: Digest, at time: UInt32) -> ActionLogRecord {
        ActionLogRecord(kind: .tombstone, key: key, blob: Digest(0, 0, 0, 0), blobSize: 0, lastUse: time,
                        durationMicros: 0)
    }

    var actionRecord: ActionRecord? {
        switch kind {
        case .output: .output(blob, size: blobSize)
        case .trace: .trace(blob, size: blobSize)
        case .tombstone: nil
        }
    }

    func write(to p: UnsafeMutableRawPointer) {
        p.storeBytes(of: Self.magic.0, toByteOffset: 0, as: UInt8.self)
        p.storeBytes(of: Self.magic.1, toByteOffset: 1, as: UInt8.self)
        p.storeBytes(of: Self.magic.2, toByteOffset: 2, as: UInt8.self)
        p.storeBytes(of: Self.magic.3, toByteOffset: 3, as: UInt8.self)
        p.storeBytes(of: kind.rawValue, toByteOffset: 4, as: UInt8.self)
        p.storeBytes(of: UInt8(inline == nil ? 0 : 1) | UInt8(packed == nil ? 0 : 2), toByteOffset: 5, as: UInt8.self)
        let inlineCount = inline?.count ?? 0
        p.storeBytes(of: UInt16(inlineCount).littleEndian, toByteOffset: 6, as: UInt16.self)
        key.write(to: p + 8)
        blob.write(to: p + 40)
        p.storeBytes(of: blobSize.littleEndian, toByteOffset: 72, as: Int64.self)
        p.storeBytes(of: lastUse.littleEndian, toByteOffset: 80, as: UInt32.self)
        p.storeBytes(of: durationMicros.littleEndian, toByteOffset: 84, as: UInt32.self)
        var end = Self.headerSize
        if let packed {
            packed.write(to: p + end)
            end += PackLocation.size
        }
        if let inline {
            inline.withUnsafeBytes { (p + end).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }
        end += inlineCount
        let sum = Self.checksum(UnsafeRawBufferPointer(start: p, count: end))
        p.storeBytes(of: sum.littleEndian, toByteOffset: end, as: UInt64.self)
    }

    var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount)
        out.withUnsafeMutableBytes { write(to: $0.baseAddress!) }
        return out
    }

    /// Writes records back to back.
    static func encode(_ records: [ActionLogRecord]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: records.reduce(0) { $0 + $1.byteCount })
        out.withUnsafeMutableBytes { raw in
            var offset = 0
            for record in records {
                record.write(to: raw.baseAddress! + offset)
                offset += record.byteCount
            }
        }
        return out
    }

    /// Parses the record at `p` with `available` bytes readable; nil when the magic, kind,
    /// lengths or checksum are wrong or the record does not fit. The returned record has no
    /// `inline` array; its inline bytes, if any, are the second element (pointing into `p`).
    static func parse(_ p: UnsafeRawPointer, available: Int) -> (ActionLogRecord, UnsafeRawBufferPointer?)? {
        guard available >= size,
              p.load(fromByteOffset: 0, as: UInt8.self) == magic.0,
              p.load(fromByteOffset: 1, as: UInt8.self) == magic.1,
              p.load(fromByteOffset: 2, as: UInt8.self) == magic.2,
              p.load(fromByteOffset: 3, as: UInt8.self) == magic.3,
              let kind = Kind(rawValue: p.load(fromByteOffset: 4, as: UInt8.self))
        else { return nil }
        let flags = p.load(fromByteOffset: 5, as: UInt8.self)
        let inlineCount = Int(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 6, as: UInt16.self)))
        let packedCount = flags == 2 ? PackLocation.size : 0
        guard flags <= 2, inlineCount <= inlineLimit, flags == 1 || inlineCount == 0,
              available >= size + packedCount + inlineCount else { return nil }
        let end = headerSize + packedCount + inlineCount
        let stored = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: end, as: UInt64.self))
        guard stored == checksum(UnsafeRawBufferPointer(start: p, count: end)) else { return nil }
        let size = Int64(littleEndian: p.loadUnaligned(fromByteOffset: 72, as: Int64.self))
        guard size >= 0, flags != 1 || size == Int64(inlineCount) else { return nil }
        let inline = flags == 1 ? UnsafeRawBufferPointer(start: p + headerSize, count: inlineCount) : nil
        var packed: PackLocation?
        if flags == 2 {
            guard let location = PackLocation(p + headerSize) else { return nil }
            packed = location
        }
        let record = ActionLogRecord(
            kind: kind,
            key: Digest(bytes: UnsafeRawBufferPointer(start: p + 8, count: 32)),
            blob: Digest(bytes: UnsafeRawBufferPointer(start: p + 40, count: 32)),
            blobSize: size,
            lastUse: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 80, as: UInt32.self)),
            durationMicros: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 84, as: UInt32.self)),
            packed: packed)
        return (record, inline)
    }

    /// Visits a run of records (with their inline bytes, valid during the call). Skips damaged
    /// stretches by searching for the next valid record; stops before an incomplete record at
    /// the end (it may still be being written). Returns the number of bytes consumed.
    static func scan(_ bytes: UnsafeRawBufferPointer, _ visit: (ActionLogRecord,
                                                                UnsafeRawBufferPointer?) -> Void) -> Int {
        var offset = 0
        guard let base = bytes.baseAddress else { return 0 }
        while bytes.count - offset >= size {
            if let (record, inline) = parse(base + offset, available: bytes.count - offset) {
                visit(record, inline)
                offset += record.byteCount + (inline?.count ?? 0)
            } else if looksIncomplete(base + offset, available: bytes.count - offset) {
                break
            } else {
                offset += 1
            }
        }
        return offset
    }

    /// A record header whose inline part or pack location runs past the end: wait for the rest.
    private static func looksIncomplete(_ p: UnsafeRawPointer, available: Int) -> Bool {
        guard p.load(fromByteOffset: 0, as: UInt8.self) == magic.0,
              p.load(fromByteOffset: 3, as: UInt8.self) == magic.3 else { return false }
        switch p.load(fromByteOffset: 5, as: UInt8.self) {
        case 1:
            let inlineCount = Int(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 6, as: UInt16.self)))
            return inlineCount <= inlineLimit && available < size + inlineCount
        case 2: return available < size + PackLocation.size
        default: return false
        }
    }

    /// FNV-1a, 64-bit: cheap (the log of 100k entries is checked in about 10 ms) and enough to
    /// catch torn writes and flipped bits. The digests inside protect the data themselves.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
