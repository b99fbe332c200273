import Foundation

/// Why a value has no canonical encoding.
public enum CanonicalEncodingError: Error, Equatable, CustomStringConvertible {
    /// NaN has many bit patterns and compares unequal to itself: it cannot name anything.
    case nan(path: String)
    /// The same object key twice (decoding only: a Swift dictionary cannot hold duplicates).
    case duplicateKey(path: String, key: String)
    /// Bytes that do not decode as a canonical value.
    case malformed(String)

    public var description: String {
        switch self {
        case .nan(let path): "NaN at \(path) cannot be hashed; use null or a finite number"
        case .duplicateKey(let path, let key): "duplicate key \"\(key)\" at \(path) after NFC normalisation"
        case .malformed(let why): "malformed canonical encoding: \(why)"
        }
    }
}

/// The byte encoding of `Value` that keys are hashed over (engine.md §3).
///
/// Every value is a one-byte type tag followed by its payload; every variable-length payload is
/// preceded by its length as a little-endian `UInt64`. Integers are 8 bytes little-endian,
/// doubles the 8 bytes of their IEEE-754 bit pattern little-endian (-0.0 and +0.0 stay distinct;
/// NaN is rejected), strings NFC-normalised UTF-8, object keys sorted bytewise by that UTF-8.
/// No text formatting anywhere, so the bytes do not depend on locale, platform or hash seed.
public struct CanonicalEncoder {
    enum Tag: UInt8 {
        case null = 0, falseValue = 1, trueValue = 2, int = 3, double = 4, string = 5, bytes = 6, array = 7, object = 8,
            shared = 9
    }

    public private(set) var bytes: [UInt8] = []

    public init() { bytes.reserveCapacity(128) }

    /// An encoder whose buffer holds `capacity` bytes before it grows (a known large value).
    public init(reservingCapacity capacity: Int) { bytes.reserveCapacity(capacity) }

    /// The canonical bytes of one value.
    public static func encode(_ value: Value) throws(CanonicalEncodingError) -> [UInt8] {
        var encoder = CanonicalEncoder()
        try encoder.append(value)
        return encoder.bytes
    }

    /// SHA-256 of the canonical bytes.
    public static func digest(_ value: Value) throws(CanonicalEncodingError) -> Digest {
        SHA256.hash(try encode(value))
    }

    public mutating func append(_ value: Value) throws(CanonicalEncodingError) {
        try append(value, path: "$")
    }

    /// Appends raw bytes with the `bytes` tag (e.g. a dependency digest) without building a `Value`.
    public mutating func appendBytes<C: Collection>(_ raw: C) where C.Element == UInt8 {
        bytes.append(Tag.bytes.rawValue)
        appendLength(raw.count)
        bytes.append(contentsOf: raw)
    }

    /// Appends bytes that already are one value's canonical encoding (for example a slice of a
    /// stored trace), verbatim.
    public mutating func appendEncoded(_ encoded: ArraySlice<UInt8>) {
        bytes.append(contentsOf: encoded)
    }

    public mutating func appendDigest(_ digest: Digest) {
        bytes.append(Tag.bytes.rawValue)
        appendLength(32)
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 32))
        bytes.withUnsafeMutableBytes { digest.write(to: $0.baseAddress! + start) }
    }

    public mutating func appendString(_ string: String) {
        bytes.append(Tag.string.rawValue)
        appendUTF8(nfc(string))
    }

    public mutating func appendInt(_ value: Int64) {
        bytes.append(Tag.int.rawValue)
        appendWord(UInt64(bitPattern: value))
    }

    public mutating func appendNull() { bytes.append(Tag.null.rawValue) }

    /// Opens an object of `count` fields; the caller appends each as `appendKey` and its value,
    /// keys in bytewise order of their NFC UTF-8 (as `append` sorts them).
    public mutating func appendObjectHeader(count: Int) {
        bytes.append(Tag.object.rawValue)
        appendLength(count)
    }

    public mutating func appendKey(_ key: String) { appendUTF8(nfc(key)) }

    /// Opens an array of `count` elements; the caller appends them next.
    public mutating func appendArrayHeader(count: Int) {
        bytes.append(Tag.array.rawValue)
        appendLength(count)
    }

    private mutating func append(_ value: Value, path: @autoclosure () -> String) throws(CanonicalEncodingError) {
        switch value {
        case .null:
            bytes.append(Tag.null.rawValue)
        case .bool(let b):
            bytes.append(b ? Tag.trueValue.rawValue : Tag.falseValue.rawValue)
        case .int(let i):
            appendInt(i)
        case .double(let d):
            if d.isNaN { throw .nan(path: path()) }
            bytes.append(Tag.double.rawValue)
            appendWord(d.bitPattern)
        case .string(let s):
            appendString(s)
        case .bytes(let b):
            appendBytes(b)
        case .array(let elements):
            appendArrayHeader(count: elements.count)
            for (i, element) in elements.enumerated() {
                try append(element, path: "\(path())[\(i)]")
            }
        case .shared(let shared):
            bytes.append(Tag.shared.rawValue)
            bytes.append(contentsOf: shared.digest.bytes)
        case .object(let fields):
            bytes.append(Tag.object.rawValue)
            appendLength(fields.count)
            // Swift compares strings by canonical equivalence, so a dictionary cannot hold two keys
            // with the same NFC form: sorting the NFC bytes yields distinct, ordered keys.
            var sorted = fields.map { (key: Array(nfc($0.key).utf8), value: $0.value, name: $0.key) }
            sorted.sort { $0.key.lexicographicallyPrecedes($1.key) }
            for i in sorted.indices {
                appendLength(sorted[i].key.count)
                bytes.append(contentsOf: sorted[i].key)
                try append(sorted[i].value, path: "\(path()).\(sorted[i].name)")
            }
        }
    }

    private mutating func appendUTF8(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            appendLength(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    private mutating func appendLength(_ n: Int) { appendWord(UInt64(n)) }

    private mutating func appendWord(_ w: UInt64) {
        withUnsafeBytes(of: w.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// NFC normalisation; ASCII (the common case) is already NFC and skips Foundation.
func nfc(_ s: String) -> String {
    if s.utf8.allSatisfy({ $0 < 0x80 }) { return s }
    return s.precomposedStringWithCanonicalMapping
}
