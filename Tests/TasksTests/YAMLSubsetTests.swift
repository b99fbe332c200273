import Foundation
@testable import Tasks
import XCTest

/// The YAML reader (issue 14): the shipped ZigZag files read as an independent YAML library reads
/// them, values stay on their lines, the tricky cases of block YAML, and a one-line error with
/// file:line:column for what it does not read.
final class YAMLSubsetTests: XCTestCase {
    /// The YAML text as a JSON value (through `JSONSerialization`, an independent JSON reader).
    func read(_ yaml: String, file: String = "t.yaml") throws -> Any {
        let json = try YAMLSubset.json(Array(yaml.utf8), file: file)
        return try JSONSerialization.jsonObject(with: Data(json), options: [.fragmentsAllowed])
    }

    func error(_ yaml: String, line: UInt = #line) -> InputError? {
        do {
            _ = try YAMLSubset.json(Array(yaml.utf8), file: "t.yaml")
            XCTFail("accepted", line: line)
            return nil
        } catch {
            return error
        }
    }

    /// Every hardware and mapping YAML that zigzag-dse 3.9.1 ships reads exactly as PyYAML 6 reads
    /// it (zigzag-yaml-as-json.json, made with `yaml.safe_load`) — but tpu_like.yaml, whose memory
    /// sram_2MB has two `ports` keys: PyYAML keeps the second silently, accomake refuses the file.
    func testTheShippedZigZagFilesReadAsPyYAMLReadsThem() throws {
        let expected = try XCTUnwrap(try ReferenceData.json("zigzag-yaml-as-json.json")["files"] as? [String: Any])
        XCTAssertEqual(expected.count, 25)
        for (name, value) in expected {
            let url = ReferenceData.folder.appendingPathComponent("zigzag-3.9.1/" + name)
            let text = try String(contentsOf: url, encoding: .utf8)
            if name == "hardware/tpu_like.yaml" {
                let e = try XCTUnwrap(error(text))
                XCTAssertEqual([e.line, e.column], [74, 5])
                XCTAssertTrue(e.problem.contains("the key \"ports\" appears twice"), e.problem)
                continue
            }
            let ours = try read(text, file: name)
            XCTAssertEqual(ours as? NSObject, value as? NSObject, name)
        }
    }

    /// Each value keeps its YAML line: the JSON reader's messages then name the YAML line.
    func testValuesStayOnTheirLines() throws {
        let url = ReferenceData.folder.appendingPathComponent("zigzag-3.9.1/hardware/meta_prototype.yaml")
        let yaml = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let json = String(decoding: try YAMLSubset.json(Array(yaml.joined(separator: "\n").utf8), file: "m.yaml"),
                          as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(yaml[153], "    r_cost: 700")  // line 154: the DRAM's read cost
        XCTAssertEqual(json[153], "\"r_cost\":700,")
        XCTAssertEqual(yaml[177].trimmingCharacters(in: .whitespaces), "dimensions: [D1, D2, D3, D4]")
        XCTAssertEqual(json[177], "\"dimensions\":[\"D1\",\"D2\",\"D3\",\"D4\"],")
    }

    func testBlockStructure() throws {
        let yaml = """
            # a comment line
            name: "x: y"   # a quoted colon, then a comment
            empty:
            list:
            - a
            - 'it''s # not a comment'
            nested:
              - name: p
                allocation:
                  - I2, tl
                  -
              - [1, 2.5, -3e2, .5, 5.]
            flow: {a: 1, "b": [x, y],
                   c: ~}
            flags: [true, False, null, on]
            """
        let value = try XCTUnwrap(try read(yaml) as? NSDictionary)
        let expected: NSDictionary = [
            "name": "x: y", "empty": NSNull(), "list": ["a", "it's # not a comment"],
            "nested": [["name": "p", "allocation": ["I2, tl", NSNull()]], [1, 2.5, -300, 0.5, 5]],
            "flow": ["a": 1, "b": ["x", "y"], "c": NSNull()], "flags": [true, false, NSNull(), "on"],
        ]
        XCTAssertEqual(value, expected)
        XCTAssertEqual(try read("") as? NSNull, NSNull(), "an empty file is null")
        XCTAssertEqual(try read("---\n- 1\n") as? [Int], [1], "one leading document marker is fine")
        XCTAssertEqual(try read("k: \"\\u00e9\\t\\\"\"") as? [String: String], ["k": "é\t\""])
    }

    func testWhatItDoesNotReadIsOneErrorWithLineAndColumn() throws {
        let tab = try XCTUnwrap(error("a:\n\tb: 1\n"))
        XCTAssertEqual(tab.description, "t.yaml:2:1: $: not read as YAML: a tab in the indentation; indent with "
                                        + "spaces (YAML does not allow tabs there)")
        let cases: [(String, Int, Int, String)] = [
            ("a:\n  b: 1\n c: 2\n", 3, 2, "matches no enclosing block"),
            ("a: |\n  text\n", 1, 4, "block scalars"),
            ("a: &x 1\nb: *x\n", 1, 4, "anchors, aliases and tags"),
            ("a: 1\n---\nb: 2\n", 2, 1, "several documents"),
            ("a: [1, 2\nb: 3\n", 1, 4, "[ is never closed"),
            ("a: \"open\n", 1, 4, "the quote \" is never closed"),
            ("a: one\n  two\n", 2, 3, "a value continued on the next line"),
            ("a: 1\n- b\n", 2, 1, "a list item where a key was expected"),
            ("a: [1] x\n", 1, 8, "unexpected \"x\" after the value"),
            ("a: {b: 1, b: 2}\n", 1, 11, "the key \"b\" appears twice"),
        ]
        for (yaml, line, column, problem) in cases {
            let e = try XCTUnwrap(error(yaml), yaml)
            XCTAssertEqual(e.line, line, yaml)
            XCTAssertEqual(e.column, column, yaml)
            XCTAssertTrue(e.problem.contains(problem), "\(yaml): \(e.problem)")
            XCTAssertFalse(e.description.contains("\n"), "one line")
        }
    }
}
