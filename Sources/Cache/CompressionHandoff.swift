import Graph

/// The compressed form of a blob that the remote cache has just compressed for its entry, kept
/// for the local pack that stores the same blob a moment later: the executor offers a computed
/// result to the remote and then stores it, on the same thread, and both would compress it. A
/// handful of slots — a form the pack never asks for (the blob was packed already, or it goes
/// inline in the log) is simply dropped.
enum CompressionHandoff {
    /// `compressed` nil: compressing does not make this blob smaller.
    struct Slot {
        var digest: Digest
        var compressed: [UInt8]?
    }

    private static let forms = Handoff<[UInt8]?>(capacity: 16)

    static func give(_ digest: Digest, compressed: [UInt8]?) {
        forms.give(compressed, for: digest)
    }

    /// The form given for `digest`, taken out; nil when none is waiting.
    static func take(_ digest: Digest) -> Slot? {
        forms.take(digest).map { Slot(digest: digest, compressed: $0) }
    }
}
