import Cache
import Foundation
import Graph
import Tasks

/// The last run's record of a study (`RunRecord`), kept in the cache folder under `runs/`
/// (`LocalCache.storeRunRecord`), named by the study file's absolute path: checksummed and
/// written by temp + rename, so a crash leaves the old one and damage reads as no record.
enum StudyRecord {
    static func key(study: String) -> String {
        URL(fileURLWithPath: study).standardizedFileURL.path
    }

    /// The last record, or nil when there is none or it cannot be read (then every node counts as new).
    static func load(study: String, _ a: Arguments) throws -> RunRecord? {
        try load(study: study, root: try CacheLocation.path(a))
    }

    static func load(study: String, root: String) throws -> RunRecord? {
        guard let bytes = LocalCache.runRecord(root: root, key: key(study: study)) else { return nil }
        return try? RunRecord(decoding: bytes)
    }

    static func save(_ record: RunRecord, study: String, cache: LocalCache) {
        do {
            try cache.storeRunRecord(try record.encoded(), key: key(study: study))
        } catch {
            let message = "accomake: warning: could not save the run record for status/explain (\(error))\n"
            FileHandle.standardError.write(Data(message.utf8))
        }
    }
}
