import Graph

/// Where a packed blob's bytes are: which pack file, where in it, how many bytes and how they
/// are coded. Stored in the blob's action-log record (24 bytes, little-endian).
struct PackLocation: Equatable {
    enum Codec: UInt8 {
        /// The blob's own bytes.
        case stored = 0
        /// `BlobCompression`.
        case compressed = 1
    }

    static let size = 24

    var pack: UInt64
    var offset: UInt64
    var storedCount: UInt32
    var codec: Codec

    init(pack: UInt64, offset: UInt64, storedCount: UInt32, codec: Codec) {
        self.pack = pack
        self.offset = offset
        self.storedCount = storedCount
        self.codec = codec
    }

    /// Parses the 24 bytes at `p`; nil for an unknown codec or non-zero reserved bytes.
    init?(_ p: UnsafeRawPointer) {
        guard let codec = Codec(rawValue: p.load(fromByteOffset: 20, as: UInt8.self)),
              p.load(fromByteOffset: 21, as: UInt8.self) == 0,
              p.loadUnaligned(fromByteOffset: 22, as: UInt16.self) == 0 else { return nil }
        self.pack = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        self.offset = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        self.storedCount = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        self.codec = codec
    }

    func write(to p: UnsafeMutableRawPointer) {
        p.storeBytes(of: pack.littleEndian, toByteOffset: 0, as: UInt64.self)
        p.storeBytes(of: offset.littleEndian, toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: storedCount.littleEndian, toByteOffset: 16, as: UInt32.self)
        p.storeBytes(of: codec.rawValue, toByteOffset: 20, as: UInt8.self)
        p.storeBytes(of: UInt8(0), toByteOffset: 21, as: UInt8.self)
        p.storeBytes(of: UInt16(0), toByteOffset: 22, as: UInt16.self)
    }
}

/// Pack files: `packs/<16 hex>.pack`, append-only files of blobs back to back, each found
/// through its action-log record (`PackLocation`). One file per writing session instead of one
/// per blob: a study's 200k results cost a handful of inodes, not 200k, and a read is a `pread`
/// on a descriptor already open.
///
/// Each session appends only to packs it created (a random number names them), so writers never
/// share a file. A blob's bytes are written before its record is appended, so a record never
/// points at bytes that were not written; a killed writer leaves bytes no record names, which
/// collection reclaims. Nothing is trusted: a load decodes exactly the recorded size and checks
/// the SHA-256, and any anomaly is a miss.
enum PackFile {
    /// The first bytes of every pack (names the file's kind; no record points below them).
    static let header = Array("accomake pack 1\n".utf8)
    /// A session starts a new pack once its current one has grown past this.
    static let rotationBytes: UInt64 = 1 << 30
    /// Larger blobs stay one file each: there are few of them and a file per blob is then cheap.
    static let largestPacked = 4 << 20
    static let suffix = ".pack"

    static func name(_ number: UInt64) -> String {
        let hex = String(number, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex + suffix
    }

    /// The pack number a file name stands for: 16 lowercase hex digits and `.pack`; else nil.
    static func number(_ name: String) -> UInt64? {
        guard name.hasSuffix(suffix) else { return nil }
        let stem = name.dropLast(suffix.count)
        guard stem.utf8.count == 16, stem.utf8.allSatisfy(CacheDirectory.isLowerHex) else { return nil }
        return UInt64(stem, radix: 16)
    }

    /// A blob as it is written to a pack: compressed when that makes it smaller. The form the
    /// remote cache made of the same blob is used when it is waiting (`CompressionHandoff`).
    static func encode(_ blob: [UInt8], digest: Digest? = nil) -> (bytes: [UInt8], codec: PackLocation.Codec) {
        let given = digest.flatMap(CompressionHandoff.take)
        if let packed = given.map(\.compressed) ?? blob.withUnsafeBytes({ BlobCompression.compress($0) }) {
            return (packed, .compressed)
        }
        return (blob, .stored)
    }

    /// The blob's bytes from what a pack holds, or nil when they do not decode to `size` bytes.
    static func decode(_ stored: [UInt8], codec: PackLocation.Codec, size: Int) -> [UInt8]? {
        switch codec {
        case .stored: stored.count == size ? stored : nil
        case .compressed: stored.withUnsafeBytes { BlobCompression.decompress($0, count: size) }
        }
    }

    /// Opens a pack for reading; -1 when it is missing or not a regular file.
    static func openForReading(_ path: String) -> Int32 { POSIX.openRegularForReading(path)?.fd ?? -1 }
}
