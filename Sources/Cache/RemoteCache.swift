import Dispatch
import Glibc
import Graph
import Synchronization

/// A shared cache over the Bazel HTTP caching protocol: `GET`/`PUT`/`HEAD` on `<url>/cas/<sha256>`
/// for blobs and `<url>/ac/<key>` for action entries. Works with any server that stores what is
/// PUT and serves it back — nginx with WebDAV, bazel-remote (with its action-cache validation
/// off: our entries are `RemoteEntry` bytes, not Bazel `ActionResult`s).
///
/// Nothing it returns is trusted unchecked: an entry must parse, a blob must have the size and
/// SHA-256 it is filed under; anything else — 404, 5xx, a short or corrupt body, a timeout — is
/// a miss, counted and reported at the end (`summary`). A server that keeps failing is dropped for
/// the rest of the run after `failureLimit` reads, or writes, failed in a row, so a dead, stalled
/// or half-broken server costs a bounded few seconds, never a hang. Uploads run on their own
/// threads from a bounded queue, off the executor's workers; a failed upload is reported and the
/// run still succeeds.
public final class RemoteCache: RemoteStore {
    public struct Settings: Sendable {
        public var endpoint: HTTPEndpoint
        /// Read but never write (e.g. CI jobs of untrusted branches).
        public var readOnly = false
        /// One extra request header, e.g. ("Authorization", "Bearer …"); never printed.
        public var header: (name: String, value: String)?
        /// Per request, seconds.
        public var timeout: Double = 5
        /// Attempts after the first for a request that failed without an answer or with a 5xx.
        public var retries = 2
        /// Reads (or writes) failed in a row after which the server is dropped for the rest of the run.
        public var failureLimit = 6
        /// Upload threads (each sends its batches one after another).
        public var uploaders = 2
        /// Entries sent back to back on one connection (`HTTPClient.pipeline`), and their bytes.
        public var batchCount = 64
        public var batchBytes = 2 << 20
        /// Bytes waiting for upload beyond which further results are not uploaded (counted).
        public var queueLimit = 256 << 20

        public init(endpoint: HTTPEndpoint) { self.endpoint = endpoint }
    }

    /// What the run did with the remote, for the closing line and `--json`.
    public struct Counters: Sendable, Equatable {
        public var requests = 0
        public var hits = 0
        public var misses = 0
        public var faults = 0
        public var bytesDown = 0
        public var uploads = 0
        public var bytesUp = 0
        public var uploadFailures = 0
        /// Results not uploaded because the queue was full or the server had been dropped.
        public var uploadsSkipped = 0
        public var firstFault: String?
        public var dropped = false
        /// Faults since the last good answer, reads and writes apart: a server that accepts every
        /// upload but serves damaged bytes is still dropped, however the two interleave.
        var readFaultsInARow = 0
        var writeFaultsInARow = 0
    }

    public let settings: Settings
    let client: HTTPClient
    let counters = Mutex(Counters())
    let uploads = Mutex(UploadQueue())
    let uploadsDone = DispatchGroup()

    struct Upload {
        var path: String
        var body: [UInt8]
        /// A blob the entry needs first (PUT to cas before the entry's PUT).
        var blob: (path: String, bytes: [UInt8])?
        var bytes: Int { body.count + (blob?.bytes.count ?? 0) }
    }

    struct UploadQueue {
        var pending: [Upload] = []
        var head = 0
        var bytes = 0
        var workers = 0
        /// Keys and blobs already offered this run (a request named by many traces goes up once).
        var offered = Set<Digest>()
        /// False once a batch was not answered in full: the server (or a proxy before it) may not
        /// take pipelined requests, so the rest of the run sends one at a time.
        var pipelining = true

        /// The next uploads to send: one that carries a blob (the blob must be stored before the
        /// entry that names it), or up to `count` entries of at most `bytes` in all.
        mutating func takeBatch(count: Int, bytes limit: Int) -> [Upload] {
            var batch: [Upload] = [], bytes = 0
            while head < pending.count, batch.count < (pipelining ? count : 1) {
                let next = pending[head]
                guard next.blob == nil || batch.isEmpty else { break }
                guard batch.isEmpty || bytes + next.bytes <= limit else { break }
                batch.append(next)
                bytes += next.bytes
                head += 1
                if next.blob != nil { break }
            }
            // Sent uploads leave the queue now, not when it next runs empty: while the run keeps
            // it busy, their bodies would otherwise stay in memory to the end.
            if head >= 256 && head * 2 >= pending.count {
                pending.removeFirst(head)
                head = 0
            }
            return batch
        }
    }

    public init(_ settings: Settings) {
        self.settings = settings
        client = HTTPClient(endpoint: settings.endpoint, header: settings.header, timeout: settings.timeout)
    }

