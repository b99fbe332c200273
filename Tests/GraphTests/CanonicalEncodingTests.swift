@testable import Graph
import XCTest

/// Golden digests were computed by an independent Python encoder written from engine.md §3
/// (tag byte, u64 little-endian lengths, NFC strings, bytewise-sorted keys).
final class CanonicalEncodingTests: XCTestCase {
    static let sample: Value = [
        "name": .string("cafe\u{301}"),
        "sizes": [1, -2, .int(Int64.max)],
        "ratio": 0.1,
        "neg_zero": .double(-0.0),
        "flag": true,
        "none": nil,
        "blob": .bytes([0x00, 0xff]),
        "Zeta": ["b": 2, "a": 1, "\u{e9}": 3],
        "list": [.array([]), .object([:])],
    ]

    func testGoldenDigests() throws {
        XCTAssertEqual(try CanonicalEncoder.digest(Self.sample).hex,
                       "ecb0302312c742982d42dba1dd78dc00816ff2ec5a765b246c9886ee7b026139")
        XCTAssertEqual(try CanonicalEncoder.digest(1).hex,
                       "ae8fbec16aca5626b12c71fc716df9bfeed7412a6fe0328331a557fcdc5b264e")
        XCTAssertEqual(try CanonicalEncoder.digest("abc").hex,
                       "341fbd3a57793f116efdc32f1dfe6d3446c895cf673d1024bc3efd18eaf70714")
        XCTAssertEqual(try CanonicalEncoder.digest(0.0).hex,
                       "93e60f669b99ad3e3ee6284b139e57adfb419960f390858e46ea565bbf82d001")
        XCTAssertEqual(try CanonicalEncoder.digest(.double(-0.0)).hex,
                       "a78e85468abe2fefc1c36a8278057b11574835a6940a2fcc5972f93e558dd838")
    }

    func testGoldenNodeKey() throws {
        let key = try NodeKey.node(operator: "op", version: 3, params: ["x": 1],
                                   dependencyDigests: [SHA256.hash(Array("abc".utf8))])
        XCTAssertEqual(key.hex, "40f852c2bcb1ea65d16add09c32c688b80e8375f46267a7bb77aa827ef1b8714")
    }

    /// Trace replay keys requests from their stored bytes: the element slices must be exactly the
    /// elements' encodings, and the key from encoded parameters the golden key above.
    func testArrayElementsAndKeyFromEncodedParameters() throws {
        let elements: [Value] = [["x": 1], .string("op"), .array([.int(-2), .null, .double(0.5)]), .bytes([1, 2, 3]),
                                 .bool(true)]
        let encoded = try CanonicalEncoder.encode(.array(elements))
        let slices = try CanonicalDecoder.arrayElements(encoded)
        XCTAssertEqual(slices.map { Array($0) }, try elements.map { try CanonicalEncoder.encode($0) })
        let key = NodeKey.node(operator: "op", version: 3, encodedParams: slices[0],
                               dependencyDigests: [SHA256.hash(Array("abc".utf8))])
        XCTAssertEqual(key.hex, "40f852c2bcb1ea65d16add09c32c688b80e8375f46267a7bb77aa827ef1b8714")
        XCTAssertThrowsError(try CanonicalDecoder.arrayElements(Array(encoded.dropLast())))  // truncated
        XCTAssertThrowsError(try CanonicalDecoder.arrayElements(encoded + [0]))  // trailing byte
        XCTAssertThrowsError(try CanonicalDecoder.arrayElements(try CanonicalEncoder.encode(.int(1))))  // not an array
    }

