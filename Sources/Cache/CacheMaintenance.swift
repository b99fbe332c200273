import Glibc
import Graph

/// Sizes and counters of a cache, for `accomake cache stats`.
public struct CacheStatistics: Sendable, Equatable {
    public var entries: Int
    /// Distinct blobs the entries name that are stored as files or in packs (small ones are inline).
    public var blobs: Int
    /// Pack files (`PackFile`).
    public var packs: Int
    /// Bytes of blob files and pack files on disk.
    public var blobBytes: Int64
    public var logBytes: Int64
    /// Cumulative over all sessions that flushed.
    public var hits: Int
    public var misses: Int
}

/// What garbage collection did.
public struct CollectionReport: Sendable, Equatable {
    public var entriesBefore: Int
    public var entriesAfter: Int
    public var bytesBefore: Int64
    public var bytesAfter: Int64
    public var blobsRemoved: Int
    public var tempFilesRemoved: Int
}

/// What `cache verify` found.
public struct VerificationReport: Sendable, Equatable {
    public var entriesChecked: Int
    /// Entries whose blob was missing, truncated or corrupt; they were evicted.
    public var entriesEvicted: Int
}

/// The limits garbage collection enforces.
public struct CollectionPolicy: Sendable {
    /// Entries unused for longer than this are dropped.
    public var maxAgeSeconds: Int64
    /// Then the least recently used entries are dropped until the blobs fit.
    public var maxBytes: Int64

    public init(maxAgeSeconds: Int64 = 30 * 86_400, maxBytes: Int64 = 10 << 30) {
        self.maxAgeSeconds = maxAgeSeconds
        self.maxBytes = maxBytes
    }
}

extension LocalCache {
    /// Live entries as the log says now (latest record per key, tombstones applied).
    func liveEntries() -> [Digest: Entry] {
        state.withLock { s in
            Self.readTail(&s)
            return Dictionary(uniqueKeysWithValues: s.entries.elements.map { ($0.key, $0.value) })
        }
    }

    public func statistics() -> CacheStatistics {
        let entries = liveEntries()
        let files = storedFiles()
        var blobs = files.blobFiles
        blobs += state.withLock { s in
            Set(entries.values.map(\.record.blob).filter { s.packed[$0] != nil }).count
        }
        let (hits, misses) = readCounters()
        let sessionCounts = state.withLock { ($0.hits, $0.misses) }
        return CacheStatistics(entries: entries.count, blobs: blobs, packs: files.packs, blobBytes: files.bytes,
                               logBytes: POSIX.fileInfo(logPath)?.size ?? 0,
                               hits: Self.saturatingSum(hits, sessionCounts.0),
                               misses: Self.saturatingSum(misses, sessionCounts.1))
    }

    /// Drops entries older than the policy's age, then the least recently used ones until the
    /// referenced blobs fit in `maxBytes`; rewrites the log with the survivors; deletes blobs no
    /// surviving entry names (an entry and its blob go together) and stale temporary files.
    ///
    /// Needs the cache to itself: throws `busy` when another process has it open.
    public func collect(_ policy: CollectionPolicy, now: Int64? = nil) throws -> CollectionReport {
        let now = now ?? POSIX.now()
        return try state.withLock { s throws in
            guard flock(s.logFD, LOCK_EX | LOCK_NB) == 0 else { throw CacheError.busy(path: root) }
            defer { flock(s.logFD, LOCK_SH) }
            Self.readTail(&s)
            let before = Dictionary(uniqueKeysWithValues: s.entries.elements.map { ($0.key, $0.value) })
            let sizeOf = Self.blobSizes(before.values, packed: s.packed)
            let bytesBefore = sizeOf.values.reduce(0, +)

            // Age first, then least recently used (ties by key, so the outcome is deterministic).
            var kept = before.filter { now - Int64($0.value.lastUse) <= policy.maxAgeSeconds }
            var users: [Digest: Int] = [:]
            for entry in kept.values { users[entry.record.blob, default: 0] += 1 }
            var bytes = users.keys.reduce(Int64(0)) { $0 + (sizeOf[$1] ?? 0) }
            if bytes > policy.maxBytes {
                let order = kept.sorted { ($0.value.lastUse, $0.key) < ($1.value.lastUse, $1.key) }
                for (key, entry) in order where bytes > policy.maxBytes {
                    kept[key] = nil
                    users[entry.record.blob, default: 1] -= 1
                    if users[entry.record.blob] == 0 {
                        users[entry.record.blob] = nil
                        bytes -= sizeOf[entry.record.blob] ?? 0
                    }
                }
            }

            // Rewrite sparse packs, then the log (sorted by key: the same cache compacts to the same bytes).
            let plan = try repack(&s, live: kept.values.reduce(into: [:]) { $0[$1.record.blob] = $1.record.size })
            let records = kept.sorted { $0.key < $1.key }.map {
                ActionLogRecord(key: $0.key, record: $0.value.record, lastUse: $0.value.lastUse, durationMicros: 0,
                                inline: Self.inlineBytes($0.value.record.blob, in: s),
                                packed: plan.locations[$0.value.record.blob])
            }
            let data = ActionLogRecord.encode(records)
            try data.withUnsafeBytes { try POSIX.writeAtomically(logPath, $0) }
            let fresh = try Self.openLog(logPath)
            close(s.logFD)  // releases the exclusive lock on the old file; waiters reopen the new one
            s.logFD = fresh
            s.entries = DigestTable()
            s.inlineBlobs = DigestTable()
            s.inlineArena = []
            s.packed = DigestTable()
            s.loadedOffset = 0
            s.recordsRead = 0
            Self.readTail(&s)
            removeObsolete(plan, &s)

            // Blob files no surviving entry names.
            var removed = plan.droppedBlobs
            forEachBlobFile { path, digest in
                guard users[digest] == nil else { return }
                POSIX.remove(path)
                removed += 1
            }
            let temps = sweepTempFiles(olderThan: Self.staleTempAge)
            return CollectionReport(entriesBefore: before.count, entriesAfter: kept.count, bytesBefore: bytesBefore,
                                    bytesAfter: bytes, blobsRemoved: removed, tempFilesRemoved: temps)
        }
    }

