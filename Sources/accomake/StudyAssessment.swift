import Cache
import Graph
import Tasks

/// The last run's record of a study, read while the study's graph is built, and the assessment of
/// the new graph against it (`RunRecord.assess`: what is dirty and why), made while the graph runs.
/// Both are for `status` and `explain` only, so they run beside the work rather than before it.
///
/// Which of the record's keys the cache holds is looked up before the graph runs, so a run that
/// stores results does not change the assessment of its own start: same inputs, same record.
struct StudyAssessment {
    private let prior: Background<Result<(RunRecord?, Set<Digest>), any Error>>

    /// Starts reading the record of `study` from the cache at `root`.
    init(study: String, root: String, store: LocalCache) {
        prior = Background {
            Result {
                let previous = try StudyRecord.load(study: study, root: root)
                let cached = Set((previous?.nodes ?? []).compactMap(\.key).filter(store.hasEntry))
                return (previous, cached)
            }
        }
    }

    /// Starts from a record this process made (`run --watch`), without reading it back.
    init(previous: RunRecord, store: LocalCache) {
        prior = Background {
            .success((previous, Set(previous.nodes.compactMap(\.key).filter(store.hasEntry))))
        }
    }

    /// Waits for the record and starts assessing `built` against it; call before `built` runs.
    /// - Parameter sameParameters: as for `RunRecord.assess` (`RunMemory.sameParameters`).
    func assess(_ built: StudyGraph,
                sameParameters: (@Sendable (Int) -> Bool)? = nil) throws -> Background<RunRecord.Assessment> {
        let (previous, cached) = try prior.value.get()
        return Background {
            RunRecord.assess(built.graph, names: built.names, detail: StudyGraph.detailedFields, previous: previous,
                             cached: { cached.contains($0) }, sameParameters: sameParameters)
        }
    }
}

extension StudyGraph {
    /// The study's graph, built on another thread from `inputs` (which keeps one answer per file
    /// for every thread): `status` starts it before the cache opens and the shortcut is tried,
    /// since building it is its longest step when the shortcut does not answer. (`run` does not:
    /// there the graph would compete with decoding the answers the shortcut gives, a rerun's
    /// whole time, for the two cores.)
    static func building(_ study: Study, inputs: InputSnapshot) -> Background<Result<StudyGraph, any Error>> {
        Background { Result { try inputs.reading { try StudyGraph(study) } } }
    }
}
