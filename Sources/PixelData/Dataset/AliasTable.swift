/// Walker/Vose alias table: O(1) draws from a fixed discrete distribution.
///
/// Built in O(n) from non-negative weights; `sample` returns `i` with probability `wᵢ / Σw`.
public struct AliasTable: Sendable {
    let probability: [Double]
    let alias: [Int32]

    /// - Precondition: at least one weight is positive (callers check).
    public init(weights: [Double]) {
        let n = weights.count
        let total = weights.reduce(0, +)
        var scaled = weights.map { total > 0 ? $0 * Double(n) / total : 1 }
        var probability = [Double](repeating: 1, count: n)
        var alias = [Int32](repeating: 0, count: n)
        var small: [Int] = [], large: [Int] = []
        for i in 0..<n { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast(), let l = large.last {
            probability[s] = scaled[s]
            alias[s] = Int32(l)
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 {
                large.removeLast()
                small.append(l)
            }
        }
        for i in large + small {
            probability[i] = 1
            alias[i] = Int32(i)
        }
        self.probability = probability
        self.alias = alias
    }

    @inline(__always)
    public func sample(_ rng: inout SeededGenerator) -> Int {
        let i = rng.below(probability.count)
        return rng.unit() < probability[i] ? i : Int(alias[i])
    }
}
