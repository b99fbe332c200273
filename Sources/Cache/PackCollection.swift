import Glibc
import Graph

/// What collection does with pack files: packs whose live blobs are less than half their bytes,
/// and packs no live entry uses, are rewritten — their live blobs copied into one new pack, the
/// rest dropped — as are several small packs (many short sessions) merged into one. Blob files
/// of caches written before packs are moved into the new pack too.
///
/// Crash safety: the new pack is written under a temporary name and renamed before the log that
/// points into it replaces the old log; old packs and moved files are deleted only after that.
/// A kill at any step leaves either the old log (the new pack is an orphan, collected next time)
/// or the new one (the old packs are orphans): never a record pointing at missing bytes.
struct PackCollection {
    /// Packs below this size are merged when there are several.
    static let smallPack: Int64 = 64 << 20
    /// The new pack is written in pieces of about this size.
    static let writeChunk = 8 << 20

    /// Where each live packed blob will be once the new log is in place.
    var locations: [Digest: PackLocation] = [:]
    /// Packs to delete once the new log is in place.
    var obsoletePacks: [UInt64] = []
    /// Blob files now held in the new pack: deleted once the new log is in place.
    var movedFiles: Set<Digest> = []
    /// Packed blobs no live entry names that the deleted packs held.
    var droppedBlobs = 0
}

extension LocalCache {
    /// Plans and writes the new pack for collection; `live` is every blob a surviving entry names,
    /// with its size. Runs under the exclusive lock: no other process is writing.
    func repack(_ s: inout State, live: [Digest: Int64]) throws -> PackCollection {
        var result = PackCollection()
        var sizes: [UInt64: Int64] = [:]  // pack number → bytes on disk
        for name in POSIX.list(packsPath) {
            if let number = PackFile.number(name), POSIX.isRegularFile(packsPath + "/" + name) {
                sizes[number] = POSIX.fileInfo(packsPath + "/" + name)?.size ?? 0
            }
        }
        var liveBytes: [UInt64: Int64] = [:]
        for digest in live.keys {
            guard let location = s.packed[digest], sizes[location.pack] != nil else { continue }
            result.locations[digest] = location
            liveBytes[location.pack, default: 0] += Int64(location.storedCount)
        }
        var rewrite = Set(sizes.keys.filter { (liveBytes[$0] ?? 0) * 2 < sizes[$0] ?? 0 })
        let small = sizes.keys.filter { sizes[$0] ?? 0 < PackCollection.smallPack }
        if small.count >= 2 { rewrite.formUnion(small) }
        for (digest, location) in s.packed.elements where rewrite.contains(location.pack) && live[digest] == nil {
            result.droppedBlobs += 1
        }

        // What goes into the new pack, in digest order (the same cache repacks to the same bytes).
        let copied = result.locations.filter { rewrite.contains($0.value.pack) }.keys
        let files = live.filter { digest, size in
            result.locations[digest] == nil && size > ActionLogRecord.inlineLimit && size <= PackFile.largestPacked
                && s.inlineBlobs[digest] == nil && POSIX.isRegularFile(blobPath(digest))
        }
        let moving = (Array(copied) + Array(files.keys)).sorted()
        result.obsoletePacks = rewrite.sorted()
        guard !moving.isEmpty else { return result }

        let number = UInt64.random(in: 1...UInt64.max)
        try POSIX.makeFolder(packsPath, replacingDamage: true)
        var out = try PackOutput(path: packPath(number))
        do {
            for digest in moving {
                if let old = result.locations[digest] {
                    let fd = Self.reader(&s, pack: old.pack, path: packPath(old.pack))
                    // Unreadable bytes are left behind: the entry becomes a miss, as it would have.
                    guard fd >= 0, let bytes = POSIX.readExactly(fd, count: Int(old.storedCount), at: old.offset)
                    else { result.locations[digest] = nil; continue }
                    result.locations[digest] = try out.append(bytes, codec: old.codec, pack: number)
                } else if let size = files[digest], let blob = loadFile(digest, size: size) {
                    let (bytes, codec) = PackFile.encode(blob)
                    result.locations[digest] = try out.append(bytes, codec: codec, pack: number)
                    result.movedFiles.insert(digest)
                }
            }
            try out.finish()
        } catch {
            out.abandon()
            throw error
        }
        return result
    }

    /// Deletes what a collection made obsolete, after the new log is in place.
    func removeObsolete(_ plan: PackCollection, _ s: inout State) {
        for fd in s.packReaders.values where fd >= 0 { close(fd) }
        s.packReaders = [:]
        if let writer = s.writer, plan.obsoletePacks.contains(writer.number) {
            s.retiredWriters.append(writer.fd)
            s.writer = nil
        }
        for number in plan.obsoletePacks { POSIX.remove(packPath(number)) }
        for digest in plan.movedFiles { POSIX.remove(blobPath(digest)) }
    }
}

/// A pack being written by collection: a temporary file, renamed into place by `finish`.
struct PackOutput {
    let path: String
    let temp: String
    var fd: Int32
    var buffer: [UInt8] = PackFile.header
    var written: UInt64 = 0

    init(path: String) throws {
        self.path = path
        temp = "\(path).tmp.\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        fd = POSIX.open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw POSIX.Failure(call: "open", path: temp, code: errno) }
    }

    /// Appends stored bytes; returns where they will be once the pack is in place.
    mutating func append(_ bytes: [UInt8], codec: PackLocation.Codec, pack: UInt64) throws -> PackLocation {
        let location = PackLocation(pack: pack, offset: written + UInt64(buffer.count),
                                    storedCount: UInt32(bytes.count), codec: codec)
        buffer.append(contentsOf: bytes)
        if buffer.count >= PackCollection.writeChunk { try flush() }
        return location
    }

    private mutating func flush() throws {
        guard buffer.withUnsafeBytes({ POSIX.writeAll(fd, $0) }) else {
            throw POSIX.Failure(call: "write", path: temp, code: errno)
        }
        written += UInt64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered and renames the pack into place.
    mutating func finish() throws {
        try flush()
        close(fd)
        fd = -1
        guard rename(temp, path) == 0 else {
            let failure = POSIX.Failure(call: "rename", path: path, code: errno)
            POSIX.remove(temp)
            throw failure
        }
    }

    /// Removes the temporary file after a failure.
    func abandon() {
        if fd >= 0 { close(fd) }
        POSIX.remove(temp)
    }
}
