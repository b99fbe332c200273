import Foundation
import Graph

/// The fast path for rerunning an unchanged study (engine.md §2: a deep-input key as an optional
/// fast path for deterministic operators, the per-node keys still recorded).
///
/// The deep key covers every input of the study: the study file, each hardware, mapping and
/// workload file it names (their bytes), the versions of the operators, and the digest of the
/// executable's bytes, so a rebuilt binary never trusts it while the same binary on another machine
/// (a teammate's, a cluster node's) finds it through the remote cache. After a
/// complete run, the key maps (in the action cache) to the digests of the allocation outputs; an
/// identical rerun reads those few blobs instead of walking the whole graph. Anything missing —
/// an evicted blob, an edited file — falls back to the normal, per-node run.
public enum StudyShortcut {
    static let domain = "accomake-study/1"

    public static func key(_ study: Study, executable: String) -> Digest? {
        var paths = [study.file]
        for a in study.accelerators { paths += [a.hardware, a.mapping] }
        paths += study.workloads.map(\.path)
        var parts: [Value] = [.string(domain)]
        for p in paths {
            guard let bytes = FileSystemRead.bytes(p) else { return nil }
            parts.append(.bytes(SHA256.hash(bytes).bytes))
        }
        for op in [LayerSearchTask.operator, StackTask.operator, TrunkTask.operator, AllocationTask.operator] {
            parts += [.string(op.id), .int(op.version)]
        }
        guard let program = FileManager.default.contents(atPath: executable) else { return nil }
        parts.append(.bytes(SHA256.hash([UInt8](program)).bytes))
        return try? CanonicalEncoder.digest(.array(parts))
    }

    /// The allocation outputs recorded for `key`, in problem order, when all are still readable —
    /// locally, else from the remote cache (a teammate's complete run of the same inputs).
    public static func outputs(_ key: Digest, store: any ActionStore, remote: (any RemoteStore)? = nil) -> [Artifact]? {
        guard case .output(let listDigest, let size)? = store.lookup(key) ?? remote?.fetch(key, into: store),
              let bytes = store.load(listDigest, size: size),
              let list = (try? CanonicalDecoder.decode(bytes))?.arrayValue else { return nil }
        var out: [Artifact] = []
        for entry in list {
            guard let pair = entry.arrayValue, pair.count == 2, let raw = pair[0].bytesValue, raw.count == 32,
                let n = pair[1].intValue
            else { return nil }
            let digest = raw.withUnsafeBytes { Digest(bytes: $0) }
            guard let blob = store.load(digest, size: n) ?? remote?.fetchBlob(digest, size: n) else { return nil }
            out.append(Artifact(blob))
        }
        return out
    }

    /// Records the outputs of a complete run under `key`; with a remote cache, also there, with
    /// the outputs' blobs (a remote reader has no node key to find them by).
    public static func record(_ key: Digest, outputs: [Artifact], store: any ActionStore,
                              remote: (any RemoteStore)? = nil) throws {
        let bytes = try CanonicalEncoder.encode(.array(outputs.map { [.bytes($0.digest.bytes),
                                                                      .int(Int64($0.bytes.count))] }))
        let record = ActionRecord.output(SHA256.hash(bytes), size: Int64(bytes.count))
        if let remote {
            for output in outputs { remote.offerBlob(output.digest, output.bytes) }
            remote.offer(key, record, blob: bytes)
        }
        try store.store(key, record, blob: bytes, durationNanos: 0)
    }
}
