@testable import Graph
import XCTest

/// `ValueCoder`: typed forms to canonical values and back (issue 12: parameters declared once).
final class ValueCodingTests: XCTestCase {
    enum Kind: String, Codable { case read = "r", write = "w" }

    struct Memory: Codable, Equatable {
        var name: String
        var size: Int
        var readCost: Double
        var kind: Kind
        var served: [String]
        var note: String?
        enum CodingKeys: String, CodingKey {
            case name, size, kind, served, note
            case readCost = "r_cost"
        }
    }

    struct Core: Codable, Equatable {
        var memories: [Memory]
        var levels: [String: [Int]]
        var byId: [Int: String]
        var flags: [[Bool]]
        var extra: Value
    }

    /// The same fields declared in another order: the canonical encoding sorts keys.
    struct Reordered: Codable {
        var served: [String]
        var kind: Kind
        var r_cost: Double
        var size: Int
        var name: String
    }

    let sample = Core(
        memories: [Memory(name: "rf", size: 8, readCost: 0.01, kind: .read, served: ["D1"], note: nil),
                   Memory(name: "dram", size: 1 << 40, readCost: -0.0, kind: .write, served: [], note: "off chip")],
        levels: ["I1": [0, 2], "O": []], byId: [3: "c", -1: "input"], flags: [[true], [], [false, true]],
        extra: ["a": 1])

    func testValuesHaveTheFieldNamesAndShapesOfTheType() throws {
        let v = try ValueCoder.encode(sample)
        XCTAssertEqual(v["memories"]?.arrayValue?[0], ["name": "rf", "size": 8, "r_cost": 0.01, "kind": "r",
                                                       "served": ["D1"]],
                       "a nil optional is left out; coding keys name the fields")
        XCTAssertEqual(v["memories"]?.arrayValue?[1]["note"], "off chip")
        XCTAssertEqual(v["levels"], ["I1": [0, 2], "O": []])
        XCTAssertEqual(v["byId"], ["3": "c", "-1": "input"],
                       "integer-keyed maps are objects keyed by the number's text")
        XCTAssertEqual(v["extra"], ["a": 1])
        XCTAssertEqual(try ValueCoder.decode(Core.self, from: v), sample)
        // -0.0 survives (its own bit pattern in the canonical encoding).
        XCTAssertEqual(try ValueCoder.decode(Core.self, from: v).memories[1].readCost.sign, .minus)
    }

    func testTheDigestDoesNotDependOnTheDeclarationOrder() throws {
        let a = try ValueCoder.encode(Memory(name: "rf", size: 8, readCost: 0.5, kind: .write, served: ["D2"],
                                             note: nil))
        let b = try ValueCoder.encode(Reordered(served: ["D2"], kind: .write, r_cost: 0.5, size: 8, name: "rf"))
        XCTAssertEqual(try CanonicalEncoder.digest(a), try CanonicalEncoder.digest(b))
    }

    func testASharedValueFieldStaysAReference() throws {
        let shared = Value.shared(try SharedValue(["big": [1, 2, 3]]))
        var core = sample
        core.extra = shared
        let v = try ValueCoder.encode(core)
        guard case .shared? = v.objectFields?["extra"] else {
            return XCTFail("the reference was resolved: \(String(describing: v["extra"]))")
        }
        guard case .shared = try ValueCoder.decode(Core.self, from: v).extra else {
            return XCTFail("decoding resolved the reference")
        }
    }

    /// A typed `Shared` field decodes to the very reference the parameters hold: its digest is
    /// not recomputed (a study's tasks decode their network and core this way, tens of thousands
    /// of times).
    func testATypedSharedFieldDecodesToTheSameReference() throws {
        struct Holder: Codable { var core: Shared<Core> }
        let holder = Holder(core: try Shared(sample))
        let back = try ValueCoder.decode(Holder.self, from: ValueCoder.encode(holder))
        XCTAssertTrue(back.core.reference === holder.core.reference)
        XCTAssertEqual(back.core.value.memories.count, sample.memories.count)
    }

    func testDecodingNamesTheFieldThatDoesNotFit() throws {
        var v = try ValueCoder.encode(sample)
        guard case .object(var fields) = v, case .array(var memories) = fields["memories"]!,
            case .object(var dram) = memories[1] else {
            return XCTFail("shape")
        }
        dram["r_cost"] = .int(1)
        memories[1] = .object(dram)
        fields["memories"] = .array(memories)
        v = .object(fields)
        XCTAssertThrowsError(try ValueCoder.decode(Core.self, from: v)) { error in
            XCTAssertEqual("\(error)", "$.memories[1].r_cost: expected a double, found an integer")
        }
        fields["memories"] = .array([memories[0]] + [.object(dram.filter { $0.key != "size" })])
        XCTAssertThrowsError(try ValueCoder.decode(Core.self, from: .object(fields))) { error in
            XCTAssertEqual("\(error)", "$.memories[1].size: missing")
        }
        struct Point: Codable, Hashable { var x: Int }
        struct Unordered: Codable { var byPoint: [Point: Int]; var set: Set<Int> }
        XCTAssertThrowsError(try ValueCoder.encode(Unordered(byPoint: [Point(x: 1): 1, Point(x: 2): 2],
                                                             set: []))) { error in
            XCTAssertTrue("\(error)".hasPrefix("$.byPoint: Dictionary<Point, Int> has no canonical order"), "\(error)")
        }
        XCTAssertThrowsError(try ValueCoder.encode(Unordered(byPoint: [:], set: [1, 2, 3])))
        struct Wide: Codable { var n: UInt64 }
        XCTAssertThrowsError(try ValueCoder.encode(Wide(n: .max))) { error in
            XCTAssertEqual("\(error)", "$.n: 18446744073709551615 does not fit in 64 signed bits")
        }
    }
}

extension Value {
    var objectFields: [String: Value]? { if case .object(let f) = self { return f } else { return nil } }
}
