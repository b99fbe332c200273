/// What a layer search optimises (model.md §4.2; EDP is the project's addition).
public enum Objective: String, Sendable, CaseIterable {
    case energy, latency, edp

    public func key(_ e: LayerEvaluation) -> Double {
        switch self {
        case .energy: e.energyTotal
        case .latency: Double(e.latencyTotal2)
        case .edp: e.energyTotal * Double(e.latencyTotal2)
        }
    }
}

extension Objective: Codable {}
