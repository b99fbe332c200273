@testable import Cache
import Foundation
import Graph
import XCTest

final class LocalCacheTests: XCTestCase {
    var dir: TempDirectory!
    override func setUp() { dir = TempDirectory() }
    override func tearDown() { dir.remove() }

    func key(_ i: Int) -> Digest { SHA256.hash(Array("key \(i)".utf8)) }

    func testRecordsAndBlobsSurviveReopening() throws {
        let small: [UInt8] = Array("hello".utf8)
        let large = [UInt8](repeating: 42, count: ActionLogRecord.inlineLimit + 1)
        let (ds, dl) = (SHA256.hash(small), SHA256.hash(large))
        do {
            let cache = try LocalCache(root: dir.path)
            try cache.store(key(1), .output(ds, size: 5), blob: small, durationNanos: 1_000)
            try cache.store(key(2), .trace(dl, size: Int64(large.count)), blob: large, durationNanos: 0)
        }
        let cache = try LocalCache(root: dir.path)
        XCTAssertEqual(cache.lookup(key(1)), .output(ds, size: 5))
        XCTAssertEqual(cache.lookup(key(2)), .trace(dl, size: Int64(large.count)))
        XCTAssertNil(cache.lookup(key(3)))
        XCTAssertEqual(cache.load(ds, size: 5), small)
        XCTAssertEqual(cache.load(dl, size: Int64(large.count)), large)
        // Small blobs live inside the log record, larger ones in the session's pack, none as a file.
        // Compressed, 257 equal bytes take 5: a token, 1 literal, a 2-byte offset (1) and one
        // extra length byte for the 256-byte match.
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache.blobPath(ds)))
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache.blobPath(dl)))
        let packs = POSIX.list(dir.path + "/packs")
        XCTAssertEqual(packs.count, 1)
        XCTAssertEqual(POSIX.fileInfo(dir.path + "/packs/" + (packs.first ?? ""))?.size,
                       Int64(PackFile.header.count + 5))
        XCTAssertEqual(POSIX.fileInfo(dir.path + "/actions.log")?.size,
                       Int64(2 * ActionLogRecord.size + PackLocation.size + 5))
    }

    func testAFlippedBitInAnInlineBlobDropsThatRecord() throws {
        do {
            let cache = try LocalCache(root: dir.path)
            try cache.store(key(1), .output(SHA256.hash([1, 2, 3]), size: 3), blob: [1, 2, 3], durationNanos: 0)
            try cache.store(key(2), .output(SHA256.hash([4]), size: 1), blob: [4], durationNanos: 0)
        }
        let logPath = dir.path + "/actions.log"
        var log = try Data(contentsOf: URL(fileURLWithPath: logPath))
        log[ActionLogRecord.headerSize + 1] ^= 0x80  // inside record 1's inline bytes
        try log.write(to: URL(fileURLWithPath: logPath))
        let cache = try LocalCache(root: dir.path)
        XCTAssertNil(cache.lookup(key(1)))
        XCTAssertEqual(cache.load(SHA256.hash([4]), size: 1), [4])
    }

    func testAnotherInstanceSeesAppendedRecords() throws {
        let a = try LocalCache(root: dir.path)
        let b = try LocalCache(root: dir.path)
        let d = SHA256.hash([1])
        try a.store(key(1), .output(d, size: 1), blob: [1], durationNanos: 0)
        XCTAssertEqual(b.lookup(key(1)), .output(d, size: 1))
        // A session keeps what it has read; an eviction elsewhere shows up as a missing blob
        // there, and in every session opened afterwards.
        b.forget(key(1))
        XCTAssertNil(try LocalCache(root: dir.path).lookup(key(1)))
    }

    func testTruncatedOrFlippedBlobIsAMissAndIsRemoved() throws {
        let cache = try LocalCache(root: dir.path)
        let bytes = [UInt8](repeating: 7, count: 4096)
        let digest = SHA256.hash(bytes)
        try cache.putFile(bytes, digest: digest)
        let path = cache.blobPath(digest)

        try Data(bytes.prefix(100)).write(to: URL(fileURLWithPath: path))
        XCTAssertNil(cache.load(digest, size: 4096))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))

        var flipped = bytes
        flipped[1234] ^= 0x10
        try Data(flipped).write(to: URL(fileURLWithPath: path))
        XCTAssertNil(cache.load(digest, size: 4096))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))

        // Rewriting the blob repairs it.
        try cache.putFile(bytes, digest: digest)
        XCTAssertEqual(cache.load(digest, size: 4096), bytes)
    }

    func testDamagedLogRecordsAreSkippedAndTheRestSurvive() throws {
        let d = SHA256.hash([1])
        do {
            let cache = try LocalCache(root: dir.path)
            for i in 0..<10 {
                try cache.append([ActionLogRecord(key: key(i), record: .output(d, size: 1), lastUse: 1,
                                                  durationMicros: 0)])
            }
        }
        let logPath = dir.path + "/actions.log"
        var log = try Data(contentsOf: URL(fileURLWithPath: logPath))
        XCTAssertEqual(log.count, 10 * ActionLogRecord.size)
        log[3 * ActionLogRecord.size + 50] ^= 0x01  // flip a bit inside record 3
        log.append(contentsOf: [0x41, 0x43, 0x52])  // a torn record at the end
        try log.write(to: URL(fileURLWithPath: logPath))

        let cache = try LocalCache(root: dir.path)
        for i in 0..<10 {
            XCTAssertEqual(cache.lookup(key(i)) == nil, i == 3, "record \(i)")
        }
    }

    func testGarbageAndUnknownFormatsAreMisses() throws {
        let d = SHA256.hash([1])
        let logPath = dir.path + "/actions.log"
        try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
        // A future format version (magic ACR2) followed by random bytes, then one valid record.
        var record = ActionLogRecord(key: key(1), record: .output(d, size: 1), lastUse: 1, durationMicros: 0).bytes
        var future = record
        future[3] = 0x32
        var rng = SystemRandomNumberGenerator()
        let noise = (0..<333).map { _ in UInt8.random(in: 0...255, using: &rng) }
        record = ActionLogRecord(key: key(2), record: .output(d, size: 1), lastUse: 1, durationMicros: 0).bytes
        try Data(future + noise + record).write(to: URL(fileURLWithPath: logPath))
        let cache = try LocalCache(root: dir.path)
        XCTAssertNil(cache.lookup(key(1)))
        XCTAssertEqual(cache.lookup(key(2)), .output(d, size: 1))
    }

    func testStaleTemporaryFilesAreSwept() throws {
        let cache = try LocalCache(root: dir.path)
        let shard = dir.path + "/blobs/ab"
        try FileManager.default.createDirectory(atPath: shard, withIntermediateDirectories: true)
        let blob = "ab" + String(repeating: "c", count: 62)
        // Only temporary files of the cache's own names are swept: not a user's "abcd.tmp.1.2".
        let old = shard + "/\(blob).tmp.1.2", young = shard + "/\(blob).tmp.1.3", foreign = shard + "/abcd.tmp.1.2"
        for path in [old, young, foreign] { try Data([1]).write(to: URL(fileURLWithPath: path)) }
        for path in [old, foreign] {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)],
                                                  ofItemAtPath: path)
        }
        XCTAssertEqual(cache.sweepTempFiles(olderThan: 3600), 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: old))
        XCTAssertTrue(FileManager.default.fileExists(atPath: young))
        XCTAssertTrue(FileManager.default.fileExists(atPath: foreign))
    }

    func testStatisticsCountEntriesBytesHitsAndMisses() throws {
        do {
            let cache = try LocalCache(root: dir.path)
            for i in 0..<3 {
                let bytes = [UInt8](repeating: UInt8(i), count: 100)
                try cache.putFile(bytes, digest: SHA256.hash(bytes))
                try cache.append([ActionLogRecord(key: key(i), record: .output(SHA256.hash(bytes), size: 100),
                                                  lastUse: LocalCache.now32(), durationMicros: 0)])
            }
            _ = cache.lookup(key(0))
            _ = cache.lookup(key(9))
        }
        let cache = try LocalCache(root: dir.path)
        _ = cache.lookup(key(1))
        let stats = cache.statistics()
        XCTAssertEqual(stats.entries, 3)
        XCTAssertEqual(stats.blobs, 3)
        XCTAssertEqual(stats.blobBytes, 300)
        XCTAssertEqual(stats.logBytes, Int64(3 * ActionLogRecord.size))
        XCTAssertEqual(stats.hits, 2)
        XCTAssertEqual(stats.misses, 1)
    }

    /// `hasEntry` is bookkeeping (a run's assessment of what is cached): it sees entries another
    /// session appended, and counts no hit or miss.
    func testHasEntryCountsNothingAndSeesOtherSessions() throws {
        let cache = try LocalCache(root: dir.path)
        let other = try LocalCache(root: dir.path)
        let bytes = [UInt8](repeating: 7, count: 100)
        try other.putFile(bytes, digest: SHA256.hash(bytes))
        try other.append([ActionLogRecord(key: key(1), record: .output(SHA256.hash(bytes), size: 100),
                                          lastUse: LocalCache.now32(), durationMicros: 0)])
        XCTAssertTrue(cache.hasEntry(key(1)))
        XCTAssertFalse(cache.hasEntry(key(2)))
        let stats = cache.statistics()
        XCTAssertEqual(stats.hits, 0)
        XCTAssertEqual(stats.misses, 0)
    }

    /// Issue 11 #18: a run record is checksummed; a damaged one reads as absent, never as a record.
    func testADamagedRunRecordReadsAsAbsent() throws {
        let cache = try LocalCache(root: dir.path)
        try cache.storeRunRecord([1, 2, 3, 4], key: "/study.json")
        XCTAssertEqual(LocalCache.runRecord(root: dir.path, key: "/study.json"), [1, 2, 3, 4])
        XCTAssertNil(LocalCache.runRecord(root: dir.path, key: "/other.json"))
        let path = LocalCache.runRecordPath(root: dir.path, key: "/study.json")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[1] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        XCTAssertNil(LocalCache.runRecord(root: dir.path, key: "/study.json"))
    }

    /// Issue 11 #11: counters at the top of Int (or negative, or garbage) in the `stats` file
    /// never trap: sums saturate, a negative or unreadable count reads as zero.
    func testCountersFromADamagedStatsFileNeverTrap() throws {
        do {
            let cache = try LocalCache(root: dir.path)
            try "hits 9223372036854775807\nmisses -5\n".write(toFile: dir.path + "/stats", atomically: false,
                                                              encoding: .utf8)
            try cache.store(key(1), .output(SHA256.hash([1]), size: 1), blob: [1], durationNanos: 0)
            _ = cache.lookup(key(1))
            _ = cache.lookup(key(2))
            XCTAssertEqual(cache.statistics().hits, Int.max)
            cache.flush()
        }
        let stats = try LocalCache(root: dir.path).statistics()
        XCTAssertEqual(stats.hits, Int.max)
        XCTAssertEqual(stats.misses, 1)
    }

    func testAHitOnAnEntryUnusedForOverAnHourRefreshesItsLastUse() throws {
        let d = SHA256.hash([1])
        do {
            let cache = try LocalCache(root: dir.path)
            try cache.append([ActionLogRecord(key: key(1), record: .output(d, size: 1), lastUse: 1000,
                                              durationMicros: 0)])
            _ = cache.lookup(key(1))
        }
        let entry = try LocalCache(root: dir.path).liveEntries()[key(1)]
        XCTAssertEqual(entry?.record, .output(d, size: 1))
        XCTAssertGreaterThan(entry?.lastUse ?? 0, LocalCache.now32() - 60)
    }
}
