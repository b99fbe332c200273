import Foundation
import Graph
@testable import Tasks
import XCTest

/// Issue 13: hardware axes in a study — variants, their names, their checks, and what a sweep
/// computes compared with its variants run one by one.
final class HardwareAxesTests: XCTestCase {
    static let projects = Projects.folder.path
    static let hardware = "\(projects)/hardware/meta_prototype_df.json"
    static let mapping = "\(projects)/mappings/meta_prototype_df.json"

    /// A seldnet study on Meta_prototype_DF whose accelerator entry carries `axes` (JSON text of
    /// the fields after hardware and mapping), one 2 × 16 tile, no cuts.
    func study(_ axes: String, accelerators extra: String = "") throws -> Study {
        let text = """
            {"accelerators": [{"hardware": "\(Self.hardware)", "mapping": "\(Self.mapping)"\(axes)}\(extra)],
             "workloads": [{"workload": "\(Self.projects)/workloads/seldnet_oxoy_m.json", "max_cuts": 0}],
             "sweep": {"tile_x": [2], "tile_y": [16]}}
            """
        return try StudyFormat.decode(InputFile.parse(Array(text.utf8), file: "sweep.json"), folder: "")
    }

    /// The error reading the study gives; no error fails the test.
    func error(_ axes: String, accelerators extra: String = "", line: UInt = #line) throws -> InputError {
        struct Accepted: Error {}
        do {
            _ = try study(axes, accelerators: extra)
        } catch let e as InputError {
            return e
        }
        XCTFail("the study was accepted", line: line)
        throw Accepted()
    }

