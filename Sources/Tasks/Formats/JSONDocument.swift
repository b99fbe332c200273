/// A parsed JSON file: its bytes and a *tape* that indexes every value in them, so a large input
/// costs a few times its size, not a tree of boxed values (a file of small numbers took 22× its
/// size as a tree). Strings and numbers are read from the bytes when they are asked for; the
/// parser has already checked them, so reading cannot fail.
///
/// The tape holds, per value in document order (a value's descendants follow it), the offset of
/// its first byte; a list or an object holds two more entries: the tape index just past its last
/// descendant (to step over it) and its number of children. An object's children alternate key
/// and value. Offsets are 32-bit: input files are capped far below 4 GiB (`FileSystemRead`).
public final class JSONDocument: Sendable {
    let bytes: [UInt8]
    let tape: [UInt32]
    /// Offsets of the line feeds outside strings, in order, for line numbers.
    let lineFeeds: [UInt32]

    init(bytes: [UInt8], tape: [UInt32], lineFeeds: [UInt32]) {
        self.bytes = bytes; self.tape = tape; self.lineFeeds = lineFeeds
    }

    public var root: JSONNode { JSONNode(document: self, index: 0) }
}

/// What a JSON value is, told by its first byte.
public enum JSONKind: Sendable {
    case null, bool, number, string, array, object

    /// For messages: "expected a list, found a string".
    var name: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }
}

/// One value of a document: a handle (the document and a tape index), cheap to copy.
public struct JSONNode: Sendable {
    let document: JSONDocument
    let index: Int

    private var offset: Int { Int(document.tape[index]) }

    public var kind: JSONKind {
        switch document.bytes[offset] {
        case UInt8(ascii: "{"): .object
        case UInt8(ascii: "["): .array
        case UInt8(ascii: "\""): .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): .bool
        case UInt8(ascii: "n"): .null
        default: .number
        }
    }

    /// The 1-based line the value starts on.
    public var line: Int {
        // Line feeds before the offset, by binary search.
        var low = 0, high = document.lineFeeds.count
        while low < high {
            let mid = (low + high) / 2
            if Int(document.lineFeeds[mid]) < offset { low = mid + 1 } else { high = mid }
        }
        return low + 1
    }

    /// The bytes the value spans in the file (for an edit that replaces it).
    var byteRange: Range<Int> {
        let bytes = document.bytes
        var at = offset
        switch kind {
        case .null, .bool: at += bytes[offset] == UInt8(ascii: "f") ? 5 : 4
        case .number: _ = try? JSONScalars.numberText(bytes, at: &at)
        case .string: _ = try? JSONScalars.string(bytes, at: &at)
        case .array, .object:
            // The parser checked the nesting: count brackets outside strings to the matching close.
            var depth = 0
            repeat {
                switch bytes[at] {
                case UInt8(ascii: "\""): _ = try? JSONScalars.string(bytes, at: &at); continue
                case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
                case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
                default: break
                }
                at += 1
            } while depth > 0 && at < bytes.count
        }
        return offset..<at
    }

    /// The tape index just past this value and its descendants.
    var end: Int {
        switch kind {
        case .array, .object: Int(document.tape[index + 1])
        default: index + 1
        }
    }

    /// Children of a list (items) or object (keys and values alternating); none for a scalar.
    var childCount: Int {
        switch kind {
        case .array, .object: Int(document.tape[index + 2])
        default: 0
        }
    }

    /// The children in order, stepping over each one's descendants.
    var children: JSONChildren { JSONChildren(document: document, first: index + 3, count: childCount) }

    /// The string a string node holds.
    var stringValue: String {
        var at = offset
        return (try? JSONScalars.string(document.bytes, at: &at)) ?? ""
    }

    /// The number a number node holds, and its text (to tell `8` from `8.0` in messages).
    var numberValue: (value: Double, text: String) {
        var at = offset
        let text = (try? JSONScalars.numberText(document.bytes, at: &at)) ?? "0"
        return (Double(text) ?? 0, text)
    }

    /// This value, one level deep.
    public var value: JSONValue {
        switch kind {
        case .null: return .null
        case .bool: return .bool(document.bytes[offset] == UInt8(ascii: "t"))
        case .number:
            let (value, text) = numberValue
            return .number(value, text: text)
        case .string: return .string(stringValue)
        case .array: return .array(Array(children))
        case .object: return .object(fields)
        }
    }

    /// An object's fields in file order (none for other values).
    var fields: [(key: String, value: JSONNode)] {
        var fields: [(key: String, value: JSONNode)] = []
        var key: String?
        for child in children {
            if let k = key { fields.append((k, child)); key = nil } else { key = child.stringValue }
        }
        return fields
    }
}

/// The children of a list or object, read one at a time.
public struct JSONChildren: Sequence {
    let document: JSONDocument
    let first: Int
    public let count: Int

    public struct Iterator: IteratorProtocol {
        let document: JSONDocument
        var upcoming: Int
        var left: Int

        public mutating func next() -> JSONNode? {
            guard left > 0 else { return nil }
            let node = JSONNode(document: document, index: upcoming)
            upcoming = node.end
            left -= 1
            return node
        }
    }

    public func makeIterator() -> Iterator { Iterator(document: document, upcoming: first, left: count) }
}
