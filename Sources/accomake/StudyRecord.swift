import Foundation
import Graph
import Tasks

/// The last run's record of a study (`RunRecord`), kept in the cache folder under `runs/`, named
/// by the study file's absolute path. Written by temp + rename, so a crash leaves the old one.
enum StudyRecord {
    static func path(study: String, _ a: Arguments) -> String {
        let absolute = URL(fileURLWithPath: study).standardizedFileURL.path
        let id = SHA256.hash(Array(absolute.utf8)).hex.prefix(24)
        return CacheLocation.path(a) + "/runs/\(id).record"
    }

    /// The last record, or nil when there is none or it cannot be read (then every node counts as new).
    static func load(study: String, _ a: Arguments) -> RunRecord? {
        guard let data = FileManager.default.contents(atPath: path(study: study, a)) else { return nil }
        return try? RunRecord(decoding: [UInt8](data))
    }

    static func save(_ record: RunRecord, study: String, _ a: Arguments) {
        let target = path(study: study, a)
        let temporary = target + ".tmp-\(getpid())"
        do {
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(try record.encoded()).write(to: URL(fileURLWithPath: temporary))
            if rename(temporary, target) != 0 { try? FileManager.default.removeItem(atPath: temporary) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            FileHandle.standardError.write(Data("accomake: warning: could not save the run record for status/explain (\(error))\n".utf8))
        }
    }
}
