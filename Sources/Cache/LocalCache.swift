import Glibc
import Graph
import Synchronization

/// Why a cache directory cannot be used.
public enum CacheError: Error, CustomStringConvertible {
    case unusable(path: String, reason: String)
    /// A folder that holds other files and no accomake marker: never written to, never deleted.
    case notACache(path: String, reason: String)
    case busy(path: String)

    public var description: String {
        switch self {
        case .unusable(let path, let reason):
            "cannot use the cache at \(path): \(reason); pass another folder with --cache or ACCOMAKE_CACHE"
        case .notACache(let path, let reason):
            "\(path) is not an accomake cache: \(reason); accomake leaves it untouched: pass a new or empty folder "
                + "with --cache or ACCOMAKE_CACHE"
        case .busy(let path):
            "the cache at \(path) is in use by another accomake process; try again when it has finished"
        }
    }
}

/// The local store: a content-addressed blob store and an action cache in one directory.
///
/// ```
/// <root>/actions.log                action cache: append-only records (ActionLogRecord); blobs up
///                                   to 256 bytes inside their record
/// <root>/packs/<16 hex>.pack        blobs up to 4 MiB, appended to one pack per session (PackFile)
/// <root>/blobs/<2 hex>/<64 hex>     larger blobs, one file each, written by temp file + rename
/// <root>/stats                      cumulative hit and miss counters
/// ```
///
/// The action cache is a log rather than one file per key so that a run loads every record with
/// one read (the no-op budget of engine.md G1 leaves no room for a file open per node) and
/// writes each new record with one `write` on an `O_APPEND` descriptor. Every process holds a
/// shared `flock` on the log while it has the cache open; garbage collection takes it exclusive,
/// so compaction never races with appends. Correctness never depends on the lock: every record
/// is checksummed and every blob is verified (size and SHA-256) when read; any anomaly is a miss
/// and the entry is evicted.
public final class LocalCache: ActionStore {
    public let root: String
    let state: Mutex<State>

    struct Entry {
        var record: ActionRecord
        var lastUse: UInt32
    }

    /// Where an inline blob's bytes sit in `State.inlineArena`.
    struct InlineBlob {
        var offset: Int
        var count: Int
    }

    struct State {
        var logFD: Int32
        var entries = DigestTable<Entry>()
        /// Blobs stored inside log records (small ones), by digest; their bytes are copied into
        /// one arena so that loading the log allocates once, not once per record.
        var inlineBlobs = DigestTable<InlineBlob>()
        var inlineArena: [UInt8] = []
        /// Where packed blobs are, by digest (from the log's records).
        var packed = DigestTable<PackLocation>()
        /// Pack files open for reading, by number; -1 for one that cannot be read.
        var packReaders: [UInt64: Int32] = [:]
        /// The pack this session appends to.
        var writer: PackWriter?
        /// Packs this session appended to before: open until the cache closes, because a worker
        /// may still be writing into the range it reserved there.
        var retiredWriters: [Int32] = []
        /// Bytes of the log already parsed, and how many records they held (superseded ones too).
        var loadedOffset = 0
        var recordsRead = 0
        /// Keys whose last-use time is more than an hour old and was read this session.
        var refresh: [ActionLogRecord] = []
        var hits = 0
        var misses = 0
    }

    static let refreshInterval: UInt32 = 3600
    /// A temporary file older than this was left by a killed writer; collection removes it.
    static let staleTempAge: Int64 = 3600

    var logPath: String { root + "/actions.log" }
    var blobsPath: String { root + "/blobs" }