    /// One request to see the server at all: nil when it answers (any status), else the reason.
    /// A cache that cannot be reached at the start is not used for the run.
    public func probe() -> String? {
        counters.withLock { $0.requests += 1 }
        do {
            _ = try client.request("HEAD", "/ac/" + Digest(0, 0, 0, 0).hex)
            return nil
        } catch {
            note(fault: error.description, .read)
            counters.withLock { $0.dropped = true }
            return error.description
        }
    }

    public var snapshot: Counters { counters.withLock { $0 } }

    // MARK: Requests

    /// One request with retries and backoff; nil when no usable answer came (a fault, counted).
    func send(_ method: String, _ path: String, body: [UInt8] = []) -> HTTPResponse? {
        for attempt in 0...settings.retries {
            if counters.withLock({ $0.dropped }) { return nil }
            if attempt > 0 { usleep(UInt32(50_000 << (2 * (attempt - 1)))) }  // 50 ms, 200 ms, …
            counters.withLock { $0.requests += 1 }
            do {
                let response = try client.request(method, path, body: body)
                if response.status >= 500 {
                    note(fault: "\(method) \(path.prefix(12))…: HTTP \(response.status)", Direction(method))
                    continue
                }
                return response
            } catch {
                note(fault: "\(method) \(path.prefix(12))…: \(error.description)", Direction(method))
            }
        }
        return nil
    }

    /// Which way a request went, for the faults-in-a-row counts.
    enum Direction {
        case read, write

        init(_ method: String) { self = method == "PUT" ? .write : .read }

        var inARow: WritableKeyPath<Counters, Int> {
            self == .read ? \.readFaultsInARow : \.writeFaultsInARow
        }
    }

    /// A request fully answered: the server is working that way.
    func good(_ direction: Direction) { counters.withLock { $0[keyPath: direction.inARow] = 0 } }

    func note(fault: String, _ direction: Direction) {
        counters.withLock { c in
            c.faults += 1
            if c.firstFault == nil { c.firstFault = fault }
            c[keyPath: direction.inARow] += 1
            if c[keyPath: direction.inARow] >= settings.failureLimit { c.dropped = true }
        }
    }

    /// A GET of `path` whose 200 body is returned; 404 is a miss, anything else a fault.
    func get(_ path: String) -> [UInt8]? {
        guard let response = send("GET", path) else { return nil }
        switch response.status {
        case 200:
            counters.withLock { $0.bytesDown += response.body.count }
            return response.body
        case 404:
            good(.read)
            return nil
        default:
            note(fault: "GET \(path.prefix(12))…: HTTP \(response.status)", .read)
            return nil
        }
    }

    // MARK: RemoteStore

    public func fetch(_ key: Digest, into local: any ActionStore) -> ActionRecord? {
        // A dropped server is not asked, and its unasked lookups are not counted as misses.
        if counters.withLock({ $0.dropped }) { return nil }
        guard let entryBytes = get("/ac/" + key.hex) else { return miss() }
        guard let entry = RemoteEntry(entryBytes) else {
            return fault("the entry for \(key.hex.prefix(12))… is damaged")
        }
        let record = entry.record
        guard let blob = entry.inline ?? fetchBlob(record.blob, size: record.size) else { return miss() }
        guard blob.count == record.size, SHA256.hash(blob) == record.blob else {
            return fault("the entry for \(key.hex.prefix(12))… holds bytes of another digest")
        }
        if case .trace = record {
            guard let requests = TraceEntry.decode(blob) else { return fault("a damaged trace") }
            // A request already held locally is known by its entry (no read and hash of its bytes:
            // many traces name the same requests).
            for r in requests where local.lookup(NodeKey.request(r.digest)) != .output(r.digest, size: r.size) {
                guard fetch(NodeKey.request(r.digest), into: local) == .output(r.digest, size: r.size) else {
                    return miss()
                }
            }
        }
        do { try local.store(key, record, blob: blob, durationNanos: 0) } catch { return nil }
        counters.withLock { $0.hits += 1 }
        good(.read)
        return record
    }

    public func fetchBlob(_ digest: Digest, size: Int64) -> [UInt8]? {
        guard let bytes = get("/cas/" + digest.hex) else { return nil }
        guard bytes.count == size, SHA256.hash(bytes) == digest else {
            return fault("the blob \(digest.hex.prefix(12))… has the wrong size or digest")
        }
        good(.read)
        return bytes
    }

    func miss<T>() -> T? {
        counters.withLock { $0.misses += 1 }
        return nil
    }

    func fault<T>(_ message: String) -> T? {
        note(fault: message, .read)
        counters.withLock { $0.misses += 1 }
        return nil
    }

    public func offer(_ key: Digest, _ record: ActionRecord, blob: [UInt8]) {
        let entry = RemoteEntry(record: record, inline: blob.count <= RemoteEntry.inlineLimit ? blob : nil)
        enqueue(Upload(path: "/ac/" + key.hex, body: entry.bytes,
                       blob: entry.inline == nil ? ("/cas/" + record.blob.hex, blob) : nil),
                ids: (key, entry.inline == nil ? record.blob : nil))
    }

