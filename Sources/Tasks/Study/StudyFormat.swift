import Foundation

/// Reads a study file (docs/formats.md, "Study"). Relative paths resolve against the study file's
/// folder; every mistake is one `InputError` naming the file, the field and the fix.
public enum StudyFormat {
    public static func load(_ path: String) throws(InputError) -> Study {
        try decode(InputFile.load(path), folder: (path as NSString).deletingLastPathComponent)
    }

    static func decode(_ root: JSONReader, folder: String) throws(InputError) -> Study {
        let o = try root.object(allowed: ["accelerators", "workloads", "sweep", "allocation", "description"])
        if let d = o.optional("description") { _ = try d.string() }
        func resolve(_ r: JSONReader) throws(InputError) -> String {
            let p = try r.string()
            guard !p.isEmpty else { throw r.fail("empty path", "give the file's path, relative to the study file") }
            let full = p.hasPrefix("/") || folder.isEmpty ? p : folder + "/" + p
            guard FileSystemRead.exists(full) else {
                throw r.fail("no file at \(full)", "paths are relative to the study file's folder; check the name")
            }
            return full
        }

        let sweep = try o.required("sweep", "give the sweep: {\"tile_x\": [1, 2], \"tile_y\": [1]}")
            .object(allowed: ["tile_x", "tile_y", "modes", "objectives", "lpf", "max_cuts", "cuts", "initial_dilation",
                              "frames"])
        let defaultMaxCuts = try sweep.optional("max_cuts")?.int(minimum: 0, what: "max_cuts") ?? 2
        let defaultCuts = try sweep.optional("cuts").map { (r: JSONReader) throws(InputError) in
            try ints(r, minimum: 0, what: "layer id")
        } ?? []

        let acceleratorsNode = try o.required("accelerators",
                                              "list the accelerators: [{\"hardware\": "
                                                  + "\"…json\", \"mapping\": \"…json\"}]")
        var accelerators: [Study.Accelerator] = []
        for (index, item) in try nonEmpty(acceleratorsNode, "name at least one accelerator").enumerated() {
            let a = try item.object(allowed: ["hardware", "mapping", "axes", "combine"])
            let plain = Study.Accelerator(
                hardware: try resolve(try a.required("hardware", "give the hardware file")),
                mapping: try resolve(try a.required("mapping",
                                                    "give the spatial mapping file that goes with this hardware")),
                origin: "$.accelerators[\(index)]")
            accelerators += try expand(plain, a, study: root.file)
        }
        try checkNamesAreUnique(accelerators, study: root.file, line: acceleratorsNode.node.line)

        let workloadsNode = try o.required("workloads",
                                           "list the workloads: [\"…json\"] or [{\"workload\": "
                                               + "\"…json\", \"max_cuts\": 2}]")
        var workloads: [Study.Workload] = []
        for item in try nonEmpty(workloadsNode, "name at least one workload") {
            if item.node.kind == .string {
                workloads.append(Study.Workload(path: try resolve(item), maxCuts: defaultMaxCuts, cuts: defaultCuts))
                continue
            }
            let w = try item.object(allowed: ["workload", "max_cuts", "cuts", "causal", "time_axis", "precision"])
            var workload = Study.Workload(
                path: try resolve(try w.required("workload", "give the workload file")),
                maxCuts: try w.optional("max_cuts")?.int(minimum: 0, what: "max_cuts") ?? defaultMaxCuts,
                cuts: try w.optional("cuts").map { (r: JSONReader) throws(InputError) in
                    try ints(r, minimum: 0, what: "layer id")
                } ?? defaultCuts)
            workload.causal = try w.optional("causal")?.bool() ?? true
            workload.options = try workloadOptions(w)
            workloads.append(workload)
        }

        let tileX = try ints(try sweep.required("tile_x", "list the tile widths, e.g. [1, 2, 4]"), minimum: 1,
                             what: "tile size", nonEmpty: true)
        let tileY = try ints(try sweep.required("tile_y", "list the tile heights (frames), e.g. [1, 2]"), minimum: 1,
                             what: "tile size", nonEmpty: true)
        var modes: [CachingMode] = []
        if let m = sweep.optional("modes") {
            for item in try nonEmpty(m, "name at least one caching mode") {
                guard let mode = CachingMode(name: try item.string()) else {
                    throw item.fail("unknown caching mode", "use recompute, h-cached or fully-cached")
                }
                try unique(mode, in: modes, item)
                modes.append(mode)
            }
        } else {
            modes = [.fullyCached]
        }
        var objectives: [Objective] = []
        if let m = sweep.optional("objectives") {
            for item in try nonEmpty(m, "name at least one mapping objective") {
                guard let objective = Objective(rawValue: try item.string()), objective != .edp else {
                    throw item.fail("unknown mapping objective",
                                    "use energy or latency (EDP applies to the allocation)")
                }
                try unique(objective, in: objectives, item)
                objectives.append(objective)
            }
        } else {
            objectives = [.energy]
        }
        let lpf = try sweep.optional("lpf")?.int(minimum: 1, what: "lpf") ?? 6
        if lpf > 12, let r = sweep.optional("lpf") {
            throw r.fail("lpf \(lpf) is too large", "use at most 12 (6 reproduces the reference)")
        }
        let dilation: Int?
        if let d = sweep.optional("initial_dilation"), d.node.kind != .null {
            dilation = try d.int(minimum: 1, maximum: 1 << 20, what: "initial dilation")
        } else {
            dilation = nil
        }
        let frames = try sweep.optional("frames")?.int(minimum: 1, maximum: 1 << 20, what: "frame amount") ?? 1

        var allocation = Study.Allocation()
        if let a = o.optional("allocation") {
            let fields = try a.object(allowed: ["objectives", "table", "budget_bits", "frame_period_cycles"])
            if let m = fields.optional("objectives") {
                allocation.metrics = []
                for item in try nonEmpty(m, "name at least one allocation objective") {
                    guard let metric = GlobalAllocation.Metric(rawValue: try item.string()) else {
                        throw item.fail("unknown allocation objective", "use latency, energy or edp")
                    }
                    try unique(metric, in: allocation.metrics, item)
                    allocation.metrics.append(metric)
                }
            }
            if let t = fields.optional("table") {
                guard let table = Study.Table(rawValue: try t.string()) else {
                    throw t.fail("unknown table", "use window or real-time")
                }
                allocation.table = table
            }
            allocation.budgetBits = try fields.optional("budget_bits")?
                .int(minimum: 0, maximum: 1 << 50, what: "budget")
            allocation.framePeriodCycles = try fields.optional("frame_period_cycles")?
                .int(minimum: 1, maximum: 1 << 50, what: "frame period")
        }
        if allocation.table == .realTime, let image = workloads.firstIndex(where: { !$0.causal }) {
            throw workloadsNode.fail("workload \(image) is not causal, and the real-time table reads the stable "
                                         + "rows of a stream",
                                     "use \"table\": \"window\" (the whole input) or drop \"causal\": false")
        }
        if allocation.table == .realTime && !tileY.contains(1), let r = sweep.optional("tile_y") {
            throw r.fail("the real-time table needs tiles one frame tall",
                         "add 1 to tile_y or use \"table\": \"window\"")
        }
        return Study(file: root.file, accelerators: accelerators, workloads: workloads, tileX: tileX, tileY: tileY,
                     modes: modes, objectives: objectives, lpf: lpf, initialDilation: dilation, frames: frames,
                     allocation: allocation)
    }

