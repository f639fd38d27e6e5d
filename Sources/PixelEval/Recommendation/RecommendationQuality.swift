import PixelConfig

/// Beyond-accuracy measures of a batch of recommendation lists (definitions in `docs/METRICS.md`), and
/// accuracy against held-out interactions when they are given.
public struct RecommendationQuality: Sendable {
    /// Per list: mean `−log2(pop_i / N)` (`nil` for an empty list).
    public let novelty: [Double?]
    /// Per list: mean `1 − cos` over pairs (`nil` for lists shorter than 2, or without a similarity).
    public let intraListDiversity: [Double?]
    /// `|∪ lists| / catalog`.
    public let coverage: Double
    /// What the cosine of ILD was computed from.
    public let similaritySource: String?

    /// - Parameters:
    ///   - similarity: item cosine for ILD; `nil` leaves ILD out.
    public init(lists: RecommendationLists, popularity: ItemPopularity, similarity: (any ItemSimilarity)?) {
        var novelty: [Double?] = [], ild: [Double?] = []
        for q in 0..<lists.userCount {
            let list = lists.list(q)
            novelty.append(
                BeyondAccuracy.novelty(
                    list: list, popularity: popularity.counts, trainInteractions: popularity.totalInteractions))
            ild.append(similarity.flatMap { BeyondAccuracy.intraListDiversity(list: list, similarity: $0) })
        }
        self.novelty = novelty
        self.intraListDiversity = ild
        self.coverage = BeyondAccuracy.coverage(
            lists: lists.items, width: lists.k, k: lists.k, catalogSize: popularity.counts.count)
        self.similaritySource = similarity?.source
    }

    /// Mean of the defined values (`nil` when none).
    public static func mean(_ values: [Double?]) -> Double? {
        let defined = values.compactMap { $0 }
        return defined.isEmpty ? nil : defined.reduce(0, +) / Double(defined.count)
    }

    /// Accuracy of the lists against held-out items, macro-averaged over lists whose user has at least one.
    /// - Parameters:
    ///   - relevant: per list, the user's held-out items (catalog indices; `-1` for items outside the
    ///     catalog, which count in `|R|` but can never be hit).
    ///   - k: cut-off (at most the list length; longer cut-offs see the same lists).
    /// - Returns: `(metric label → mean, users evaluated)`, the six ``RankingMetric`` values at `k`.
    public static func accuracy(lists: RecommendationLists, relevant: [[Int32]], k: Int) -> (
        metrics: [String: Double], users: Int
    ) {
        var sums = [Double](repeating: 0, count: RankingMetric.allCases.count)
        var users = 0
        for q in 0..<min(lists.userCount, relevant.count) where !relevant[q].isEmpty {
            let wanted = Set(relevant[q].filter { $0 >= 0 })
            var positions: [Int] = []
            for (j, item) in lists.list(q).enumerated() where wanted.contains(item) { positions.append(j + 1) }
            let values = RankingMetric.values(positions: positions, relevantCount: relevant[q].count, k: k)
            for m in values.indices { sums[m] += values[m] }
            users += 1
        }
        var metrics: [String: Double] = [:]
        for (m, metric) in RankingMetric.allCases.enumerated() {
            metrics[metric.label(k: k)] = users > 0 ? sums[m] / Double(users) : 0
        }
        return (metrics, users)
    }
}