    /// A field read by path skips the values before it and decodes only itself.
    func testAFieldByPathEqualsTheDecodedValuesField() throws {
        let encoded = try CanonicalEncoder.encode(Self.sample)
        XCTAssertEqual(try CanonicalDecoder.field(["Zeta", "b"], in: encoded), 2)
        XCTAssertEqual(try CanonicalDecoder.field(["list"], in: encoded), [.array([]), .object([:])])
        XCTAssertEqual(try CanonicalDecoder.field(["sizes"], in: encoded), Self.sample["sizes"])
        XCTAssertEqual(try CanonicalDecoder.field([], in: encoded), try CanonicalDecoder.decode(encoded))
        XCTAssertNil(try CanonicalDecoder.field(["missing"], in: encoded))
        XCTAssertNil(try CanonicalDecoder.field(["ratio", "x"], in: encoded), "not an object")
        XCTAssertThrowsError(try CanonicalDecoder.field(["sizes"], in: Array(encoded.prefix(40))))  // truncated
    }

    /// Several fields in one pass: each what `field` finds for its path alone, in the order asked,
    /// absent ones nil (a missing name, a path through a number); a truncated encoding throws.
    func testSeveralFieldsInOnePassEqualFieldByField() throws {
        let encoded = try CanonicalEncoder.encode(Self.sample)
        let paths = [["sizes"], ["Zeta", "b"], ["missing"], ["ratio", "x"], ["Zeta", "\u{e9}"], ["Zeta", "a"], ["flag"],
                     ["Zeta", "zz"]]
        let found = try CanonicalDecoder.fields(paths, in: encoded)
        XCTAssertEqual(found, try paths.map { try CanonicalDecoder.field($0, in: encoded) })
        XCTAssertEqual(found, [Self.sample["sizes"], 2, nil, nil, 3, 1, true, nil])
        XCTAssertEqual(try CanonicalDecoder.fields([[]], in: encoded), [try CanonicalDecoder.decode(encoded)])
        XCTAssertThrowsError(try CanonicalDecoder.fields([["sizes"], ["Zeta", "a"]], in: Array(encoded.prefix(40))))
    }

    func testNFCEquivalentStringsEncodeEqual() throws {
        XCTAssertEqual(try CanonicalEncoder.encode("\u{e9}"), try CanonicalEncoder.encode("e\u{301}"))
    }

    func testNaNRejectedWithPath() {
        XCTAssertThrowsError(try CanonicalEncoder.encode(["a": [1, .double(.nan)]])) { error in
            XCTAssertEqual(error as? CanonicalEncodingError, .nan(path: "$.a[1]"))
        }
    }

    func testCanonicallyEquivalentKeysAreOneKey() throws {
        // Swift String equality is canonical equivalence, so both spellings land on one key,
        // which is encoded in NFC whichever spelling was stored.
        var fields: [String: Value] = [:]
        fields["e\u{301}"] = 1
        fields["\u{e9}"] = 2
        XCTAssertEqual(fields.count, 1)
        XCTAssertEqual(try CanonicalEncoder.encode(.object(fields)), try CanonicalEncoder.encode(["\u{e9}": 2]))
    }

    func testDecoderRejectsDuplicateKeys() {
        // object of 2 fields, both "a" = null
        let bytes: [UInt8] = [8, 2, 0, 0, 0, 0, 0, 0, 0] + [1, 0, 0, 0, 0, 0, 0, 0, 0x61, 0] + [1, 0, 0, 0, 0, 0, 0, 0,
            0x61, 0]
        XCTAssertThrowsError(try CanonicalDecoder.decode(bytes))
    }

    func testKeyOrderIsBytewiseNotInsertionOrHashOrder() throws {
        // Built in opposite insertion orders; Dictionary iteration order differs, bytes must not.
        var a: [String: Value] = [:]
        var b: [String: Value] = [:]
        let keys = (0..<200).map { "k\($0)" } + ["B", "a", "_", "\u{e9}", "Z"]
        for k in keys { a[k] = .string(k) }
        for k in keys.reversed() { b[k] = .string(k) }
        XCTAssertEqual(try CanonicalEncoder.encode(.object(a)), try CanonicalEncoder.encode(.object(b)))
        // "B" (0x42) sorts before "Z" (0x5a), "_" (0x5f) and "a" (0x61).
        let bytes = try CanonicalEncoder.encode(["a": 1, "B": 2, "_": 3, "Z": 4])
        let firstKey = bytes[17]
        XCTAssertEqual(firstKey, UInt8(ascii: "B"))
    }

