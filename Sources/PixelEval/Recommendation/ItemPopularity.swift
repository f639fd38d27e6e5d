import Foundation

/// Training popularity of a catalog: per-item interaction counts and their total `N`, for novelty
/// (`docs/METRICS.md`: `novelty_i = −log2(pop_i / N)`, `pop_i = 1` for items without interactions) and
/// for the novelty filter.
public struct ItemPopularity: Sendable {
    /// `pop_i`: training interactions of each catalog item.
    public let counts: [Int]
    /// `N`: all training interactions (repeats included, as in `EvaluationData.trainInteractions`).
    public let totalInteractions: Int

    public init(counts: [Int], totalInteractions: Int) {
        self.counts = counts
        self.totalInteractions = max(1, totalInteractions)
    }

    /// `−log2(max(1, pop_i) / N)` for every item.
    public var novelty: [Float] {
        let n = Double(totalInteractions)
        return counts.map { Float(-log2(Double(max(1, $0)) / n)) }
    }

    /// Novelty divided by its largest possible value `log2 N`, in `[0, 1]` (all 0 when `N = 1`).
    public var normalizedNovelty: [Float] {
        let top = log2(Double(totalInteractions))
        guard top > 0 else { return [Float](repeating: 0, count: counts.count) }
        return novelty.map { Float(Double($0) / top) }
    }

    /// The `⌊items · percent / 100⌋` most popular items (higher count first, then lower index), sorted
    /// by index: what the novelty filter leaves out.
    public func mostPopular(percent: Double) -> [Int32] {
        let count = Int((Double(counts.count) * max(0, min(100, percent)) / 100).rounded(.down))
        guard count > 0 else { return [] }
        let order = counts.indices.sorted { counts[$0] > counts[$1] || (counts[$0] == counts[$1] && $0 < $1) }
        return order.prefix(count).map { Int32($0) }.sorted()
    }
}
