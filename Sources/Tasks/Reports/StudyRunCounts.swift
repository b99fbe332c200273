/// What a study run did: nodes computed and reused; `shortcut` when the study's inputs were
/// unchanged since a complete run and its answers were read directly (`StudyShortcut`).
public struct StudyRunCounts: Sendable {
    public var executed: Int
    public var hits: Int
    public var shortcut: Bool
    /// Verify mode: recomputed outputs compared with (and equal to) the cached ones.
    public var verified = 0
    /// The parameter changes since the last recorded run that made nodes run, each once, spelled
    /// as the input files spell them (`memories.dram.r_cost: 700 → 707`): what `run --watch` prints.
    public var changes: [String] = []

    public init(executed: Int, hits: Int, shortcut: Bool, verified: Int = 0, changes: [String] = []) {
        self.executed = executed
        self.hits = hits
        self.shortcut = shortcut
        self.verified = verified
        self.changes = changes
    }
}
