/// Turns `Codable` Swift types into canonical `Value`s and back, so that task parameters and
/// artifacts are declared once, as types, instead of by hand-written encoder/decoder pairs that
/// must agree position by position.
///
/// The mapping is fixed and small: a struct (keyed container) is an object named by its coding
/// keys; a sequence (unkeyed container) an array; integers `.int`, floating point `.double`,
/// `String`, `Bool` and `nil` themselves; `[UInt8]` stays an array of integers (use `Value.bytes`
/// directly for raw bytes). An optional property that is `nil` is left out of its object, as
/// `encodeIfPresent` does. The canonical encoding then sorts the keys and pins number bit
/// patterns, so equal values hash equally whatever order the type declares its fields in.
///
/// Decoding is strict about shapes (an integer where a number is expected is an error, a
/// `Double` is never read from an `.int`) and reads through `.shared` references.
///
/// Containers keep no coding path (building one per element dominated the cost of coding a
/// large artifact): a failure gains its path as it propagates up through the containers.
public enum ValueCoder {
    /// Why a value could not be encoded or decoded; `path` names the field (`$.memories[2].r_cost`).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// Path components from the outermost in, each `.name` or `[index]`.
        var components: [String]
        public let message: String

        init(_ message: String) {
            components = []
            self.message = message
        }

        public var path: String { "$" + components.joined() }
        public var description: String { "\(path): \(message)" }

        /// The failure as seen one level up, from the container that holds `key`.
        func under(_ key: any CodingKey) -> Failure {
            var outer = self
            outer.components.insert(key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)", at: 0)
            return outer
        }

        /// Any error from inside a value (a `DecodingError`, a model type's own check) as a failure.
        static func wrap(_ error: any Error) -> Failure { error as? Failure ?? Failure("\(error)") }
    }

    public static func encode<T: Encodable>(_ value: T) throws(Failure) -> Value {
        do {
            return try Leaf.encode(value)
        } catch {
            throw Failure.wrap(error)
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from value: Value) throws(Failure) -> T {
        do {
            return try Shape.decode(T.self, value)
        } catch {
            throw Failure.wrap(error)
        }
    }
}

/// A plain coding key for array positions and dictionary keys.
struct IndexKey: CodingKey {
    let stringValue: String
    let intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue; intValue = nil }
    init(intValue: Int) { stringValue = String(intValue); self.intValue = intValue }
}

/// Runs `body`, giving a failure inside it the path component `key`.
@inline(__always)
func at<R>(_ key: @autoclosure () -> any CodingKey, _ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch {
        throw ValueCoder.Failure.wrap(error).under(key())
    }
}

// MARK: Encoding

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
                                         + "encode it as a sorted list, or give it String or CodingKeyRepresentable keys")
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
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { set(key, try at(key) { try Leaf.encode(value) }) }

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

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
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

// MARK: Decoding

struct ValueDecoding: Decoder {
    let value: Value
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let fields) = value.resolved else {
            throw ValueCoder.Failure("expected an object, found \(Shape.name(value))")
        }
        return KeyedDecodingContainer(KeyedValueDecoding<Key>(fields: fields))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value.resolved else { throw ValueCoder.Failure("expected a list, found \(Shape.name(value))") }
        return UnkeyedValueDecoding(items: items)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleValueDecoding(value: value) }
}

/// The leaf conversions every decoding container shares.
enum Shape {
    static func name(_ v: Value) -> String {
        switch v.resolved {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a double"
        case .string: "a string"
        case .bytes: "bytes"
        case .array: "a list"
        case .object: "an object"
        case .shared: "a shared value"
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ value: Value) throws -> T {
        let v = value.resolved
        func fail(_ what: String) -> ValueCoder.Failure { ValueCoder.Failure("expected \(what), found \(name(v))") }
        func cast<U>(_ x: U) throws -> T {
            guard let t = x as? T else { throw fail("\(T.self)") }
            return t
        }
        switch type {
        case is Int.Type:
            guard case .int(let i) = v, let x = Int(exactly: i) else { throw fail("an integer") }
            return try cast(x)
        case is Int64.Type:
            guard case .int(let i) = v else { throw fail("an integer") }
            return try cast(i)
        case is Double.Type:
            guard case .double(let d) = v else { throw fail("a double") }
            return try cast(d)
        case is String.Type:
            guard case .string(let s) = v else { throw fail("a string") }
            return try cast(s)
        case is Bool.Type:
            guard case .bool(let b) = v else { throw fail("a boolean") }
            return try cast(b)
        case is Value.Type:
            return try cast(value)  // as stored: a `.shared` reference stays one
        default:
            return try T(from: ValueDecoding(value: v))
        }
    }

    static func integer<T: FixedWidthInteger>(_ type: T.Type, _ value: Value) throws -> T {
        guard case .int(let i) = value.resolved, let x = T(exactly: i) else {
            throw ValueCoder.Failure("expected an integer that fits \(T.self), found \(name(value))")
        }
        return x
    }
}

struct KeyedValueDecoding<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let fields: [String: Value]
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { fields.keys.sorted().compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { fields[key.stringValue] != nil }

    private func field(_ key: any CodingKey) throws -> Value {
        guard let v = fields[key.stringValue] else { throw ValueCoder.Failure("missing").under(key) }
        return v
    }

    private func leaf<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
        let v = try field(key)
        return try at(key) { try Shape.decode(type, v) }
    }

