/// Fixed-width columns for the terminal tables.
public enum TextColumns {
    /// `s` padded on the right to `n` characters (left-aligned).
    public static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ",
        count: n - s.count) }
    /// `s` padded on the left to `n` characters (right-aligned).
    public static func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ",
        count: n - s.count) + s }
}
