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

    /// The encodings of the elements of one array, as slices of `bytes`, without building them:
    /// equal elements have equal bytes (the encoding is canonical), so callers can compare or
    /// look elements up before paying for a decode.
    public static func arrayElements(_ bytes: [UInt8]) throws(CanonicalEncodingError) -> [ArraySlice<UInt8>] {
        var decoder = CanonicalDecoder(bytes: bytes)
        guard try decoder.byte() == CanonicalEncoder.Tag.array.rawValue else { throw .malformed("not an array") }
        let count = try decoder.length()
        var elements: [ArraySlice<UInt8>] = []
        elements.reserveCapacity(min(count, 1 << 16))
        for _ in 0..<count {
            let start = decoder.offset
            try decoder.skip(depth: 1)
            elements.append(bytes[start..<decoder.offset])
        }
        guard decoder.offset == bytes.count else { throw .malformed("\(bytes.count - decoder.offset) trailing bytes") }
        return elements
    }

    /// The value at `path` (object field names, outermost first) in the encoding of one value,
    /// decoding only that value and skipping over the others; nil when a field is absent. Reads
    /// only as far as the value found: for a few fields of a large artifact.
    public static func field(_ path: [String], in bytes: [UInt8]) throws(CanonicalEncodingError) -> Value? {
        var decoder = CanonicalDecoder(bytes: bytes)
        for name in path {
            guard try decoder.byte() == CanonicalEncoder.Tag.object.rawValue else { return nil }
            let wanted = Array(name.utf8)
            var found = false
            for _ in 0..<(try decoder.length()) {
                if try decoder.slice().elementsEqual(wanted) {
                    found = true
                    break
                }
                try decoder.skip(depth: 1)
            }
            guard found else { return nil }
        }
        return try decoder.value(depth: 0)
    }

    /// `field` for several paths in one pass over `bytes` (what precedes them is skipped once):
    /// the value at each path, nil where absent. No path may be a prefix of another.
    public static func fields(_ paths: [[String]], in bytes: [UInt8]) throws(CanonicalEncodingError) -> [Value?] {
        var decoder = CanonicalDecoder(bytes: bytes)
        var found = [Value?](repeating: nil, count: paths.count)
        var left = paths.count
        _ = try decoder.collect(paths.indices.map { ($0, paths[$0].map { Array($0.utf8) }[...]) }, into: &found,
                                left: &left)
        return found
    }

    /// Reads one value, decoding the paths that end here and descending into the fields the others
    /// name next; true once every path is found (the rest is not read).
    private mutating func collect(_ wanted: [(index: Int, rest: ArraySlice<[UInt8]>)], into found: inout [Value?],
                                  left: inout Int) throws(CanonicalEncodingError) -> Bool {
        if let ending = wanted.first(where: { $0.rest.isEmpty }) {
            found[ending.index] = try value(depth: 0)
            left -= 1
            return left == 0
        }
        guard try byte() == CanonicalEncoder.Tag.object.rawValue else {
            offset -= 1
            try skip(depth: 1)
            return false
        }
        for _ in 0..<(try length()) {
            let name = try slice()
            let next = wanted.filter { $0.rest.first.map { name.elementsEqual($0) } ?? false }
            if next.isEmpty {
                try skip(depth: 1)
            } else if try collect(next.map { ($0.index, $0.rest.dropFirst()) }, into: &found, left: &left) {
                return true
            }
        }
        return false
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    /// Moves past one value, checking its structure but not building it.
    private mutating func skip(depth: Int) throws(CanonicalEncodingError) {
        guard depth < 512 else { throw .malformed("nesting deeper than 512") }
        guard let tag = CanonicalEncoder.Tag(rawValue: try byte()) else {
            throw .malformed("unknown tag at \(offset - 1)")
        }
        switch tag {
        case .null, .falseValue, .trueValue: return
        case .int, .double: _ = try word()
        case .string, .bytes: _ = try slice()
        case .shared: throw .malformed("a shared-value reference at \(offset - 1) (only its digest is stored)")
        case .array:
            for _ in 0..<(try length()) { try skip(depth: depth + 1) }
        case .object:
            for _ in 0..<(try length()) {
                _ = try slice()
                try skip(depth: depth + 1)
            }
        }
    }

    private mutating func value(depth: Int) throws(CanonicalEncodingError) -> Value {
        guard depth < 512 else { throw .malformed("nesting deeper than 512") }
        guard let tag = CanonicalEncoder.Tag(rawValue: try byte()) else {
            throw .malformed("unknown tag at \(offset - 1)")
        }
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
        case .shared: throw .malformed("a shared-value reference at \(offset - 1) (only its digest is stored)")
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
        // Little-endian, as the encoder writes it.
        let w = bytes.withUnsafeBytes { raw in
            UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }
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

extension CanonicalDecoder {
    /// A decoder for reading a value of known shape element by element, without building values
    /// (the engine's own records: a study's walk reads 90k traces). Each read checks its tag.
    init(reading bytes: [UInt8]) { self.init(bytes: bytes) }

    var isAtEnd: Bool { offset == bytes.count }

    /// An array's element count; its elements are read next.
    mutating func arrayCount() throws(CanonicalEncodingError) -> Int {
        try expect(.array)
        return try length()
    }

    /// An object's entry count; each entry's key (`key()`) and value are read next.
    mutating func objectCount() throws(CanonicalEncodingError) -> Int {
        try expect(.object)
        return try length()
    }

    /// The next object entry's key.
    mutating func key() throws(CanonicalEncodingError) -> String { try string() }

    /// True, past it, when the next value is null; false, with the value still unread, otherwise.
    mutating func null() throws(CanonicalEncodingError) -> Bool {
        guard offset < bytes.count else { throw .malformed("truncated at \(offset)") }
        guard bytes[offset] == CanonicalEncoder.Tag.null.rawValue else { return false }
        offset += 1
        return true
    }

    /// The next value, built whole (for the small parts of a record read element by element).
    mutating func anyValue() throws(CanonicalEncodingError) -> Value { try value(depth: 0) }

    mutating func int() throws(CanonicalEncodingError) -> Int64 {
        try expect(.int)
        return Int64(bitPattern: try word())
    }

    mutating func byteString() throws(CanonicalEncodingError) -> ArraySlice<UInt8> {
        try expect(.bytes)
        return try slice()
    }

    mutating func text() throws(CanonicalEncodingError) -> String {
        try expect(.string)
        return try string()
    }

    private mutating func expect(_ tag: CanonicalEncoder.Tag) throws(CanonicalEncodingError) {
        guard try byte() == tag.rawValue else { throw .malformed("expected tag \(tag) at \(offset - 1)") }
    }
}

