// The encoding half of `ValueCoder`: containers that build a `Value` in place.

/// A place a value is being built in: containers fill it in place as the type encodes itself
/// (a class, so that nested containers and their parent share it without copying).
final class Slot {
    enum Kind { case empty, single, object, array }
    /// A finished leaf, or a nested place still being filled.
    enum Entry {
        case leaf(Value)
        case nested(Slot)

        var value: Value {
            switch self {
            case .leaf(let v): v
            case .nested(let s): s.value
            }
        }
    }

    var kind = Kind.empty
    var single = Value.null
    var fields: [String: Entry] = [:]
    var items: [Entry] = []

    func set(_ value: Value) {
        kind = .single
        single = value
    }

    var value: Value {
        switch kind {
        case .empty: .object([:])  // a type that encoded nothing: an empty struct
        case .single: single
        case .object: .object(fields.mapValues(\.value))
        case .array: .array(items.map(\.value))
        }
    }
}

struct ValueEncoding: Encoder {
    let slot: Slot
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if slot.kind != .object { slot.kind = .object }
        return KeyedEncodingContainer(KeyedValueEncoding<Key>(slot: slot))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if slot.kind != .array { slot.kind = .array }
        return UnkeyedValueEncoding(slot: slot)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleValueEncoding(slot: slot) }
}

/// The leaf conversions every container shares.
enum Leaf {
    static func integer<T: BinaryInteger>(_ v: T) throws -> Value {
        guard let i = Int64(exactly: v) else { throw ValueCoder.Failure("\(v) does not fit in 64 signed bits") }
        return .int(i)
    }

    /// Primitives directly; anything else through a nested encoder.
    static func encode<T: Encodable>(_ v: T) throws -> Value {
        switch v {
        case let x as Int: return .int(Int64(x))
        case let x as Int64: return .int(x)
        case let x as Double: return .double(x)
        case let x as String: return .string(x)
        case let x as Bool: return .bool(x)
        case let x as Value: return x
        default:
            let slot = Slot()
            try v.encode(to: ValueEncoding(slot: slot))
            // A set, or a map whose keys are not strings, integers or CodingKeyRepresentable,
            // encodes as a list in hash order, which changes from run to run: refused, so that
            // no artifact's bytes depend on the hash seed.
            if slot.kind == .array, slot.items.count > 1, v is any UnorderedCollection {
                throw ValueCoder.Failure("\(T.self) has no canonical order; "
                                         + "encode it as a sorted list, or give it String or "
                                         + "CodingKeyRepresentable keys")
            }
            return slot.value
        }
    }
}

/// Collections whose iteration order is the hash order.
protocol UnorderedCollection {}
extension Dictionary: UnorderedCollection {}
extension Set: UnorderedCollection {}

struct KeyedValueEncoding<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    var codingPath: [any CodingKey] { [] }

    private func set(_ key: Key, _ value: Value) { slot.fields[key.stringValue] = .leaf(value) }
    private func set(_ key: Key, _ child: Slot) { slot.fields[key.stringValue] = .nested(child) }

    mutating func encodeNil(forKey key: Key) throws { set(key, .null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(key, .bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(key, .string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(key, .double(value)) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(key, .double(Double(value))) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(key, .int(Int64(value))) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(key, .int(Int64(value))) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(key, .int(Int64(value))) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(key, .int(Int64(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(key, .int(value)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(key, try at(key) { try Leaf.integer(value) }) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(key, .int(Int64(value))) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(key, .int(Int64(value))) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(key, .int(Int64(value))) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(key, try at(key) { try Leaf.integer(value) }) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        set(key, try at(key) { try Leaf.encode(value) })
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                        forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = Slot()
        set(key, child)
        return ValueEncoding(slot: child).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = Slot()
        set(key, child)
        return ValueEncoding(slot: child).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { superEncoder(named: IndexKey(stringValue: "super")) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key) }
    private func superEncoder(named key: any CodingKey) -> any Encoder {
        let child = Slot()
        slot.fields[key.stringValue] = .nested(child)
        return ValueEncoding(slot: child)
    }
}

struct UnkeyedValueEncoding: UnkeyedEncodingContainer {
    let slot: Slot
    var codingPath: [any CodingKey] { [] }
    var count: Int { slot.items.count }

    private func append(_ child: Slot) { slot.items.append(.nested(child)) }
    private func append(_ value: Value) { slot.items.append(.leaf(value)) }

    private var next: IndexKey { IndexKey(intValue: count) }

    mutating func encodeNil() throws { append(.null) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(.double(value)) }
    mutating func encode(_ value: Float) throws { append(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { append(.int(value)) }
    mutating func encode(_ value: UInt) throws { append(try at(next) { try Leaf.integer(value) }) }
    mutating func encode(_ value: UInt8) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { append(.int(Int64(value))) }
    mutating func encode(_ value: UInt64) throws { append(try at(next) { try Leaf.integer(value) }) }
    mutating func encode<T: Encodable>(_ value: T) throws { append(try at(next) { try Leaf.encode(value) }) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey> {
        let child = Slot()
        append(child)
        return ValueEncoding(slot: child).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = Slot()
        append(child)
        return ValueEncoding(slot: child).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let child = Slot()
        append(child)
        return ValueEncoding(slot: child)
    }
}

struct SingleValueEncoding: SingleValueEncodingContainer {
    let slot: Slot
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { slot.set(.null) }
    mutating func encode(_ value: Bool) throws { slot.set(.bool(value)) }
    mutating func encode(_ value: String) throws { slot.set(.string(value)) }
    mutating func encode(_ value: Double) throws { slot.set(.double(value)) }
    mutating func encode(_ value: Float) throws { slot.set(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { slot.set(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { slot.set(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { slot.set(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { slot.set(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { slot.set(.int(value)) }
    mutating func encode(_ value: UInt) throws { slot.set(try Leaf.integer(value)) }
    mutating func encode(_ value: UInt8) throws { slot.set(.int(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { slot.set(.int(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { slot.set(.int(Int64(value))) }
    mutating func encode(_ value: UInt64) throws { slot.set(try Leaf.integer(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { slot.set(try Leaf.encode(value)) }
}
