import Synchronization

/// A few values handed by the code that made them to code that would otherwise make them again,
/// by the digest of what they were made from or into: each taken at most once, the oldest
/// overwritten first, so a value nobody asks for is simply dropped. (The remote cache hands its
/// compressed form of a result to the local pack; an allocation hands its report to the command
/// that prints it.)
public final class Handoff<Value: Sendable>: Sendable {
    private let slots: Mutex<(ring: [(digest: Digest, value: Value)?], next: Int)>

    public init(capacity: Int) {
        slots = Mutex((ring: Array(repeating: nil, count: capacity), next: 0))
    }

    public func give(_ value: Value, for digest: Digest) {
        slots.withLock { s in
            s.ring[s.next] = (digest, value)
            s.next = (s.next + 1) % s.ring.count
        }
    }

    /// The value given for `digest`, taken out; nil when none is waiting.
    public func take(_ digest: Digest) -> Value? {
        slots.withLock { s in
            guard let i = s.ring.firstIndex(where: { $0?.digest == digest }) else { return nil }
            defer { s.ring[i] = nil }
            return s.ring[i]?.value
        }
    }
}
