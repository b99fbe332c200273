/// SHA-256 as specified in FIPS 180-4, written here because CryptoKit does not exist on Linux
/// and the project takes no third-party packages.
///
/// `SHA256` is an incremental hasher: feed it bytes with `update`, then call `finalize`.
/// It keeps its state in eight words and a 64-byte block buffer held inline (a tuple), so
/// hashing allocates nothing. Where the processor has SHA extensions, blocks go through them
/// (`SHAExtensions`).
public struct SHA256: Sendable {
    private var h = SIMD8<UInt32>(
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a,
        0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )
    /// Bytes not yet compressed (fewer than 64).
    private var buffer = Block()
    private var buffered = 0
    private var totalBytes: UInt64 = 0
    /// Whether blocks go through the processor's SHA extensions (`SHAExtensions`).
    private let accelerated: Bool

    public init() { accelerated = SHAExtensions.available }

    /// A hasher that uses the processor's SHA extensions only if `accelerated` and available
    /// (tests compare both paths).
    init(accelerated: Bool) { self.accelerated = accelerated && SHAExtensions.available }

    /// The digest of a whole message.
    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> Digest where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    public static func hash(_ bytes: UnsafeRawBufferPointer) -> Digest {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress else { return }
        var count = bytes.count
        totalBytes &+= UInt64(count)
        if buffered > 0 {
            let take = min(64 - buffered, count)
            buffer.copy(from: base, count: take, at: buffered)
            buffered += take
            base += take
            count -= take
            if buffered < 64 { return }
            var block = buffer
            withUnsafeBytes(of: &block) { compress($0.baseAddress!, blocks: 1) }
            buffered = 0
        }
        if count >= 64 {
            compress(base, blocks: count / 64)
            base += count / 64 * 64
            count %= 64
        }
        if count > 0 {
            buffer.copy(from: base, count: count, at: 0)
            buffered = count
        }
    }

    /// The digest of everything fed so far; the hasher itself is left as it was.
    public func finalize() -> Digest {
        var copy = self
        return copy.pad()
    }

    /// FIPS 180-4 §5.1.1 padding and the last compression(s).
    private mutating func pad() -> Digest {
        let bitLength = totalBytes &* 8
        var block = buffer
        let used = buffered
        withUnsafeMutableBytes(of: &block) { raw in
            raw[used] = 0x80
            for i in (used + 1)..<64 { raw[i] = 0 }
            if used >= 56 {
                compress(raw.baseAddress!, blocks: 1)
                for i in 0..<56 { raw[i] = 0 }
            }
            raw.storeBytes(of: bitLength.bigEndian, toByteOffset: 56, as: UInt64.self)
            compress(raw.baseAddress!, blocks: 1)
        }
        return Digest(
            UInt64(h[0]) << 32 | UInt64(h[1]), UInt64(h[2]) << 32 | UInt64(h[3]),
            UInt64(h[4]) << 32 | UInt64(h[5]), UInt64(h[6]) << 32 | UInt64(h[7]))
    }

    /// Consecutive 64-byte blocks through the compression function.
    private mutating func compress(_ data: UnsafeRawPointer, blocks: Int) {
        #if arch(x86_64)
        if accelerated { return SHAExtensions.compress(&h, data, blocks: blocks) }
        #endif
        for b in 0..<blocks { compressPortably(data + 64 * b) }
    }

    /// One 64-byte block through the compression function (FIPS 180-4 §6.2.2).
    private mutating func compressPortably(_ block: UnsafeRawPointer) {
        var w = Schedule()
        withUnsafeMutableBytes(of: &w) { raw in
            let words = raw.baseAddress!.assumingMemoryBound(to: UInt32.self)
            for t in 0..<16 {
                words[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self))
            }
            for t in 16..<64 {
                let x = words[t - 15], y = words[t - 2]
                let s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3)
                let s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >> 10)
                words[t] = words[t - 16] &+ s0 &+ words[t - 7] &+ s1
            }
            var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7]
            SHA256.roundConstants.withUnsafeBufferPointer { k in
                for t in 0..<64 {
                    let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                    let ch = (e & f) ^ (~e & g)
                    let t1 = hh &+ s1 &+ ch &+ k[t] &+ words[t]
                    let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                    let maj = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = s0 &+ maj
                    hh = g; g = f; f = e; e = d &+ t1
                    d = c; c = b; b = a; a = t1 &+ t2
                }
            }
            h &+= SIMD8(a, b, c, d, e, f, g, hh)
        }
    }

    static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]
}

@inline(__always)
private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 &- n)) }

/// 64 bytes held inline.
private struct Block {
    var bytes: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)

    mutating func copy(from source: UnsafeRawPointer, count: Int, at offset: Int) {
        withUnsafeMutableBytes(of: &bytes) { raw in
            raw.baseAddress!.advanced(by: offset).copyMemory(from: source, byteCount: count)
        }
    }
}

/// The 64-word message schedule held inline.
private struct Schedule {
    var a = Block(), b = Block(), c = Block(), d = Block()
}
