import Cache
import Foundation

/// `accomake cache stats|gc|verify [--cache DIR] [--json]`
enum CacheCommand {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        guard let what = args.first else { throw UsageError("cache: say what to do: accomake cache stats|gc|verify") }
        switch what {
        case "stats":
            let a = try Arguments(args.dropFirst(), command: "cache stats", options: ["cache"], flags: ["json"])
            let s = try CacheLocation.open(a).statistics()
            let fields: [(String, JSONText)] = [
                ("path", .string(try CacheLocation.path(a))), ("entries", .int(s.entries)), ("blobs", .int(s.blobs)),
                ("blob_bytes", .integer(s.blobBytes)), ("log_bytes", .integer(s.logBytes)),
                ("hits", .int(s.hits)), ("misses", .int(s.misses)),
            ]
            emit(fields, json: a.flag("json"))
        case "gc":
            let a = try Arguments(args.dropFirst(), command: "cache gc", options: ["cache", "max-size", "max-age"], flags: ["json"])
            var policy = CollectionPolicy()
            if let size = a.value("max-size") { policy.maxBytes = try Quantity.bytes(size, label: "--max-size ") }
            if let age = a.value("max-age") { policy.maxAgeSeconds = try Quantity.seconds(age, label: "--max-age ") }
            let r = try CacheLocation.open(a).collect(policy)
            emit([("entries_before", .int(r.entriesBefore)), ("entries_after", .int(r.entriesAfter)),
                  ("bytes_before", .integer(r.bytesBefore)), ("bytes_after", .integer(r.bytesAfter)),
                  ("blobs_removed", .int(r.blobsRemoved)), ("temp_files_removed", .int(r.tempFilesRemoved))],
                 json: a.flag("json"))
        case "verify":
            let a = try Arguments(args.dropFirst(), command: "cache verify", options: ["cache"], flags: ["json"])
            let r = try CacheLocation.open(a).verifyEntries()
            emit([("entries_checked", .int(r.entriesChecked)), ("entries_evicted", .int(r.entriesEvicted))], json: a.flag("json"))
        default:
            throw UsageError("cache: unknown action \(what) (known: stats, gc, verify)")
        }
        return 0
    }

    static func emit(_ fields: [(String, JSONText)], json: Bool) {
        if json {
            print(JSONText.object(fields).rendered())
        } else {
            for (name, value) in fields { print("\(name.replacingOccurrences(of: "_", with: " ")): \(value.rendered())") }
        }
    }
}

/// `accomake clean [--cache DIR]`: deletes what the cache wrote (results, run records) and then
/// its folder; the next run computes everything again. A folder that is not an accomake cache is
/// refused; files in the cache folder that are not the cache's are left and named. Waits for no
/// one: a cache another process has open is refused, as `cache gc` does.
enum CleanCommand {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, command: "clean", options: ["cache"], flags: [])
        guard a.positionals.isEmpty else { throw UsageError("clean: takes no study; it empties the cache (--cache DIR)") }
        let path = try CacheLocation.path(a)
        guard FileManager.default.fileExists(atPath: path) else {
            print("clean: \(path) does not exist; nothing to do")
            return 0
        }
        let report = try LocalCache(root: path).removeAll()
        var line = "clean: deleted the cache at \(path) (\(report.bytes / 1_048_576) MiB)"
        if !report.leftovers.isEmpty {
            line += "; left the folder and what is not the cache's in it: " + report.leftovers.joined(separator: ", ")
        } else if !report.folderRemoved {
            line += "; \(path) is a link: it stays, and the folder it names is now empty"
        }
        print(line)
        return 0
    }
}