    /// Opens the cache in `root`, creating and marking the folder when it is new or empty; a
    /// folder that is neither is refused (`CacheDirectory.prepare`). A non-folder where `blobs`
    /// or a file where the log belongs is damage: it is removed (never followed) and made anew.
    public init(root: String) throws(CacheError) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        var fd: Int32 = -1
        for attempt in 0..<3 {
            try CacheDirectory.prepare(self.root)
            do { try POSIX.makeFolder(self.root + "/blobs", replacingDamage: true) } catch {
                throw .unusable(path: self.root, reason: error.description)
            }
            fd = try Self.openLog(self.root + "/actions.log")
            // `accomake clean` may have emptied the folder while we waited for the lock.
            if POSIX.exists(self.root + "/" + CacheDirectory.markerName) || attempt == 2 { break }
            close(fd)
        }
        state = Mutex(State(logFD: fd))
        state.withLock { s -> Void in Self.readTail(&s) }
    }

    deinit {
        flush()
        state.withLock { s in
            close(s.logFD)
            Self.closePacks(&s)
        }
    }

    /// Opens the log and takes the shared lock, making sure the descriptor still names the file
    /// at `path` (garbage collection may have replaced it while we waited). Anything but a
    /// regular file at `path` (a FIFO would block every read, a link could point anywhere) is
    /// removed and the log starts afresh; a folder there is reported.
    static func openLog(_ path: String) throws(CacheError) -> Int32 {
        for _ in 0..<100 {
            var fd = POSIX.open(path, O_RDWR | O_CREAT | O_APPEND | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0 && (errno == EROFS || errno == EACCES) {
                // A read-only cache still answers; every write fails and the run says so at its end.
                fd = POSIX.open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)
            }
            guard fd >= 0 else {
                let code = errno
                if code == ELOOP || code == ENXIO, !POSIX.isDirectory(path) {
                    POSIX.remove(path)
                    continue
                }
                throw .unusable(path: path, reason: String(cString: strerror(code))
                                + (POSIX.isDirectory(path) ? " (a folder stands where the "
                                + "action log belongs; remove it)" : ""))
            }
            var opened = stat(), current = stat()
            guard fstat(fd, &opened) == 0, opened.st_mode & S_IFMT == S_IFREG else {
                close(fd)
                POSIX.remove(path)
                continue
            }
            while flock(fd, LOCK_SH) != 0 && errno == EINTR {}
            if lstat(path, &current) == 0, opened.st_ino == current.st_ino {
                return fd
            }
            close(fd)
        }
        throw .unusable(path: path, reason: "the action log keeps changing or cannot be replaced")
    }

    /// Parses what other processes (or we) appended since the last read.
    static func readTail(_ s: inout State) {
        var info = stat()
        guard fstat(s.logFD, &info) == 0, Int(info.st_size) > s.loadedOffset else { return }
        let count = Int(info.st_size) - s.loadedOffset
        if s.entries.count == 0 { s.entries = DigestTable(minimumCapacity: count / ActionLogRecord.size) }
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let n = pread(s.logFD, buffer.baseAddress! + done, count - done, off_t(s.loadedOffset + done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                done += n
            }
            initialized = done
        }
        let end = bytes.withUnsafeBytes { raw in
            ActionLogRecord.scan(raw) { record, inline in
                apply(record, inline: inline, to: &s)
                s.recordsRead += 1
            }
        }
        s.loadedOffset += end
    }

    static func apply(_ record: ActionLogRecord, inline: UnsafeRawBufferPointer?, to s: inout State) {
        if let action = record.actionRecord {
            s.entries[record.key] = Entry(record: action, lastUse: record.lastUse)
            if let packed = record.packed { s.packed[record.blob] = packed }
            if let inline, s.inlineBlobs[record.blob] == nil {
                s.inlineBlobs[record.blob] = InlineBlob(offset: s.inlineArena.count, count: inline.count)
                s.inlineArena.append(contentsOf: inline)
            }
        } else {
            s.entries[record.key] = nil
        }
    }

    static func inlineBytes(_ digest: Digest, in s: State) -> [UInt8]? {
        s.inlineBlobs[digest].map { Array(s.inlineArena[$0.offset..<$0.offset + $0.count]) }
    }

    static func now32() -> UInt32 { UInt32(clamping: POSIX.now()) }

    // MARK: ActionStore

    /// Whether the log has an entry for `key` — bookkeeping, not a use: no hit or miss is counted
    /// and its last use is not refreshed.
    public func hasEntry(_ key: Digest) -> Bool {
        state.withLock { s in
            if s.entries[key] == nil { Self.readTail(&s) }
            return s.entries[key] != nil
        }
    }

    public func lookup(_ key: Digest) -> ActionRecord? {
        state.withLock { s in
            if s.entries[key] == nil { Self.readTail(&s) }
            guard let entry = s.entries[key] else {
                s.misses += 1
                return nil
            }
            s.hits += 1
            let now = Self.now32()
            if now &- entry.lastUse > Self.refreshInterval && now > entry.lastUse {
                s.entries[key]?.lastUse = now
                s.refresh.append(ActionLogRecord(key: key, record: entry.record, lastUse: now, durationMicros: 0))
            }
            return entry.record
        }
    }

    public func store(_ key: Digest, _ record: ActionRecord, blob: [UInt8], durationNanos: UInt64) throws {
        let small = blob.count <= ActionLogRecord.inlineLimit
        var packed: PackLocation?
        if blob.count > PackFile.largestPacked {
            try putFile(blob, digest: record.blob)
        } else if !small {
            packed = try putPacked(blob, digest: record.blob)
        }
        try append([ActionLogRecord(key: key, record: record, lastUse: Self.now32(),
                                    durationMicros: UInt32(clamping: durationNanos / 1000),
                                    inline: small ? blob : nil, packed: packed)])
    }

    public func forget(_ key: Digest) {
        try? append([.tombstone(key, at: Self.now32())])
    }

    /// A record for a blob some other record already placed — inside its log record, in a pack
    /// or as a file — written as that record would be (an inline blob's bytes travel with it).
    public func link(_ key: Digest, to record: ActionRecord) -> Bool {
        let placed = state.withLock { s -> (inline: [UInt8]?, packed: PackLocation?)? in
            if let bytes = Self.inlineBytes(record.blob, in: s) { return (bytes, nil) }
            if let location = s.packed[record.blob] { return (nil, location) }
            return nil
        }
        guard let (inline, packed) = placed ?? (POSIX.isRegularFile(blobPath(record.blob)) ? (nil, nil) : nil),
              inline.map({ $0.count == Int(record.size) }) ?? true else { return false }
        do {
            try append([ActionLogRecord(key: key, record: record, lastUse: Self.now32(), durationMicros: 0,
                                        inline: inline, packed: packed)])
            return true
        } catch {
            return false
        }
    }

    /// Appends records with one `write`; a record is a few dozen bytes, far below the size at
    /// which Linux could interleave concurrent `O_APPEND` writes.
    func append(_ records: [ActionLogRecord]) throws {
        guard !records.isEmpty else { return }
        let bytes = ActionLogRecord.encode(records)
        try state.withLock { s throws in
            let ok = bytes.withUnsafeBytes { POSIX.writeAll(s.logFD, $0) }
            guard ok else { throw POSIX.Failure(call: "write", path: logPath, code: errno) }
            for record in records {
                record.inline.withUnsafeBytesIfPresent { Self.apply(record, inline: $0, to: &s) }
            }
        }
    }

    /// Writes a blob file (temp file + rename) unless it exists already. A missing shard folder is
    /// created; a file or link where a shard or `blobs` belongs is damage, replaced by a folder.
    func putFile(_ bytes: [UInt8], digest: Digest) throws {
        let path = blobPath(digest)
        if POSIX.isRegularFile(path) { return }
        do {
            try bytes.withUnsafeBytes { try POSIX.writeAtomically(path, $0) }
        } catch let error as POSIX.Failure where error.code == ENOENT || error.code == ENOTDIR {
            try POSIX.makeFolder(blobsPath, replacingDamage: true)
            try POSIX.makeFolder(shardPath(digest), replacingDamage: true)
            try bytes.withUnsafeBytes { try POSIX.writeAtomically(path, $0) }
        }
    }

    /// The blob's bytes if they have the expected size and digest — inline, packed or a file;
    /// otherwise a damaged file is removed, a damaged pack entry forgotten, and the answer is nil
    /// (a miss).
    public func load(_ digest: Digest, size: Int64) -> [UInt8]? {
        if size <= ActionLogRecord.inlineLimit, let inline = state.withLock({ Self.inlineBytes(digest, in: $0) }),
           inline.count == size, SHA256.hash(inline) == digest {
            return inline
        }
        if let bytes = loadPacked(digest, size: size) { return bytes }
        return loadFile(digest, size: size)
    }

    /// Inline bytes of that size, a pack location in a pack that opens, or a file of that size.
    public func holds(_ digest: Digest, size: Int64) -> Bool {
        let found = state.withLock { s -> Bool in
            if size <= ActionLogRecord.inlineLimit, Self.inlineBytes(digest, in: s)?.count == Int(size) { return true }
            guard let location = s.packed[digest] else { return false }
            return Self.reader(&s, pack: location.pack, path: packPath(location.pack)) >= 0
        }
        return found || POSIX.fileInfo(blobPath(digest))?.size == size
    }

    /// A blob file's bytes if it has the expected size and digest; a bad file is removed.
    func loadFile(_ digest: Digest, size: Int64) -> [UInt8]? {
        let path = blobPath(digest)
        guard let bytes = POSIX.readFile(path, expectedSize: Int(size)) else {
            if POSIX.exists(path) { POSIX.remove(path) }
            return nil
        }
        guard SHA256.hash(bytes) == digest else {
            POSIX.remove(path)
            return nil
        }
        return bytes
    }

    func shardPath(_ digest: Digest) -> String {
        blobsPath + "/" + digest.hex.prefix(2)
    }

    func blobPath(_ digest: Digest) -> String {
        let hex = digest.hex
        return blobsPath + "/" + hex.prefix(2) + "/" + hex
    }

    // MARK: Session end

    /// Writes pending last-use refreshes and adds this session's hit and miss counts to the
    /// cumulative statistics. Called on deinit; call it explicitly before exiting a process.
    public func flush() {
        let (refresh, hits, misses) = state.withLock { s in
            defer { s.refresh = []; s.hits = 0; s.misses = 0 }
            return (s.refresh, s.hits, s.misses)
        }
        try? append(refresh)
        if hits + misses > 0 { addToCounters(hits: hits, misses: misses) }
    }

    // MARK: Temporary files

    /// Removes the cache's own temporary files (`<name>.tmp.<pid>.<n>`, left by a killed writer)
    /// older than `age` seconds; returns how many. Other names are never touched.
    func sweepTempFiles(olderThan age: Int64) -> Int {
        var folders: [(String, (String) -> Bool)] = [(root, { CacheDirectory.ownFiles.contains($0) }),
                                                     (root + "/runs", CacheDirectory.isRunRecord),
                                                     (packsPath, { PackFile.number($0) != nil })]
        for shard in POSIX.list(blobsPath)
        where CacheDirectory.isShard(shard) && POSIX.isDirectory(blobsPath + "/" + shard) {
            folders.append((blobsPath + "/" + shard, { CacheDirectory.isBlob($0, shard: shard) }))
        }
        var removed = 0
        let now = POSIX.now()
        for (folder, isBase) in folders where POSIX.isDirectory(folder) {
            for name in POSIX.list(folder) where CacheDirectory.isTemporary(name, base: isBase) {
                let path = folder + "/" + name
                if let info = POSIX.fileInfo(path), now - info.mtime >= age, POSIX.kind(path) != S_IFDIR {
                    POSIX.remove(path)
                    removed += 1
                }
            }
        }
        return removed
    }
}

extension Optional where Wrapped == [UInt8] {
    /// Calls `body` with the array's bytes, or with nil.
    func withUnsafeBytesIfPresent<R>(_ body: (UnsafeRawBufferPointer?) -> R) -> R {
        switch self {
        case .some(let bytes): bytes.withUnsafeBytes { body($0) }
        case .none: body(nil)
        }
    }
}
