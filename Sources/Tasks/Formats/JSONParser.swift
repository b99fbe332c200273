/// Why a file could not be parsed as JSON.
public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let message: String
    public var description: String { "line \(line), column \(column): \(message)" }
}

/// A strict RFC 8259 parser (no comments, no trailing commas, no NaN), depth-limited, that
/// checks the whole file and records its values on a `JSONDocument` tape.
public struct JSONParser {
    private let bytes: [UInt8]
    private var offset = 0
    private var line = 1
    private var lineStart = 0
    private var tape: [UInt32] = []
    private var lineFeeds: [UInt32] = []

    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONNode {
        var parser = JSONParser(bytes: bytes)
        guard bytes.count < Int(UInt32.max) else { throw parser.error("the file is larger than 4 GiB") }
        // A UTF-8 byte-order mark is tolerated.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.offset = 3 }
        parser.skipSpace()
        try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.offset == bytes.count else { throw parser.error("unexpected text after the end of the document") }
        return JSONDocument(bytes: bytes, tape: parser.tape, lineFeeds: parser.lineFeeds).root
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(line: line, column: offset - lineStart + 1, message: message)
    }

    private mutating func skipSpace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0D: offset += 1
            case 0x0A: lineFeeds.append(UInt32(offset)); offset += 1; line += 1; lineStart = offset
            default: return
            }
        }
    }

    private mutating func value(depth: Int) throws(JSONSyntaxError) {
        guard depth < 200 else { throw error("nesting deeper than 200") }
        guard offset < bytes.count else { throw error("unexpected end of file") }
        tape.append(UInt32(offset))
        switch bytes[offset] {
        case UInt8(ascii: "{"): try container(depth: depth, close: UInt8(ascii: "}"))
        case UInt8(ascii: "["): try container(depth: depth, close: UInt8(ascii: "]"))
        case UInt8(ascii: "\""): _ = try scalar { bytes, at throws(JSONScalars.Failure) in try JSONScalars.string(bytes,
            at: &at) }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            let text = try scalar { bytes, at throws(JSONScalars.Failure) in try JSONScalars.numberText(bytes,
                at: &at) }
            guard let number = Double(text), number.isFinite else { throw error("the number \(text) is out of range") }
        }
    }

    /// A list or object: its two extra tape entries are filled in once its children are known.
    private mutating func container(depth: Int, close: UInt8) throws(JSONSyntaxError) {
        let isObject = close == UInt8(ascii: "}")
        let at = tape.count
        tape.append(0)
        tape.append(0)
        offset += 1
        var children = 0
        var keys = Set<String>()
        skipSpace()
        if offset < bytes.count && bytes[offset] == close {
            offset += 1
        } else {
            while true {
                skipSpace()
                if isObject {
                    guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
                        throw error("expected a quoted key")
                    }
                    tape.append(UInt32(offset))
                    let key = try scalar { bytes, at throws(JSONScalars.Failure) in try JSONScalars.string(bytes,
                        at: &at) }
                    guard keys.insert(key).inserted else {
                        throw error("the key \"\(key)\" appears twice in this object")
                    }
                    skipSpace()
                    guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else {
                        throw error("expected ':' after the key \"\(key)\"")
                    }
                    offset += 1
                    skipSpace()
                    children += 1
                }
                try value(depth: depth + 1)
                children += 1
                skipSpace()
                guard offset < bytes.count else {
                    throw error("unexpected end of file inside \(isObject ? "an object" : "a list")")
                }
                if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
                if bytes[offset] == close { offset += 1; break }
                throw error(isObject ? "expected ',' or '}' in an object" : "expected ',' or ']' in a list")
            }
        }
        tape[at] = UInt32(tape.count)
        tape[at + 1] = UInt32(children)
    }

    /// Reads a string or number at the offset, turning a scanning failure into a syntax error there.
    private mutating func scalar(_ read: ([UInt8], inout Int) throws(JSONScalars.Failure) -> String)
        throws(JSONSyntaxError) -> String {
        do {
            return try read(bytes, &offset)
        } catch {
            throw self.error(error.message)
        }
    }

    private mutating func literal(_ word: String) throws(JSONSyntaxError) {
        let w = Array(word.utf8)
        guard bytes.count - offset >= w.count, bytes[offset..<offset + w.count].elementsEqual(w) else {
            throw error("unexpected character; values are objects, lists, strings, numbers, true, false or null")
        }
        offset += w.count
    }
}

