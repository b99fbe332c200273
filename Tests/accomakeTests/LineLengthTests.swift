import Foundation
import XCTest

/// The house rule for source layout (issue 12): no line of Swift in the package is longer than
/// 120 characters, so every file reads without horizontal scrolling in a review or a terminal.
final class LineLengthTests: XCTestCase {
    static let limit = 120

    func testNoSwiftLineIsLongerThan120Characters() throws {
        let root = CommandLineTestCase.root
        var files = ["Package.swift"]
        for folder in ["Sources", "Tests"] {
            let walker = FileManager.default.enumerator(atPath: root.appendingPathComponent(folder).path)
            while let path = walker?.nextObject() as? String {
                if path.hasSuffix(".swift") { files.append(folder + "/" + path) }
            }
        }
        XCTAssertGreaterThan(files.count, 100, "the walk found the package's Swift files")
        var long: [String] = []
        for file in files.sorted() {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.count > Self.limit {
                long.append("\(file):\(index + 1): \(line.count) characters")
            }
        }
        XCTAssertEqual(long, [], "wrap these lines at \(Self.limit) characters")
    }
}
