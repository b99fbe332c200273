@testable import Graph
import XCTest

/// The run record behind `status` and `explain`: each kind of change is named, detailed fields
/// down to the leaf, and the record survives its file format.
final class RunRecordTests: XCTestCase {
    func graph(add: Int64 = 5, hardware: Value = ["memories": [["name": "dram", "cost": [700.0, 750.0]],
                                                               ["name": "sram", "cost": [1.0, 2.0]]]],
               sumVersion: Int64 = 1) throws -> Graph {
        var g = Graph()
        let a = try g.add(TestOps.const, ["value": 1, "core": hardware])
        let b = try g.add(Operator("test.sumB", version: sumVersion, run: TestOps.sum.run), ["add": .int(add)],
                          dependencies: [a])
        _ = try g.add(TestOps.sum, ["add": 0], dependencies: [b])
        return g
    }

    let names = ["a", "b", "c"]

    func record(_ g: Graph, store: MemoryStore, previous: RunRecord?) -> (RunRecord, [RunRecord.Change?]) {
        let assessment = RunRecord.assess(g, names: names, detail: ["core": ""], previous: previous,
                                          cached: { store.lookup($0) != nil })
        let result = Executor(store: store).build(g, targets: [NodeID(index: 2)])
        return (RunRecord(g, names: names, detail: ["core": ""], assessment: assessment, log: result.log),
                assessment.changes)
    }

    func testEachKindOfChangeIsNamed() throws {
        let store = MemoryStore()
        let (first, initial) = record(try graph(), store: store, previous: nil)
        XCTAssertEqual(initial, [.new, .new, .new])
        XCTAssertEqual(first.nodes.map(\.outcome), [.executed, .executed, .executed])
        XCTAssertEqual(first.inputNames(of: first.nodes[1]), ["a"])

        let (second, unchanged) = record(try graph(), store: store, previous: first)
        XCTAssertEqual(unchanged, [nil, nil, nil])
        XCTAssertEqual(second.nodes.map(\.outcome), [.hit, .hit, .hit])

        let tweaked: Value = ["memories": [["name": "dram", "cost": [710.0, 750.0]], ["name": "sram", "cost": [1.0,
            2.0]]]]
        let (_, hardware) = record(try graph(hardware: tweaked), store: store, previous: second)
        XCTAssertEqual(hardware, [.parameters(fields: ["core"], leaves: ["memories.dram.cost[0]: 700 → 710"]),
                                  .dependency("a"), .dependency("b")])

        let (_, param) = record(try graph(add: 6), store: store, previous: second)
        XCTAssertEqual(param, [nil, .parameters(fields: ["add"], leaves: []), .dependency("b")])
        XCTAssertEqual(param[1]?.description, "changed add")

        let (_, version) = record(try graph(sumVersion: 2), store: store, previous: second)
        XCTAssertEqual(version, [nil, .version(from: 1, to: 2), .dependency("b")])

        // Same inputs, result evicted.
        let lost = MemoryStore()
        let (_, fresh) = record(try graph(), store: lost, previous: second)
        XCTAssertEqual(fresh, [.notCached, .dependency("a"), .dependency("b")])
    }

    /// A graph kept from the run that made the record (`run --watch`) says which nodes have the
    /// parameters they had: their field digests come from the record, and the assessment is the
    /// one derived from scratch (node b's new parameter found, the rest up to date).
    func testKnownUnchangedNodesTakeTheirFieldsFromTheRecord() throws {
        let store = MemoryStore()
        let (first, _) = record(try graph(), store: store, previous: nil)
        let edited = try graph(add: 6)
        let derived = RunRecord.assess(edited, names: names, detail: ["core": ""], previous: first,
                                       cached: { store.lookup($0) != nil })
        var asked: [Int] = []
        let kept = RunRecord.assess(edited, names: names, detail: ["core": ""], previous: first,
                                    cached: { store.lookup($0) != nil },
                                    sameParameters: { asked.append($0); return $0 != 1 })
        XCTAssertEqual(kept.changes, [nil, .parameters(fields: ["add"], leaves: []), .dependency("b")])
        XCTAssertEqual(kept.changes, derived.changes)
        XCTAssertEqual(kept.fields, derived.fields)
        XCTAssertEqual(asked, [0, 1, 2])
    }

