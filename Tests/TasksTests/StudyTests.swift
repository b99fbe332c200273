import Foundation
import Graph
@testable import Tasks
import XCTest

/// Studies end to end: the study file, the task graph with its allocation node, and what a rerun
/// recomputes (issue 6), read from the engine's event log.
final class StudyTests: XCTestCase {
    static let projects = Projects.folder.path

    /// A study over seldnet on Meta_prototype_DF; `extra` adds or replaces top-level fields.
    func study(hardware: String = "\(projects)/hardware/meta_prototype_df.json", maxCuts: Int = 0, tileX: [Int] = [2],
               tileY: [Int] = [16], allocation: String = "{}") throws -> Study {
        let text = """
            {"accelerators": [{"hardware": "\(hardware)",
                               "mapping": "\(Self.projects)/mappings/meta_prototype_df.json"}],
             "workloads": [{"workload": "\(Self.projects)/workloads/seldnet_oxoy_m.json", "max_cuts": \(maxCuts)}],
             "sweep": {"tile_x": \(tileX), "tile_y": \(tileY)},
             "allocation": \(allocation)}
            """
        return try StudyFormat.decode(InputFile.parse(Array(text.utf8), file: "study.json"), folder: "")
    }

    /// Runs the study's graph on `store`; returns the log and the allocation reports.
    func run(_ study: Study, on store: MemoryStore) throws -> (EventLog, [AllocationReport]) {
        let built = try StudyGraph(study)
        let outcome = Executor(store: store, options: BuildOptions(jobs: 2)).build(built.graph,
            targets: built.allocationNodes)
        XCTAssertTrue(outcome.succeeded, "\(outcome.failures)")
        return (outcome.log,
                try built.allocationNodes.map { try AllocationTask.report(try XCTUnwrap(outcome.outputs[$0])) })
    }

