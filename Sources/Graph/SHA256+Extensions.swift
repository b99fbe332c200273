#if arch(x86_64)
import _Builtin_intrinsics.intel
import _Builtin_intrinsics.intel.cpuid
#endif

/// SHA-256's compression function on the x86 SHA extensions (`sha256rnds2`, `sha256msg1`,
/// `sha256msg2`), used when the processor has them: a cold study hashes every node's key and
/// output, and a walk of the whole graph spent a third of its time in the portable rounds.
/// The digest is the same either way; `SHA256Tests` checks both paths on the FIPS vectors.
enum SHAExtensions {
    /// Whether this processor runs the extensions and the SSSE3 and SSE4.1 instructions around
    /// them, as CPUID says (an emulator such as valgrind that lacks them says no).
    static let available: Bool = {
        #if arch(x86_64)
        var a: UInt32 = 0, b: UInt32 = 0, c: UInt32 = 0, d: UInt32 = 0
        guard __get_cpuid(1, &a, &b, &c, &d) != 0 else { return false }
        let ssse3 = c & (1 << 9) != 0, sse41 = c & (1 << 19) != 0
        guard __get_cpuid_count(7, 0, &a, &b, &c, &d) != 0 else { return false }
        return ssse3 && sse41 && b & (1 << 29) != 0
        #else
        return false
        #endif
    }()

    #if arch(x86_64)
    /// The round constants four at a time, as the rounds add them to the message words.
    private static let roundConstants: [SIMD4<UInt32>] = stride(from: 0, to: 64, by: 4).map { t in
        let k = SHA256.roundConstants
        return SIMD4<UInt32>(k[t], k[t + 1], k[t + 2], k[t + 3])
    }

    /// Big-endian words from a block's bytes: reverses the bytes of each 32-bit lane.
    private static let byteSwap = unsafeBitCast(
        SIMD16<UInt8>(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12), to: SIMD2<Int64>.self)

    /// Compresses `blocks` 64-byte blocks from `data` into the state `h` (a, b, c, d, e, f, g, h).
    /// Vectors are four 32-bit words, lowest lane first; the lane shuffles are written as SIMD
    /// lane selections (the C shuffle intrinsics are macros Swift cannot import).
    static func compress(_ h: inout SIMD8<UInt32>, _ data: UnsafeRawPointer, blocks: Int) {
        let abcd = h.lowHalf, efgh = h.highHalf
        // The instructions keep the state as (f, e, b, a) and (h, g, d, c).
        var abef = SIMD4(efgh[1], efgh[0], abcd[1], abcd[0])
        var cdgh = SIMD4(efgh[3], efgh[2], abcd[3], abcd[2])
        roundConstants.withUnsafeBufferPointer { k in
            for b in 0..<blocks {
                let block = data + 64 * b
                let savedABEF = abef, savedCDGH = cdgh
                var w = (load(block, 0), load(block, 16), load(block, 32), load(block, 48))
                for group in 0..<16 {
                    let words: SIMD4<UInt32>
                    switch group {
                    case 0: words = w.0
                    case 1: words = w.1
                    case 2: words = w.2
                    case 3: words = w.3
                    default:
                        // W[t..t+3] from W[t-16..t-1]: the t-16 words plus σ0 (msg1), the t-7
                        // words, then σ1 (msg2).
                        let t7 = SIMD4(w.2[1], w.2[2], w.2[3], w.3[0])
                        words = lanes(_mm_sha256msg2_epu32(vector(lanes(_mm_sha256msg1_epu32(vector(w.0),
                                                                                              vector(w.1))) &+ t7),
                                                           vector(w.3)))
                        w = (w.1, w.2, w.3, words)
                    }
                    // Two rounds on the low two words, then two on the high two.
                    let wk = words &+ k[group]
                    cdgh = lanes(_mm_sha256rnds2_epu32(vector(cdgh), vector(abef), vector(wk)))
                    let high = SIMD4(wk[2], wk[3], wk[2], wk[3])
                    abef = lanes(_mm_sha256rnds2_epu32(vector(abef), vector(cdgh), vector(high)))
                }
                abef &+= savedABEF
                cdgh &+= savedCDGH
            }
        }
        h = SIMD8(abef[3], abef[2], cdgh[3], cdgh[2], abef[1], abef[0], cdgh[1], cdgh[0])
    }

    @inline(__always)
    private static func load(_ block: UnsafeRawPointer, _ offset: Int) -> SIMD4<UInt32> {
        lanes(_mm_shuffle_epi8(block.loadUnaligned(fromByteOffset: offset, as: SIMD2<Int64>.self), byteSwap))
    }

    @inline(__always)
    private static func lanes(_ x: SIMD2<Int64>) -> SIMD4<UInt32> { unsafeBitCast(x, to: SIMD4<UInt32>.self) }

    @inline(__always)
    private static func vector(_ x: SIMD4<UInt32>) -> SIMD2<Int64> { unsafeBitCast(x, to: SIMD2<Int64>.self) }
    #endif
}