    private func int<T: FixedWidthInteger>(_ type: T.Type, _ key: Key) throws -> T {
        let v = try field(key)
        return try at(key) { try Shape.integer(type, v) }
    }

    func decodeNil(forKey key: Key) throws -> Bool { try field(key).resolved == .null }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try leaf(type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try leaf(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try leaf(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try leaf(Double.self, key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try int(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try int(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try int(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try int(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try int(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try int(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try int(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try int(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try int(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try int(type, key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try leaf(type, key) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        let v = try field(key)
        return try at(key) { try ValueDecoding(value: v).container(keyedBy: type) }
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let v = try field(key)
        return try at(key) { try ValueDecoding(value: v).unkeyedContainer() }
    }

    func superDecoder() throws -> any Decoder { ValueDecoding(value: try field(IndexKey(stringValue: "super"))) }
    func superDecoder(forKey key: Key) throws -> any Decoder { ValueDecoding(value: try field(key)) }
}

struct UnkeyedValueDecoding: UnkeyedDecodingContainer {
    let items: [Value]
    var codingPath: [any CodingKey] { [] }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }
    private(set) var currentIndex = 0

    init(items: [Value]) { self.items = items }

    /// The next element, with the failure of `body` placed at its index.
    private mutating func next<R>(_ body: (Value) throws -> R) throws -> R {
        let index = currentIndex
        guard index < items.count else {
            throw ValueCoder.Failure("missing: the list is too short").under(IndexKey(intValue: index))
        }
        currentIndex += 1
        return try at(IndexKey(intValue: index)) { try body(items[index]) }
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex].resolved == .null else { return false }
        currentIndex += 1
        return true
    }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try next { try Shape.decode(type, $0) } }
    mutating func decode(_ type: String.Type) throws -> String { try next { try Shape.decode(type, $0) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try next { try Shape.decode(type, $0) } }
    mutating func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next { try Shape.integer(type, $0) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next { try Shape.integer(type, $0) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next { try Shape.integer(type, $0) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next { try Shape.integer(type, $0) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next { try Shape.integer(type, $0) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next { try Shape.integer(type, $0) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next { try Shape.integer(type, $0) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next { try Shape.integer(type, $0) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next { try Shape.integer(type, $0) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next { try Shape.integer(type, $0) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next { try Shape.decode(type, $0) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next { try ValueDecoding(value: $0).container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next { try ValueDecoding(value: $0).unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder { try next { ValueDecoding(value: $0) } }
}

struct SingleValueDecoding: SingleValueDecodingContainer {
    let value: Value
    var codingPath: [any CodingKey] { [] }

    func decodeNil() -> Bool { value.resolved == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try Shape.decode(type, value) }
    func decode(_ type: String.Type) throws -> String { try Shape.decode(type, value) }
    func decode(_ type: Double.Type) throws -> Double { try Shape.decode(type, value) }
    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try Shape.integer(type, value) }
    func decode(_ type: Int8.Type) throws -> Int8 { try Shape.integer(type, value) }
    func decode(_ type: Int16.Type) throws -> Int16 { try Shape.integer(type, value) }
    func decode(_ type: Int32.Type) throws -> Int32 { try Shape.integer(type, value) }
    func decode(_ type: Int64.Type) throws -> Int64 { try Shape.integer(type, value) }
    func decode(_ type: UInt.Type) throws -> UInt { try Shape.integer(type, value) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try Shape.integer(type, value) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try Shape.integer(type, value) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try Shape.integer(type, value) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try Shape.integer(type, value) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try Shape.decode(type, value) }
}

// MARK: Value inside typed forms

/// A `Value` field of a typed form is stored as it is (a `.shared` network stays a reference).
/// Only `ValueCoder` can carry one: other coders (JSON, property lists) refuse it.
extension Value: Codable {
    public init(from decoder: any Decoder) throws {
        guard let d = decoder as? ValueDecoding else {
            throw ValueCoder.Failure("a Value decodes only with ValueCoder")
        }
        self = d.value
    }

    public func encode(to encoder: any Encoder) throws {
        guard let e = encoder as? ValueEncoding else {
            throw ValueCoder.Failure("a Value encodes only with ValueCoder")
        }
        e.slot.set(self)
    }
}
