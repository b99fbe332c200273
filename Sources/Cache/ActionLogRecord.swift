import Graph

/// One action-cache entry as stored in the log: 96 bytes, fixed size, self-checking.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | magic `ACR1` (a format change gets a new magic; unknown records are skipped) |
/// | 4 | 1 | kind: 1 output, 2 trace, 3 tombstone (the key was evicted) |
/// | 5 | 3 | zero |
/// | 8 | 32 | node key |
/// | 40 | 32 | blob digest |
/// | 72 | 8 | blob size, little-endian |
/// | 80 | 4 | last use, seconds since 1970, little-endian (for age- and LRU-bounded GC) |
/// | 84 | 4 | task duration in microseconds, saturated (metadata, never part of a key) |
/// | 88 | 8 | FNV-1a 64 of bytes 0..<88 |
///
/// A torn, truncated or bit-flipped record fails the magic or checksum test and is skipped:
/// the key is then a miss, never a wrong hit.
struct ActionLogRecord: Equatable {
    enum Kind: UInt8 { case output = 1, trace = 2, tombstone = 3 }

    static let size = 96
    static let magic: (UInt8, UInt8, UInt8, UInt8) = (0x41, 0x43, 0x52, 0x31)  // "ACR1"

    var kind: Kind
    var key: Digest
    var blob: Digest
    var blobSize: Int64
    var lastUse: UInt32
    var durationMicros: UInt32

    init(kind: Kind, key: Digest, blob: Digest, blobSize: Int64, lastUse: UInt32, durationMicros: UInt32) {
        self.kind = kind
        self.key = key
        self.blob = blob
        self.blobSize = blobSize
        self.lastUse = lastUse
        self.durationMicros = durationMicros
    }

    init(key: Digest, record: ActionRecord, lastUse: UInt32, durationMicros: UInt32) {
        switch record {
        case .output(let d, let s): self.init(kind: .output, key: key, blob: d, blobSize: s, lastUse: lastUse, durationMicros: durationMicros)
        case .trace(let d, let s): self.init(kind: .trace, key: key, blob: d, blobSize: s, lastUse: lastUse, durationMicros: durationMicros)
        }
    }

    static func tombstone(_ key: Digest, at time: UInt32) -> ActionLogRecord {
        ActionLogRecord(kind: .tombstone, key: key, blob: Digest(0, 0, 0, 0), blobSize: 0, lastUse: time, durationMicros: 0)
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
        for i in 5..<8 { p.storeBytes(of: 0, toByteOffset: i, as: UInt8.self) }
        key.write(to: p + 8)
        blob.write(to: p + 40)
        p.storeBytes(of: blobSize.littleEndian, toByteOffset: 72, as: Int64.self)
        p.storeBytes(of: lastUse.littleEndian, toByteOffset: 80, as: UInt32.self)
        p.storeBytes(of: durationMicros.littleEndian, toByteOffset: 84, as: UInt32.self)
        let sum = Self.checksum(UnsafeRawBufferPointer(start: p, count: 88))
        p.storeBytes(of: sum.littleEndian, toByteOffset: 88, as: UInt64.self)
    }

    var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.size)
        out.withUnsafeMutableBytes { write(to: $0.baseAddress!) }
        return out
    }

    /// Parses the 96 bytes at `p`; nil when the magic, kind, size or checksum is wrong.
    static func parse(_ p: UnsafeRawPointer) -> ActionLogRecord? {
        guard p.load(fromByteOffset: 0, as: UInt8.self) == magic.0, p.load(fromByteOffset: 1, as: UInt8.self) == magic.1,
              p.load(fromByteOffset: 2, as: UInt8.self) == magic.2, p.load(fromByteOffset: 3, as: UInt8.self) == magic.3,
              let kind = Kind(rawValue: p.load(fromByteOffset: 4, as: UInt8.self))
        else { return nil }
        let stored = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 88, as: UInt64.self))
        guard stored == checksum(UnsafeRawBufferPointer(start: p, count: 88)) else { return nil }
        let size = Int64(littleEndian: p.loadUnaligned(fromByteOffset: 72, as: Int64.self))
        guard size >= 0 else { return nil }
        return ActionLogRecord(
            kind: kind,
            key: Digest(bytes: UnsafeRawBufferPointer(start: p + 8, count: 32)),
            blob: Digest(bytes: UnsafeRawBufferPointer(start: p + 40, count: 32)),
            blobSize: size,
            lastUse: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 80, as: UInt32.self)),
            durationMicros: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 84, as: UInt32.self)))
    }

    /// Parses a run of records starting at `start`. Skips damaged stretches by searching for the
    /// next valid record; stops before an incomplete record at the end (it may still be being
    /// written). Returns the records and the offset up to which the bytes were consumed.
    static func parseAll(_ bytes: UnsafeRawBufferPointer, from start: Int = 0) -> (records: [ActionLogRecord], end: Int) {
        var records: [ActionLogRecord] = []
        records.reserveCapacity((bytes.count - start) / size)
        var offset = start
        guard let base = bytes.baseAddress else { return ([], start) }
        while bytes.count - offset >= size {
            if let record = parse(base + offset) {
                records.append(record)
                offset += size
            } else {
                offset += 1
            }
        }
        return (records, offset)
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
