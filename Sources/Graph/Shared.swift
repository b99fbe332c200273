/// A typed value that many task parameters name (a network, a hardware model): encoded and
/// hashed once, held by every parameter as the same `Value.shared` reference, so that a key
/// covers it by its 32-byte digest instead of its encoding.
public struct Shared<T: Codable & Sendable>: Codable, Sendable {
    public let value: T
    public let reference: SharedValue

    public init(_ value: T) throws {
        self.value = value
        reference = try SharedValue(ValueCoder.encode(value))
    }

    /// Decodes the value a reference (or, from hand-built parameters, a plain value) holds.
    public init(from decoder: any Decoder) throws {
        let stored = try Value(from: decoder)
        reference = if case .shared(let s) = stored { s } else { try SharedValue(stored) }
        value = try ValueCoder.decode(T.self, from: reference.value)
    }

    public func encode(to encoder: any Encoder) throws { try Value.shared(reference).encode(to: encoder) }
}
