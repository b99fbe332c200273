@testable import Cache
import Foundation
import Graph
import XCTest

/// Pack files (PackFile, LocalCache+Packs, PackCollection) and their codec (BlobCompression):
/// few files, every blob still verified, damage a miss, collection crash-safe.
final class PackTests: XCTestCase {
    var dir: TempDirectory!
    override func setUp() { dir = TempDirectory() }
    override func tearDown() { dir.remove() }

    func key(_ i: Int) -> Digest { SHA256.hash(Array("key \(i)".utf8)) }

    /// A blob like a study result: repeated names and numbers, different for each `i`.
    func blob(_ i: Int, count: Int = 3000) -> [UInt8] {
        var text = ""
        var k = 0
        while text.utf8.count < count {
            text += "I\(k % 3)@\(k % 5).rd_out_to_low=\(Double(i * 31 + k) * 0.125);"
            k += 1
        }
        return Array(text.utf8.prefix(count))
    }

    func store(_ cache: LocalCache, _ i: Int, count: Int = 3000, time: UInt32? = nil) throws -> Digest {
        let bytes = blob(i, count: count)
        let digest = SHA256.hash(bytes)
        try cache.store(key(i), .output(digest, size: Int64(count)), blob: bytes, durationNanos: 0)
        if let time {
            try cache.append([ActionLogRecord(key: key(i), record: .output(digest, size: Int64(count)),
                                              lastUse: time, durationMicros: 0,
                                              packed: cache.state.withLock { $0.packed[digest] })])
        }
        return digest
    }

    /// The pack files' names (not temporary files).
    var packs: [String] { POSIX.list(dir.path + "/packs").filter { PackFile.number($0) != nil }.sorted() }

    // MARK: Codec

