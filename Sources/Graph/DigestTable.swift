/// A hash table keyed by SHA-256 digests. Digests are already uniformly distributed, so the
/// first word serves as the hash: this skips `Hasher` (SipHash), which cost about a quarter of
/// a no-op run when the cache index and the run's key table were `Dictionary`s.
///
/// Open addressing with linear probing; deletions leave tombstones and are rare (evictions).
public struct DigestTable<Value> {
    // Inlinable throughout so that clients (the cache) get specialised code, not generic
    // metadata lookups on every probe.
    @usableFromInline static var empty: UInt8 { 0 }
    @usableFromInline static var deleted: UInt8 { 1 }
    @usableFromInline static var full: UInt8 { 2 }

    @usableFromInline var states: [UInt8]
    @usableFromInline var keys: [Digest]
    @usableFromInline var values: [Value?]
    @usableFromInline var mask: Int
    @usableFromInline var storedCount = 0
    /// Number of entries.
    @inlinable public var count: Int { storedCount }
    /// Full plus deleted slots: what probing has to walk over.
    @usableFromInline var used = 0

    @inlinable
    public init(minimumCapacity: Int = 8) {
        var capacity = 16
        while capacity < minimumCapacity * 2 { capacity <<= 1 }
        states = Array(repeating: Self.empty, count: capacity)
        keys = Array(repeating: Digest(0, 0, 0, 0), count: capacity)
        values = Array(repeating: nil, count: capacity)
        mask = capacity - 1
    }

    /// The slot holding `key`, or the empty slot that ends its probe sequence.
    @inlinable
    func find(_ key: Digest) -> (index: Int, found: Bool, firstDeleted: Int?) {
        var i = Int(truncatingIfNeeded: key.w0) & mask
        var firstDeleted: Int?
        while true {
            switch states[i] {
            case Self.empty: return (i, false, firstDeleted)
            case Self.full where keys[i] == key: return (i, true, nil)
            case Self.deleted where firstDeleted == nil: firstDeleted = i
            default: break
            }
            i = (i + 1) & mask
        }
    }

    @inlinable
    public subscript(key: Digest) -> Value? {
        get {
            let slot = find(key)
            return slot.found ? values[slot.index] : nil
        }
        set {
            let slot = find(key)
            if let newValue {
                if slot.found {
                    values[slot.index] = newValue
                    return
                }
                let target = slot.firstDeleted ?? slot.index
                if slot.firstDeleted == nil { used += 1 }
                states[target] = Self.full
                keys[target] = key
                values[target] = newValue
                storedCount += 1
                if used * 4 > states.count * 3 { resize() }
            } else if slot.found {
                states[slot.index] = Self.deleted
                values[slot.index] = nil
                storedCount -= 1
            }
        }
    }

    /// Doubles the table when it is mostly live entries; otherwise rehashes in place size to
    /// clear tombstones.
    @inlinable
    mutating func resize() {
        let capacity = count * 2 > states.count ? states.count * 2 : states.count
        let old = (states, keys, values)
        self = DigestTable(minimumCapacity: capacity / 2)
        for i in old.0.indices where old.0[i] == Self.full {
            self[old.1[i]] = old.2[i]
        }
    }

    /// Every (key, value), in table order.
    public var elements: [(key: Digest, value: Value)] {
        states.indices.compactMap { i in
            guard states[i] == Self.full, let value = values[i] else { return nil }
            return (keys[i], value)
        }
    }
}

extension DigestTable: Sendable where Value: Sendable {}
