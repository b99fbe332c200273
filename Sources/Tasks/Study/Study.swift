/// A study project: what to explore once, to be rerun after every hardware tweak (model.md §7).
/// Read from a JSON file by `StudyFormat`; paths are already resolved against the study file.
public struct Study: Sendable {
    /// One accelerator: its hardware file and the spatial mapping file that goes with it, or
    /// one variant of them when the study entry declares hardware axes.
    public struct Accelerator: Sendable {
        public var hardware: String
        public var mapping: String
        public var variant: AcceleratorVariant?
        /// The name it is shown by: the hardware file's `name`, or the variant's.
        public var name: String = ""
        /// Where the study declares it: `$.accelerators[2]`.
        public var origin: String = ""
        /// What it costs to build (on-chip capacity, area): the third axis of a sweep's front.
        public var cost: HardwareCost?

        /// The files of this accelerator and a workload, with the variant's edits.
        public func files(workload: String, options: WorkloadOptions = .defaults) -> ProblemFiles {
            ProblemFiles(hardware: hardware, workload: workload, mapping: mapping, variant: variant,
                         workloadOptions: options)
        }
    }

    /// One workload and its fusion settings.
    public struct Workload: Sendable {
        public var path: String
        /// The most cuts a schedule may have beyond the forced ones (ACCO's `substackCutMax`; the
        /// ranges evaluated are exactly those the cut lists use).
        public var maxCuts: Int
        /// Layer ids after which the network is always cut.
        public var cuts: [Int]
        /// How an ONNX model is read (time axis, precisions).
        public var options = WorkloadOptions.defaults
        /// A streaming network (the causal transform along Y, warm-up and stable rows), or an image
        /// CNN evaluated once over its whole input, as DeFiNES does.
        public var causal = true

        /// What the report calls the workload's kind.
        public var kind: String { causal ? "streaming (causal)" : "image (non-causal, whole input)" }

        /// The files of this workload on an accelerator.
        public func files(on accelerator: Accelerator) -> ProblemFiles {
            accelerator.files(workload: path, options: options)
        }

        /// The file name without folder and extension, for display.
        public var name: String {
            let file = path.split(separator: "/").last.map(String.init) ?? path
            for suffix in [".json", ".onnx", ".yaml", ".yml"] where file.lowercased().hasSuffix(suffix) {
                return String(file.dropLast(suffix.count))
            }
            return file
        }
    }

    /// Which Step-2 table the allocation reads (model.md §6.6).
    public enum Table: String, Sendable, CaseIterable, Codable {
        /// The whole input window's totals and total footprints, every tile size.
        case window
        /// One steady-state frame: stable rows and stable footprints of tiles one frame tall.
        case realTime = "real-time"
    }

    /// Step 3 settings (model.md §6.6, decisions.md D4).
    public struct Allocation: Sendable {
        public var metrics: [GlobalAllocation.Metric] = GlobalAllocation.Metric.allCases
        public var table: Table = .window
        /// On-chip feature budget in bits; `nil`: the largest on-chip memory serving both I1 and O.
        public var budgetBits: Int?
        /// Cycles available per frame, for the real-time verdict.
        public var framePeriodCycles: Int?
    }

    public var file: String
    public var accelerators: [Accelerator]
    public var workloads: [Workload]
    public var tileX: [Int]
    public var tileY: [Int]
    public var modes: [CachingMode]
    /// The per-layer mapping search objectives (Step 1).
    public var objectives: [Objective]
    public var lpf: Int
    /// `nil`: each trunk starts from the dilation it has in the whole network (ACCO's −1).
    public var initialDilation: Int?
    public var frames: Int
    public var allocation: Allocation

    /// Tile keys in study order: x outer, y inner.
    public var tiles: [(x: Int, y: Int)] { tileX.flatMap { x in tileY.map { (x, $0) } } }
}
