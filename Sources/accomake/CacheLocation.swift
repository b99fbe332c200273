import Cache
import Foundation

/// Where the cache lives: `--cache DIR`, else `$ACCOMAKE_CACHE`, else `.accomake/cache` under
/// the current directory (the project).
enum CacheLocation {
    static func path(_ arguments: Arguments) -> String {
        if let flag = arguments.value("cache") { return flag }
        if let env = ProcessInfo.processInfo.environment["ACCOMAKE_CACHE"], !env.isEmpty { return env }
        return FileManager.default.currentDirectoryPath + "/.accomake/cache"
    }

    static func open(_ arguments: Arguments) throws -> LocalCache {
        try LocalCache(root: path(arguments))
    }
}