    /// An allocation hands the report it made to the command that prints it (no decode of the
    /// bytes it just encoded): once per artifact, and the handed report prints — as text and as
    /// JSON — exactly as the one decoded from the artifact does.
    func testAHandedReportPrintsAsTheDecodedOne() throws {
        let study = try study(maxCuts: 1, tileX: [1, 4], tileY: [1, 16], allocation: #"{"budget_bits": 300000}"#)
        let built = try StudyGraph(study)
        let outcome = Executor(store: MemoryStore(), options: BuildOptions(jobs: 2)).build(built.graph,
            targets: built.allocationNodes)
        XCTAssertTrue(outcome.succeeded, "\(outcome.failures)")
        let artifacts = try built.allocationNodes.map { try XCTUnwrap(outcome.outputs[$0]) }
        let handed = try artifacts.map { try XCTUnwrap(AllocationTask.madeReports.take($0.digest), "not handed") }
        XCTAssertNil(AllocationTask.madeReports.take(artifacts[0].digest), "taken once")
        let decoded = try artifacts.map { try AllocationTask.report($0) }
        let counts = StudyRunCounts(executed: 1, hits: 0, shortcut: false)
        let (a, b) = (StudyView(study: study, answers: Array(zip(built.problems, handed))),
                      StudyView(study: study, answers: Array(zip(built.problems, decoded))))
        XCTAssertEqual(a.text(), b.text())
        XCTAssertEqual(a.json(counts).rendered(), b.json(counts).rendered())
        XCTAssertTrue(a.json(counts).rendered().contains("\"budget_bits\": 300000"), a.json(counts).rendered())
    }

    /// The allocation artifact's value form, made and read by hand, is exactly the `Codable` one
    /// (window and real-time tables: the latter's options have holes; several cut lists, a front,
    /// trunk reports), so the artifact's bytes and keys are those of the coded form.
    func testTheHandMadeReportValueIsTheCodedOne() throws {
        for allocation in [#"{"budget_bits": 300000}"#, #"{"table": "real-time", "objectives": ["edp", "energy"]}"#] {
            let study = try study(maxCuts: 1, tileX: [1, 4], tileY: [1, 16], allocation: allocation)
            let (_, reports) = try run(study, on: MemoryStore())
            for report in reports {
                let coded = try ValueCoder.encode(report)
                XCTAssertEqual(try report.value, coded)
                XCTAssertEqual(try AllocationReport(value: coded).value, coded)
                XCTAssertEqual(try ValueCoder.encode(ValueCoder.decode(AllocationReport.self, from: coded)), coded)
                XCTAssertGreaterThan(report.perCutList.count, 1)
                XCTAssertFalse(report.front.isEmpty)
                XCTAssertFalse(report.trunks.isEmpty)
            }
            XCTAssertEqual(reports.first?.options.joined().contains { $0 == nil }, allocation.contains("real-time"))
        }
        XCTAssertThrowsError(try AllocationReport(value: ["budget": 1]))
    }

    /// model.md §6.6: 1 + 11 + 55 + 165 cut lists for the 12-layer stftCNN with M = 3, 1 + 7 + 21
    /// for the 8-layer seldnet with M = 2 (no weight cuts on Meta_prototype_DF).
    func testCutListCounts() throws {
        let (stft, core) = try Projects.network("stftcnn_1x")
        XCTAssertEqual(StudyRanges.cutLists(stft.fullSize(), core: core, userCuts: [], maxCuts: 3).count, 232)
        let (seld, core2) = try Projects.network("seldnet_oxoy_m")
        let lists = StudyRanges.cutLists(seld.fullSize(), core: core2, userCuts: [], maxCuts: 2)
        XCTAssertEqual(lists.count, 29)
        XCTAssertEqual(lists.prefix(3), [[], [0], [1]])
        // A user cut is in every list: 1 + 6 + 15 lists with up to two more cuts.
        XCTAssertEqual(StudyRanges.cutLists(seld.fullSize(), core: core2, userCuts: [3], maxCuts: 2).count, 22)
    }

    /// decisions.md D4: the largest on-chip memory serving I1 and O.
    func testDefaultBudget() throws {
        for (hardware, bits) in [("meta_prototype_df", 8_388_608), ("edge_tpu_like_df", 8_388_608),
                                 ("tesla_npu_like_df", 7_340_032)] {
            let core = try HardwareFormat.load(Projects.folder.appendingPathComponent("hardware/\(hardware).json").path)
            XCTAssertEqual(try StudyGraph.defaultBudget(core, file: hardware), bits, hardware)
        }
    }

    /// The allocation node on real trunk readings equals the reference's brute force over the same
    /// trunk reports, for every cut list and metric; seldnet 2 × 16 whole network is the reference's value
    /// (Reference/acco-seldnet-2x16.json).
    /// Tile 128 × 16 clips to 2 × 16 on every range, so each trunk has two equal options (ties).
    func testAllocationMatchesBruteForceOnSeldnet() throws {
        let s = try study(maxCuts: 1, tileX: [2, 128], tileY: [16, 1])
        let store = MemoryStore()
        let (_, reports) = try run(s, on: store)
        let report = try XCTUnwrap(reports.first)
        XCTAssertEqual(report.ranges.count, 15)
        XCTAssertEqual(report.cutLists.count, 8)
        XCTAssertEqual(report.budgetBits, 8_388_608)
        // The trunk reports, from the same cache.
        let (network, core) = try ProblemLoader.network(Projects.files(workload: "seldnet_oxoy_m",
            hardware: "meta_prototype_df"))
        let trunks = CausalTrunks(network: network)
        var graph = Graph()
        var nodes: [[NodeID]] = []
        for r in report.ranges {
            let trunk = try trunks.trunk(after: r.after, through: r.through)
            nodes.append(try report.tiles.map { tile in
                let (x, y) = trunk.clippedTile(tile.x, tile.y)
                return try StudyGraph.addTrunk(to: &graph, trunk: trunk,
                                               widths: try trunks.untransformed(after: r.after, through: r.through),
                                               core: core, mode: .fullyCached, tileX: x, tileY: y, lpf: 6,
                                               objective: .energy, networkEnd: r.through == nil || r.through == 7)
            })
        }
        let outcome = Executor(store: store).build(graph, targets: nodes.flatMap { $0 })
        XCTAssertEqual(outcome.log.count(.executed), 0, "the study computed every trunk already")
        let readings = try nodes.map { try $0.map { try TrunkTask.report(try XCTUnwrap(outcome.outputs[$0])) } }
        let whole = readings[0][report.tiles.firstIndex { $0 == (2, 16) } ?? -1]
        XCTAssertEqual([whole.readings.window.latency, whole.readings.window.energy], [4_269_199, 1_545_830_829])

        for metric in GlobalAllocation.Metric.allCases {
            var overall: (value: Double, cutList: Int, schedule: GlobalAllocation.Schedule)?
            for (c, cuts) in report.cutLists.enumerated() {
                let ranges = RangeEnumeration.ranges(of: cuts).map { r in report.ranges.firstIndex(of: r) ?? -1 }
                var best: GlobalAllocation.Schedule?
                // Reference order: options ranked by window latency (stable), last trunk fastest.
                let ranked = ranges.map { r in report.tiles.indices.sorted { (readings[r][$0].readings.window.latency,
                    $0) < (readings[r][$1].readings.window.latency, $1) } }
                func walk(_ i: Int, _ choice: [Int]) {
                    if i == ranges.count {
                        let chosen = zip(ranges, choice).map { readings[$0][$1] }
                        let peak = chosen.reduce(0) { $0 + $1.footprint.total.featureBits }
                        let on = peak < report.budgetBits
                        let w = chosen.map(\.readings.window)
                        let s = GlobalAllocation.Schedule(
                            choice: choice,
                            latency: w.reduce(0) { $0 + $1.latency - (on ? $1.offloadLatency + $1.reloadLatency : 0) },
                            energy: w.reduce(0) { $0 + $1.energy - (on ? $1.offloadEnergy + $1.reloadEnergy : 0) },
                            peakBits: peak, onChip: on)
                        if best.map({ s.precedes($0, by: metric) }) ?? true { best = s }
                        return
                    }
                    for t in ranked[i] { walk(i + 1, choice + [t]) }
                }
                walk(0, [])
                let b = try XCTUnwrap(best)
                XCTAssertEqual(report.perCutList[c][metric]?.schedule, b, "\(metric) cuts \(cuts)")
                let value = metric == .latency ? Double(b.latency) : metric == .energy ? Double(b.energy) : b.edp
                if overall.map({ value < $0.value }) ?? true { overall = (value, c, b) }
            }
            XCTAssertEqual(report.best[metric]?.cutList, overall?.cutList, "\(metric)")
            XCTAssertEqual(report.best[metric]?.schedule, overall?.schedule, "\(metric)")
        }
        // The whole network alone: only 2 × 16 and its clipped twin 128 × 16 (tie → the first) and 2 × 1, 128 × 1.
        let wholeBest = try XCTUnwrap(report.perCutList[0][.energy])
        XCTAssertEqual(report.tiles[wholeBest.schedule.choice[0]].x, 2)
        // The front is sorted by latency with falling energy.
        XCTAssertFalse(report.front.isEmpty)
        for (a, b) in zip(report.front, report.front.dropFirst()) {
            XCTAssertLessThan(a.schedule.latency, b.schedule.latency)
            XCTAssertGreaterThan(a.schedule.energy, b.schedule.energy)
        }
    }
}

/// What a rerun recomputes (issue 6, "Incrementality, shown"), on a one-range study: seldnet
/// whole network, tile 2 × 16. Sets are compared by node key, from the event log.
extension StudyTests {
    static func keys(_ log: EventLog, _ kinds: Set<EventKind> = [.executed, .hit, .cutoff]) -> Set<Digest> {
        Set(log.events.filter { kinds.contains($0.kind) }.compactMap(\.key))
    }