    func testCompressionRoundTripsAndRefusesWhatDoesNotShrink() throws {
        var rng = SplitMix64(state: 17)
        var inputs: [[UInt8]] = [blob(1, count: 17_616), blob(2, count: 300), [UInt8](repeating: 0, count: 70_000)]
        // Lengths around the codec's boundaries (15 and 15 + 255 literals or match bytes).
        for n in [17, 18, 19, 30, 31, 32, 269, 270, 271, 272, 525, 1000] {
            inputs.append((0..<n).map { UInt8(truncatingIfNeeded: $0 / 7) })
            inputs.append((0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next() % 4) })
        }
        for (n, input) in inputs.enumerated() {
            // Tiny or noisy inputs may not shrink (a sequence costs 3 bytes or more); the rest must.
            guard let block = input.withUnsafeBytes({ BlobCompression.compress($0) }) else {
                XCTAssertTrue(input.count < 100 || n % 2 == 0 && n > 2, "\(input.count) bytes did not shrink")
                continue
            }
            XCTAssertLessThan(block.count, input.count)
            XCTAssertEqual(block.withUnsafeBytes { BlobCompression.decompress($0, count: input.count) }, input)
            // The wrong size is refused, never padded or cut.
            XCTAssertNil(block.withUnsafeBytes { BlobCompression.decompress($0, count: input.count + 1) })
            XCTAssertNil(block.withUnsafeBytes { BlobCompression.decompress($0, count: input.count - 1) })
        }
        // Random bytes do not shrink: stored as they are.
        let noise = (0..<4096).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        XCTAssertNil(noise.withUnsafeBytes { BlobCompression.compress($0) })
        XCTAssertEqual(PackFile.encode(noise).codec, .stored)
        // A result-like blob shrinks several-fold (this one 17,616 bytes, like a stack result).
        let result = blob(3, count: 17_616)
        let packed = try XCTUnwrap(result.withUnsafeBytes { BlobCompression.compress($0) })
        XCTAssertLessThan(packed.count * 3, result.count, "\(packed.count) bytes")
    }

    /// The compressed bytes do not depend on how the matcher measures a match: these digests
    /// were taken from the byte-by-byte matcher, and the word-at-a-time one must produce the same
    /// blocks (long runs, matches ending at every position of a word, matches reaching the end).
    func testCompressedFormIsPinned() throws {
        var rng = SplitMix64(state: 11)
        var mixed: [UInt8] = []
        while mixed.count < 70_000 {
            let run = Int(rng.next() % 40) + 1
            if rng.next() % 3 == 0, mixed.count > 64 {
                let from = Int(rng.next() % UInt64(mixed.count - 32))
                mixed += mixed[from..<from + min(run, mixed.count - from)]
            } else {
                mixed += (0..<run).map { _ in UInt8(truncatingIfNeeded: rng.next() % 7) }
            }
        }
        let inputs: [[UInt8]] = [blob(3, count: 17_616), [UInt8](repeating: 42, count: 100_000),
                                 Array(repeating: Array("abcdefgh12345".utf8), count: 3000).flatMap { $0 }, mixed]
        let digests = try inputs.map { input in
            let block = try XCTUnwrap(input.withUnsafeBytes { BlobCompression.compress($0) })
            return block.withUnsafeBytes { SHA256.hash($0) }.hex
        }
        XCTAssertEqual(digests, ["b00c9571f9f64eb2c61c6400e17681af75d41c329790298b63a1e989c32fecf9",
                                 "ae564a01723ec91a6eefbade723a942b04160b4116a1f5f58eb263cde7bcfa20",
                                 "b121f946769fed630e465ea8ff94e6e2ec5d048f42d13dd30e21e39c517c4a6c",
                                 "55f817b1ea94f00f10702e47ef7d8a627b33601791386b0a0c88d7699bd09896"])
    }

    /// Damaged blocks decode to nil or to exactly the asked-for size (the digest check then
    /// decides): never a trap, never an out-of-range read or write.
    func testDamagedBlocksNeverTrap() throws {
        var rng = SplitMix64(state: 5)
        let input = blob(4, count: 5000)
        let block = try XCTUnwrap(input.withUnsafeBytes { BlobCompression.compress($0) })
        for trial in 0..<3000 {
            var damaged = block
            switch trial % 3 {
            case 0: damaged[Int(rng.next() % UInt64(damaged.count))] ^= UInt8(1 << (rng.next() % 8))
            case 1: damaged.removeLast(Int(rng.next() % UInt64(damaged.count)))
            default: damaged[Int(rng.next() % UInt64(damaged.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
            let out = damaged.withUnsafeBytes { BlobCompression.decompress($0, count: input.count) }
            XCTAssertTrue(out == nil || out?.count == input.count)
        }
    }

    // MARK: Store

    func testASessionWritesOnePackAndAnotherSessionReadsIt() throws {
        var digests: [Digest] = []
        do {
            let cache = try LocalCache(root: dir.path)
            for i in 0..<200 { digests.append(try store(cache, i)) }
            // The same blob under another key is not written twice.
            let before = POSIX.fileInfo(dir.path + "/packs/" + packs[0])?.size
            try cache.store(key(1000), .output(digests[0], size: 3000), blob: blob(0), durationNanos: 0)
            XCTAssertEqual(POSIX.fileInfo(dir.path + "/packs/" + packs[0])?.size, before)
        }
        XCTAssertEqual(packs.count, 1)
        XCTAssertFalse(POSIX.list(dir.path + "/blobs").contains { !$0.hasPrefix(".") }, "no blob files")
        let size = try XCTUnwrap(POSIX.fileInfo(dir.path + "/packs/" + packs[0])?.size)
        XCTAssertLessThan(size * 3, 200 * 3000, "compressed")
        let other = try LocalCache(root: dir.path)
        for i in 0..<200 { XCTAssertEqual(other.load(digests[i], size: 3000), blob(i)) }
        XCTAssertEqual(other.lookup(key(1000)), .output(digests[0], size: 3000))
        // A second session writes its own pack; the first reads it.
        let d = try store(other, 500)
        XCTAssertEqual(packs.count, 2)
        XCTAssertEqual(try LocalCache(root: dir.path).load(d, size: 3000), blob(500))
        let stats = other.statistics()
        XCTAssertEqual(stats.blobs, 201)
        XCTAssertEqual(stats.packs, 2)
    }

    /// `link` records a second key for a blob already placed — inside its record, in a pack or
    /// as a file — and survives reopening; a blob the cache does not hold is refused.
    func testLinkRecordsAKeyForAPlacedBlobWhereverItSits() throws {
        let sizes = [100, 3000, PackFile.largestPacked + 1]
        var records: [ActionRecord] = []
        do {
            let cache = try LocalCache(root: dir.path)
            for (i, count) in sizes.enumerated() {
                records.append(.output(try store(cache, i, count: count), size: Int64(count)))
                XCTAssertTrue(cache.link(key(100 + i), to: records[i]))
            }
            let unknown = ActionRecord.output(SHA256.hash(blob(9)), size: 3000)
            XCTAssertFalse(cache.link(key(200), to: unknown))
            XCTAssertNil(cache.lookup(key(200)))
        }
        let reopened = try LocalCache(root: dir.path)
        for (i, count) in sizes.enumerated() {
            XCTAssertEqual(reopened.lookup(key(100 + i)), records[i])
            XCTAssertEqual(reopened.load(records[i].blob, size: Int64(count)), blob(i, count: count))
        }
    }

    /// A flipped or cut blob in a pack is a miss; computing it again writes a good copy.
    func testDamagedPackBytesAreAMissAndTheNextStoreRepairs() throws {
        let cache = try LocalCache(root: dir.path)
        let a = try store(cache, 1), b = try store(cache, 2)
        let location = try XCTUnwrap(cache.state.withLock { $0.packed[a] })
        let path = dir.path + "/packs/" + packs[0]
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[Int(location.offset) + 3] ^= 0x04
        try bytes.write(to: URL(fileURLWithPath: path))

        let fresh = try LocalCache(root: dir.path)
        XCTAssertNil(fresh.load(a, size: 3000))
        XCTAssertEqual(fresh.load(b, size: 3000), blob(2))
        _ = try store(fresh, 1)
        XCTAssertEqual(fresh.load(a, size: 3000), blob(1))
        XCTAssertEqual(try LocalCache(root: dir.path).load(a, size: 3000), blob(1), "the new copy wins")

        // Cut the first pack short: what it held is a miss, what the second holds survives.
        let truncated = try LocalCache(root: dir.path)
        XCTAssertEqual(truncate(path, off_t(PackFile.header.count + 10)), 0)
        XCTAssertNil(truncated.load(b, size: 3000))
        XCTAssertEqual(truncated.load(a, size: 3000), blob(1))
    }

    /// A FIFO where a pack belongs is not waited on; a file where `packs` belongs is replaced.
    func testNonRegularPacksAreMissesAndAFileForTheFolderIsReplaced() throws {
        let d: Digest
        do { d = try store(try LocalCache(root: dir.path), 1) }
        let path = dir.path + "/packs/" + packs[0]
        POSIX.remove(path)
        XCTAssertEqual(mkfifo(path, 0o644), 0)
        XCTAssertNil(try LocalCache(root: dir.path).load(d, size: 3000))
        try FileManager.default.removeItem(atPath: dir.path + "/packs")
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: dir.path + "/packs"))
        let cache = try LocalCache(root: dir.path)
        _ = try store(cache, 1)
        XCTAssertEqual(cache.load(d, size: 3000), blob(1))
        XCTAssertTrue(POSIX.isDirectory(dir.path + "/packs"))
    }

    /// A record whose pack location is still being written waits for the rest (another process
    /// appends it); a complete one parses back to the same location.
    func testAPackedRecordRoundTripsAndAnIncompleteOneWaits() {
        let location = PackLocation(pack: 0x0123_4567_89ab_cdef, offset: 1 << 40, storedCount: 77, codec: .compressed)
        let record = ActionLogRecord(key: key(1), record: .output(key(2), size: 300), lastUse: 9, durationMicros: 3,
                                     packed: location)
        let bytes = record.bytes
        XCTAssertEqual(bytes.count, ActionLogRecord.size + PackLocation.size)
        var seen: [ActionLogRecord] = []
        let used = bytes.withUnsafeBytes { ActionLogRecord.scan($0) { r, _ in seen.append(r) } }
        XCTAssertEqual(used, bytes.count)
        XCTAssertEqual(seen, [record])
        let cut = Array(bytes.prefix(ActionLogRecord.size + 5))
        XCTAssertEqual(cut.withUnsafeBytes { ActionLogRecord.scan($0) { _, _ in XCTFail("parsed") } }, 0)
    }

    // MARK: Collection

    /// Packs mostly dead are rewritten with their live blobs; small packs are merged; packs no
    /// entry uses and stale temporary packs are deleted; every surviving blob still loads.
    func testCollectionRewritesSparsePacksAndMergesSmallOnes() throws {
        let now: Int64 = 1_000_000
        var digests: [Digest] = []
        do {
            let first = try LocalCache(root: dir.path)
            for i in 0..<10 { digests.append(try store(first, i, time: UInt32(now) - UInt32(i) * 100)) }
        }
        do {
            let second = try LocalCache(root: dir.path)
            for i in 10..<12 { digests.append(try store(second, i, time: UInt32(now))) }
        }
        // A pack no record names (a killed session's) and a stale temporary pack.
        let orphan = dir.path + "/packs/" + PackFile.name(42)
        try Data(PackFile.header + [1, 2, 3]).write(to: URL(fileURLWithPath: orphan))
        let temp = dir.path + "/packs/" + PackFile.name(43) + ".tmp.1.2"
        try Data([0]).write(to: URL(fileURLWithPath: temp))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)],
                                              ofItemAtPath: temp)
        let before = packs
        XCTAssertEqual(before.count, 3)

        // Entries 3…9 are older than 250 s: 7 of the first pack's 10 blobs die.
        let cache = try LocalCache(root: dir.path)
        let report = try cache.collect(CollectionPolicy(maxAgeSeconds: 250, maxBytes: 1 << 30), now: now)
        XCTAssertEqual(report.entriesAfter, 5)
        XCTAssertEqual(report.blobsRemoved, 7)
        XCTAssertEqual(report.tempFilesRemoved, 1)
        XCTAssertEqual(packs.count, 1)
        XCTAssertFalse(before.contains(packs[0]), "a new pack")
        do {
            let reopened = try LocalCache(root: dir.path)
            for (i, digest) in digests.enumerated() {
                XCTAssertEqual(reopened.load(digest, size: 3000), i < 3 || i >= 10 ? blob(i) : nil, "blob \(i)")
            }
        }
        // A second collection with nothing dead and one pack leaves it alone.
        let name = packs[0]
        _ = try cache.collect(CollectionPolicy(maxAgeSeconds: 1 << 30, maxBytes: 1 << 30), now: now)
        XCTAssertEqual(packs, [name])
        XCTAssertEqual(cache.load(digests[11], size: 3000), blob(11))
    }
}
