/// How node keys are formed (engine.md §2).
///
/// A node key is the SHA-256 of the canonical encoding of
/// `["accomake-node/1", operator id, operator version, parameters, [dependency output digests]]`.
/// Keying on the dependencies' *output digests* (not their keys) gives early cutoff: a dependency
/// that re-executes to the same bytes leaves this key unchanged.
///
/// A task that asks for dynamic dependencies moves along a chain of keys: after each request
/// batch the key becomes `SHA-256(["accomake-step/1", previous key, [their output digests]])`.
/// The action cache maps each intermediate key to the batch asked for next (a trace) and the
/// last key to the output, so any process can replay the chain without running the task.
///
/// A trace lists each request by the digest and size of its canonical bytes; the bytes are a blob
/// of their own, recorded under `request(digest)`. Traces stay small, and the many traces that ask
/// for one sub-problem share its single copy.
///
/// A static node also has a *closure key*: the SHA-256 of
/// `["accomake-closure/1", operator id, operator version, parameters, [dependency closure keys]]`,
/// which names everything the node's output is a function of without any output. The action
/// cache maps it to the output a run found, so a later run answers the node without walking what
/// lies below it (`BuildOptions.closureKeys`): what an unchanged subgraph costs is one lookup.
public enum NodeKey {
    static let nodeDomain = "accomake-node/1"
    static let closureDomain = "accomake-closure/1"
    static let stepDomain = "accomake-step/1"
    static let requestDomain = "accomake-request/1"

    public static func node(
        operator id: String, version: Int64, params: Value, dependencyDigests: [Digest]
    ) throws(CanonicalEncodingError) -> Digest {
        var encoder = header(operator: id, version: version)
        try encoder.append(params)
        appendDigests(dependencyDigests, to: &encoder)
        return SHA256.hash(encoder.bytes)
    }

    /// The same key from parameters already in canonical form (a request replayed from a trace),
    /// so they are not encoded again.
    public static func node(
        operator id: String, version: Int64, encodedParams: ArraySlice<UInt8>, dependencyDigests: [Digest]
    ) -> Digest {
        var encoder = header(operator: id, version: version)
        encoder.appendEncoded(encodedParams)
        appendDigests(dependencyDigests, to: &encoder)
        return SHA256.hash(encoder.bytes)
    }

    /// The closure key of a node from its parameters and its dependencies' closure keys.
    public static func closure(
        operator id: String, version: Int64, params: Value, dependencyKeys: [Digest]
    ) throws(CanonicalEncodingError) -> Digest {
        var encoder = header(operator: id, version: version, domain: closureDomain)
        try encoder.append(params)
        appendDigests(dependencyKeys, to: &encoder)
        return SHA256.hash(encoder.bytes)
    }

    private static func header(operator id: String, version: Int64, domain: String = nodeDomain) -> CanonicalEncoder {
        var encoder = CanonicalEncoder()
        encoder.appendArrayHeader(count: 5)
        encoder.appendString(domain)
        encoder.appendString(id)
        encoder.appendInt(version)
        return encoder
    }

    public static func step(after key: Digest, dependencyDigests: [Digest]) -> Digest {
        var encoder = CanonicalEncoder()
        encoder.appendArrayHeader(count: 3)
        encoder.appendString(stepDomain)
        encoder.appendDigest(key)
        appendDigests(dependencyDigests, to: &encoder)
        return SHA256.hash(encoder.bytes)
    }

    /// The action-cache key under which a request's bytes (digest `digest`) are recorded.
    public static func request(_ digest: Digest) -> Digest {
        var encoder = CanonicalEncoder()
        encoder.appendArrayHeader(count: 2)
        encoder.appendString(requestDomain)
        encoder.appendDigest(digest)
        return SHA256.hash(encoder.bytes)
    }

    private static func appendDigests(_ digests: [Digest], to encoder: inout CanonicalEncoder) {
        encoder.appendArrayHeader(count: digests.count)
        for digest in digests { encoder.appendDigest(digest) }
    }
}
