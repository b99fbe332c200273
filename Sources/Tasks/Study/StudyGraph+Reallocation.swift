import Foundation
import Graph

/// `run --watch` keeps its study's graph between edits: an edit of the allocation's budget or
/// objectives changes only the allocation nodes' parameters, so the graph below them (its ~100k
/// stack, trunk and layer-search nodes) is kept rather than built again.
extension StudyGraph {
    /// A digest of everything the graph below the allocation nodes is made from: the study file
    /// without its allocation's `budget_bits` and `objectives`, and every hardware, mapping and
    /// workload file the study names (the files `StudyShortcut.key` covers). Two studies with the
    /// same key differ at most in those two settings. nil when a file cannot be read or the study
    /// is not plain JSON (then the graph is built anew).
    public static func structureKey(_ study: Study) -> Digest? {
        guard let bytes = FileSystemRead.bytes(study.file),
              var object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
        else { return nil }
        if var allocation = object["allocation"] as? [String: Any] {
            allocation["budget_bits"] = nil
            allocation["objectives"] = nil
            object["allocation"] = allocation
        }
        guard let text = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return nil
        }
        var parts: [Value] = [.string("accomake-study-structure/1"), .bytes(SHA256.hash([UInt8](text)).bytes)]
        var paths: [String] = []
        for a in study.accelerators { paths += [a.hardware, a.mapping] }
        paths += study.workloads.map(\.path)
        for path in paths {
            guard let file = FileSystemRead.bytes(path) else { return nil }
            parts.append(.bytes(SHA256.hash(file).bytes))
        }
        return try? CanonicalEncoder.digest(.array(parts))
    }

    /// This graph with every allocation node's budget and objectives taken from `study`, whose
    /// `structureKey` equals that of the study the graph was built from: the same graph
    /// `StudyGraph(study)` builds, node for node.
    public func reallocated(for study: Study) throws -> StudyGraph {
        var copy = self
        copy.problems = try Self.problems(study)
        guard copy.problems.count == problems.count else { return try StudyGraph(study) }
        for (problem, node) in zip(copy.problems, allocationNodes) {
            copy.graph.replaceParams(of: node, with: try AllocationTask.params(graph.params(of: node),
                                                                               budgetBits: problem.budgetBits,
                                                                               metrics: study.allocation.metrics))
        }
        return copy
    }
}
