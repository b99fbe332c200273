import Graph

/// The single-layer search as an engine operator. Its parameters are the problem as the model
/// sees it — loop sizes, precisions, relations, spatial mapping, links, the memory hierarchy
/// visible to the layer, the LPF limit and the objective — so a study computes each distinct
/// sub-problem once, whatever layer or network it comes from. Bump `version` whenever the cost
/// model or the search changes a result.
public enum LayerSearchTask {
    public static let version: Int64 = 5

    /// The node's parameters, as its key covers them.
    public struct Parameters: Codable, Sendable {
        public var layer: Layer
        public var core: Core
        public var lpf: Int
        public var objective: Objective
    }

    public static let `operator` = Operator("accomake.layer-search", version: version) { input in
        let p = try ValueCoder.decode(Parameters.self, from: input.params)
        // "Does not fit" is an answer, not a failure: depth-first evaluation retries with more
        // memory levels when it gets it (model.md §5.6).
        do {
            let result = try FastLayerSearch.run(layer: p.layer, core: p.core, lpfLimit: p.lpf, objective: p.objective)
            return .done(try CanonicalEncoder.encode(["found": ValueCoder.encode(result)]))
        } catch LayerSearchError.hierarchyTooSmall {
            return .done(try CanonicalEncoder.encode(["too_small": true]))
        }
    }

    public static func params(layer: Layer, core: Core, lpfLimit: Int, objective: Objective) throws -> Value {
        try ValueCoder.encode(Parameters(layer: layer, core: core, lpf: lpfLimit, objective: objective))
    }

    /// The search result, or nil when no mapping fits the hierarchy.
    public static func result(_ artifact: Artifact) throws -> LayerSearchResult? {
        try recent.value(for: artifact.digest) {
            let value = try CanonicalDecoder.decode(artifact.bytes)
            return value["too_small"] != nil ? nil : try ValueCoder.decode(LayerSearchResult.self,
                                                                           from: value["found"] ?? .null)
        }
    }

    /// Recently decoded results: the stacks of one trunk over its tile sizes and modes ask for
    /// many of the same searches, close together in time.
    static let recent = SharedMemo<Digest, LayerSearchResult?>(capacity: 4096)
}