    /// Garbage collection on by default (engine.md §7): collects when due — when the last
    /// collection (the `last-gc` stamp) is older than `interval` seconds, at once when the
    /// live entries' blobs exceed the policy's size (counted only when the cache's files exceed
    /// it), and at once when the log holds more than twice as many records as live entries plus
    /// `supersededSlack`. Called at the end of a session, after `flush`, so this session's hits count as
    /// recent. Returns nil when not due, and also when another process has the cache open (a
    /// later session collects instead): never an error.
    public func collectIfDue(_ policy: CollectionPolicy, every interval: Int64 = 86_400,
                             now: Int64? = nil, supersededSlack: Int = 100_000) -> CollectionReport? {
        let now = now ?? POSIX.now()
        let stamp = root + "/last-gc"
        let stale = POSIX.fileInfo(stamp).map { now - $0.mtime >= interval } ?? true
        // A log whose records are mostly superseded (last-use refreshes: a study walked every hour
        // adds one per node) makes every command's open slower: compacted at once, not next day.
        let bloated = state.withLock { $0.recordsRead > 2 * $0.entries.count + supersededSlack }
        if !stale && !bloated {
            // The files' sizes bound the live blobs' bytes from above (packs also hold dead
            // blobs, the log holds the inline ones): under the limit, no entry need be read.
            guard diskBytes() > policy.maxBytes else { return nil }
            let live = liveEntries().values
            let sizes = state.withLock { Self.blobSizes(live, packed: $0.packed) }
            guard sizes.values.reduce(0, +) > policy.maxBytes else { return nil }
        }
        guard let report = try? collect(policy, now: now) else { return nil }
        let fd = POSIX.open(stamp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC)
        if fd >= 0 { close(fd) }
        return report
    }

    /// The bytes the log, the packs and the blob files take: at least the live entries' blobs.
    func diskBytes() -> Int64 { (POSIX.fileInfo(logPath)?.size ?? 0) + storedFiles().bytes }

    /// The blob files and pack files on disk, and the bytes they take together.
    func storedFiles() -> (blobFiles: Int, packs: Int, bytes: Int64) {
        var blobFiles = 0, bytes: Int64 = 0
        forEachBlobFile { path, _ in
            blobFiles += 1
            bytes += POSIX.fileInfo(path)?.size ?? 0
        }
        let packs = POSIX.list(packsPath).filter { PackFile.number($0) != nil }
        for name in packs { bytes += POSIX.fileInfo(packsPath + "/" + name)?.size ?? 0 }
        return (blobFiles, packs.count, bytes)
    }

    /// Calls `body` with the path and digest of every blob file: names of the blob shape in shard
    /// folders only, never through a link. Anything else under `blobs/` is not the cache's and is
    /// left alone, except a file or link where a shard folder belongs, which is damage and removed
    /// (the next write makes the folder again).
    func forEachBlobFile(_ body: (String, Digest) -> Void) {
        guard POSIX.isDirectory(blobsPath) else { return }
        for shard in POSIX.list(blobsPath).sorted() where CacheDirectory.isShard(shard) {
            let folder = blobsPath + "/" + shard
            guard let kind = POSIX.kind(folder), kind == S_IFDIR else {
                POSIX.remove(folder)
                continue
            }
            for name in POSIX.list(folder) where CacheDirectory.isBlob(name, shard: shard) {
                if let digest = Digest(hex: name) { body(folder + "/" + name, digest) }
            }
        }
    }