    func testDecoderRoundTrip() throws {
        let bytes = try CanonicalEncoder.encode(Self.sample)
        let decoded = try CanonicalDecoder.decode(bytes)
        XCTAssertEqual(try CanonicalEncoder.encode(decoded), bytes)
        XCTAssertThrowsError(try CanonicalDecoder.decode(Array(bytes.dropLast())))
        XCTAssertThrowsError(try CanonicalDecoder.decode(bytes + [0]))
        XCTAssertThrowsError(try CanonicalDecoder.decode([0x09]))
    }

    /// A request encoded by the executor is byte for byte the canonical form of its value, and
    /// the range it notes holds exactly the parameters' encoding.
    func testAnEncodedRequestNotesWhereItsParametersLie() throws {
        let nested = NodeRequest("inner", ["x": 1])
        let request = NodeRequest("outer", Self.sample, dependencies: [nested])
        let encoded = try EncodedRequest(request)
        XCTAssertEqual(encoded.bytes, try CanonicalEncoder.encode(request.value))
        XCTAssertEqual(encoded.digest, SHA256.hash(encoded.bytes))
        let range = try XCTUnwrap(encoded.params)
        XCTAssertEqual(Array(encoded.bytes[range]), try CanonicalEncoder.encode(Self.sample))
        XCTAssertEqual(ParsedRequest(encoded.bytes)?.params, encoded.bytes[range])
    }

    /// A request encoded up front (`NodeRequest.encoded`, which a task keeps to ask again)
    /// equals the same request made plainly, and hands the executor the same bytes and digest.
    func testARequestEncodedUpFrontEqualsThePlainOne() throws {
        let plain = NodeRequest("search", Self.sample)
        let early = try NodeRequest.encoded("search", Self.sample)
        XCTAssertEqual(early, plain)
        XCTAssertEqual(early.hashValue, plain.hashValue)
        XCTAssertNotNil(early.encoding)
        XCTAssertEqual(try early.canonical().bytes, try plain.canonical().bytes)
        XCTAssertEqual(try early.canonical().digest, try CanonicalEncoder.digest(plain.value))
        XCTAssertEqual(try early.canonical().params, try plain.canonical().params)
    }

}

/// `Value.shared`: a Merkle reference, encoded as tag 9 and the value's digest.
final class SharedValueTests: XCTestCase {
    func testSharedValueEncodesAsItsDigest() throws {
        let big: Value = ["layers": .array((0..<100).map { .int($0) }), "name": "net"]
        let shared = try SharedValue(big)
        XCTAssertEqual(shared.digest, try CanonicalEncoder.digest(big))
        XCTAssertEqual(try CanonicalEncoder.encode(.shared(shared)), [9] + shared.digest.bytes)
        // Inside parameters it costs 33 bytes whatever its size, and reads through.
        let params: Value = ["trunk": .shared(shared), "tile": [2, 16]]
        XCTAssertEqual(try CanonicalEncoder.encode(params).count, 94)
        XCTAssertGreaterThan(try CanonicalEncoder.encode(big).count, 900)
        XCTAssertEqual(params["trunk"], big)
        XCTAssertEqual(params["trunk"]?["name"]?.stringValue, "net")
        // Two references to equal values are equal and hash alike; a reference is not its value.
        XCTAssertEqual(Value.shared(try SharedValue(big)), .shared(shared))
        XCTAssertNotEqual(try CanonicalEncoder.encode(.shared(shared)), try CanonicalEncoder.encode(big))
        // Stored bytes never hold one: decoding refuses it.
        XCTAssertThrowsError(try CanonicalDecoder.decode(try CanonicalEncoder.encode(params)))
    }
}
