/// Reads back what `CanonicalEncoder` wrote. Used for values the engine stores itself
/// (dynamic-dependency traces) and by operators whose artifacts are canonical values.
public struct CanonicalDecoder {
    private let bytes: [UInt8]
    private var offset = 0

    /// Decodes exactly one value; trailing bytes are an error.
    public static func decode(_ bytes: [UInt8]) throws(CanonicalEncodingError) -> Value {
        var decoder = CanonicalDecoder(bytes: bytes)
        let value = try decoder.value(depth: 0)
        guard decoder.offset == bytes.count else { throw .malformed("\(bytes.count - decoder.offset) trailing bytes") }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func value(depth: Int) throws(CanonicalEncodingError) -> Value {
        guard depth < 512 else { throw .malformed("nesting deeper than 512") }
        guard let tag = CanonicalEncoder.Tag(rawValue: try byte()) else { throw .malformed("unknown tag at \(offset - 1)") }
        switch tag {
        case .null: return .null
        case .falseValue: return .bool(false)
        case .trueValue: return .bool(true)
        case .int: return .int(Int64(bitPattern: try word()))
        case .double:
            let d = Double(bitPattern: try word())
            if d.isNaN { throw .malformed("NaN at \(offset - 8)") }
            return .double(d)
        case .string: return .string(try string())
        case .bytes: return .bytes(Array(try slice()))
        case .array:
            let count = try length()
            var elements: [Value] = []
            elements.reserveCapacity(min(count, 1 << 16))
            for _ in 0..<count { elements.append(try value(depth: depth + 1)) }
            return .array(elements)
        case .object:
            let count = try length()
            var fields: [String: Value] = [:]
            for _ in 0..<count {
                let key = try string()
                guard fields.updateValue(try value(depth: depth + 1), forKey: key) == nil else {
                    throw .duplicateKey(path: "decoded object", key: key)
                }
            }
            return .object(fields)
        }
    }

    private mutating func byte() throws(CanonicalEncodingError) -> UInt8 {
        guard offset < bytes.count else { throw .malformed("truncated at \(offset)") }
        defer { offset += 1 }
        return bytes[offset]
    }

    private mutating func word() throws(CanonicalEncodingError) -> UInt64 {
        guard bytes.count - offset >= 8 else { throw .malformed("truncated at \(offset)") }
        var w: UInt64 = 0
        for i in (0..<8).reversed() { w = w << 8 | UInt64(bytes[offset + i]) }
        offset += 8
        return w
    }

    private mutating func length() throws(CanonicalEncodingError) -> Int {
        let n = try word()
        guard n <= UInt64(bytes.count - offset) else { throw .malformed("length \(n) beyond end at \(offset)") }
        return Int(n)
    }

    private mutating func slice() throws(CanonicalEncodingError) -> ArraySlice<UInt8> {
        let n = try length()
        defer { offset += n }
        return bytes[offset..<offset + n]
    }

    private mutating func string() throws(CanonicalEncodingError) -> String {
        let raw = try slice()
        guard let s = String(validating: raw, as: UTF8.self) else { throw .malformed("invalid UTF-8 before \(offset)") }
        return s
    }
}
