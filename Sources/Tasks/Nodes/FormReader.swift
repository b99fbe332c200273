import Graph

/// Reads an artifact's hand-built object form field by field; a field left unread means bytes
/// this code did not write, refused as damaged.
struct FormReader {
    private var fields: [String: Value]
    private let what: String

    init(_ v: Value, _ what: String) throws {
        guard case .object(let fields) = v.resolved else { throw MalformedArtifact(description: "\(what): an object") }
        self.fields = fields
        self.what = what
    }

    mutating func field(_ name: String) throws -> Value {
        guard let v = fields.removeValue(forKey: name) else {
            throw MalformedArtifact(description: "\(what) without \(name)")
        }
        return v
    }

    mutating func string(_ name: String) throws -> String {
        guard case .string(let s) = try field(name) else { throw MalformedArtifact(description: "\(what): \(name)") }
        return s
    }

    /// An absent or null field is nil.
    mutating func optionalString(_ name: String) throws -> String? {
        switch fields.removeValue(forKey: name) {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw MalformedArtifact(description: "\(what): \(name)")
        }
    }

    mutating func int(_ name: String) throws -> Int { try Self.int(try field(name), "\(what): \(name)") }

    mutating func list<T>(_ name: String, _ element: (Value) throws -> T) throws -> [T] {
        guard case .array(let items) = try field(name) else {
            throw MalformedArtifact(description: "\(what): \(name) is not a list")
        }
        return try items.map(element)
    }

    func end() throws {
        guard fields.isEmpty else {
            throw MalformedArtifact(description: "\(what): unknown \(fields.keys.sorted().joined(separator: ", "))")
        }
    }

    static func int(_ v: Value, _ what: String) throws -> Int {
        guard case .int(let i) = v, let x = Int(exactly: i) else { throw MalformedArtifact(description: what) }
        return x
    }

    static func ints(_ v: Value, _ what: String) throws -> [Int] {
        guard case .array(let items) = v else { throw MalformedArtifact(description: what) }
        return try items.map { try int($0, what) }
    }
}
