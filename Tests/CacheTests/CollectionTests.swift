@testable import Cache
import Foundation
import Graph
import XCTest

final class CollectionTests: XCTestCase {
    var dir: TempDirectory!
    override func setUp() { dir = TempDirectory() }
    override func tearDown() { dir.remove() }

    func key(_ i: Int) -> Digest { SHA256.hash(Array("key \(i)".utf8)) }

    /// Writes entry i with a 1000-byte blob file (as caches did before packs), last used at
    /// `time`. The bytes are noise, so that they take 1000 bytes packed too (not compressible).
    func addEntry(_ cache: LocalCache, _ i: Int, time: UInt32) throws -> Digest {
        var noise = SplitMix64(state: UInt64(i))
        let bytes = (0..<1000).map { _ in UInt8(truncatingIfNeeded: noise.next()) }
        let digest = SHA256.hash(bytes)
        try cache.putFile(bytes, digest: digest)
        try cache.append([ActionLogRecord(key: key(i), record: .output(digest, size: 1000), lastUse: time,
                                          durationMicros: 0)])
        return digest
    }

    func testAgeThenLeastRecentlyUsedBoundTheCache() throws {
        let cache = try LocalCache(root: dir.path)
        let now: Int64 = 1_000_000
        var digests: [Digest] = []
        for i in 0..<10 { digests.append(try addEntry(cache, i, time: UInt32(now) - UInt32(i) * 100)) }
        // An orphan blob, named by no entry.
        let orphan = [UInt8](repeating: 99, count: 10)
        try cache.putFile(orphan, digest: SHA256.hash(orphan))

        // Entries 8 and 9 are older than 750 s; of the rest, keep the newest 5 (5000 bytes).
        let report = try cache.collect(CollectionPolicy(maxAgeSeconds: 750, maxBytes: 5000), now: now)
        XCTAssertEqual(report.entriesBefore, 10)
        XCTAssertEqual(report.entriesAfter, 5)
        XCTAssertEqual(report.bytesBefore, 10_000)
        XCTAssertEqual(report.bytesAfter, 5000)
        XCTAssertEqual(report.blobsRemoved, 6)  // 5 entries' blobs + the orphan
        for i in 0..<10 {
            XCTAssertEqual(cache.lookup(key(i)) != nil, i < 5, "entry \(i)")
            XCTAssertEqual(cache.load(digests[i], size: 1000) != nil, i < 5, "blob \(i)")
        }
        // The compacted log holds exactly the survivors, and a new session reads it. Their blob
        // files (a cache from before packs) moved into one pack: no blob file is left.
        XCTAssertEqual(POSIX.fileInfo(dir.path + "/actions.log")?.size,
                       Int64(5 * (ActionLogRecord.size + PackLocation.size)))
        XCTAssertEqual(try FileManager.default.subpathsOfDirectory(atPath: dir.path + "/blobs")
            .filter { $0.count > 3 }, [])
        XCTAssertEqual(POSIX.list(dir.path + "/packs").count, 1)
        let reopened = try LocalCache(root: dir.path)
        XCTAssertEqual((0..<10).filter { reopened.lookup(key($0)) != nil }, [0, 1, 2, 3, 4])
    }