    public func offerBlob(_ digest: Digest, _ bytes: [UInt8]) {
        enqueue(Upload(path: "/cas/" + digest.hex, body: bytes, blob: nil), ids: (digest, nil))
    }

    // MARK: Uploads

    /// Queues `upload` unless its entry (`ids.main`) went up already this run; a blob it carries
    /// (`ids.blob`) that went up already is left out.
    func enqueue(_ upload: Upload, ids: (main: Digest, blob: Digest?)) {
        guard !settings.readOnly else { return }
        if counters.withLock({ $0.dropped }) {
            counters.withLock { $0.uploadsSkipped += 1 }
            return
        }
        var upload = upload
        let spawn = uploads.withLock { q -> Bool in
            guard q.offered.insert(ids.main).inserted else { return false }
            if let blob = ids.blob, !q.offered.insert(blob).inserted { upload.blob = nil }
            guard q.bytes + upload.bytes <= settings.queueLimit else {
                counters.withLock { $0.uploadsSkipped += 1 }
                return false
            }
            q.pending.append(upload)
            q.bytes += upload.bytes
            guard q.workers < settings.uploaders else { return false }
            q.workers += 1
            return true
        }
        if spawn {
            uploadsDone.enter()
            DispatchQueue.global().async { self.uploadLoop() }
        }
    }

    func uploadLoop() {
        defer { uploadsDone.leave() }
        while true {
            let batch = uploads.withLock { q -> [Upload] in
                let batch = q.takeBatch(count: settings.batchCount, bytes: settings.batchBytes)
                if batch.isEmpty {
                    q.pending.removeAll(keepingCapacity: true)
                    q.head = 0
                    q.workers -= 1
                }
                return batch
            }
            guard !batch.isEmpty else { return }
            let sent = batch.count == 1 ? [putOne(batch[0])] : putBatch(batch)
            uploads.withLock { $0.bytes -= batch.reduce(0) { $0 + $1.bytes } }
            counters.withLock { c in
                for (upload, ok) in zip(batch, sent) {
                    if ok {
                        c.uploads += 1
                        c.bytesUp += upload.bytes
                    } else if c.dropped {
                        c.uploadsSkipped += 1
                    } else {
                        c.uploadFailures += 1
                    }
                }
            }
        }
    }

    /// One upload: its blob first, then the entry.
    func putOne(_ upload: Upload) -> Bool {
        (upload.blob.map { put($0.path, $0.bytes) } ?? true) && put(upload.path, upload.body)
    }

    /// Entries without a blob, pipelined on one connection; what the batch did not settle (no
    /// answer, or a 5xx) is sent again one by one, with `put`'s retries.
    func putBatch(_ batch: [Upload]) -> [Bool] {
        if counters.withLock({ $0.dropped }) { return batch.map { _ in false } }
        counters.withLock { $0.requests += batch.count }
        let responses = client.pipeline(batch.map { ("PUT", $0.path, $0.body) })
        if responses.count < batch.count { uploads.withLock { $0.pipelining = false } }
        return batch.indices.map { i in
            if i < responses.count {
                let status = responses[i].status
                if (200..<300).contains(status) {
                    good(.write)
                    return true
                }
                note(fault: "PUT \(batch[i].path.prefix(12))…: HTTP \(status)", .write)
                if status < 500 { return false }
            }
            return putOne(batch[i])
        }
    }

    func put(_ path: String, _ body: [UInt8]) -> Bool {
        guard let response = send("PUT", path, body: body) else { return false }
        guard (200..<300).contains(response.status) else {
            note(fault: "PUT \(path.prefix(12))…: HTTP \(response.status)", .write)
            return false
        }
        good(.write)
        return true
    }

    /// Waits for the queued uploads (each bounded by the request timeout and retries).
    public func finish() {
        uploadsDone.wait()
    }

    /// One line for the end of a run: hits, misses, faults and uploads.
    public func summary() -> String {
        let c = snapshot
        var parts = ["\(c.hits) hits, \(c.misses) misses"]
        if c.faults > 0 { parts.append("\(c.faults) faults (first: \(c.firstFault ?? "?"))") }
        if !settings.readOnly {
            parts.append("\(c.uploads) uploaded (\(Self.megabytes(c.bytesUp)))")
            if c.uploadFailures > 0 { parts.append("\(c.uploadFailures) uploads failed") }
            if c.uploadsSkipped > 0 { parts.append("\(c.uploadsSkipped) not uploaded") }
        }
        if c.dropped { parts.append("the server was dropped for the rest of the run after repeated faults") }
        return "remote cache \(settings.endpoint): " + parts.joined(separator: ", ")
    }

    static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes + 50_000) / 100_000
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}
