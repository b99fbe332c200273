@testable import Graph
import XCTest

/// FIPS 180-4 / NIST CAVS example vectors, plus the padding boundaries where one more byte
/// moves the length field into a second block.
final class SHA256Tests: XCTestCase {
    func testFIPSVectors() {
        XCTAssertEqual(SHA256.hash(Array("abc".utf8)).hex,
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hash([UInt8]()).hex,
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)).hex,
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            SHA256.hash(Array(("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                               + "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu").utf8)).hex,
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    func testMillionA() {
        var hasher = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(chunk) }
        XCTAssertEqual(hasher.finalize().hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Messages of 55, 56, 63, 64 and 65 'a's; expected digests from `sha256sum` (GNU coreutils).
    func testPaddingBoundaries() {
        let expected: [Int: String] = [
            55: "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
            56: "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
            63: "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34",
            64: "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
            65: "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0",
        ]
        for (n, hex) in expected {
            let message = [UInt8](repeating: UInt8(ascii: "a"), count: n)
            XCTAssertEqual(SHA256.hash(message).hex, hex, "length \(n)")
            // The same message fed one byte at a time crosses every buffer boundary.
            var hasher = SHA256()
            for byte in message { hasher.update(CollectionOfOne(byte)) }
            XCTAssertEqual(hasher.finalize().hex, hex, "length \(n), bytewise")
        }
    }

    func testHexRoundTrip() {
        let d = SHA256.hash(Array("abc".utf8))
        XCTAssertEqual(Digest(hex: d.hex), d)
        XCTAssertEqual(Digest(hex: d.hex.uppercased()), d)
        XCTAssertNil(Digest(hex: "xyz"))
        XCTAssertEqual(d.bytes.count, 32)
        XCTAssertEqual(d.bytes.withUnsafeBytes { Digest(bytes: $0) }, d)
    }

    /// The processor's SHA extensions and the portable rounds give the same digests, over
    /// lengths that end in every position of a block and span several blocks per update.
    func testAcceleratedAndPortableAgree() throws {
        try XCTSkipUnless(SHAExtensions.available, "this processor has no SHA extensions")
        var generator = SplitMix64(state: 17)
        for length in Array(0...200) + [1000, 4096, 65_537] {
            let message = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            var fast = SHA256(accelerated: true), portable = SHA256(accelerated: false)
            // Fed in two uneven parts, so that both the buffered and the whole-block paths run.
            let cut = length / 3
            fast.update(message[..<cut]); fast.update(message[cut...])
            portable.update(message[..<cut]); portable.update(message[cut...])
            XCTAssertEqual(fast.finalize(), portable.finalize(), "length \(length)")
        }
        for accelerated in [true, false] {
            var hasher = SHA256(accelerated: accelerated)
            hasher.update(Array("abc".utf8))
            XCTAssertEqual(hasher.finalize().hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        }
    }
}