    /// A log that is mostly superseded records (the same keys written again and again, as
    /// last-use refreshes do) is compacted at once, though the last collection is fresh and the
    /// cache small: due past 2 × live entries + the slack, and afterwards one record per entry.
    func testAMostlySupersededLogIsCompactedAtOnce() throws {
        let now: Int64 = 1_000_000
        let roomy = CollectionPolicy(maxAgeSeconds: 86_400, maxBytes: 1 << 30)
        do {  // one session, closed before the next opens (collection needs the cache to itself)
            let cache = try LocalCache(root: dir.path)
            for i in 0..<3 { _ = try addEntry(cache, i, time: UInt32(now)) }
            XCTAssertNotNil(cache.collectIfDue(roomy, now: now), "no stamp yet: due")
            for round in 0..<4 {
                for i in 0..<3 { _ = try addEntry(cache, i, time: UInt32(now) + UInt32(round + 1)) }
            }
        }
        // 15 records for 3 entries; read by a new session, as a later command would.
        let later = try LocalCache(root: dir.path)
        XCTAssertNil(later.collectIfDue(roomy, now: now, supersededSlack: 9), "15 records ≤ 2 × 3 + 9")
        XCTAssertNotNil(later.collectIfDue(roomy, now: now, supersededSlack: 8), "15 records > 2 × 3 + 8")
        let log = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.path + "/actions.log")))
        var records = 0
        _ = log.withUnsafeBytes { ActionLogRecord.scan($0) { _, _ in records += 1 } }
        XCTAssertEqual(records, 3, "one record per entry")
        XCTAssertEqual((0..<3).filter { later.lookup(key($0)) != nil }.count, 3)
    }

    func testCollectionRefusesWhileAnotherSessionHasTheCacheOpen() throws {
        let cache = try LocalCache(root: dir.path)
        let other = try LocalCache(root: dir.path)
        XCTAssertThrowsError(try cache.collect(CollectionPolicy())) { error in
            guard case CacheError.busy? = error as? CacheError else { return XCTFail("\(error)") }
        }
        _ = other
    }

    /// Collection on by default: due once a day (the `last-gc` stamp) or at once when the live
    /// blobs exceed the size limit; skipped, not failed, while another session has the cache.
    func testCollectionRunsWhenDueAndOnlyThen() throws {
        let cache = try LocalCache(root: dir.path)
        let now = POSIX.now()
        for i in 0..<4 { _ = try addEntry(cache, i, time: UInt32(now) - UInt32(i) * 10) }
        let roomy = CollectionPolicy(maxAgeSeconds: 86_400, maxBytes: 10_000)

        // No stamp yet: due. Nothing is old or over the limit, so all four entries stay.
        XCTAssertEqual(cache.collectIfDue(roomy, now: now)?.entriesAfter, 4)
        XCTAssertNotNil(POSIX.fileInfo(dir.path + "/last-gc"))
        // Stamped just now and 4000 bytes ≤ 10,000: not due.
        XCTAssertNil(cache.collectIfDue(roomy, now: now))
        // The files over the limit (an orphan blob no entry names) but the live blobs under it:
        // the files' sizes only decide whether the entries are counted; not due.
        let orphan = [UInt8](repeating: 7, count: 7000)
        try cache.putFile(orphan, digest: SHA256.hash(orphan))
        XCTAssertGreaterThan(cache.diskBytes(), 11_000)
        XCTAssertNil(cache.collectIfDue(roomy, now: now))
        // Over the size limit: due at once, down to the 2 most recently used entries.
        let tight = CollectionPolicy(maxAgeSeconds: 86_400, maxBytes: 2000)
        XCTAssertEqual(cache.collectIfDue(tight, now: now)?.entriesAfter, 2)
        XCTAssertEqual((0..<4).filter { cache.lookup(key($0)) != nil }, [0, 1])
        // A day after the last stamp: due again by age; the entries are a day older than the 1-hour
        // age limit. (Measured from the stamp's own time: on a loaded machine it may be written a
        // second or more after `now` was read.)
        let hourly = CollectionPolicy(maxAgeSeconds: 3600, maxBytes: 10_000)
        let stamped = try XCTUnwrap(POSIX.fileInfo(dir.path + "/last-gc")).mtime
        XCTAssertNil(cache.collectIfDue(hourly, now: stamped + 3600))
        XCTAssertEqual(cache.collectIfDue(hourly, now: stamped + 86_400)?.entriesAfter, 0)

        // Another session open: not collected, no error, and the next session still finds it due.
        _ = try addEntry(cache, 7, time: UInt32(now))
        let other = try LocalCache(root: dir.path)
        XCTAssertNil(cache.collectIfDue(tight, every: 0, now: now))
        XCTAssertNotNil(cache.lookup(key(7)))
        _ = other
    }

    func testVerifyEvictsEntriesWithBadBlobs() throws {
        let cache = try LocalCache(root: dir.path)
        let good = try addEntry(cache, 1, time: 1)
        let bad = try addEntry(cache, 2, time: 1)
        _ = try addEntry(cache, 3, time: 1)
        try Data([0]).write(to: URL(fileURLWithPath: cache.blobPath(bad)))
        POSIX.remove(cache.blobPath(try XCTUnwrap(cache.lookup(key(3))).blob))  // dangling
        let report = cache.verifyEntries()
        XCTAssertEqual(report, VerificationReport(entriesChecked: 3, entriesEvicted: 2))
        XCTAssertNotNil(cache.lookup(key(1)))
        XCTAssertNil(cache.lookup(key(2)))
        XCTAssertNil(cache.lookup(key(3)))
        XCTAssertNotNil(cache.load(good, size: 1000))
    }
}
