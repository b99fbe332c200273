import Foundation
import Tasks

/// `accomake footprint --hardware F --workload F --mapping F --tile XxY [--max-cuts N] [--cuts A,B]
///  [--initial-dilation D] [--frames N] [--json]`
///
/// Per range (in the reference's enumeration order): the peak feature bits (live data plus H and V
/// caches) and weight bits over all tiles, the warm-up row and the stable rows — the quantities
/// of ACCO's `*_cache.log` files.
enum FootprintCommand {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        // `--cache` is accepted as on every command; footprints are computed directly (milliseconds), not cached.
        let a = try Arguments(args, help: .named("footprint"))
        let files = try a.problemFiles("footprint")
        let (tileX, tileY) = try a.tile()
        let maxCuts = try a.int("max-cuts", default: 2, range: 0...64)
        let userCuts = try StackCommand.cuts(a.value("cuts"))
        let (_, trunks, ranges) = try CausalOptions(a).load(files, userCuts: userCuts, maxCuts: maxCuts)
        var rows: [(LayerRange, Footprint)] = []
        for r in ranges {
            rows.append((r, Footprint(trunk: try trunks.trunk(after: r.after, through: r.through),
                                      fullSize: trunks.fullSize, tileX: tileX, tileY: tileY)))
        }
        if a.flag("json") {
            func peak(_ p: Footprint.Peak) -> JSONText { .object([("peak_bits", .int(p.featureBits)),
                                                                  ("weight_bits", .int(p.weightBits))]) }
            print(JSONText.object([
                ("tile", .array([.int(tileX), .int(tileY)])), ("max_cuts", .int(maxCuts)),
                ("ranges", .array(rows.map { r, f in
                    .object([("cut_before", r.after.map { .int($0) } ?? .null),
                             ("cut_after", r.through.map { .int($0) } ?? .null),
                             ("total", peak(f.total)), ("warmup", peak(f.warmup)), ("stable", peak(f.stable))])
                })),
            ]).rendered())
            return 0
        }
        print("footprint: \(files.workload), tile \(tileX)×\(tileY), \(TextColumns.count(rows.count, "range")) "
            + "(max cuts \(maxCuts)); bits (MiB = bits / 8 / 2^20)")
        print("  range            total peak   warm-up peak    stable peak    weights")
        for (r, f) in rows {
            print("  " + TextColumns.pad(r.description, 15) + TextColumns.lpad(String(f.total.featureBits), 12) + "  "
                  + TextColumns.lpad(String(f.warmup.featureBits),
                                     13) + "  " + TextColumns.lpad(String(f.stable.featureBits), 13)
                  + "  " + TextColumns.lpad(String(f.total.weightBits), 9))
        }
        return 0
    }
}
