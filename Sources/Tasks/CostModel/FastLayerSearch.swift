/// The production LOMA search: the same orderings in the same order as `PlainLayerSearch`,
/// with the same arithmetic, on a compiled form of the layer (dimensions as small integers,
/// relevance as bit masks, temporal levels as index ranges into the ordering, every table a
/// flat array allocated once), so that the inner loop allocates and retains nothing. Two
/// further savings, both exact:
///
/// - merge-down (model.md §4.4) only moves level boundaries, since levels are contiguous runs of the
///   ordering;
/// - every cost term is ≥ 0, so an ordering is abandoned as soon as its partial cost exceeds the
///   best so far (a bound that only prunes orderings proven worse; ties are evaluated fully, as
///   the first strictly best ordering wins).
///
/// The winner is then evaluated by the plain evaluator, so reported numbers come from one place.
public enum FastLayerSearch {
    public static func run(layer: Layer, core: Core, lpfLimit: Int,
                           objective: Objective) throws(LayerSearchError) -> LayerSearchResult {
        let evaluator: LayerEvaluator
        do { evaluator = try LayerEvaluator(layer: layer, core: core) } catch {
            throw .invalidMapping(error.description)
        }
        let lpfs = try PlainLayerSearch.orderingLPFs(layer: layer, evaluator: evaluator, lpfLimit: lpfLimit)
        var permutations = MultisetPermutations(elements: lpfs).makeIterator()
        let sorted = permutations.sortedValues
        guard var compiled = CompiledLayer(layer: layer, core: core, evaluator: evaluator, loops: sorted) else {
            // Layers outside the compiled form's assumptions (an output with pr dims) use the plain search.
            return try PlainLayerSearch.run(layer: layer, core: core, lpfLimit: lpfLimit, objective: objective)
        }
        var indices = [Int](repeating: 0, count: sorted.count)
        var best = Double.infinity
        var bestIndices: [Int]?
        var evaluated = 0
        while permutations.next(into: &indices) {
            guard compiled.load(indices) else { continue }
            evaluated += 1
            let cost = compiled.cost(objective, bound: best)
            if cost < best {
                best = cost
                bestIndices = indices
            }
        }
        guard let bestIndices else { throw .hierarchyTooSmall(layer: layer.id) }
        let ordering = bestIndices.map { sorted[$0] }
        let allocator = Allocator(layer: layer, core: core, spatial: evaluator.spatial)
        guard let tm = try? allocator.allocate(ordering) else { throw .hierarchyTooSmall(layer: layer.id) }
        return LayerSearchResult(evaluation: evaluator.evaluate(tm), ordering: ordering, orderingsEvaluated: evaluated,
                                 lpfs: lpfs)
    }
}