    /// An entry with hardware axes becomes one accelerator per variant. Each variant's files are
    /// read now, as the run will read them, so a bad value is refused before any work, naming the
    /// study, the axis, the value and the variant.
    static func expand(_ plain: Study.Accelerator, _ entry: ObjectReader, study: String)
        throws(InputError) -> [Study.Accelerator] {
        var plain = plain
        let (core, cost) = try plain.files(workload: "").coreWithCost()
        plain.name = core.name
        plain.cost = cost
        let variants = try HardwareAxes.variants(entry, base: plain.name)
        guard !variants.isEmpty else { return [plain] }
        return try variants.map { (variant: AcceleratorVariant) throws(InputError) in
            var accelerator = plain
            accelerator.variant = variant
            accelerator.name = variant.name
            do throws(InputError) {
                accelerator.cost = try accelerator.files(workload: "").coreWithCost().cost
                _ = try accelerator.files(workload: "").mappingEntries()
            } catch {
                let axis = zip(variant.axes, variant.values).first { axis, _ in
                    let field = axis.hasPrefix("mapping.") ? String(axis.dropFirst("mapping.".count)) : axis
                    return error.path.hasPrefix("$." + field)
                } ?? (variant.axes[0], variant.values[0])
                throw InputError(file: study, line: entry.optional("axes")?.node.line,
                                 path: "\(plain.origin).axes.\(axis.0)",
                                 problem: "value \(AcceleratorVariant.display(axis: axis.0, value: axis.1)) makes "
                                     + "\(variant.name) unreadable: \(error.file) \(error.path): \(error.problem)",
                                 fix: error.fix)
            }
            return accelerator
        }
    }

