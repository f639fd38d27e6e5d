import Foundation
import PixelConfig

/// The accuracy metrics of `docs/METRICS.md`, computed for one user from the 1-based positions of the
/// user's relevant items in the (pessimistically tie-broken) ranking.
///
/// With `rel_j = 1` when position `j` holds a relevant item, `|R|` relevant items and cut-off `k`:
/// - `hit_rate@k = 1` if any `rel_j` (j ≤ k)
/// - `precision@k = Σ rel_j / k`, `recall@k = Σ rel_j / |R|`
/// - `ndcg@k = DCG / IDCG`, `DCG = Σ rel_j / log2(j + 1)`, `IDCG = Σ_{i=1}^{min(|R|,k)} 1 / log2(i + 1)`
/// - `mrr@k = 1 / j` of the first relevant position, 0 if none within `k`
/// - `map@k = Σ_j P@j · rel_j / min(|R|, k)`
extension RankingMetric {
    /// `allCases`, read once: the order of ``values(positions:relevantCount:k:)`` and of each per-user
    /// metric row (the evaluator indexes with it per query).
    static let ordered = allCases

    /// The name used in reports, e.g. `ndcg@10`.
    public func label(k: Int) -> String { "\(rawValue)@\(k)" }

    /// All six metrics at cut-off `k`, in `allCases` order.
    /// - Parameters:
    ///   - positions: 1-based positions of relevant items, ascending (entries beyond `k` are ignored).
    ///   - relevantCount: `|R| > 0`.
    public static func values(positions: [Int], relevantCount: Int, k: Int) -> [Double] {
        var output = [Double](repeating: 0, count: ordered.count)
        output.withUnsafeMutableBufferPointer { buffer in
            positions.withUnsafeBufferPointer { positions in
                write(positions: positions, relevantCount: relevantCount, k: k, into: buffer.baseAddress!)
            }
        }
        return output
    }

    /// Writes the six metrics (in `allCases` order) to `output[0 ..< 6]`.
    static func write(
        positions: UnsafeBufferPointer<Int>, relevantCount: Int, k: Int, into output: UnsafeMutablePointer<Double>
    ) {
        var hits = 0
        var dcg = 0.0, averagePrecision = 0.0, reciprocal = 0.0
        for position in positions where position <= k {
            hits += 1
            dcg += 1 / log2(Double(position) + 1)
            averagePrecision += Double(hits) / Double(position)
            if hits == 1 { reciprocal = 1 / Double(position) }
        }
        let ideal = min(relevantCount, k)
        var idcg = 0.0
        for i in 0..<ideal { idcg += 1 / log2(Double(i) + 2) }
        output[0] = Double(hits) / Double(k)
        output[1] = relevantCount > 0 ? Double(hits) / Double(relevantCount) : 0
        output[2] = idcg > 0 ? dcg / idcg : 0
        output[3] = ideal > 0 ? averagePrecision / Double(ideal) : 0
        output[4] = reciprocal
        output[5] = hits > 0 ? 1 : 0
    }
}
