import Glibc
import Graph

/// The cache's side files for `status` and `explain`: the last run record of each study, in
/// `runs/<24 hex>.record`, named by a hash of the study's key (its absolute path). Each file is
/// the record's bytes followed by their SHA-256, written by temp file + rename: a damaged or
/// truncated file reads as absent (then every node counts as new), never as a wrong record.
extension LocalCache {
    /// The record stored for `key` in the cache at `root`, or nil when there is none or it is
    /// damaged. Reading needs no open cache (and creates nothing).
    public static func runRecord(root: String, key: String) -> [UInt8]? {
        guard let stored = POSIX.readFile(runRecordPath(root: root, key: key), limit: 1 << 30),
            stored.count >= 32 else {
            return nil
        }
        let bytes = Array(stored.dropLast(32))
        return SHA256.hash(bytes).bytes == Array(stored.suffix(32)) ? bytes : nil
    }

    /// Stores the record for `key`, replacing the previous one.
    public func storeRunRecord(_ bytes: [UInt8], key: String) throws {
        try POSIX.makeFolder(root + "/runs", replacingDamage: true)
        let stored = bytes + SHA256.hash(bytes).bytes
        try stored.withUnsafeBytes { try POSIX.writeAtomically(Self.runRecordPath(root: root, key: key), $0) }
    }

    static func runRecordPath(root: String, key: String) -> String {
        root + "/runs/" + SHA256.hash(Array(key.utf8)).hex.prefix(24) + ".record"
    }
}
