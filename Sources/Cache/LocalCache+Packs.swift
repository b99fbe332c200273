import Glibc
import Graph

/// The pack a session appends to: its number, descriptor and the end of what is reserved in it.
struct PackWriter {
    var number: UInt64
    var fd: Int32
    var end: UInt64
}

/// Writing and reading packed blobs (see `PackFile`).
extension LocalCache {
    var packsPath: String { root + "/packs" }

    func packPath(_ number: UInt64) -> String { packsPath + "/" + PackFile.name(number) }

    /// Writes a blob into this session's pack unless a readable pack holds it already (bytes found
    /// damaged there were forgotten by `loadPacked`); returns where it is. The bytes are written
    /// outside the lock, into a range reserved under it, so that workers storing results at once
    /// do not wait for each other's writes.
    func putPacked(_ blob: [UInt8], digest: Digest) throws -> PackLocation {
        let known = state.withLock { s -> PackLocation? in
            guard let location = s.packed[digest],
                  Self.reader(&s, pack: location.pack, path: packPath(location.pack)) >= 0 else { return nil }
            return location
        }
        if let known { return known }
        let (bytes, codec) = PackFile.encode(blob, digest: digest)
        let (writer, offset) = try state.withLock { s throws in
            let writer = try reserveWriter(&s, count: bytes.count)
            s.writer?.end += UInt64(bytes.count)
            return (writer, writer.end)
        }
        if let code = bytes.withUnsafeBytes({ POSIX.writeAll(writer.fd, $0, at: offset) }) {
            throw POSIX.Failure(call: "write", path: packPath(writer.number), code: code)
        }
        return PackLocation(pack: writer.number, offset: offset, storedCount: UInt32(bytes.count), codec: codec)
    }

    /// The session's pack with room for `count` more bytes: the current one, or a new one when
    /// there is none yet or the current one is full.
    private func reserveWriter(_ s: inout State, count: Int) throws -> PackWriter {
        if let writer = s.writer {
            let fresh = writer.end == UInt64(PackFile.header.count)
            if fresh || writer.end + UInt64(count) <= PackFile.rotationBytes { return writer }
            s.retiredWriters.append(writer.fd)
            s.writer = nil
        }
        let writer = try createPack()
        s.writer = writer
        return writer
    }

    /// Creates a pack with a fresh random number and writes its header. A missing `packs` folder
    /// is made; a file or link where it belongs is damage, replaced by a folder.
    func createPack() throws -> PackWriter {
        for _ in 0..<16 {
            let number = UInt64.random(in: 1...UInt64.max)
            let path = packPath(number)
            let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
            var fd = POSIX.open(path, flags)
            if fd < 0 && (errno == ENOENT || errno == ENOTDIR) {
                try POSIX.makeFolder(packsPath, replacingDamage: true)
                fd = POSIX.open(path, flags)
            }
            if fd < 0 && errno == EEXIST { continue }
            guard fd >= 0 else { throw POSIX.Failure(call: "open", path: path, code: errno) }
            if let code = PackFile.header.withUnsafeBytes({ POSIX.writeAll(fd, $0, at: 0) }) {
                close(fd)
                POSIX.remove(path)
                throw POSIX.Failure(call: "write", path: path, code: code)
            }
            return PackWriter(number: number, fd: fd, end: UInt64(PackFile.header.count))
        }
        throw POSIX.Failure(call: "open", path: packsPath, code: EEXIST)
    }

    /// The packed blob's bytes when a record placed it in a pack and they decode to `size` bytes
    /// with the right digest. Bytes that fail are forgotten, so the blob is written anew when it
    /// is computed again.
    func loadPacked(_ digest: Digest, size: Int64) -> [UInt8]? {
        guard let (location, fd) = state.withLock({ s -> (PackLocation, Int32)? in
            guard let location = s.packed[digest] else { return nil }
            return (location, Self.reader(&s, pack: location.pack, path: packPath(location.pack)))
        }) else { return nil }
        if fd >= 0, size >= 0, size <= PackFile.largestPacked,
           let stored = POSIX.readExactly(fd, count: Int(location.storedCount), at: location.offset),
           let bytes = PackFile.decode(stored, codec: location.codec, size: Int(size)),
           SHA256.hash(bytes) == digest {
            return bytes
        }
        state.withLock { s in
            if s.packed[digest] == location { s.packed[digest] = nil }
        }
        return nil
    }

    /// The descriptor pack `number` is read through, opened on first use.
    static func reader(_ s: inout State, pack number: UInt64, path: String) -> Int32 {
        if let fd = s.packReaders[number] { return fd }
        let fd = PackFile.openForReading(path)
        s.packReaders[number] = fd
        return fd
    }

    /// Closes every pack descriptor (the cache is closing, or collection replaced the packs).
    static func closePacks(_ s: inout State) {
        for fd in s.packReaders.values where fd >= 0 { close(fd) }
        s.packReaders = [:]
        if let writer = s.writer { close(writer.fd) }
        s.writer = nil
        for fd in s.retiredWriters { close(fd) }
        s.retiredWriters = []
    }
}
