import Glibc

/// Thin, allocation-light wrappers over the POSIX calls the store needs. The hot paths (blob
/// reads and writes, log appends) go straight to these rather than through Foundation.
enum POSIX {
    struct Failure: Error, CustomStringConvertible {
        let call: String
        let path: String
        let code: Int32
        var description: String { "\(call) \(path): \(String(cString: strerror(code)))" }
    }

    static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0o644) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags, mode)
            if fd >= 0 || errno != EINTR { return fd }
        }
    }

    /// Reads a whole regular file; nil if it does not exist, cannot be read, is not a regular
    /// file (a FIFO, a device: opened without blocking and refused, never waited on), is a
    /// symbolic link, or is larger than `limit`.
    static func readFile(_ path: String, expectedSize: Int? = nil, limit: Int = Int.max) -> [UInt8]? {
        guard let (fd, size) = openRegularForReading(path) else { return nil }
        defer { close(fd) }
        if let expectedSize, expectedSize != size { return nil }
        guard size <= limit else { return nil }
        return readExactly(fd, count: size)
    }

    /// Opens a regular file for reading, with its size; nil when it is missing, a symbolic link,
    /// or not a regular file (a FIFO or device is opened without blocking and refused).
    static func openRegularForReading(_ path: String) -> (fd: Int32, size: Int)? {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var info = Glibc.stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            return nil
        }
        return (fd, Int(info.st_size))
    }

    /// Whether `path` is a regular file (not a link, folder, FIFO or device).
    static func isRegularFile(_ path: String) -> Bool { kind(path) == S_IFREG }

    /// Whether `path` is a folder (not a link to one).
    static func isDirectory(_ path: String) -> Bool { kind(path) == S_IFDIR }

    /// The file type bits of `path` itself (`S_IFREG`, `S_IFDIR`, `S_IFLNK`, …), nil if absent.
    static func kind(_ path: String) -> mode_t? {
        var info = Glibc.stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode & S_IFMT
    }

    /// Reads `count` bytes from the current offset; nil on a short read or an error.
    static func readExactly(_ fd: Int32, count: Int) -> [UInt8]? {
        if count == 0 { return [] }
        var ok = true
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let n = read(fd, buffer.baseAddress! + done, count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { ok = false; break }
                done += n
            }
            initialized = ok ? count : 0
        }
        return ok ? bytes : nil
    }

    /// Reads `count` bytes at `offset` (`pread`); nil on any error or a short file.
    static func readExactly(_ fd: Int32, count: Int, at offset: UInt64) -> [UInt8]? {
        var ok = false
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                done += n
            }
            ok = done == count
            initialized = ok ? count : 0
        }
        return ok ? bytes : nil
    }

    /// Writes all of `bytes` at `offset` (`pwrite`); the `errno` of the failure, or nil.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: UInt64) -> Int32? {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return n < 0 ? errno : EIO }
            done += n
        }
        return nil
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    /// Writes `bytes` to a temporary file beside `path`, then renames it into place, so that a
    /// reader sees either nothing or the whole file. No fsync: a torn file after power loss is
    /// caught by the reader's size and digest checks.
    static func writeAtomically(_ path: String, _ bytes: UnsafeRawBufferPointer) throws(Failure) {
        let temp = "\(path).tmp.\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(call: "open", path: temp, code: errno) }
        let written = writeAll(fd, bytes)
        let code = errno
        close(fd)
        guard written else {
            unlink(temp)
            throw Failure(call: "write", path: temp, code: code)
        }
        guard rename(temp, path) == 0 else {
            let code = errno
            unlink(temp)
            throw Failure(call: "rename", path: path, code: code)
        }
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func makeDirectory(_ path: String) throws(Failure) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw Failure(call: "mkdir", path: path, code: errno) }
    }

    /// Creates `path` and its missing parents.
    static func makeDirectories(_ path: String) throws(Failure) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            try makeDirectory(prefix)
        }
    }

    /// Makes sure `path` is a folder. With `replacingDamage`, a file, link or FIFO at `path` (a
    /// damaged cache) is removed first; the link's target is never touched.
    static func makeFolder(_ path: String, replacingDamage: Bool) throws(Failure) {
        guard let kind = kind(path) else { return try makeDirectory(path) }
        if kind == S_IFDIR { return }
        guard replacingDamage else { throw Failure(call: "mkdir", path: path, code: ENOTDIR) }
        remove(path)
        try makeDirectory(path)
    }

    /// Removes a file or a link (never what a link points to); folders are left alone.
    static func remove(_ path: String) { unlink(path) }

    /// Names in a directory, without "." and "..".
    static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// (size, modification time in seconds) of a path, or nil.
    static func fileInfo(_ path: String) -> (size: Int64, mtime: Int64)? {
        var info = Glibc.stat()
        guard lstat(path, &info) == 0 else { return nil }
        return (Int64(info.st_size), Int64(info.st_mtim.tv_sec))
    }

    static func now() -> Int64 { Int64(time(nil)) }
}
