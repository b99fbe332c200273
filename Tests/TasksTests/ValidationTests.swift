import Foundation
@testable import Tasks
import XCTest

/// Every kind of bad input gives one `InputError` naming the file, the line, the JSON path and
/// the fix (issue: strict validation).
final class ValidationTests: XCTestCase {
    let folder = ReferenceData.repository.appendingPathComponent("projects/examples/golden-layer")

    func text(_ name: String) throws -> String { try String(contentsOf: folder.appendingPathComponent(name),
                                                            encoding: .utf8) }

    func hardwareError(_ edit: (String) -> String) throws -> InputError? {
        let source = edit(try text("hardware.json"))
        do {
            _ = try HardwareFormat.decode(InputFile.parse(Array(source.utf8), file: "hw.json"))
            return nil
        } catch { return error }
    }

    func testUnknownFieldNamesTheClosestKnownOne() throws {
        let e = try XCTUnwrap(try hardwareError { $0.replacingOccurrences(of: "\"r_cost\": 0.01",
            with: "\"r_cots\": 0.01") })
        XCTAssertEqual(e.file, "hw.json")
        XCTAssertEqual(e.path, "$.memories.rf_1B.r_cots")
        XCTAssertEqual(e.problem, "unknown field \"r_cots\"")
        XCTAssertTrue(e.fix.hasPrefix("did you mean \"r_cost\"?"), e.fix)
        XCTAssertEqual(e.line, 8)
    }

    func testMissingField() throws {
        let e = try XCTUnwrap(try hardwareError { $0.replacingOccurrences(of: "\"w_cost\": 0.01,", with: "") })
        XCTAssertEqual(e.path, "$.memories.rf_1B")
        XCTAssertEqual(e.problem, "missing field \"w_cost\"")
    }

    func testNegativeAndZeroSizes() throws {
        let negative = try XCTUnwrap(try hardwareError { $0.replacingOccurrences(of: "\"size\": 8,",
            with: "\"size\": -8,") })
        XCTAssertEqual(negative.path, "$.memories.rf_1B.size")
        XCTAssertEqual(negative.fix, "the size in bits must be at least 1")
        let zero = try XCTUnwrap(try hardwareError { $0.replacingOccurrences(of: "\"sizes\": [\n      32,",
            with: "\"sizes\": [\n      0,") })
        XCTAssertEqual(zero.path, "$.operational_array.sizes[0]")
        let cost = try XCTUnwrap(try hardwareError { $0.replacingOccurrences(of: "\"r_cost\": 700",
            with: "\"r_cost\": -700") })
        XCTAssertEqual(cost.path, "$.memories.dram.r_cost")
    }

    func testMemoryTooSmallForOneWord() throws {
        let e = try XCTUnwrap(try hardwareError { $0.replacingOccurrences(of: "\"size\": 16,", with: "\"size\": 4,") })
        XCTAssertEqual(e.path, "$.memories.rf_2B.size")
        XCTAssertEqual(e.problem, "4 bits cannot hold one word of 16 bits")
    }

    func testPortBeyondDeclaredCount() throws {
        let e = try XCTUnwrap(try hardwareError { $0.replacingOccurrences(of: "\"rw_port\": 1",
            with: "\"rw_port\": 0") })
        XCTAssertEqual(e.path, "$.memories.dram.ports[0].fh")
        XCTAssertEqual(e.fix, "raise \"rw_port\" to at least 1")
    }

    func testMalformedJSON() throws {
        let e = try XCTUnwrap(try hardwareError { $0.replacingOccurrences(of: "\"size\": 8,", with: "\"size\": 8,,") })
        XCTAssertEqual(e.line, 5)
        XCTAssertTrue(e.problem.hasPrefix("not valid JSON"), e.problem)
    }

    /// Issue 11 #9: fields whose typos used to change answers are refused.
    func testTyposThatUsedToChangeAnswersAreRefused() throws {
        let noRelation = try XCTUnwrap(try bind(workload: try text("workload.json").replacingOccurrences(of: ",\n     "
            + " \"iy=1*oy+1*fy\"", with: "")))
        XCTAssertEqual(noRelation.file, "wl.json")
        XCTAssertEqual(noRelation.problem, "index IY of I is neither a loop dimension nor defined by a relation")
        let unroll = try XCTUnwrap(try bind(mapping: try text("mapping.json").replacingOccurrences(of: "K, 32",
            with: "ZZ, 32")))
        XCTAssertEqual(unroll.file, "map.json")
        XCTAssertEqual(unroll.problem, "ZZ is not a loop dimension of layer 0")
        let operand = try XCTUnwrap(try hardwareError { $0.replacingOccurrences(of: "\"operands\": [\n        \"I2\"",
            with: "\"operands\": [\n        \"ZZ\"") })
        XCTAssertEqual(operand.problem, "\"ZZ\" is not a memory operand")
    }

