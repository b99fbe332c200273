/// Fixed-width columns for the terminal tables.
public enum TextColumns {
    /// `s` padded on the right to `n` characters (left-aligned).
    public static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ",
        count: n - s.count) }
    /// `s` padded on the left to `n` characters (right-aligned).
    public static func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ",
        count: n - s.count) + s }

    /// "1 node", "3 nodes": a count with its noun in agreement (`plural` when not noun + "s").
    public static func count(_ n: Int, _ noun: String, plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? noun : plural ?? noun + "s")
    }
}
