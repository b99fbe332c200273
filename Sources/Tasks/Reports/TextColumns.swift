/// Fixed-width columns for the terminal tables.
public enum TextColumns {
    /// `s` padded on the right to `n` characters (left-aligned).
    public static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ",
        count: n - s.count) }
    /// `s` padded on the left to `n` characters (right-aligned).
    public static func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ",
        count: n - s.count) + s }

    /// `s` in at most `width` characters: a longer list is cut after its last whole item that
    /// fits, and ends in "…".
    public static func shorten(_ s: String, _ width: Int) -> String {
        guard s.count > width else { return s }
        let head = s.prefix(width - 1)
        let cut = head.lastIndex(of: ",").map { head[..<$0] } ?? head
        return cut + "…"
    }

    /// "1 node", "3 nodes": a count with its noun in agreement (`plural` when not noun + "s").
    public static func count(_ n: Int, _ noun: String, plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? noun : plural ?? noun + "s")
    }
}