    /// Issue 11 #10: numbers whose products overflowed (a trap) are refused at the input, naming the bound.
    func testNumbersBeyondTheLimitsAreRefused() throws {
        let array = try XCTUnwrap(try hardwareError { $0.replacingOccurrences(of: "\"sizes\": [\n      32,",
            with: "\"sizes\": [\n      1e15,") })
        XCTAssertEqual(array.problem, "array size 1e15 is larger than 65536")
        let cost = try XCTUnwrap(try hardwareError { $0.replacingOccurrences(of: "\"r_cost\": 700,",
            with: "\"r_cost\": 1e17,") })
        XCTAssertEqual(cost.problem, "read cost 1e+17 is larger than 1e9 pJ")
        // A free off-chip memory is a legitimate what-if: bytes are counted, not derived from its cost.
        XCTAssertNil(try hardwareError { $0.replacingOccurrences(of: "\"r_cost\": 700,", with: "\"r_cost\": 0,") })
        let loopSizes = "\"loop_sizes\": [\n      1,\n      "
        let loop = try XCTUnwrap(try bind(workload: try text("workload.json")
            .replacingOccurrences(of: loopSizes + "64", with: loopSizes + "1e15")))
        XCTAssertEqual(loop.problem, "loop size 1e15 is larger than 16777216")
    }

    func bind(workload: String? = nil, mapping: String? = nil) throws -> InputError? {
        let files = ProblemFiles(hardware: "hw.json", workload: "wl.json", mapping: "map.json")
        do {
            let core = try HardwareFormat.decode(InputFile.parse(Array(try text("hardware.json").utf8),
                                                                 file: files.hardware)).core
            let nodes = try WorkloadFormat.decode(InputFile.parse(Array((workload ?? (try text("workload.json"))).utf8),
                                                                  file: files.workload))
            let entries = try MappingFormat.decode(InputFile.parse(Array((mapping ?? (try text("mapping.json"))).utf8),
                                                                   file: files.mapping))
            for node in nodes where !node.isInput {
                _ = try LayerBinding.layer(node, mapping: entries, core: core, files: files)
            }
            return nil
        } catch let error as InputError { return error }
    }

    func testSpatialMappingLargerThanTheArray() throws {
        let e = try XCTUnwrap(try bind(mapping: try text("mapping.json").replacingOccurrences(of: "K, 32",
            with: "K, 64")))
        XCTAssertEqual(e.file, "map.json")
        XCTAssertEqual(e.path, "$[name=default].spatial_mapping.D1")
        XCTAssertEqual(e.problem, "unroll 64 is larger than dimension D1 of the array of hw.json (32)")
    }

    func testOperandWithoutAMemory() throws {
        let e = try XCTUnwrap(try bind(mapping: try text("mapping.json").replacingOccurrences(of: "\"I\": \"I1\"",
            with: "\"I\": \"I3\"")))
        // The typo is in the mapping: the hardware has no memory operand I3 at all.
        XCTAssertEqual(e.file, "map.json")
        XCTAssertEqual(e.path, "$[name=default].memory_operand_links.I")
        XCTAssertEqual(e.problem, "\"I3\" is not a memory operand of hw.json")
    }

    func testNegativeLoopSizeAndCycle() throws {
        let loopSizes = "\"loop_sizes\": [\n      1,\n      "
        let negative = try XCTUnwrap(try bind(workload: try text("workload.json")
            .replacingOccurrences(of: loopSizes + "64", with: loopSizes + "-64")))
        XCTAssertEqual(negative.path, "$[1].loop_sizes[1]")
        let cycle = """
            [{"id": 1, "operator_type": "Add", "equation": "O[b][g][oy][ox]=X[b][g][oy][ox]+Y[b][g][oy][ox]",
              "loop_dims": ["B","G","OY","OX"], "loop_sizes": [1, 8, 4, 4],
              "operand_precision": {"O": 16, "O_final": 8, "X": 8, "Y": 8}, "operand_source": {"X": 2, "Y": 2}},
             {"id": 2, "operator_type": "Add", "equation": "O[b][g][oy][ox]=X[b][g][oy][ox]+Y[b][g][oy][ox]",
              "loop_dims": ["B","G","OY","OX"], "loop_sizes": [1, 8, 4, 4],
              "operand_precision": {"O": 16, "O_final": 8, "X": 8, "Y": 8}, "operand_source": {"X": 1, "Y": 1}}]
            """
        let e = try XCTUnwrap(try bind(workload: cycle))
        XCTAssertEqual(e.problem, "the layers form a cycle: 1 → 2 → 1")
        XCTAssertEqual(e.fix, "a layer may only consume earlier layers")
    }

    func testDescriptionIsOneLineWithFileLinePathAndFix() throws {
        let e = try XCTUnwrap(try hardwareError { $0.replacingOccurrences(of: "\"size\": 8,", with: "\"size\": -8,") })
        XCTAssertEqual(e.description,
                       "hw.json:5: $.memories.rf_1B.size: size in bits -8 is not positive; the size "
                           + "in bits must be at least 1")
    }
}
