import Foundation
import Synchronization
@testable import Tasks
import XCTest

/// The tape parser (issue 11 #12): what it records, what it gives back, what it costs.
final class JSONDocumentTests: XCTestCase {
    /// The tape of a small document, entry by entry: each value's first byte; a list or object
    /// adds the tape index past its last descendant and its child count (keys count as children).
    func testTapeOfASmallDocument() throws {
        let text = "[1, [2, 3],\n {\"a\": \"x\\ny\", \"b\": null}]"
        let root = try JSONParser.parse(Array(text.utf8))
        XCTAssertEqual(root.document.tape, [
            0, 16, 3,       // the outer list: ends at tape index 16, three items
            1,              // 1
            4, 9, 2,        // [2, 3]: ends at 9
            5, 8,           // 2, 3
            13, 16, 4,      // the object: ends at 16, two keys and two values
            14, 19,         // "a", "x\ny"
            27, 32,         // "b", null
        ])
        XCTAssertEqual(root.document.lineFeeds, [11])
        guard case .array(let items) = root.value, items.count == 3,
              case .object(let fields) = items[2].value else { return XCTFail("expected [_, _, {…}]") }
        XCTAssertEqual(items[2].line, 2)
        XCTAssertEqual(fields.map(\.key), ["a", "b"])
        XCTAssertEqual(fields[0].value.value, .string("x\ny"))
        XCTAssertEqual(fields[1].value.value, .null)
        guard case .array(let inner) = items[1].value else { return XCTFail("expected [2, 3]") }
        XCTAssertEqual(inner.map(\.value), [.number(2, text: "2"), .number(3, text: "3")])
    }

    /// The densest file, a list of one-digit numbers (2 bytes per value), costs its bytes plus 4
    /// per value: 3× the file; the tree it replaced took 22×.
    func testADenseListCostsThreeTimesTheFile() throws {
        let count = 100_000
        let bytes = Array(("[" + Array(repeating: "7", count: count).joined(separator: ",") + "]").utf8)
        let document = try JSONParser.parse(bytes).document
        XCTAssertEqual(document.tape.count, count + 3)
        let footprint = document.bytes.count + 4 * (document.tape.count + document.lineFeeds.count)
        XCTAssertEqual(Double(footprint) / Double(bytes.count), 3.0, accuracy: 0.001)
    }

    /// A reader walks a long list item by item with the item's path only when a message needs it.
    func testListItemsNameTheirPathInMessages() throws {
        let reader = try InputFile.parse(Array("{\"sizes\": [1, 2, -3]}".utf8), file: "f.json")
        let sizes = try reader.object(allowed: ["sizes"]).required("sizes", "")
        var seen: [Int] = []
        do {
            for item in try sizes.array() { seen.append(try item.int(minimum: 1, what: "size")) }
            XCTFail("-3 was accepted")
        } catch {
            XCTAssertEqual(seen, [1, 2])
            XCTAssertEqual(error.path, "$.sizes[2]")
            XCTAssertEqual(error.problem, "size -3 is not positive")
        }
    }

    /// A chain of 20,000 layers is checked for cycles on a 512 KiB stack (a worker thread's
    /// size): the search keeps its own stack instead of recursing once per layer.
    func testALongChainIsCheckedWithoutDeepRecursion() throws {
        var layers = [#"{"id": -1, "operator_type": "input", "loop_dims": ["B", "K", "OY", "OX"], "# +
                      #""loop_sizes": [1, 4, 4, 4], "operand_precision": {"O": 8}}"#]
        for id in 0..<20_000 {
            layers.append(#"{"id": \#(id), "operator_type": "Conv", "#
                          + #""equation": "O[b][k][oy][ox]+=W[k][c]*I[b][c][oy][ox]", "#
                          + #""loop_dims": ["B", "K", "C", "OY", "OX"], "loop_sizes": [1, 4, 4, 4, 4], "#
                          + #""operand_precision": {"O": 16, "O_final": 8, "W": 8, "I": 8}, "#
                          + #""operand_source": {"W": \#(id), "I": \#(id - 1)}}"#)
        }
        let reader = try InputFile.parse(Array(("[" + layers.joined(separator: ",\n") + "]").utf8), file: "chain.json")
        let outcome = Mutex<Result<Int, InputError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            outcome.withLock { $0 = Result { () throws(InputError) -> Int in try WorkloadFormat.decode(reader).count } }
            done.signal()
        }
        thread.stackSize = 512 << 10
        thread.start()
        done.wait()
        XCTAssertEqual(try outcome.withLock { $0 }?.get(), 20_001)
    }
}
