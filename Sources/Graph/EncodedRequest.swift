/// A dynamic request in canonical form and the SHA-256 of those bytes.
struct EncodedRequest: Sendable {
    let bytes: [UInt8]
    let digest: Digest
    /// Where the parameters lie in `bytes`, when this process encoded them (a request read back
    /// from the store is split by `ParsedRequest` instead).
    let params: Range<Int>?

    init(bytes: [UInt8], digest: Digest) {
        self.bytes = bytes
        self.digest = digest
        params = nil
    }

    /// `[op, params, [dependencies…]]` in canonical form (the bytes of `CanonicalEncoder.encode(
    /// request.value)`), noting where the parameters start and end, so that the node made from
    /// the request takes them without parsing several kilobytes again under the run's lock.
    init(_ request: NodeRequest) throws(CanonicalEncodingError) {
        var encoder = CanonicalEncoder()
        encoder.appendArrayHeader(count: 3)
        encoder.appendString(request.op)
        let start = encoder.bytes.count
        try encoder.append(request.params)
        let end = encoder.bytes.count
        try encoder.append(.array(request.dependencies.map(\.value)))
        bytes = encoder.bytes
        digest = SHA256.hash(bytes)
        params = start..<end
    }
}
