/// A small record stored as the two-element list `[name, number]` (`["OX", 56]`): loop sizes,
/// loops and loop prime factors are the most numerous values in a cache, and a pair is how a
/// loop reads. Conforming types get their `Codable` conformance from here.
protocol PairCoding: Codable {
    associatedtype Number: Codable
    init(_ name: String, _ number: Number)
    var pairName: String { get }
    var pairNumber: Number { get }
}

extension PairCoding {
    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        self.init(try c.decode(String.self), try c.decode(Number.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(pairName)
        try c.encode(pairNumber)
    }
}
