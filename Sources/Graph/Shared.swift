import Synchronization

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

    /// `value` with `encoded`, its `ValueCoder` encoding built by the caller (by hand, faster);
    /// a test of the caller's type must check that the two agree.
    public init(_ value: T, as encoded: Value) throws {
        self.value = value
        reference = try SharedValue(encoded)
    }

    /// Decodes the value a reference (or, from hand-built parameters, a plain value) holds.
    public init(from decoder: any Decoder) throws {
        let stored = try Value(from: decoder)
        reference = if case .shared(let s) = stored { s } else { try SharedValue(stored) }
        value = try SharedDecodings.value(reference, as: T.self)
    }

    public func encode(to encoder: any Encoder) throws { try Value.shared(reference).encode(to: encoder) }
}

/// Shared values decoded once per process: a study's thousands of nodes name a few hundred
/// networks and cores, and every task would otherwise decode its own copy. Keyed by digest and
/// type; equal digests are equal values, so a cached decoding is always the right one.
enum SharedDecodings {
    struct Key: Hashable {
        let digest: Digest
        let type: ObjectIdentifier
    }

    static let table = Mutex<[Key: any Sendable]>([:])

    static func value<T: Decodable & Sendable>(_ reference: SharedValue, as type: T.Type) throws -> T {
        let key = Key(digest: reference.digest, type: ObjectIdentifier(T.self))
        if let cached = table.withLock({ $0[key] }) as? T { return cached }
        let decoded = try ValueCoder.decode(T.self, from: reference.value)
        table.withLock { $0[key] = decoded }
        return decoded
    }
}
