/// The reference's rounding rules (model.md §4.7). Python 3 `round` is half-to-even;
/// Swift's plain `.rounded()` is half-away-from-zero and must not be used for model numbers.
enum Numerics {
    @inline(__always)
    static func round(_ x: Double) -> Double { x.rounded(.toNearestOrEven) }

    @inline(__always)
    static func roundInt(_ x: Double) -> Int { Int(x.rounded(.toNearestOrEven)) }

    /// Truncation toward zero.
    @inline(__always)
    static func trunc(_ x: Double) -> Int { Int(x) }

    @inline(__always)
    static func ceilInt(_ x: Double) -> Int { Int(x.rounded(.up)) }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (abs(a), abs(b))
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    /// Number of distinct values of `p = sa·a + sb·b` with `a` over `A` values and `b` over `B`
    /// values (model.md §2.3), in double arithmetic then truncated
    /// (`prExtentFloatTruncation`); fractional `A`, `B` are fed as they are.
    static func prSize(_ sa: Int, _ A: Double, _ sb: Int, _ B: Double) -> Int {
        let g = Double(gcd(sa, sb))
        return trunc(A * B - max(0, B - Double(sa) / g) * (A - Double(sb) / g))
    }

    /// Prime factors in ascending order.
    static func primeFactors(_ n: Int) -> [Int] {
        var n = n
        var factors: [Int] = []
        var p = 2
        while p * p <= n {
            while n % p == 0 { factors.append(p); n /= p }
            p += 1
        }
        if n > 1 { factors.append(n) }
        return factors
    }
}
