import Foundation

/// How an ONNX model becomes a workload: which spatial axis is time, and the operand precisions.
/// A JSON workload spells both out per layer, so these apply to ONNX models only
/// (docs/formats.md, "ONNX models").
public struct WorkloadOptions: Sendable, Hashable {
    /// The ONNX spatial axis that is time for the causal transform, which streams along the
    /// workload's Y (OY/IY). `y` is the first spatial axis (H of NCHW, the only one of a 1-D
    /// convolution), `x` the last (W).
    public enum TimeAxis: String, Sendable, Hashable, CaseIterable {
        case y, x
    }

    /// Bits per element of each kind of operand (ZigZag's defaults: 8-bit weights and
    /// activations, 16-bit partial sums, 8-bit stored outputs).
    public struct Precision: Sendable, Hashable {
        public var weights = 8
        public var inputs = 8
        public var partialOutputs = 16
        public var finalOutputs = 8

        public init() {}

        /// The spelling of study files and `--precision`: `W`, `I`, `O` and `O_final`.
        public static let fields = ["W", "I", "O", "O_final"]

        public subscript(field: String) -> Int? {
            get {
                switch field {
                case "W": weights
                case "I": inputs
                case "O": partialOutputs
                case "O_final": finalOutputs
                default: nil
                }
            }
            set {
                guard let newValue else { return }
                switch field {
                case "W": weights = newValue
                case "I": inputs = newValue
                case "O": partialOutputs = newValue
                case "O_final": finalOutputs = newValue
                default: break
                }
            }
        }
    }

    public var timeAxis = TimeAxis.y
    public var precision = Precision()

    public init(timeAxis: TimeAxis = .y, precision: Precision = Precision()) {
        self.timeAxis = timeAxis
        self.precision = precision
    }

    public static let defaults = WorkloadOptions()
    public var isDefault: Bool { self == .defaults }

    /// `W=4,I=4,O=16,O_final=4` (any subset), as `--precision` and `accomake workload` spell it.
    public static func precision(parsing text: String) -> Precision? {
        var p = Precision()
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, Precision.fields.contains(parts[0]), let bits = Int(parts[1]),
                  (1...WorkloadFormat.Limits.precision).contains(bits) else { return nil }
            p[parts[0]] = bits
        }
        return text.isEmpty ? nil : p
    }
}