    /// Each distinct blob the entries name, with the bytes it takes on disk (several entries may
    /// share a blob): a packed blob its stored (compressed) bytes, any other its size. The size
    /// limit is a limit on the disk the cache takes.
    static func blobSizes(_ entries: some Sequence<Entry>, packed: DigestTable<PackLocation>) -> [Digest: Int64] {
        var sizes: [Digest: Int64] = [:]
        for entry in entries {
            let blob = entry.record.blob
            sizes[blob] = packed[blob].map { Int64($0.storedCount) } ?? entry.record.size
        }
        return sizes
    }

    /// Reads every entry's blob back (size and SHA-256) and evicts entries whose blob is bad.
    public func verifyEntries() -> VerificationReport {
        let entries = liveEntries()
        var evicted = 0
        for (key, entry) in entries.sorted(by: { $0.key < $1.key }) {
            if load(entry.record.blob, size: entry.record.size) == nil {
                forget(key)
                evicted += 1
            }
        }
        return VerificationReport(entriesChecked: entries.count, entriesEvicted: evicted)
    }

    // MARK: Cumulative counters

    var countersPath: String { root + "/stats" }

    func readCounters() -> (hits: Int, misses: Int) {
        guard let bytes = POSIX.readFile(countersPath), let text = String(validating: bytes, as: UTF8.self) else {
            return (0, 0)
        }
        var hits = 0, misses = 0
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            // A damaged or hand-edited file counts as zero, never as a negative or a trap.
            guard parts.count == 2, let value = Int(parts[1]), value >= 0 else { continue }
            if parts[0] == "hits" { hits = value } else if parts[0] == "misses" { misses = value }
        }
        return (hits, misses)
    }

    /// `a + b`, or `Int.max` where the sum would overflow (counters read from a file may be anything).
    static func saturatingSum(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }

    /// Adds to the counters under an exclusive lock on a lock file, so that concurrent
    /// sessions do not lose each other's counts.
    func addToCounters(hits: Int, misses: Int) {
        let lock = POSIX.open(root + "/stats.lock", O_RDWR | O_CREAT | O_CLOEXEC)
        guard lock >= 0 else { return }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 && errno == EINTR {}
        let old = readCounters()
        let text = "hits \(Self.saturatingSum(old.hits, hits))\nmisses \(Self.saturatingSum(old.misses, misses))\n"
        try? Array(text.utf8).withUnsafeBytes { try POSIX.writeAtomically(countersPath, $0) }
    }
}

/// What `accomake clean` did.
public struct RemovalReport: Sendable, Equatable {
    /// Bytes of blobs, log and run records deleted.
    public var bytes: Int64
    /// Whether the cache folder itself is gone (not when other files remain in it, nor when the
    /// cache path is a link: the link and the emptied folder it names stay).
    public var folderRemoved: Bool
    /// Names in the folder that are not the cache's and were left where they are.
    public var leftovers: [String]
}

extension LocalCache {
    /// Deletes everything the cache wrote — blobs, packs, the log, counters, stamps, run records and the
    /// marker — and then the folder when nothing else is in it. Files that are not the cache's
    /// are left and named; nothing is deleted through a link. Needs the cache to itself, as
    /// collection does (`busy` otherwise). The instance must not be used afterwards.
    public func removeAll() throws -> RemovalReport {
        try state.withLock { s throws in
            guard flock(s.logFD, LOCK_EX | LOCK_NB) == 0 else { throw CacheError.busy(path: root) }
            var bytes = POSIX.fileInfo(logPath)?.size ?? 0
            forEachBlobFile { path, _ in
                bytes += POSIX.fileInfo(path)?.size ?? 0
                POSIX.remove(path)
            }
            for name in POSIX.list(packsPath) where PackFile.number(name) != nil {
                bytes += POSIX.fileInfo(packsPath + "/" + name)?.size ?? 0
                POSIX.remove(packsPath + "/" + name)
            }
            _ = sweepTempFiles(olderThan: 0)  // no other process has the cache open
            for shard in POSIX.list(blobsPath) where CacheDirectory.isShard(shard) { rmdir(blobsPath + "/" + shard) }
            let runs = root + "/runs"
            if POSIX.isDirectory(runs) {
                for name in POSIX.list(runs) where CacheDirectory.isRunRecord(name) {
                    bytes += POSIX.fileInfo(runs + "/" + name)?.size ?? 0
                    POSIX.remove(runs + "/" + name)
                }
            }
            for folder in CacheDirectory.ownFolders { rmdir(root + "/" + folder) }
            for name in CacheDirectory.ownFiles.sorted() where name != CacheDirectory.markerName {
                if POSIX.kind(root + "/" + name) != S_IFDIR { POSIX.remove(root + "/" + name) }
            }
            POSIX.remove(root + "/" + CacheDirectory.markerName)
            let removed = POSIX.kind(root) == S_IFDIR && rmdir(root) == 0
            return RemovalReport(bytes: bytes, folderRemoved: removed,
                                 leftovers: removed ? [] : POSIX.list(root).sorted())
        }
    }
}
