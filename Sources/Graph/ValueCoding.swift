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