    /// The product of two axes, first axis outermost; each variant named by its values (sizes in
    /// bytes), and its hardware read with the values in place.
    func testAxesMakeOneNamedVariantPerCombination() throws {
        let s = try study(#", "axes": {"memories.sram_1MB_A.size": [2097152, 33554432], "#
                          + #""memories.dram.r_cost": [700, 350]}"#)
        XCTAssertEqual(s.accelerators.map { $0.variant?.name }, [
            "Meta_prototype_DF[sram_1MB_A.size=256KiB,dram.r_cost=700]",
            "Meta_prototype_DF[sram_1MB_A.size=256KiB,dram.r_cost=350]",
            "Meta_prototype_DF[sram_1MB_A.size=4MiB,dram.r_cost=700]",
            "Meta_prototype_DF[sram_1MB_A.size=4MiB,dram.r_cost=350]",
        ])
        let core = try s.accelerators[1].files(workload: "").core()
        XCTAssertEqual(core.name, "Meta_prototype_DF[sram_1MB_A.size=256KiB,dram.r_cost=350]")
        XCTAssertEqual(core.memories.first { $0.name == "sram_1MB_A" }?.size, 2_097_152)
        XCTAssertEqual(core.memories.first { $0.name == "dram" }?.readCost, 350)
        XCTAssertEqual(core.memories.first { $0.name == "dram" }?.writeCost, 750, "other fields as in the file")
    }

    /// `"combine": "zip"` pairs the i-th values; a mapping axis edits the mapping entry by name.
    func testZippedAxesAndAMappingAxis() throws {
        let s = try study(#", "combine": "zip", "axes": {"operational_array.sizes": [[32, 2, 4, 4], [16, 4, 4, 4]], "#
                          + #""mapping.default.spatial_mapping.D1": [["K, 32"], ["K, 16"]], "#
                          + #""mapping.default.spatial_mapping.D2": [["C, 2"], ["C, 4"]]}"#)
        XCTAssertEqual(s.accelerators.map { $0.variant?.name }, [
            #"Meta_prototype_DF[sizes=[32,2,4,4],default.spatial_mapping.D1=["K,32"],"#
                + #"default.spatial_mapping.D2=["C,2"]]"#,
            #"Meta_prototype_DF[sizes=[16,4,4,4],default.spatial_mapping.D1=["K,16"],"#
                + #"default.spatial_mapping.D2=["C,4"]]"#,
        ])
        let files = s.accelerators[1].files(workload: "\(Self.projects)/workloads/seldnet_oxoy_m.json")
        XCTAssertEqual(try files.core().arrayDims.map(\.size), [16, 4, 4, 4])
        let entry = try XCTUnwrap(try files.mappingEntries().first { $0.name == "default" })
        XCTAssertEqual(entry.spatialMapping.map { "\($0.arrayDim) \($0.loopDim) \($0.unroll)" }.prefix(2),
                       ["D1 K 16", "D2 C 4"])
    }

    /// A value the hardware reader refuses names the study, the axis, the value and the variant;
    /// so do a field the file does not have, zipped axes of different lengths, and two
    /// accelerators with one name.
    func testBadAxesAreRefusedNamingTheStudyAndTheVariant() throws {
        let negative = try error(#", "axes": {"memories.sram_1MB_A.size": [8388608, -8]}"#)
        XCTAssertEqual(negative.file, "sweep.json")
        XCTAssertEqual(negative.path, "$.accelerators[0].axes.memories.sram_1MB_A.size")
        XCTAssertTrue(negative.problem.hasPrefix("value -8 makes Meta_prototype_DF[sram_1MB_A.size=-8] unreadable: "
                                                 + "\(Self.hardware) $.memories.sram_1MB_A.size: "), negative.problem)
        let missing = try error(#", "axes": {"memories.sram_9MB.size": [8]}"#)
        XCTAssertEqual(missing.path, "$.accelerators[0].axes.memories.sram_9MB.size")
        XCTAssertTrue(missing.problem.hasSuffix("no field \"sram_9MB\" for Meta_prototype_DF[sram_9MB.size=8]"),
                      missing.problem)
        let zipped = try error(#", "combine": "zip", "#
                               + #""axes": {"memories.dram.r_cost": [1, 2], "memories.dram.w_cost": [3]}"#)
        XCTAssertEqual(zipped.problem, "zipped axes of different lengths (memories.dram.r_cost has 2, "
                                       + "memories.dram.w_cost has 1)")
        let twice = try error("", accelerators: #", {"hardware": "\#(Self.hardware)", "mapping": "\#(Self.mapping)"}"#)
        XCTAssertEqual(twice.problem, "$.accelerators[0] and $.accelerators[1] are both named Meta_prototype_DF")
    }

    /// The keys of the nodes a run of the study executes on `store` (a fresh one by default).
    func executed(_ s: Study, on store: MemoryStore = MemoryStore()) throws -> [Digest] {
        let built = try StudyGraph(s)
        let outcome = Executor(store: store, options: BuildOptions(jobs: 2)).build(built.graph,
                                                                                 targets: built.allocationNodes)
        XCTAssertTrue(outcome.succeeded, "\(outcome.failures)")
        return outcome.log.events.filter { $0.kind == .executed }.compactMap(\.key)
    }

    /// A sweep computes exactly the union of what its variants compute alone, each node once:
    /// variants share every node a changed value does not reach.
    func testASweepComputesTheUnionOfItsVariantsAlone() throws {
        let values = [8388608, 33554432]
        var alone = Set<Digest>()
        var sumAlone = 0
        for v in values {
            let keys = try executed(try study(#", "axes": {"memories.sram_1MB_A.size": [\#(v)]}"#))
            alone.formUnion(keys)
            sumAlone += keys.count
        }
        let sweep = try executed(try study(#", "axes": {"memories.sram_1MB_A.size": [8388608, 33554432]}"#))
        XCTAssertEqual(sweep.count, Set(sweep).count, "each node once")
        XCTAssertEqual(Set(sweep), alone)
        XCTAssertLessThan(sweep.count, sumAlone, "the variants share nodes")
    }

    /// One more value on an axis computes only what the new variant needs and no earlier
    /// variant computed; a new allocation budget computes only the allocation nodes, one per
    /// variant.
    func testANewValueComputesOnlyTheNewVariantsOwnNodes() throws {
        let store = MemoryStore()
        let before = Set(try executed(try study(#", "axes": {"memories.dram.r_cost": [700, 350]}"#), on: store))
        let newAlone = Set(try executed(try study(#", "axes": {"memories.dram.r_cost": [175]}"#)))
        let grown = try executed(try study(#", "axes": {"memories.dram.r_cost": [700, 350, 175]}"#), on: store)
        XCTAssertEqual(Set(grown), newAlone.subtracting(before))
        XCTAssertFalse(grown.isEmpty)

        let budget = #", "axes": {"memories.dram.r_cost": [700, 350, 175]}"#
        var rebudgeted = try study(budget)
        rebudgeted.allocation.budgetBits = 4_194_304
        let built = try StudyGraph(rebudgeted)
        let outcome = Executor(store: store, options: BuildOptions(jobs: 2)).build(built.graph,
                                                                                 targets: built.allocationNodes)
        XCTAssertEqual(Set(outcome.log.events.filter { $0.kind == .executed }.map(\.op)), [AllocationTask.operator.id])
        XCTAssertEqual(outcome.log.count(.executed), 3, "one allocation node per variant")
    }

    /// The study run on a fresh memory store: each problem and its allocation report.
    func answers(_ s: Study) throws -> [(StudyGraph.Problem, AllocationReport)] {
        let built = try StudyGraph(s)
        let outcome = Executor(store: MemoryStore(), options: BuildOptions(jobs: 2)).build(built.graph,
                                                                                         targets: built.allocationNodes)
        return try zip(built.problems, built.allocationNodes).map { p, node in
            (p, try AllocationTask.report(try XCTUnwrap(outcome.outputs[node])))
        }
    }

    /// schedules.csv of a sweep: the file's own name, the variant and one column per axis.
    func testTheCSVNamesTheVariantAndItsAxisValues() throws {
        let s = try study(#", "axes": {"memories.sram_1MB_A.size": [8388608, 33554432]}"#)
        let answers = try self.answers(s)
        let lines = StudyView(study: s, answers: answers).report.csv().split(separator: "\n")
        XCTAssertEqual(lines[0], "hardware,variant,memories.sram_1MB_A.size,workload,mode,mapping_objective,metric,"
                                 + "rank,cuts,tiles,latency_cycles,energy_pj,edp,peak_bits,on_chip")
        XCTAssertTrue(lines[1].hasPrefix("Meta_prototype_DF,Meta_prototype_DF[sram_1MB_A.size=1MiB],1MiB,"
                                         + "seldnet_oxoy_m,fully-cached,energy,latency,1,,2x16,4269199,1545830829,"),
                      String(lines[1]))
        let large = "Meta_prototype_DF,Meta_prototype_DF[sram_1MB_A.size=4MiB],4MiB,"
        XCTAssertTrue(lines.contains { $0.hasPrefix(large) })
    }

    /// The variants side by side: a row per variant with its best schedules, and the front on
    /// energy, latency and on-chip capacity over both variants' fronts: every point of it beaten
    /// by no candidate, every candidate left out beaten by one of it.
    func testTheComparisonRowsAndTheCrossVariantFront() throws {
        let s = try study(#", "axes": {"memories.dram.r_cost": [700, 350]}"#)
        let answers = try self.answers(s)
        let comparison = VariantComparison(study: s, answers: answers)
        let group = try XCTUnwrap(comparison.groups.first)
        XCTAssertEqual(comparison.groups.count, 1)
        XCTAssertEqual(comparison.differingAxes(group), ["memories.dram.r_cost"])
        // Every memory but the DRAM, each instance counted: rf_1B (8 bits, spans D3 and D4: one per
        // D1 × D2 = 64), rf_2B (16 bits, spans D2: one per D1 × D3 × D4 = 512), sram_32KB,
        // sram_1MB_W, sram_64KB and sram_1MB_A (span the whole array: one each).
        XCTAssertEqual(comparison.cost(answers[0].0).onChipBits, 8 * 64 + 16 * 512 + 262_144 + 8_388_608 + 524_288
                                                                   + 8_388_608)
        XCTAssertNil(comparison.cost(answers[0].0).area, "the shipped file declares no memory area")
        let candidates = answers.flatMap { _, r in r.front.map { ($0.schedule.latency, $0.schedule.energy) } }
        let front = comparison.front(group).map { ($0.latency, $0.energy) }
        func beats(_ q: (Int, Int), _ p: (Int, Int)) -> Bool { q.0 <= p.0 && q.1 <= p.1 && q != p }
        for p in front { XCTAssertFalse(candidates.contains { beats($0, p) }, "\(p) is beaten") }
        for c in candidates where !front.contains(where: { $0 == c }) {
            XCTAssertTrue(front.contains { beats($0, c) }, "\(c) is left out but not beaten")
        }
        XCTAssertEqual(front.map(\.1).min(), candidates.map(\.1).min())
        XCTAssertEqual(front.map(\.0), front.map(\.0).sorted())
        let text = comparison.text().joined(separator: "\n")
        XCTAssertTrue(text.contains("Variants compared · seldnet_oxoy_m · fully-cached · mapping objective energy"),
                      text)
        XCTAssertTrue(text.contains("Pareto front across the variants (energy, latency, on-chip bits): "
                                    + "\(front.count) point"), text)
        // Issue 15: the terminal output fits 120 columns (long names and lists wrap or shorten).
        let terminal = StudyView(study: s, answers: answers).text()
        XCTAssertEqual(terminal.split(separator: "\n").filter { $0.count > 120 }, [], terminal)
        // report.html: the variants' section, a dot per distinct point of the variants' fronts, the
        // front across them ringed, numbered and listed.
        let html = StudyView(study: s, answers: answers).report.html()
        let section = try XCTUnwrap(html.range(of: "<section id=\"variants-0\">"))
        let part = html[section.upperBound...]
        XCTAssertTrue(part.contains("data-chart=\"variants\""))
        XCTAssertEqual(part.components(separatedBy: "fill-opacity").count - 1,
                       Set(candidates.map { [$0.0, $0.1] }).count)
        XCTAssertEqual(part.components(separatedBy: "<circle data-series=\"variant-front\"").count - 1, front.count)
        XCTAssertEqual(part.components(separatedBy: "<li>").count - 1, front.count)
        for name in answers.map(\.0.core.name) { XCTAssertTrue(part.contains(name), name) }
    }

    /// How `run --watch` writes a best schedule's move: the issue's own example, an unchanged
    /// value, and grouping without the machine's locale.
    func testAMoveIsWrittenWithItsUnitAndSignedPercentage() {
        XCTAssertEqual(ScheduleMoves.move(388_622_292, 371_004_112, "pJ"), "388,622,292 → 371,004,112 pJ (−4.5 %)")
        XCTAssertEqual(ScheduleMoves.move(3_442_363, 3_495_845, "cycles"), "3,442,363 → 3,495,845 cycles (+1.6 %)")
        XCTAssertEqual(ScheduleMoves.move(3_442_363, 3_442_363, "cycles"), "3,442,363 cycles (unchanged)")
        XCTAssertEqual([0, 999, 1000, -1234, 1_000_000].map(ScheduleMoves.grouped), ["0", "999", "1,000", "-1,234",
                                                                                   "1,000,000"])
    }

    /// Area is a cost, not a model input: a sweep over a memory's area alone computes the nodes
    /// of one variant, and the front keeps only the smaller area (same energy, latency and
    /// capacity). Σ area = sram_1MB_A's area (one instance) + 1,024 MAC units × multiplier_area 1.
    func testAnAreaAxisChangesOnlyTheCostAndItsFront() throws {
        let s = try study(#", "axes": {"memories.sram_1MB_A.area": [10, 2.5]}"#)
        XCTAssertEqual(s.accelerators.map { $0.cost?.area }, [1034, 1026.5])
        let one = try study(#", "axes": {"memories.sram_1MB_A.area": [10]}"#)
        XCTAssertEqual(Set(try executed(s)), Set(try executed(one)))
        let comparison = VariantComparison(study: s, answers: try answers(s))
        let group = try XCTUnwrap(comparison.groups.first)
        let front = comparison.front(group)
        XCTAssertFalse(front.isEmpty)
        XCTAssertEqual(Set(front.map(\.variant)), ["Meta_prototype_DF[sram_1MB_A.area=2.5]"])
        XCTAssertTrue(comparison.text().contains { $0.contains("(energy, latency, on-chip bits, area)") })
    }
}
