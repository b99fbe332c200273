/// A dynamic request in canonical form and the SHA-256 of those bytes.
struct EncodedRequest: Sendable {
    let bytes: [UInt8]
    let digest: Digest
}
