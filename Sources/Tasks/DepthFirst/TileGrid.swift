/// One tile of a trunk's output (model.md §5.2).
struct Tile: Equatable {
    var x0: Int, y0: Int
    var width: Int, height: Int
    var column: Int, row: Int
    var lastColumn: Bool, lastRow: Bool
    var firstColumn: Bool { column == 0 }
    var firstRow: Bool { row == 0 }
}

/// The tiles of a `totalX × totalY` output, row-major; the first column and row take the
/// leftover sizes (partial tiles sit at the top-left).
enum TileGrid {
    static func tiles(totalX: Int, totalY: Int, tileX: Int, tileY: Int) -> [Tile] {
        let tileX = min(tileX, totalX), tileY = min(tileY, totalY)  // decisions.md D5: clipped
        let firstX = totalX % tileX == 0 ? tileX : totalX % tileX
        let firstY = totalY % tileY == 0 ? tileY : totalY % tileY
        func starts(_ total: Int, _ first: Int, _ step: Int) -> [(Int, Int)] {
            var out = [(0, first)]
            var x = first
            while x < total { out.append((x, step)); x += step }
            return out
        }
        let xs = starts(totalX, firstX, tileX), ys = starts(totalY, firstY, tileY)
        var tiles: [Tile] = []
        for (r, (y0, h)) in ys.enumerated() {
            for (c, (x0, w)) in xs.enumerated() {
                tiles.append(Tile(x0: x0, y0: y0, width: w, height: h, column: c, row: r,
                                  lastColumn: x0 + tileX >= totalX, lastRow: y0 + tileY >= totalY))
            }
        }
        return tiles
    }
}

extension Network {
    /// The tile clipped to the output extent (decisions.md D5: an oversized tile equals the extent).
    public func clippedTile(_ x: Int, _ y: Int) -> (Int, Int) {
        guard let out = outputNode else { return (x, y) }
        return (min(x, out.size("OX")), min(y, out.size("OY")))
    }
}
