import Graph
import Synchronization

/// The compressed form of a blob that the remote cache has just compressed for its entry, kept
/// for the local pack that stores the same blob a moment later: the executor offers a computed
/// result to the remote and then stores it, on the same thread, and both would compress it. A
/// handful of slots, oldest overwritten first — a form the pack never asks for (the blob was
/// packed already, or it goes inline in the log) is simply dropped.
enum CompressionHandoff {
    /// `compressed` nil: compressing does not make this blob smaller.
    struct Slot {
        var digest: Digest
        var compressed: [UInt8]?
    }

    static let capacity = 16
    private static let slots = Mutex((ring: [Slot?](repeating: nil, count: capacity), next: 0))

    static func give(_ digest: Digest, compressed: [UInt8]?) {
        slots.withLock { s in
            s.ring[s.next] = Slot(digest: digest, compressed: compressed)
            s.next = (s.next + 1) % capacity
        }
    }

    /// The form given for `digest`, taken out; nil when none is waiting.
    static func take(_ digest: Digest) -> Slot? {
        slots.withLock { s in
            guard let i = s.ring.firstIndex(where: { $0?.digest == digest }) else { return nil }
            defer { s.ring[i] = nil }
            return s.ring[i]
        }
    }
}
