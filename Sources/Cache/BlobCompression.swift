/// A small, fast LZ77 codec for packed blobs. Study results repeat the same names and numbers
/// many times (an energy breakdown lists every memory operand of every layer), so even a greedy
/// matcher shrinks them several-fold; the point is disk space and page-cache reads, at a cost
/// far below the SHA-256 every load pays anyway.
///
/// A compressed block is a run of sequences, each:
///
/// | bytes | field |
/// |---|---|
/// | 1 | token: high nibble literal count L, low nibble match length M − 4 |
/// | 0+ | when L = 15: more literal count, bytes added until one is below 255 |
/// | L | the literals, copied as they are |
/// | 2 | match offset back from the current output end, little-endian, 1…65535 |
/// | 0+ | when M − 4 = 15: more match length, bytes added until one is below 255 |
///
/// The block ends after a sequence's literals when no input is left (so the last sequence has
/// no match). The decoded size is not in the block: the caller knows it (the record's blob size)
/// and the decoder refuses any block that does not produce exactly that many bytes.
enum BlobCompression {
    static let minimumMatch = 4
    static let maximumOffset = 65_535
    static let hashBits = 13

    /// The compressed block, or nil when it would not be smaller than `input`.
    static func compress(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        let n = input.count
        guard n > 16, let src = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let limit = n - 1  // what compressing must beat
        var out = [UInt8]()
        out.reserveCapacity(n)
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: 1 << hashBits) { table -> [UInt8]? in
            table.initialize(repeating: -1)
            var anchor = 0
            var i = 0
            while i + minimumMatch <= n {
                let word = UnsafeRawPointer(src + i).loadUnaligned(as: UInt32.self)
                let slot = Int((word &* 2_654_435_761) >> (32 - UInt32(hashBits)))
                let candidate = Int(table[slot])
                table[slot] = Int32(i)
                guard candidate >= 0, i - candidate <= maximumOffset,
                      UnsafeRawPointer(src + candidate).loadUnaligned(as: UInt32.self) == word
                else {
                    i += 1
                    continue
                }
                let length = matchLength(src, candidate, i, n)
                appendSequence(&out, literals: src + anchor, count: i - anchor, offset: i - candidate,
                               match: length)
                guard out.count < limit else { return nil }
                i += length
                anchor = i
            }
            if anchor < n { appendSequence(&out, literals: src + anchor, count: n - anchor, offset: 0, match: 0) }
            return out.count < limit ? out : nil
        }
    }

    /// How far the bytes at `candidate` repeat those at `i` (at least `minimumMatch`, known
    /// equal), up to the input's end `n`: eight bytes at a time, the first differing byte found
    /// from the XOR of two words (a byte at a time, this loop was a third of the compressor's
    /// instructions in an uploading quickstart run).
    @inline(__always)
    private static func matchLength(_ src: UnsafePointer<UInt8>, _ candidate: Int, _ i: Int, _ n: Int) -> Int {
        var length = minimumMatch
        while i + length + 8 <= n {
            let a = UnsafeRawPointer(src + candidate + length).loadUnaligned(as: UInt64.self)
            let b = UnsafeRawPointer(src + i + length).loadUnaligned(as: UInt64.self)
            let difference = (a ^ b).littleEndian  // the first byte in memory is the low byte
            if difference != 0 { return length + difference.trailingZeroBitCount / 8 }
            length += 8
        }
        while i + length < n && src[candidate + length] == src[i + length] { length += 1 }
        return length
    }

    /// Appends one sequence; `match` 0 means literals only (the block's last sequence).
    private static func appendSequence(_ out: inout [UInt8], literals: UnsafePointer<UInt8>, count: Int,
                                       offset: Int, match: Int) {
        let extraMatch = match == 0 ? 0 : match - minimumMatch
        out.append(UInt8(min(count, 15)) << 4 | UInt8(min(extraMatch, 15)))
        if count >= 15 { appendLength(&out, count - 15) }
        out.append(contentsOf: UnsafeBufferPointer(start: literals, count: count))
        guard match > 0 else { return }
        out.append(UInt8(offset & 0xff))
        out.append(UInt8(offset >> 8))
        if extraMatch >= 15 { appendLength(&out, extraMatch - 15) }
    }

    private static func appendLength(_ out: inout [UInt8], _ value: Int) {
        var rest = value
        while rest >= 255 {
            out.append(255)
            rest -= 255
        }
        out.append(UInt8(rest))
    }

    /// The `count` bytes `block` decodes to, or nil when the block is malformed in any way
    /// (a length or offset out of range, too few or too many bytes): damage is a miss.
    static func decompress(_ block: UnsafeRawBufferPointer, count: Int) -> [UInt8]? {
        guard count >= 0, let src = block.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return count == 0 ? [] : nil
        }
        let end = block.count
        var ok = false
        let out = [UInt8](unsafeUninitializedCapacity: count) { dst, initialized in
            initialized = 0
            guard let base = dst.baseAddress else { return }
            var p = 0, q = 0
            /// Reads an extended length; nil past the end or beyond what the output can hold.
            func length(_ start: Int) -> Int? {
                var value = start
                while true {
                    guard p < end else { return nil }
                    let byte = Int(src[p])
                    p += 1
                    value += byte
                    if value > count { return nil }
                    if byte < 255 { return value }
                }
            }
            while p < end {
                let token = Int(src[p])
                p += 1
                var literals = token >> 4
                if literals == 15 { guard let l = length(15) else { return }; literals = l }
                guard literals <= end - p, literals <= count - q else { return }
                (base + q).update(from: src + p, count: literals)
                p += literals
                q += literals
                if p == end { break }
                guard end - p >= 2 else { return }
                let offset = Int(src[p]) | Int(src[p + 1]) << 8
                p += 2
                var match = token & 15
                if match == 15 { guard let m = length(15) else { return }; match = m }
                match += minimumMatch
                guard offset >= 1, offset <= q, match <= count - q else { return }
                if offset >= match {
                    (base + q).update(from: base + q - offset, count: match)  // apart: one copy
                } else {
                    for k in 0..<match { base[q + k] = base[q - offset + k] }  // a run: byte by byte
                }
                q += match
            }
            guard q == count else { return }
            initialized = count
            ok = true
        }
        return ok ? out : nil
    }
}