    /// With closure keys a rerun visits only the top node: the others are `covered`, which the
    /// record keeps (through its file format) and the next assessment counts as up to date.
    func testNodesBelowAClosureKeyAreCoveredAndUpToDate() throws {
        let store = MemoryStore()
        var options = BuildOptions(jobs: 1)
        options.closureKeys = true
        let g = try graph()
        func run(previous: RunRecord?) throws -> (RunRecord, [RunRecord.Change?]) {
            let assessment = RunRecord.assess(g, names: names, detail: ["core": ""], previous: previous,
                                              cached: { store.lookup($0) != nil })
            let log = Executor(store: store, options: options).build(g, targets: [NodeID(index: 2)]).log
            let record = RunRecord(g, names: names, detail: ["core": ""], assessment: assessment, log: log)
            return (try RunRecord(decoding: record.encoded()), assessment.changes)
        }
        let (first, _) = try run(previous: nil)
        let (second, _) = try run(previous: first)
        XCTAssertEqual(second.nodes.map(\.outcome), [.covered, .covered, .hit])
        XCTAssertEqual(second.nodes.map { $0.key == nil }, [true, true, false])
        let (_, changes) = try run(previous: second)
        XCTAssertEqual(changes, [nil, nil, nil])
    }

    /// Format 3 interns what nodes share: 300 nodes with one common field hold its digest once
    /// (format 2 spelled it out per node, 30 MB for a study); another format reads as absent.
    func testSharedFieldDigestsAreStoredOnce() throws {
        var g = Graph()
        var names: [String] = []
        let hardware: Value = ["memories": [["name": "dram", "cost": [700.0, 750.0]]]]
        for i in 0..<300 {
            _ = try g.add(TestOps.const, ["value": .int(Int64(i % 3)), "core": hardware])
            names.append("n\(i)")
        }
        let assessment = RunRecord.assess(g, names: names, detail: [:], previous: nil, cached: { _ in false })
        let log = Executor(store: MemoryStore()).build(g, targets: (0..<300).map { NodeID(index: $0) }).log
        let record = RunRecord(g, names: names, detail: [:], assessment: assessment, log: log)
        let bytes = try record.encoded()
        // Distinct digests: one core field, three value fields, three keys (equal nodes share one).
        XCTAssertEqual(try CanonicalDecoder.field(["digests"], in: bytes)?.bytesValue?.count, 7 * 32)
        XCTAssertEqual(try RunRecord(decoding: bytes), record)
        XCTAssertThrowsError(try RunRecord(decoding: CanonicalEncoder.encode(["format": 2, "nodes": []])))
    }

    func testRecordRoundTrip() throws {
        let store = MemoryStore()
        let (first, _) = record(try graph(), store: store, previous: nil)
        let (second, _) = record(try graph(add: 7), store: store, previous: first)
        XCTAssertEqual(try RunRecord(decoding: try second.encoded()), second)
        XCTAssertEqual(try second.encoded(), try RunRecord(decoding: try second.encoded()).encoded())
        XCTAssertThrowsError(try RunRecord(decoding: [1, 2, 3]))
    }

    /// The record's bytes are pinned (format 3, written as a value tree until the encoder wrote
    /// them directly): the same record, the same file, whichever code writes it.
    func testRecordBytesArePinned() throws {
        let store = MemoryStore()
        let (first, _) = record(try graph(), store: store, previous: nil)
        let (second, _) = record(try graph(add: 7, sumVersion: 2), store: store, previous: first)
        XCTAssertEqual(SHA256.hash(try first.encoded()).hex,
                       "2e97125ea1e7fd874c47feb1cd50ed498671dd1c14254a3dca6043354bbd6927")
        XCTAssertEqual(SHA256.hash(try second.encoded()).hex,
                       "49ac9673b2f7f55fdc2a3c796a112a77d150782da26e3619e4ba5abf16262a1e")
    }
}
