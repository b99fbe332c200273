import Cache
import Foundation

/// The shared cache of a command that builds: `--remote-cache URL` (else `$ACCOMAKE_REMOTE_CACHE`),
/// `--remote-cache-read-only` (else `ACCOMAKE_REMOTE_CACHE_READ_ONLY=1`), an optional header from
/// `$ACCOMAKE_REMOTE_HEADER` ("Name: value", never printed) and a per-request timeout in seconds
/// from `$ACCOMAKE_REMOTE_TIMEOUT` (default 5).
enum RemoteLocation {
    static func open(_ a: Arguments,
                     environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RemoteCache? {
        let flag = a.value("remote-cache")
        guard let url = flag ?? environment["ACCOMAKE_REMOTE_CACHE"], !url.isEmpty else {
            if flag != nil { throw UsageError("--remote-cache \"\": give the cache's URL, e.g. http://cache.lab:8080") }
            return nil
        }
        let endpoint = try endpoint(url, source: flag != nil ? "--remote-cache" : "ACCOMAKE_REMOTE_CACHE")
        var settings = RemoteCache.Settings(endpoint: endpoint)
        switch environment["ACCOMAKE_REMOTE_CACHE_READ_ONLY"] {
        case nil, "", "0": settings.readOnly = a.flag("remote-cache-read-only")
        case "1": settings.readOnly = true
        case let other?: throw UsageError("ACCOMAKE_REMOTE_CACHE_READ_ONLY=\(other): expected 1 or 0")
        }
        if let header = environment["ACCOMAKE_REMOTE_HEADER"], !header.isEmpty {
            settings.header = try parseHeader(header)
        }
        if let text = environment["ACCOMAKE_REMOTE_TIMEOUT"], !text.isEmpty {
            guard let seconds = Double(text), seconds > 0, seconds <= 600 else {
                throw UsageError("ACCOMAKE_REMOTE_TIMEOUT=\(text): expected seconds per request, more than 0 and "
                                 + "at most 600, e.g. 5")
            }
            settings.timeout = seconds
        }
        let remote = RemoteCache(settings)
        if let reason = remote.probe() {
            warn("remote cache \(endpoint) cannot be reached (\(reason)); this run uses the local cache only")
        }
        return remote
    }

    /// The URL parsed, or a usage error naming where it came from.
    static func endpoint(_ url: String, source: String) throws(UsageError) -> HTTPEndpoint {
        do { return try HTTPEndpoint(url) } catch { throw UsageError("\(source) \(error.description)") }
    }

    /// `Name: value`; the value is never echoed (it is usually a secret).
    static func parseHeader(_ text: String) throws(UsageError) -> (name: String, value: String) {
        guard let colon = text.firstIndex(of: ":") else {
            throw UsageError("ACCOMAKE_REMOTE_HEADER: expected \"Name: value\", e.g. \"Authorization: Bearer <token>\"")
        }
        let name = String(text[..<colon])
        let value = String(text[text.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        let token = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_"))
        guard !name.isEmpty, name.unicodeScalars.allSatisfy(token.contains),
              !value.contains("\r"), !value.contains("\n") else {
            throw UsageError("ACCOMAKE_REMOTE_HEADER: the header name '\(name)' must be letters, digits and '-', and "
                             + "the value one line")
        }
        return (name, value)
    }

    /// Waits for the uploads and prints what the remote did (one line on stderr).
    static func finish(_ remote: RemoteCache) {
        remote.finish()
        FileHandle.standardError.write(Data((remote.summary() + "\n").utf8))
    }

    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("accomake: warning: \(message)\n".utf8))
    }
}
