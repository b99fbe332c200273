import Foundation
import Graph
@testable import Tasks
import XCTest

/// The YAML and ONNX readers on mutated real files (seeded, so every run sees the same cases):
/// each mutation is either read (and then is valid JSON, or a decoded model) or refused with a
/// position inside the file — a YAML line and column that exist, a byte offset within the bytes.
final class ReaderFuzzTests: XCTestCase {
    static let folder = ReferenceData.folder.appendingPathComponent("zigzag-3.9.1")

    func testMutatedYAMLIsReadOrRefusedAtAPlaceInTheFile() throws {
        var rng = SplitMix64(state: 2026_11_30)
        var read = 0, refused = 0
        let snippets = ["\t", ": ", "- ", "[", "]", "{", "}", "\"", "'", "#", "&a", "*a", "|", "\n", "  ", "---\n", ","]
        for kind in ["hardware", "mapping"] {
            let dir = Self.folder.appendingPathComponent(kind)
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() {
                let original = Array(try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8))
                for _ in 0..<40 {
                    var text = original
                    let at = Int.random(in: 0..<text.count, using: &rng)
                    switch Int.random(in: 0..<4, using: &rng) {
                    case 0: text.insert(contentsOf: snippets.randomElement(using: &rng)!, at: at)
                    case 1: text.removeSubrange(at..<min(text.count, at + Int.random(in: 1...30, using: &rng)))
                    case 2: text = Array(text[..<at])
                    default: text[at] = snippets.randomElement(using: &rng)!.first!
                    }
                    let source = String(text)
                    let lines = source.split(separator: "\n", omittingEmptySubsequences: false).count
                    do {
                        let json = try YAMLSubset.json(Array(source.utf8), file: name)
                        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json), options: .fragmentsAllowed),
                                         "\(name): \(source)")
                        read += 1
                    } catch {
                        let line = try XCTUnwrap(error.line), column = try XCTUnwrap(error.column)
                        XCTAssertTrue((1...lines).contains(line) && column >= 1, "\(name): \(error)")
                        XCTAssertFalse(error.description.contains("\n"), "\(error)")
                        refused += 1
                    }
                }
            }
        }
        XCTAssertEqual(read + refused, 25 * 40)
        XCTAssertGreaterThan(read, 0)
        XCTAssertGreaterThan(refused, 0)
    }

    /// A mutated model either fails to decode (at an offset in the file), or decodes and then
    /// becomes a workload or is refused in one `InputError` naming a node: never a crash.
    func testMutatedONNXIsDecodedOrRefusedAtAnOffsetInTheFile() throws {
        var rng = SplitMix64(state: 2026_11_30)
        var decoded = 0, refused = 0, converted = 0
        for name in ["alexnet", "resnet18", "mobilenetv2"] {
            let original = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("workload/\(name).onnx")))
            for _ in 0..<300 {
                var bytes = original
                for _ in 0..<Int.random(in: 1...8, using: &rng) {
                    let at = Int.random(in: 0..<bytes.count, using: &rng)
                    if Bool.random(using: &rng) { bytes[at] = UInt8.random(in: 0...255, using: &rng) } else {
                        bytes = Array(bytes[..<max(1, at)])
                    }
                }
                do {
                    let model = try ONNXModel(bytes)
                    decoded += 1
                    do {
                        _ = try ONNXWorkload.nodes(model, file: "m.onnx", options: .defaults)
                        converted += 1
                    } catch {
                        XCTAssertEqual(error.file, "m.onnx")
                    }
                } catch {
                    XCTAssertTrue((0...bytes.count).contains(error.offset), "\(name): \(error)")
                    refused += 1
                }
            }
        }
        XCTAssertEqual(decoded + refused, 900)
        XCTAssertGreaterThan(refused, 0)
        XCTAssertGreaterThan(converted, 0)
    }
}
