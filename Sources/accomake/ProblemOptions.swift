import Tasks

/// The options the single-workload commands (`layer`, `stack`, `footprint`, `trunk` and their
/// benchmarks) share, each read in one place with one message.
extension Arguments {
    /// `--hardware F --workload F --mapping F`, all three required.
    func problemFiles(_ command: String) throws -> ProblemFiles {
        func file(_ name: String) throws -> String {
            guard let path = value(name) else { throw UsageError("\(command): --\(name) FILE is required") }
            return path
        }
        return ProblemFiles(hardware: try file("hardware"), workload: try file("workload"),
                            mapping: try file("mapping"), workloadOptions: try workloadOptions())
    }

    /// `--time-axis y|x` and `--precision W=8,I=8,O=16,O_final=8` (any subset): how an ONNX
    /// model is read.
    func workloadOptions() throws -> WorkloadOptions {
        var options = WorkloadOptions()
        if let text = value("time-axis") {
            guard let axis = WorkloadOptions.TimeAxis(rawValue: text) else {
                throw UsageError("--time-axis \(text): expected y (the first spatial axis, H) or x (the last, W)")
            }
            options.timeAxis = axis
        }
        if let text = value("precision") {
            guard let precision = WorkloadOptions.precision(parsing: text) else {
                throw UsageError("--precision \(text): expected bits per operand kind, e.g. W=4,I=8,O=16,O_final=8")
            }
            options.precision = precision
        }
        return options
    }

    /// `--tile XxY`, the output tile.
    func tile(default fallback: String = "") throws -> (x: Int, y: Int) {
        let text = value("tile") ?? fallback
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let x = Int(parts[0]), let y = Int(parts[1]), x > 0, y > 0 else {
            throw UsageError("--tile \(text): expected the output tile as XxY, e.g. 8x8")
        }
        return (x, y)
    }

    /// `--mode recompute|h-cached|fully-cached` (default fully cached).
    func cachingMode(_ command: String) throws -> CachingMode {
        guard let mode = CachingMode(name: value("mode") ?? "fully-cached") else {
            throw UsageError("\(command): --mode \(value("mode") ?? ""): expected recompute, h-cached or fully-cached")
        }
        return mode
    }

    /// `--objective energy|latency|edp` (default energy).
    func objective() throws -> Objective {
        guard let text = value("objective") else { return .energy }
        guard let o = Objective(rawValue: text) else {
            throw UsageError("--objective \(text): expected energy, latency or edp")
        }
        return o
    }
}