    static func executedOps(_ log: EventLog) -> [String: Int] {
        log.events.filter { $0.kind == .executed }.reduce(into: [:]) { $0[$1.op, default: 0] += 1 }
    }

    func testUnchangedRerunExecutesNothing() throws {
        let store = MemoryStore()
        let (cold, first) = try run(try study(), on: store)
        XCTAssertEqual(Self.executedOps(cold)["accomake.allocation"], 1)
        XCTAssertEqual(Self.executedOps(cold)["accomake.trunk"], 1)
        let (warm, second) = try run(try study(), on: store)
        XCTAssertEqual(warm.count(.executed), 0)
        XCTAssertEqual(Self.keys(warm), Self.keys(cold))
        XCTAssertEqual(second.first?.best[.energy], first.first?.best[.energy])
    }

    /// Step 3 settings reach only the allocation node.
    func testBudgetAndAllocationObjectiveRerunOnlyTheAllocation() throws {
        let store = MemoryStore()
        _ = try run(try study(), on: store)
        let (budget, _) = try run(try study(allocation: #"{"budget_bits": 1000}"#), on: store)
        XCTAssertEqual(Self.executedOps(budget), ["accomake.allocation": 1])
        let (objective, _) = try run(try study(allocation: #"{"objectives": ["energy"]}"#), on: store)
        XCTAssertEqual(Self.executedOps(objective), ["accomake.allocation": 1])
    }

    /// Changing one memory's read energy recomputes exactly the nodes whose inputs changed — the
    /// layer evaluations whose visible hierarchy holds that memory, and the stack, trunk and
    /// allocation above them — and reuses the other layer evaluations.
    func testOneReadEnergyRerunsOnlyWhatSeesTheMemory() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("accomake-study-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try String(contentsOfFile: "\(Self.projects)/hardware/meta_prototype_df.json", encoding: .utf8)
        let tweaked = original.replacingOccurrences(of: "\"r_cost\": 700,", with: "\"r_cost\": 710,")
        XCTAssertNotEqual(tweaked, original)
        let tweakedPath = folder.appendingPathComponent("meta_tweaked.json").path
        try tweaked.write(toFile: tweakedPath, atomically: true, encoding: .utf8)

        let store = MemoryStore()
        let (base, _) = try run(try study(), on: store)
        let (tweak, _) = try run(try study(hardware: tweakedPath), on: store)
        let (fresh, _) = try run(try study(hardware: tweakedPath), on: MemoryStore())
        XCTAssertEqual(Self.keys(tweak, [.executed]), Self.keys(fresh).subtracting(Self.keys(base)))
        let ran = Self.executedOps(tweak), all = Self.executedOps(fresh)
        XCTAssertEqual(ran["accomake.stack"], 1)
        XCTAssertEqual(ran["accomake.trunk"], 1)
        XCTAssertEqual(ran["accomake.allocation"], 1)
        XCTAssertGreaterThan(ran["accomake.layer-search"] ?? 0, 0)
        XCTAssertLessThan(ran["accomake.layer-search"] ?? 0, all["accomake.layer-search"] ?? 0)
    }

    /// engine.md G11: an input edited while a command runs is never recorded under the old
    /// content's key. The study, its shortcut key and its graph come from one snapshot of the
    /// input files, so a hardware file edited between loading the study and building the graph
    /// changes neither: the key still names exactly the bytes the graph was built from.
    func testShortcutKeyAndGraphComeFromOneReadOfTheInputs() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("accomake-g11-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try String(contentsOfFile: "\(Self.projects)/hardware/meta_prototype_df.json", encoding: .utf8)
        let hardware = folder.appendingPathComponent("hw.json").path
        try original.write(toFile: hardware, atomically: true, encoding: .utf8)
        let studyPath = folder.appendingPathComponent("study.json").path
        try """
            {"accelerators": [{"hardware": "hw.json", "mapping": "\(Self.projects)/mappings/meta_prototype_df.json"}],
             "workloads": [{"workload": "\(Self.projects)/workloads/seldnet_oxoy_m.json", "max_cuts": 0}],
             "sweep": {"tile_x": [2], "tile_y": [16]}, "allocation": {}}
            """.write(toFile: studyPath, atomically: true, encoding: .utf8)
        let executable = "/bin/sh"  // any file: the key stamps the executable's path, size and date
        let beforeEdit = try StudyGraph(try StudyFormat.load(studyPath))

        let inputs = InputSnapshot()
        let study = try inputs.reading { try StudyFormat.load(studyPath) }
        let key = try XCTUnwrap(inputs.reading { StudyShortcut.key(study, executable: executable) })
        try original.replacingOccurrences(of: "\"r_cost\": 700,", with: "\"r_cost\": 710,")
            .write(toFile: hardware, atomically: true, encoding: .utf8)  // edited mid-command
        let built = try inputs.reading { try StudyGraph(study) }

        XCTAssertEqual(inputs.reading { StudyShortcut.key(study, executable: executable) }, key)
        let stack = built.graph.id(try XCTUnwrap(built.names.firstIndex { $0.hasPrefix("stack") }))
        XCTAssertEqual(built.graph.params(of: stack), beforeEdit.graph.params(of: stack),
                       "built from the bytes the key names")
        // Outside the snapshot the edit is seen: another key and another graph.
        XCTAssertNotEqual(StudyShortcut.key(study, executable: executable), key)
        XCTAssertNotEqual(try StudyGraph(study).graph.params(of: stack), built.graph.params(of: stack))
    }

    /// A new tile size runs the new tile's stack and trunk (and the layer evaluations it does not
    /// share) and the allocation; nothing already cached runs again.
    func testAddingATileRunsOnlyTheNewTile() throws {
        let store = MemoryStore()
        let (base, _) = try run(try study(), on: store)
        let (more, reports) = try run(try study(tileY: [16, 8]), on: store)
        XCTAssertTrue(Self.keys(more, [.executed]).isDisjoint(with: Self.keys(base)))
        let ran = Self.executedOps(more)
        XCTAssertEqual(ran["accomake.stack"], 1)
        XCTAssertEqual(ran["accomake.trunk"], 1)
        XCTAssertEqual(ran["accomake.allocation"], 1)
        XCTAssertEqual(reports.first?.tiles.count, 2)
    }
}

/// Study files: paths relative to the study file, and one clear error per mistake.
extension StudyTests {
    func studyError(_ text: String, folder: String = "") -> InputError? {
        do {
            _ = try StudyFormat.decode(InputFile.parse(Array(text.utf8), file: "s.json"), folder: folder)
            return nil
        } catch { return error }
    }

    static let minimal = """
        {"accelerators": [{"hardware": "hardware/meta_prototype_df.json",
                           "mapping": "mappings/meta_prototype_df.json"}],
         "workloads": ["workloads/seldnet_oxoy_m.json"],
         "sweep": {"tile_x": [1, 2], "tile_y": [1]}}
        """

    /// Node names (for `status` and `explain`) stay unique when a study lists one workload twice:
    /// the second problem's nodes carry " #2"; with distinct problems no name is changed.
    func testNodeNamesStayUniqueWhenProblemsShareAName() throws {
        let text = """
            {"accelerators": [{"hardware": "\(Self.projects)/hardware/meta_prototype_df.json",
                               "mapping": "\(Self.projects)/mappings/meta_prototype_df.json"}],
             "workloads": [{"workload": "\(Self.projects)/workloads/seldnet_oxoy_m.json", "max_cuts": 0},
                           {"workload": "\(Self.projects)/workloads/seldnet_oxoy_m.json", "max_cuts": 0}],
             "sweep": {"tile_x": [2], "tile_y": [16]}}
            """
        let twice = try StudyGraph(StudyFormat.decode(InputFile.parse(Array(text.utf8), file: "s.json"), folder: ""))
        XCTAssertEqual(Set(twice.names).count, twice.names.count)
        XCTAssertEqual(twice.problemNames.count, 2)
        let second = twice.names.indices.filter { twice.problemOfNode[$0] == 1 }
        XCTAssertFalse(second.isEmpty)
        XCTAssertTrue(second.allSatisfy { twice.names[$0].hasSuffix(" #2") }, "\(second.map { twice.names[$0] })")
        let once = try StudyGraph(study())
        XCTAssertFalse(once.names.contains { $0.contains("#") })
    }

    func testRelativePathsResolveAgainstTheStudyFolder() throws {
        let s = try StudyFormat.decode(InputFile.parse(Array(Self.minimal.utf8), file: "s.json"), folder: Self.projects)
        XCTAssertEqual(s.accelerators[0].hardware, Self.projects + "/hardware/meta_prototype_df.json")
        XCTAssertEqual(s.workloads[0].path, Self.projects + "/workloads/seldnet_oxoy_m.json")
        XCTAssertEqual(s.workloads[0].maxCuts, 2)
        XCTAssertEqual(s.workloads[0].name, "seldnet_oxoy_m")
        XCTAssertEqual(s.tiles.map { [$0.x, $0.y] }, [[1, 1], [2, 1]])
        XCTAssertEqual(s.modes, [.fullyCached])
        XCTAssertEqual(s.objectives, [.energy])
        XCTAssertEqual(s.allocation.metrics, [.latency, .energy, .edp])
        XCTAssertNil(s.allocation.budgetBits)
        // The shipped studies load.
        for name in ["quickstart", "acco-camready", "sram-sweep", "onnx-resnet18"] {
            XCTAssertNoThrow(try StudyFormat.load(Self.projects + "/studies/\(name).json"), name)
        }
        let image = try StudyFormat.load(Self.projects + "/studies/onnx-resnet18.json")
        XCTAssertEqual(image.workloads.map(\.causal), [false])
        XCTAssertEqual(image.accelerators.map(\.name), ["Meta_prototype_DF", "edge_tpu_like"])
    }

    func testStudyMistakesNameTheFieldAndTheFix() throws {
        let missing = try XCTUnwrap(studyError(Self.minimal, folder: "/nowhere"))
        XCTAssertEqual(missing.path, "$.accelerators[0].hardware")
        XCTAssertEqual(missing.problem, "no file at /nowhere/hardware/meta_prototype_df.json")
        let unknown = try XCTUnwrap(studyError(Self.minimal.replacingOccurrences(of: "\"tile_y\"", with: "\"tile_yy\""),
                                               folder: Self.projects))
        XCTAssertEqual(unknown.path, "$.sweep.tile_yy")
        XCTAssertTrue(unknown.fix.hasPrefix("did you mean \"tile_y\"?"), unknown.fix)
        let negative = try XCTUnwrap(studyError(Self.minimal.replacingOccurrences(of: "[1, 2]", with: "[1, -2]"),
                                                folder: Self.projects))
        XCTAssertEqual(negative.path, "$.sweep.tile_x[1]")
        XCTAssertEqual(negative.problem, "tile size -2 is not positive")
        let twice = try XCTUnwrap(studyError(Self.minimal.replacingOccurrences(of: "[1, 2]", with: "[2, 2]"),
                                             folder: Self.projects))
        XCTAssertEqual(twice.problem, "2 is listed twice")
        let realTime = try XCTUnwrap(studyError(Self.minimal.replacingOccurrences(of: "\"tile_y\": [1]",
            with: "\"tile_y\": [4]")
            .replacingOccurrences(of: "}}", with: "}, \"allocation\": {\"table\": \"real-time\"}}"),
            folder: Self.projects))
        XCTAssertEqual(realTime.path, "$.sweep.tile_y")
        let metric = try XCTUnwrap(studyError(Self.minimal.replacingOccurrences(of: "}}",
            with: "}, \"allocation\": {\"objectives\": [\"power\"]}}"),
                                              folder: Self.projects))
        XCTAssertEqual(metric.path, "$.allocation.objectives[0]")
        XCTAssertEqual(metric.fix, "use latency, energy or edp")
        let mode = try XCTUnwrap(studyError(Self.minimal.replacingOccurrences(of: "\"tile_y\": [1]",
            with: "\"tile_y\": [1], \"modes\": [\"cached\"]"),
                                            folder: Self.projects))
        XCTAssertEqual(mode.path, "$.sweep.modes[0]")
        let syntax = try XCTUnwrap(studyError(Self.minimal.replacingOccurrences(of: "]}}", with: "],}}"),
                                              folder: Self.projects))
        XCTAssertEqual(syntax.path, "$")
    }

    /// A user cut that names no layer is an error naming the study's field.
    func testUnknownUserCut() throws {
        let text = Self.minimal.replacingOccurrences(of: "\"workloads\": [\"workloads/seldnet_oxoy_m.json\"]",
                                                     with: "\"workloads\": [{\"workload\": "
                                                         + "\"workloads/seldnet_oxoy_m.json\", \"cuts\": [42]}]")
        let s = try StudyFormat.decode(InputFile.parse(Array(text.utf8), file: "s.json"), folder: Self.projects)
        XCTAssertThrowsError(try StudyGraph(s)) { error in
            let e = error as? InputError
            XCTAssertEqual(e?.path, "$.workloads[0].cuts")
            XCTAssertEqual(e?.problem, "\(Self.projects)/workloads/seldnet_oxoy_m.json has no layer 42")
        }
    }
}

/// `accomake report`'s files, checked by their content (no browser on CI: the SVG elements a
/// browser would draw are counted instead).
extension StudyTests {
    /// Issue 11 #18: CSV fields with line breaks are quoted; formulas are neutralised.
    func testCSVFieldsAreQuotedAndFormulasNeutralised() {
        XCTAssertEqual(StudyReport.csvField("plain"), "plain")
        XCTAssertEqual(StudyReport.csvField("a,b"), "\"a,b\"")
        XCTAssertEqual(StudyReport.csvField("say \"hi\""), "\"say \"\"hi\"\"\"")
        XCTAssertEqual(StudyReport.csvField("two\nlines"), "\"two\nlines\"")
        XCTAssertEqual(StudyReport.csvField("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"")
        XCTAssertEqual(StudyReport.csvField("+cmd"), "'+cmd")
        XCTAssertEqual(StudyReport.csvField("@SUM(A1)"), "'@SUM(A1)")
        XCTAssertEqual(StudyReport.csvField("-2+3"), "'-2+3")
        XCTAssertEqual(StudyReport.csvField("-1.5"), "-1.5", "a number is not a formula")
    }

    func testReportFiles() throws {
        let s = try study(maxCuts: 1)
        let (_, reports) = try run(s, on: MemoryStore())
        let r = try XCTUnwrap(reports.first)
        var answer = StudyReport.Answer(hardware: "Meta_prototype_DF", workload: "seldnet_oxoy_m",
                                        mode: .fullyCached, objective: .energy, report: r)
        answer.layers = Dictionary(uniqueKeysWithValues: (0...7).map { ($0, $0 % 2 == 0 ? "Conv" : "Pooling") })
        let report = StudyReport(studyFile: "study.json", metrics: s.allocation.metrics, answers: [answer])
        // CSV: a header, then per metric one line per cut list, ranked; rank 1 is the best schedule.
        let lines = report.csv().split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 1 + 3 * r.cutLists.count)
        XCTAssertEqual(lines[0],
                       "hardware,workload,mode,mapping_objective,metric,rank,cuts,tiles,"
                           + "latency_cycles,energy_pj,edp,peak_bits,on_chip")
        let best = try XCTUnwrap(r.best[.latency])
        let cuts = r.cutLists[best.cutList].map(String.init).joined(separator: " ")
        XCTAssertEqual(lines[1],
                       "Meta_prototype_DF,seldnet_oxoy_m,fully-cached,energy,latency,1,\(cuts),"
                           + "\(best.schedule.choice.map { _ in "2x16" }.joined(separator: " ")),"
                           + "\(best.schedule.latency),\(best.schedule.energy),"
                           + "\(StudyReport.number(best.schedule.edp)),"
                           + "\(best.schedule.peakBits),\(best.schedule.onChip)")
        // HTML: self-contained, four charts; one circle per distinct optimal point plus one per front point.
        let html = report.html()
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("src=") || html.contains("href=") || html.contains("@import"),
                       "nothing is fetched")
        XCTAssertEqual(html.components(separatedBy: "<svg ").count - 1, 8)
        for chart in ["scatter", "baselines", "trunks", "tiles", "per-layer", "energy-breakdown", "footprint",
                      "warmup-stable"] {
            XCTAssertTrue(html.contains("data-chart=\"\(chart)\""), chart)
        }
        let distinct = Set(r.perCutList.flatMap { $0.values.map { [$0.schedule.latency, $0.schedule.energy] } })
        XCTAssertEqual(html.components(separatedBy: "<circle data-series=\"schedule\"").count - 1, distinct.count)
        XCTAssertEqual(html.components(separatedBy: "<circle data-series=\"front\"").count - 1, r.front.count)
        XCTAssertEqual(html.components(separatedBy: "<polyline").count - 1, r.front.count > 1 ? 1 : 0,
                       "the front's line, when it has two points or more")
        XCTAssertEqual(html.components(separatedBy: "<line data-marker=\"budget").count - 1, 1)
        // The per-layer chart has one energy bar per layer key of the chosen schedule (the
        // warm-up chart two more), each with its tooltip.
        let chosen = try XCTUnwrap(ScheduleSummary(r, best))
        XCTAssertEqual(html.components(separatedBy: "<rect data-series=\"energy\"").count - 1,
                       chosen.trunks.reduce(0) { $0 + $1.perKey.count } + 2)
        // The energy breakdown's warm-up parts add up to the warm-up row, net of the on-chip
        // discount when the schedule has it (ACCO truncates per key: < 1 pJ per key below the parts).
        let parts = chosen.trunks.flatMap { $0.energy.warmup.net(onChip: best.schedule.onChip) }.reduce(0, +)
        let keys = chosen.trunks.reduce(0) { $0 + $1.perKey.count }
        XCTAssertGreaterThanOrEqual(parts, Double(chosen.warmupEnergy) - 1e-6 * parts)
        XCTAssertLessThan(parts, Double(chosen.warmupEnergy + keys))
        for element in html.components(separatedBy: "data-series=\"").dropFirst() {
            XCTAssertTrue(element.prefix(400).contains("<title>"), "a point or bar without a tooltip")
        }
        // Issue 15: real axes — every chart has more than two tick labels per axis; the scatter's
        // are nice numbers in scaled units (energy in µJ for these hundreds of millions of pJ).
        let charts = report.charts()
        XCTAssertEqual(charts.map(\.file), ["answer-0-schedules.svg", "answer-0-baselines.svg", "answer-0-trunks.svg",
                                            "answer-0-tiles.svg", "answer-0-per-layer.svg",
                                            "answer-0-energy-breakdown.svg", "answer-0-footprint.svg",
                                            "answer-0-warmup-stable.svg"])
        // The tile map: a cell per tile of the sweep for the whole network and for each trunk.
        XCTAssertEqual(charts[3].svg.components(separatedBy: "<rect data-series=\"cell\"").count - 1,
                       2 * (1 + chosen.trunks.count) * r.tiles.count)
        // The baselines: a row per baseline in the table and the chart, ACCO marked at 1.
        XCTAssertEqual(charts[1].svg.components(separatedBy: "<line data-marker=\"ACCO\"").count - 1, 3)
        for kind in Baseline.Kind.allCases { XCTAssertTrue(html.contains("<td class=\"l\">\(kind.rawValue)</td>")) }
        // The trunk diagram: one box per layer, in the trunk whose range holds it.
        let trunksChart = charts[2].svg
        for layer in 0...7 {
            let n = chosen.trunks.firstIndex { t in (t.range.after.map { layer > $0 } ?? true)
                && (t.range.through.map { layer <= $0 } ?? true) }.map { $0 + 1 } ?? 0
            XCTAssertTrue(trunksChart.contains("<rect data-series=\"trunk-\(n)\""), "layer \(layer) in trunk \(n)")
        }
        XCTAssertEqual(trunksChart.components(separatedBy: "<rect data-series=\"trunk-").count - 1, 8)
        for (file, svg) in charts where !["answer-0-trunks.svg", "answer-0-tiles.svg"].contains(file) {
            XCTAssertTrue(html.contains(svg), "\(file) is the page's chart")
            XCTAssertGreaterThan(svg.components(separatedBy: "class=\"tick\"").count - 1, 2, file)
        }
        XCTAssertTrue(charts[0].svg.contains(">energy (µJ)</text>"), charts[0].svg)
        XCTAssertTrue(charts[0].svg.contains(">latency (k cycles)</text>"), charts[0].svg)
    }
}

/// The real-time table (model.md §6.6): only tiles one frame tall, stable rows and stable footprints.
extension StudyTests {
    func testRealTimeTableReadsStableRowsOfOneFrameTiles() throws {
        let s = try study(tileX: [2], tileY: [16, 1],
                          allocation: #"{"table": "real-time", "frame_period_cycles": 100000}"#)
        let store = MemoryStore()
        let (_, reports) = try run(s, on: store)
        let r = try XCTUnwrap(reports.first)
        XCTAssertEqual(r.table, .realTime)
        let best = try XCTUnwrap(r.best[.energy])
        XCTAssertEqual(best.schedule.choice, [1], "only 2 × 1 is one frame tall")
        let trunk = try XCTUnwrap(r.trunks[AllocationReport.Slot(range: 0, tile: 1)])
        XCTAssertEqual(best.schedule.energy, trunk.readings.stable.energy)
        XCTAssertEqual(best.schedule.latency, trunk.readings.stable.latency)
        XCTAssertEqual(best.schedule.peakBits, trunk.footprint.stable.featureBits)
        let summary = try XCTUnwrap(ScheduleSummary(r, best))
        XCTAssertEqual(summary.stableFrameLatency, Double(trunk.readings.stable.latency), "one frame per stable row")
        XCTAssertEqual(summary.meets(framePeriodCycles: trunk.readings.stable.latency), true)
        XCTAssertEqual(summary.meets(framePeriodCycles: trunk.readings.stable.latency - 1), false)
    }
}

extension StudyTests {
    /// A new model version (every operator's version bumped) recomputes every node, static and
    /// requested, and gives the same answers.
    func testNewModelVersionRerunsEverything() throws {
        let built = try StudyGraph(try study())
        let store = MemoryStore()
        let first = Executor(store: store).build(built.graph, targets: built.allocationNodes)
        let bumped = Executor(store: store).build(built.graph.bumpingVersions(by: 1), targets: built.allocationNodes)
        XCTAssertEqual(bumped.log.count(.hit) + bumped.log.count(.cutoff), 0)
        XCTAssertEqual(bumped.log.count(.executed), first.log.count(.executed))
        XCTAssertGreaterThan(Self.executedOps(bumped.log)["accomake.layer-search"] ?? 0, 0)
        XCTAssertEqual(try AllocationTask.report(try XCTUnwrap(bumped.outputs[built.allocationNodes[0]])).best[.energy],
                       try AllocationTask.report(try XCTUnwrap(first.outputs[built.allocationNodes[0]])).best[.energy])
    }
}
