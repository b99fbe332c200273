/// The ranges ACCO evaluates for a workload on a core: one enumeration per weight-cut pass
/// (forward, then ACCO's reverse pass), merged in first-seen order (model.md §5.1, model.md §6.2).
public enum StudyRanges {
    public static func ranges(_ network: Network, core: Core, userCuts: [Int], maxCuts: Int) -> [LayerRange] {
        var seen = Set<LayerRange>()
        var out: [LayerRange] = []
        for passCuts in [StackCuts.forward(network, core), StackCuts.reverse(network, core)] {
            for r in RangeEnumeration.ranges(network, forcedCuts: userCuts + passCuts,
                                             maxCuts: maxCuts) where seen.insert(r).inserted {
                out.append(r)
            }
        }
        return out
    }

    /// The Step-3 cut lists (model.md §6.6), one enumeration per weight-cut pass, merged in
    /// first-seen order.
    public static func cutLists(_ network: Network, core: Core, userCuts: [Int], maxCuts: Int) -> [[Int]] {
        var seen = Set<[Int]>()
        var out: [[Int]] = []
        for passCuts in [StackCuts.forward(network, core), StackCuts.reverse(network, core)] {
            for c in RangeEnumeration.cutLists(network, forcedCuts: userCuts + passCuts,
                                               maxCuts: maxCuts) where seen.insert(c).inserted {
                out.append(c)
            }
        }
        return out
    }
}
