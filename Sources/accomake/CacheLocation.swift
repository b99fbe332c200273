import Cache
import Foundation

/// Where the cache lives: `--cache DIR`, else `$ACCOMAKE_CACHE`, else `.accomake/cache` under
/// the current directory (the project).
enum CacheLocation {
    static func path(_ arguments: Arguments) throws(UsageError) -> String {
        if let flag = arguments.value("cache") {
            guard !flag.isEmpty else {
                throw UsageError("--cache \"\": name the cache folder, e.g. --cache .accomake/cache")
            }
            return flag
        }
        if let env = ProcessInfo.processInfo.environment["ACCOMAKE_CACHE"], !env.isEmpty { return env }
        return FileManager.default.currentDirectoryPath + "/.accomake/cache"
    }

    /// Opens the cache; a bad collection setting in the environment is reported now, before
    /// any work, rather than when the session ends.
    static func open(_ arguments: Arguments) throws -> LocalCache {
        _ = try collectionPolicy()
        return try LocalCache(root: try path(arguments))
    }

    /// The automatic collection's limits: `ACCOMAKE_CACHE_MAX_SIZE` (default 10G) and
    /// `ACCOMAKE_CACHE_MAX_AGE` (default 30d); nil when `ACCOMAKE_CACHE_GC=off`.
    static func collectionPolicy(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(UsageError)
        -> CollectionPolicy?
    {
        switch environment["ACCOMAKE_CACHE_GC"] {
        case nil, "", "on": break
        case "off": return nil
        case let other?: throw UsageError("ACCOMAKE_CACHE_GC=\(other): expected on or off")
        }
        var policy = CollectionPolicy()
        if let size = environment["ACCOMAKE_CACHE_MAX_SIZE"], !size.isEmpty {
            policy.maxBytes = try Quantity.bytes(size, label: "ACCOMAKE_CACHE_MAX_SIZE=")
        }
        if let age = environment["ACCOMAKE_CACHE_MAX_AGE"], !age.isEmpty {
            policy.maxAgeSeconds = try Quantity.seconds(age, label: "ACCOMAKE_CACHE_MAX_AGE=")
        }
        return policy
    }

    /// Ends a session that wrote to the cache: pending last-use refreshes and counters, then the
    /// automatic collection when it is due (once a day, or at once over the size limit).
    static func finish(_ cache: LocalCache) throws {
        cache.flush()
        if let policy = try collectionPolicy() { _ = cache.collectIfDue(policy) }
    }
}
