import Foundation

/// The canonical value type: what task parameters are made of, and what gets hashed.
///
/// Only these nine shapes exist, so that every value has exactly one byte encoding
/// (see `CanonicalEncoder`); a `.shared` reference is a shape of its own, encoded unlike the value
/// it holds. Objects have `String` keys only: maps keyed by anything else are
/// written as arrays of pairs by whoever builds the value.
public indirect enum Value: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case array([Value])
    case object([String: Value])
    /// A large value many parameters share (a network, a hardware model), hashed once: it encodes
    /// as its digest (a Merkle reference), so a key over parameters that name it costs 32 bytes,
    /// not the value's size. Tasks read through it (`subscript`, `resolved`). Parameters that are
    /// stored (dynamic requests) must not contain one: its bytes cannot be decoded back.
    case shared(SharedValue)
}

/// A value with its canonical digest, computed once.
public final class SharedValue: Hashable, Sendable {
    public let value: Value
    public let digest: Digest

    public init(_ value: Value) throws(CanonicalEncodingError) {
        self.value = value
        digest = try CanonicalEncoder.digest(value)
    }

    public static func == (a: SharedValue, b: SharedValue) -> Bool { a.digest == b.digest }
    public func hash(into hasher: inout Hasher) { hasher.combine(digest) }
}

extension Value: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension Value {
    /// An object's field, read through shared values.
    public subscript(key: String) -> Value? {
        if case .object(let fields) = resolved { return fields[key]?.resolved }
        return nil
    }

    /// The value itself, or the one a `.shared` reference holds.
    public var resolved: Value {
        if case .shared(let s) = self { return s.value }
        return self
    }

    public var intValue: Int64? { if case .int(let v) = resolved { return v } else { return nil } }
    public var doubleValue: Double? { if case .double(let v) = resolved { return v } else { return nil } }
    public var stringValue: String? { if case .string(let v) = resolved { return v } else { return nil } }
    public var boolValue: Bool? { if case .bool(let v) = resolved { return v } else { return nil } }
    public var arrayValue: [Value]? { if case .array(let v) = resolved { return v } else { return nil } }
    public var bytesValue: [UInt8]? { if case .bytes(let v) = resolved { return v } else { return nil } }
}
