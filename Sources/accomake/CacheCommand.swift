import Tasks
import Cache
import Foundation

/// `accomake cache stats|gc|verify [--cache DIR] [--json]`
enum CacheCommand {
    /// `cache verify`: every entry's blob is checked against its SHA-256 name (damage is evicted).
    /// `--deep STUDY…` also recomputes the studies' cached nodes (all, or a `--sample` percent
    /// chosen by key) and evicts any whose output differs: the cache stores keys, not the
    /// parameters behind them, so only a study can say how to recompute an entry.
    static func verify(_ a: Arguments) throws -> Int32 {
        guard a.flag("deep") || (a.positionals.isEmpty && a.value("sample") == nil) else {
            throw UsageError("cache verify: studies and --sample go with --deep, e.g. accomake cache verify --deep "
                             + "--sample 10 projects/studies/quickstart.json")
        }
        guard !a.flag("deep") || !a.positionals.isEmpty else {
            throw UsageError("cache verify --deep: name the studies whose cached nodes to recompute (the cache "
                             + "holds keys, not the parameters behind them), e.g. accomake cache verify --deep "
                             + "projects/studies/quickstart.json")
        }
        _ = try a.int("sample", default: 100, range: 1...100)  // refused before any work, not after the blob check
        let r = try CacheLocation.open(a).verifyEntries()
        var fields: [(String, JSONText)] = [("entries_checked", .int(r.entriesChecked)),
                                            ("entries_evicted", .int(r.entriesEvicted))]
        if a.flag("deep") {
            var recomputed = 0
            for study in a.positionals {
                guard let (_, outcome) = try RunCommand.execute(study, a,
                                                                command: "cache verify --deep \(study)") else {
                    return 130
                }
                recomputed += outcome.verified
            }
            fields.append(("outputs_recomputed_equal", .int(recomputed)))
        }
        emit(fields, json: a.flag("json"))
        return 0
    }

    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        guard let what = args.first else { throw UsageError("cache: say what to do: accomake cache stats|gc|verify") }
        switch what {
        case "stats":
            let a = try Arguments(args.dropFirst(), help: .named("cache stats"))
            let s = try CacheLocation.open(a).statistics()
            let fields: [(String, JSONText)] = [
                ("path", .string(try CacheLocation.path(a))), ("entries", .int(s.entries)), ("blobs", .int(s.blobs)),
                ("packs", .int(s.packs)), ("blob_bytes", .integer(s.blobBytes)), ("log_bytes", .integer(s.logBytes)),
                ("hits", .int(s.hits)), ("misses", .int(s.misses)),
            ]
            emit(fields, json: a.flag("json"))
        case "gc":
            let a = try Arguments(args.dropFirst(), help: .named("cache gc"))
            var policy = CollectionPolicy()
            if let size = a.value("max-size") { policy.maxBytes = try Quantity.bytes(size, label: "--max-size ") }
            if let age = a.value("max-age") { policy.maxAgeSeconds = try Quantity.seconds(age, label: "--max-age ") }
            let r = try CacheLocation.open(a).collect(policy)
            emit([("entries_before", .int(r.entriesBefore)), ("entries_after", .int(r.entriesAfter)),
                  ("bytes_before", .integer(r.bytesBefore)), ("bytes_after", .integer(r.bytesAfter)),
                  ("blobs_removed", .int(r.blobsRemoved)), ("temp_files_removed", .int(r.tempFilesRemoved))],
                 json: a.flag("json"))
        case "verify":
            let a = try Arguments(args.dropFirst(), help: .named("cache verify"))
            return try verify(a)
        default:
            throw UsageError("cache: unknown action \(what) (known: stats, gc, verify)")
        }
        return 0
    }

    static func emit(_ fields: [(String, JSONText)], json: Bool) {
        if json {
            print(JSONText.object(fields).rendered())
        } else {
            for (name, value) in fields {
                print("\(name.replacingOccurrences(of: "_", with: " ")): \(value.rendered())")
            }
        }
    }
}

/// `accomake clean [--cache DIR]`: deletes what the cache wrote (results, run records) and then
/// its folder; the next run computes everything again. A folder that is not an accomake cache is
/// refused; files in the cache folder that are not the cache's are left and named. Waits for no
/// one: a cache another process has open is refused, as `cache gc` does.
enum CleanCommand {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, help: .named("clean"))
        guard a.positionals.isEmpty else {
            throw UsageError("clean: takes no study; it empties the cache (--cache DIR)")
        }
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
