import Graph

/// The single-layer search as an engine operator. Its parameters are the problem as the model
/// sees it — loop sizes, precisions, relations, spatial mapping, links, the memory hierarchy
/// visible to the layer, the LPF limit and the objective — so a study computes each distinct
/// sub-problem once, whatever layer or network it comes from. Bump `version` whenever the cost
/// model or the search changes a result.
public enum LayerSearchTask {
    public static let version: Int64 = 3

    public static let `operator` = Operator("accomake.layer-search", version: version) { input in
        let p = input.params
        let layer = try CanonicalForms.layer(p["layer"] ?? .null)
        let core = try CanonicalForms.core(p["core"] ?? .null)
        guard let lpf = p["lpf"]?.intValue, let objective = p["objective"]?.stringValue.flatMap(Objective.init(rawValue:)) else {
            throw CanonicalForms.Malformed(description: "layer-search parameters")
        }
        // "Does not fit" is an answer, not a failure: depth-first evaluation retries with more
        // memory levels when it gets it (depth-first.md §8.4).
        do {
            let result = try FastLayerSearch.run(layer: layer, core: core, lpfLimit: Int(lpf), objective: objective)
            return .done(try CanonicalEncoder.encode(["found": CanonicalForms.value(result)]))
        } catch LayerSearchError.hierarchyTooSmall {
            return .done(try CanonicalEncoder.encode(["too_small": true]))
        }
    }

    public static func params(layer: Layer, core: Core, lpfLimit: Int, objective: Objective) -> Value {
        ["layer": CanonicalForms.value(layer), "core": CanonicalForms.value(core),
         "lpf": .int(Int64(lpfLimit)), "objective": .string(objective.rawValue)]
    }

    /// The search result, or nil when no mapping fits the hierarchy.
    public static func result(_ artifact: Artifact) throws -> LayerSearchResult? {
        let value = try CanonicalDecoder.decode(artifact.bytes)
        if value["too_small"] != nil { return nil }
        return try CanonicalForms.searchResult(value["found"] ?? .null)
    }
}
