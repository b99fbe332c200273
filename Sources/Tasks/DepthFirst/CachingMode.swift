/// Overlap caching: H caches columns between tiles of a row, V caches rows across the full
/// width between tile rows (model.md §5.3).
public struct CachingMode: Sendable, Hashable, CustomStringConvertible {
    public var h: Bool
    public var v: Bool

    public static let recompute = CachingMode(h: false, v: false)
    public static let hCached = CachingMode(h: true, v: false)
    public static let fullyCached = CachingMode(h: true, v: true)

    public init(h: Bool, v: Bool) { self.h = h; self.v = v }

    /// `recompute`, `h-cached` or `fully-cached`; (F, T) is not a mode.
    public init?(name: String) {
        switch name {
        case "recompute", "1": self = .recompute
        case "h-cached", "2": self = .hCached
        case "fully-cached", "3": self = .fullyCached
        default: return nil
        }
    }

    public var description: String { v ? "fully-cached" : h ? "h-cached" : "recompute" }
}

/// Written by name (`fully-cached`), as studies and the command line write it.
extension CachingMode: Codable {
    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let mode = CachingMode(name: name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "caching mode \(name)"))
        }
        self = mode
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
