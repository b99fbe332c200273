// The decoding half of `ValueCoder`: containers that read a `Value`.

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
        guard case .array(let items) = value.resolved else {
            throw ValueCoder.Failure("expected a list, found \(Shape.name(value))")
        }
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
            // Unresolved: a `Shared` field takes the reference as it is, digest and all, instead
            // of encoding and hashing the value again (the containers resolve for themselves).
            return try T(from: ValueDecoding(value: value))
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

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type,
                                               forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
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

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey> {
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
