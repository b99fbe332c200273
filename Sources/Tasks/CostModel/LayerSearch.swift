public enum LayerSearchError: Error, CustomStringConvertible {
    case invalidMapping(String)
    case lpfLimitTooSmall(LPFLimitTooSmall)
    case hierarchyTooSmall(layer: Int)

    public var description: String {
        switch self {
        case .invalidMapping(let why): "invalid spatial mapping: \(why)"
        case .lpfLimitTooSmall(let e): e.description
        case .hierarchyTooSmall(let layer):
            "no temporal mapping of layer \(layer) fits the memory hierarchy: every ordering overflows a memory"
        }
    }
}

/// The best mapping found for a layer, and how many orderings were evaluated.
public struct LayerSearchResult: Sendable, Codable {
    public var evaluation: LayerEvaluation
    public var ordering: [LPF]
    public var orderingsEvaluated: Int
    public var lpfs: [LPF]

    enum CodingKeys: String, CodingKey { case evaluation, ordering, orderingsEvaluated = "orderings_evaluated", lpfs }
}

/// The plain LOMA search (model.md §4.2): every distinct ordering is allocated and fully
/// evaluated; the first strictly best one wins. This is the oracle the fast search is tested
/// against.
public enum PlainLayerSearch {
    public static func run(layer: Layer, core: Core, lpfLimit: Int,
                           objective: Objective) throws(LayerSearchError) -> LayerSearchResult {
        let evaluator: LayerEvaluator
        do { evaluator = try LayerEvaluator(layer: layer, core: core) } catch {
            throw .invalidMapping(error.description)
        }
        let lpfs = try orderingLPFs(layer: layer, evaluator: evaluator, lpfLimit: lpfLimit)
        let allocator = Allocator(layer: layer, core: core, spatial: evaluator.spatial)
        var best: (LayerEvaluation, [LPF], Double)?
        var evaluated = 0
        for ordering in MultisetPermutations(elements: lpfs) {
            guard let tm = try? allocator.allocate(ordering) else { continue }
            evaluated += 1
            let e = evaluator.evaluate(tm)
            let key = objective.key(e)
            if best == nil || key < best!.2 { best = (e, ordering, key) }
        }
        guard let best else { throw .hierarchyTooSmall(layer: layer.id) }
        return LayerSearchResult(evaluation: best.0, ordering: best.1, orderingsEvaluated: evaluated, lpfs: lpfs)
    }

    static func orderingLPFs(layer: Layer, evaluator: LayerEvaluator, lpfLimit: Int) throws(LayerSearchError) -> [LPF] {
        // model.md §4.2 divides by the unrolls placed for the first input operand: every limited unroll.
        let temporal = LoopPrimeFactors.temporalSizes(layer, unrolls: evaluator.spatial.unrolls)
        do { return try LoopPrimeFactors.lpfs(temporal, limit: lpfLimit, layer: layer.id) } catch {
            throw .lpfLimitTooSmall(error)
        }
    }
}