    /// Two accelerators shown by one name could not be told apart in any table or report.
    static func checkNamesAreUnique(_ accelerators: [Study.Accelerator], study: String, line: Int?)
        throws(InputError) {
        var first: [String: Study.Accelerator] = [:]
        for a in accelerators {
            let name = a.name
            if let earlier = first[name] {
                let places = earlier.origin == a.origin ? "\(a.origin) twice" : "\(earlier.origin) and \(a.origin)"
                throw InputError(file: study, line: line, path: "$.accelerators",
                                 problem: "\(places) are both named \(name)",
                                 fix: "give one hardware file another \"name\", or sweep it with \"axes\"")
            }
            first[name] = a
        }
    }

    private static func nonEmpty(_ r: JSONReader, _ fix: String) throws(InputError) -> JSONList {
        let items = try r.array()
        guard !items.isEmpty else { throw r.fail("the list is empty", fix) }
        return items
    }

    private static func ints(_ r: JSONReader, minimum: Int, what: String,
                             nonEmpty: Bool = false) throws(InputError) -> [Int] {
        let items = try r.array()
        if nonEmpty && items.isEmpty { throw r.fail("the list is empty", "give at least one \(what)") }
        var out: [Int] = []
        for item in items {
            let v = try item.int(minimum: minimum, what: what)
            try unique(v, in: out, item)
            out.append(v)
        }
        return out
    }

    /// `time_axis` and `precision` of a study's workload entry (ONNX models only; see
    /// docs/formats.md, "ONNX models").
    static func workloadOptions(_ w: ObjectReader) throws(InputError) -> WorkloadOptions {
        var options = WorkloadOptions()
        if let axis = w.optional("time_axis") {
            guard let value = WorkloadOptions.TimeAxis(rawValue: try axis.string()) else {
                throw axis.fail("unknown time axis", "use \"y\" (the first spatial axis, H) or \"x\" (the last, W)")
            }
            options.timeAxis = value
        }
        if let precision = w.optional("precision") {
            let fields = try precision.object(allowed: WorkloadOptions.Precision.fields)
            for field in WorkloadOptions.Precision.fields {
                if let bits = fields.optional(field) {
                    options.precision[field] = try bits.int(minimum: 1, maximum: WorkloadFormat.Limits.precision,
                                                            what: "precision")
                }
            }
        }
        return options
    }

    private static func unique<T: Equatable>(_ v: T, in list: [T], _ r: JSONReader) throws(InputError) {
        if list.contains(v) { throw r.fail("\(v) is listed twice", "list each value once") }
    }
}
