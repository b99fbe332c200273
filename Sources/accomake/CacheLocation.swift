import Cache
import Foundation

/// Where the cache lives: `--cache DIR`, else `$ACCOMAKE_CACHE`, else the user's cache folder —
/// `$XDG_CACHE_HOME/accomake`, else `~/.cache/accomake` — as Go's build cache does, so a study run
/// from any folder is answered from one cache (its run records are keyed by the study's absolute
/// path).
enum CacheLocation {
    static func path(_ arguments: Arguments,
                     environment: [String: String] = ProcessInfo.processInfo.environment) throws(UsageError) -> String {
        if let flag = arguments.value("cache") {
            guard !flag.isEmpty else {
                throw UsageError("--cache \"\": name the cache folder, e.g. --cache ~/.cache/accomake")
            }
            return flag
        }
        if let env = environment["ACCOMAKE_CACHE"], !env.isEmpty { return env }
        return defaultPath(environment)
    }

    /// `$XDG_CACHE_HOME/accomake` (an absolute XDG_CACHE_HOME only, as the XDG specification says),
    /// else `$HOME/.cache/accomake`, else the account's home folder's.
    static func defaultPath(_ environment: [String: String]) -> String {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/accomake" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.cache/accomake"
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
