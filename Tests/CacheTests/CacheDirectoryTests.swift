@testable import Cache
import Foundation
import XCTest

/// What makes a folder an accomake cache (CacheDirectory): the marker, its format, the names
/// the cache owns, and caches made before the marker.
final class CacheDirectoryTests: XCTestCase {
    var dir: TempDirectory!
    override func setUp() { dir = TempDirectory() }
    override func tearDown() { dir.remove() }

    func message(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        return "no error"
    }

    func testANewFolderIsMarkedWithTheCacheDirectoryTagAndTheFormat() throws {
        _ = try LocalCache(root: dir.path + "/new/cache")
        let marker = try String(contentsOfFile: dir.path + "/new/cache/CACHEDIR.TAG", encoding: .utf8)
        // The first line is the cache-directory tag's signature (https://bford.info/cachedir/).
        XCTAssertTrue(marker.hasPrefix("Signature: 8a477f597d28d172789f06886806bc55\n"))
        XCTAssertTrue(marker.contains("accomake cache format 1"))
        XCTAssertEqual(try CacheDirectory.markedFormat(dir.path + "/new/cache"), 1)
    }

    func testACacheFromBeforeTheMarkerIsAdopted() throws {
        try FileManager.default.createDirectory(atPath: dir.path + "/blobs/ab", withIntermediateDirectories: true)
        for name in ["actions.log", "stats", "last-gc", "actions.log.tmp.12.345"] {
            _ = FileManager.default.createFile(atPath: dir.path + "/" + name, contents: Data())
        }
        _ = try LocalCache(root: dir.path)
        XCTAssertEqual(try CacheDirectory.markedFormat(dir.path), 1)
    }

    /// A process killed while it marked a new folder leaves the marker's temporary file: the
    /// folder is still new to the next process.
    func testAFolderWithOnlyAnUnfinishedMarkerIsNew() throws {
        _ = FileManager.default.createFile(atPath: dir.path + "/CACHEDIR.TAG.tmp.123.456", contents: Data("Sig".utf8))
        _ = try LocalCache(root: dir.path)
        XCTAssertEqual(try CacheDirectory.markedFormat(dir.path), 1)
    }

    func testAnotherToolsTagADamagedMarkerAndANewerFormatAreRefused() throws {
        let tag = dir.path + "/CACHEDIR.TAG"
        try "Signature: 8a477f597d28d172789f06886806bc55\n# pip's cache\n".write(toFile: tag, atomically: false,
            encoding: .utf8)
        XCTAssertEqual(message { _ = try LocalCache(root: dir.path) },
                       "\(dir.path) is not an accomake cache: its CACHEDIR.TAG is another tool's "
                           + "or damaged (if this was an "
                           + "accomake cache, delete the folder yourself); accomake leaves it untouched: "
                           + "pass a new or empty folder "
                           + "with --cache or ACCOMAKE_CACHE")
        try Data([0xff, 0xfe, 0x00]).write(to: URL(fileURLWithPath: tag))
        XCTAssertTrue(message { _ = try LocalCache(root: dir.path) }.contains("another tool's or damaged"))
        try CacheDirectory.marker.replacingOccurrences(of: "format 1", with: "format 2").write(toFile: tag,
            atomically: false, encoding: .utf8)
        XCTAssertTrue(message { _ = try LocalCache(root: dir.path) }.contains("written by a different "
            + "accomake (cache format 2; "
            + "this one uses format 1)"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["CACHEDIR.TAG"],
                       "nothing written")
    }

    func testTheNamesTheCacheOwns() {
        let hex = "ab" + String(repeating: "0", count: 62)
        XCTAssertTrue(CacheDirectory.isBlob(hex, shard: "ab"))
        XCTAssertFalse(CacheDirectory.isBlob(hex, shard: "cd"), "in the wrong shard")
        XCTAssertFalse(CacheDirectory.isBlob(hex.uppercased(), shard: "AB"))
        XCTAssertFalse(CacheDirectory.isShard("zz"))
        XCTAssertTrue(CacheDirectory.isTemporary("actions.log.tmp.12.345") { CacheDirectory.ownFiles.contains($0) })
        XCTAssertTrue(CacheDirectory.isTemporary(hex + ".tmp.1.2") { CacheDirectory.isBlob($0, shard: "ab") })
        XCTAssertFalse(CacheDirectory.isTemporary("thesis.tex.tmp.1.2") { CacheDirectory.ownFiles.contains($0) })
        XCTAssertFalse(CacheDirectory.isTemporary("actions.log.tmp.1") { CacheDirectory.ownFiles.contains($0) })
        XCTAssertFalse(CacheDirectory.isTemporary("actions.log.tmp.1.x") { CacheDirectory.ownFiles.contains($0) })
        XCTAssertTrue(CacheDirectory.isRunRecord(String(repeating: "f", count: 24) + ".record"))
        XCTAssertFalse(CacheDirectory.isRunRecord("notes.record"))
    }
}