/// Reading strings and numbers from a document's bytes: once by the parser to check them, and
/// again whenever a reader asks for one.
enum JSONScalars {
    struct Failure: Error {
        let message: String
    }

    /// The text of the number at `at` (RFC 8259 grammar); `at` moves past it.
    static func numberText(_ bytes: [UInt8], at offset: inout Int) throws(Failure) -> String {
        let start = offset
        func digits() -> Int {
            let s = offset
            while offset < bytes.count, bytes[offset] >= 0x30, bytes[offset] <= 0x39 { offset += 1 }
            return offset - s
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        let intStart = offset
        guard digits() > 0 else {
            throw Failure(message: "unexpected character; values are objects, lists, strings, "
                + "numbers, true, false or null")
        }
        if bytes[intStart] == 0x30 && offset - intStart > 1 {
            throw Failure(message: "numbers may not have leading zeros")
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard digits() > 0 else { throw Failure(message: "expected digits after the decimal point") }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                offset += 1
            }
            guard digits() > 0 else { throw Failure(message: "expected digits in the exponent") }
        }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    /// The string whose opening quote is at `at`, escapes resolved; `at` moves past the closing quote.
    static func string(_ bytes: [UInt8], at offset: inout Int) throws(Failure) -> String {
        offset += 1  // opening quote
        var out: [UInt8] = []
        while true {
            guard offset < bytes.count else { throw Failure(message: "unterminated string") }
            let c = bytes[offset]
            offset += 1
            switch c {
            case UInt8(ascii: "\""):
                guard let s = String(validating: out, as: UTF8.self) else {
                    throw Failure(message: "the string is not valid UTF-8")
                }
                return s
            case UInt8(ascii: "\\"):
                guard offset < bytes.count else { throw Failure(message: "unterminated string") }
                let e = bytes[offset]
                offset += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"): out.append(contentsOf: try escapedScalar(bytes, at: &offset))
                default: throw Failure(message: "invalid escape \\\(Character(Unicode.Scalar(e)))")
                }
            case 0..<0x20:
                throw Failure(message: "control character inside a string; escape it")
            default:
                out.append(c)
            }
        }
    }

    /// The UTF-8 bytes of a `\uXXXX` escape (a surrogate pair takes two), after the `u`.
    private static func escapedScalar(_ bytes: [UInt8], at offset: inout Int) throws(Failure) -> [UInt8] {
        var scalar = try hex4(bytes, at: &offset)
        if (0xD800..<0xDC00).contains(scalar) {
            guard bytes.count - offset >= 6, bytes[offset] == 0x5C, bytes[offset + 1] == UInt8(ascii: "u") else {
                throw Failure(message: "unpaired surrogate in \\u escape")
            }
            offset += 2
            let low = try hex4(bytes, at: &offset)
            guard (0xDC00..<0xE000).contains(low) else { throw Failure(message: "unpaired surrogate in \\u escape") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let u = Unicode.Scalar(scalar) else { throw Failure(message: "invalid \\u escape") }
        return Array(String(Character(u)).utf8)
    }

    private static func hex4(_ bytes: [UInt8], at offset: inout Int) throws(Failure) -> UInt32 {
        guard bytes.count - offset >= 4 else { throw Failure(message: "truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[offset]
            offset += 1
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw Failure(message: "invalid hex digit in \\u escape")
            }
            v = v << 4 | d
        }
        return v
    }
}
