import Graph

/// A tile size as node parameters hold it: the output columns × rows one tile computes.
public struct TileSize: Codable, Hashable, Sendable {
    public var x: Int
    public var y: Int

    public init(_ x: Int, _ y: Int) { self.x = x; self.y = y }

    /// `ValueCoder.encode(self)`, built by hand.
    var value: Value { .object(["x": .int(Int64(x)), "y": .int(Int64(y))]) }
}
