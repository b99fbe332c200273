/// Reads the protobuf wire format (https://protobuf.dev/programming-guides/encoding/): a message
/// is a run of fields, each a key (field number and wire type, as a varint) and a value. Only
/// what ONNX models need: varints, 32- and 64-bit values, length-delimited bytes (strings,
/// nested messages, packed lists); groups (wire types 3 and 4) are refused, as is anything that
/// runs past the end of its message.
struct ProtobufReader {
    enum WireType: Int {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    /// A malformed message: what is wrong and at which byte of the file.
    struct Malformed: Error, Equatable {
        let problem: String
        let offset: Int
    }

    let bytes: [UInt8]
    /// The current position and the end of the message being read.
    private(set) var offset: Int
    let end: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        offset = 0
        end = bytes.count
    }

    private init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        offset = range.lowerBound
        end = range.upperBound
    }

    /// The next field's number and wire type, or nil at the end of the message.
    mutating func nextField() throws(Malformed) -> (number: Int, wire: WireType)? {
        guard offset < end else { return nil }
        let at = offset
        let key = try varint()
        guard let wire = WireType(rawValue: Int(key & 7)) else {
            throw Malformed(problem: "wire type \(key & 7) (a group or no protobuf type)", offset: at)
        }
        let number = Int(key >> 3)
        guard number >= 1 else { throw Malformed(problem: "field number 0", offset: at) }
        return (number, wire)
    }

    mutating func varint() throws(Malformed) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        let start = offset
        while true {
            guard offset < end else { throw Malformed(problem: "a number runs past the end", offset: start) }
            let byte = bytes[offset]
            offset += 1
            guard shift < 64 else { throw Malformed(problem: "a number longer than 10 bytes", offset: start) }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// An int64 field (two's complement in a varint).
    mutating func int64() throws(Malformed) -> Int64 { Int64(bitPattern: try varint()) }

    mutating func fixed32() throws(Malformed) -> UInt32 {
        guard end - offset >= 4 else { throw Malformed(problem: "a 32-bit value runs past the end", offset: offset) }
        defer { offset += 4 }
        return (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    mutating func fixed64() throws(Malformed) -> UInt64 {
        guard end - offset >= 8 else { throw Malformed(problem: "a 64-bit value runs past the end", offset: offset) }
        defer { offset += 8 }
        return (0..<8).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }

    /// The byte range of a length-delimited value.
    mutating func lengthDelimited() throws(Malformed) -> Range<Int> {
        let at = offset
        let length = try varint()
        guard length <= UInt64(end - offset) else {
            throw Malformed(problem: "a value of \(length) bytes runs past the end of its message", offset: at)
        }
        defer { offset += Int(length) }
        return offset..<(offset + Int(length))
    }

    mutating func string() throws(Malformed) -> String {
        String(decoding: bytes[try lengthDelimited()], as: UTF8.self)
    }

    /// A nested message's reader.
    mutating func message() throws(Malformed) -> ProtobufReader {
        ProtobufReader(bytes, range: try lengthDelimited())
    }

    /// One or several int64s: a repeated field is written one per key, or packed in one value.
    mutating func int64s(_ wire: WireType) throws(Malformed) -> [Int64] {
        switch wire {
        case .varint: return [try int64()]
        case .lengthDelimited:
            var packed = try message()
            var out: [Int64] = []
            while packed.offset < packed.end { out.append(try packed.int64()) }
            return out
        default: throw Malformed(problem: "a list of integers with wire type \(wire.rawValue)", offset: offset)
        }
    }

    /// One or several floats (fixed32 each), repeated or packed.
    mutating func floats(_ wire: WireType) throws(Malformed) -> [Float] {
        switch wire {
        case .fixed32: return [Float(bitPattern: try fixed32())]
        case .lengthDelimited:
            var packed = try message()
            var out: [Float] = []
            while packed.offset < packed.end { out.append(Float(bitPattern: try packed.fixed32())) }
            return out
        default: throw Malformed(problem: "a list of floats with wire type \(wire.rawValue)", offset: offset)
        }
    }

    /// Skips a field's value.
    mutating func skip(_ wire: WireType) throws(Malformed) {
        switch wire {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed64()
        case .fixed32: _ = try fixed32()
        case .lengthDelimited: _ = try lengthDelimited()
        }
    }

    /// Checks that a field has the wire type its schema gives it.
    func expect(_ wire: WireType, _ wanted: WireType, field: String) throws(Malformed) {
        guard wire == wanted else {
            throw Malformed(problem: "\(field) has wire type \(wire.rawValue), not \(wanted.rawValue)", offset: offset)
        }
    }
}
