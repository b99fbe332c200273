/// One level of a JSON value, as `JSONNode.value` spells it out: a list's items and an object's
/// fields are nodes (handles into the document), so reading one level copies nothing below it.
/// Object keys stay in file order (memory insertion order is meaningful).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number and its text, so that `8` and `8.0` can be told apart where an integer is required.
    case number(Double, text: String)
    case string(String)
    case array([JSONNode])
    case object([(key: String, value: JSONNode)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.number(let x, _), .number(let y, _)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x.map(\.value) == y.map(\.value)
        case (.object(let x), .object(let y)):
            x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value.value == $1.value.value }
        default: false
        }
    }
}
