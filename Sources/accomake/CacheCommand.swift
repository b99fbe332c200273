import Cache

/// `accomake cache stats|gc|verify [--cache DIR] [--json]`
enum CacheCommand {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        guard let what = args.first else { throw UsageError("cache: say what to do: accomake cache stats|gc|verify") }
        switch what {
        case "stats":
            let a = try Arguments(args.dropFirst(), command: "cache stats", options: ["cache"], flags: ["json"])
            let s = try CacheLocation.open(a).statistics()
            let fields: [(String, JSONText)] = [
                ("path", .string(CacheLocation.path(a))), ("entries", .int(s.entries)), ("blobs", .int(s.blobs)),
                ("blob_bytes", .integer(s.blobBytes)), ("log_bytes", .integer(s.logBytes)),
                ("hits", .int(s.hits)), ("misses", .int(s.misses)),
            ]
            emit(fields, json: a.flag("json"))
        case "gc":
            let a = try Arguments(args.dropFirst(), command: "cache gc", options: ["cache", "max-size", "max-age"], flags: ["json"])
            var policy = CollectionPolicy()
            if let size = a.value("max-size") { policy.maxBytes = try Quantity.bytes(size, option: "max-size") }
            if let age = a.value("max-age") { policy.maxAgeSeconds = try Quantity.seconds(age, option: "max-age") }
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
