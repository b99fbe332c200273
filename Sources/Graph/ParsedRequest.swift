/// A request's canonical bytes `[op, params, [dependencies…]]` split without decoding the
/// parameters, which stay bytes until the node runs.
struct ParsedRequest {
    let op: String
    let params: ArraySlice<UInt8>
    let dependencies: [NodeRequest]

    init(op: String, params: ArraySlice<UInt8>, dependencies: [NodeRequest]) {
        self.op = op; self.params = params; self.dependencies = dependencies
    }

    init?(_ bytes: [UInt8]) {
        guard let parts = try? CanonicalDecoder.arrayElements(bytes), parts.count == 3,
              let op = (try? CanonicalDecoder.decode(Array(parts[0])))?.stringValue,
              let deps = (try? CanonicalDecoder.decode(Array(parts[2])))?.arrayValue else { return nil }
        var dependencies: [NodeRequest] = []
        for d in deps {
            guard let r = NodeRequest(d) else { return nil }
            dependencies.append(r)
        }
        self.op = op
        self.params = parts[1]
        self.dependencies = dependencies
    }
}
