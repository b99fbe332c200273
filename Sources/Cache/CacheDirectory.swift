import Glibc

/// The folder a cache lives in: how accomake marks it as its own, and which names in it are the
/// cache's. The store creates, collects and deletes only names of these shapes, and never through
/// a symbolic link, so pointing `--cache` at the wrong folder can never delete a user's files:
/// a folder that is neither new, empty nor marked is refused before anything is written.
///
/// ```
/// CACHEDIR.TAG                       the marker: the cache-directory tag (so backup tools skip
///                                    the folder) and the line "accomake cache format 1"
/// actions.log, stats, stats.lock,    the action log, counters and stamps (LocalCache)
/// last-gc
/// packs/<16 hex>.pack                pack files: blobs back to back (PackFile)
/// blobs/<2 hex>/<64 hex>             large blob files, in shards named by their first two hex digits
/// runs/<24 hex>.record               the last run record of each study (status, explain)
/// <any of these>.tmp.<pid>.<n>       a file being written (temp file + rename)
/// ```
public enum CacheDirectory {
    public static let markerName = "CACHEDIR.TAG"
    /// The layout version this accomake reads and writes.
    public static let format = 1
    static let formatLine = "accomake cache format"
    static let marker = """
        Signature: 8a477f597d28d172789f06886806bc55
        # This folder is an accomake cache (\(formatLine) \(format)): results it can recompute.
        # accomake only ever deletes its own files in it. About this tag: https://bford.info/cachedir/

        """

    /// `last-sweep` is no longer written (the temp sweep runs in collection now) but caches made
    /// before still hold it.
    static let ownFiles: Set<String> = ["actions.log", "stats", "stats.lock", "last-gc", "last-sweep", markerName]
    static let ownFolders: Set<String> = ["blobs", "packs", "runs"]

    /// Makes `root` a cache this accomake can use, or says why it cannot: a missing or empty folder
    /// is created and marked; a marked one is used when its format is ours; a folder holding an
    /// action log and only the cache's own names (a cache from before the marker) is marked and
    /// used; any other folder is refused, naming it, and left untouched.
    static func prepare(_ root: String) throws(CacheError) {
        if root.isEmpty { throw .unusable(path: "\"\"", reason: "the cache folder name is empty") }
        var info = stat()
        if stat(root, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw .unusable(path: root, reason: "it is a file, not a folder")
            }
        } else {
            do { try POSIX.makeDirectories(root) } catch { throw .unusable(path: root, reason: error.description) }
        }
        /// Whether the folder is marked (and in our format).
        func marked() throws(CacheError) -> Bool {
            guard let version = try markedFormat(root) else { return false }
            guard version == format else {
                throw .unusable(path: root, reason: "it was written by a different accomake (cache format \(version); "
                                + "this one uses format \(format)); delete it with `accomake clean "
                                + "--cache \(root)` to start afresh")
            }
            return true
        }
        if try marked() { return }
        // A process killed while marking a new folder leaves the marker's temporary file.
        let names = POSIX.list(root).filter { !isTemporary($0, base: { $0 == markerName }) }
        // Another process may have marked the new folder (and begun filling it) between the two
        // looks: four processes opening one fresh cache at once must all use it.
        if names.contains(markerName), try marked() { return }
        let foreign = names.filter { !isOwnTopLevel($0) }.sorted()
        guard foreign.isEmpty, names.isEmpty || POSIX.isRegularFile(root + "/actions.log") else {
            let shown = foreign.isEmpty ? names.sorted().joined(separator: ", ")
                : foreign.prefix(3).joined(separator: ", ") + (foreign.count > 3 ? ", …" : "")
            throw .notACache(path: root, reason: "it holds \(shown) and no accomake marker (\(markerName))")
        }
        do {
            try Array(marker.utf8).withUnsafeBytes { try POSIX.writeAtomically(root + "/" + markerName, $0) }
        } catch {
            throw .unusable(path: root, reason: "\(error)")
        }
    }

    /// The format of the folder's accomake marker; nil when there is none; an error when there is a
    /// marker file that is not accomake's (another tool's tag) or that cannot be read.
    static func markedFormat(_ root: String) throws(CacheError) -> Int? {
        let path = root + "/" + markerName
        guard POSIX.fileInfo(path) != nil else { return nil }
        guard POSIX.isRegularFile(path), let bytes = POSIX.readFile(path, limit: 4096),
              let text = String(validating: bytes, as: UTF8.self)
        else { throw notOurs(root) }
        for line in text.split(separator: "\n") {
            guard let range = line.range(of: formatLine + " ") else { continue }
            let digits = line[range.upperBound...].prefix { $0.isNumber }
            if let version = Int(digits) { return version }
        }
        throw notOurs(root)
    }

    static func notOurs(_ root: String) -> CacheError {
        .notACache(path: root, reason: "its \(markerName) is another tool's or damaged (if this was an accomake cache, "
                   + "delete the folder yourself)")
    }

    /// Whether a name directly in the cache folder is one the cache writes.
    static func isOwnTopLevel(_ name: String) -> Bool {
        ownFiles.contains(name) || ownFolders.contains(name) || isTemporary(name) { ownFiles.contains($0) }
    }

    /// Whether `name` is a shard folder's name: two lowercase hex digits.
    static func isShard(_ name: String) -> Bool {
        name.utf8.count == 2 && name.utf8.allSatisfy(isLowerHex)
    }

    /// Whether `name` is a blob file's name in shard `shard`: 64 lowercase hex digits starting with it.
    static func isBlob(_ name: String, shard: String) -> Bool {
        name.utf8.count == 64 && name.hasPrefix(shard) && name.utf8.allSatisfy(isLowerHex)
    }

    /// Whether `name` is a run record's name: 24 lowercase hex digits and `.record`.
    static func isRunRecord(_ name: String) -> Bool {
        guard name.hasSuffix(".record") else { return false }
        let stem = name.dropLast(".record".count)
        return stem.utf8.count == 24 && stem.utf8.allSatisfy(isLowerHex)
    }

    /// Whether `name` is `<base>.tmp.<digits>.<digits>` (what `POSIX.writeAtomically` leaves
    /// behind when killed) for a `base` that `isBase` accepts.
    static func isTemporary(_ name: String, base isBase: (String) -> Bool) -> Bool {
        guard let range = name.range(of: ".tmp.") else { return false }
        let tail = name[range.upperBound...].split(separator: ".", omittingEmptySubsequences: false)
        return tail.count == 2 && tail.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
            && isBase(String(name[..<range.lowerBound]))
    }

    static func isLowerHex(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 97 && c <= 102) }
}
