import PixelConfig

/// Turns a `RankingOutcome` into named metric summaries (and per-user columns).
public enum Evaluation {
    /// One named metric with its per-user values (`nil` for catalog-level metrics).
    public struct Column: Sendable {
        public let name: String
        public let summary: MetricSummary
        public let perUser: [Double]?
    }

    /// Accuracy metrics for every k (`precision@k … hit_rate@k`), then, with `beyondAccuracy`,
    /// `coverage@k`, `gini@k`, `novelty@k`, `ild@k` and `serendipity@k`.
    ///
    /// Users whose list is too short for a per-user beyond-accuracy metric (novelty of an empty list,
    /// ILD of fewer than two items) are left out of that metric's mean.
    public static func columns(
        outcome: RankingOutcome, queries: EvaluationQueries, data: EvaluationData, beyondAccuracy: Bool,
        similarity: (any ItemSimilarity)?
    ) -> [Column] {
        var columns: [Column] = []
        for (kIndex, k) in outcome.ks.enumerated() {
            for metric in RankingMetric.allCases {
                let values = (0..<outcome.queryCount).map { outcome.value(query: $0, metric: metric, kIndex: kIndex) }
                columns.append(
                    Column(name: metric.label(k: k), summary: MetricSummary(values: values), perUser: values))
            }
        }
        guard beyondAccuracy else { return columns }
        let popularity = data.train.columnCounts()
        let catalog = queries.candidates?.count ?? data.itemCount
        for k in outcome.ks {
            let coverage = BeyondAccuracy.coverage(
                lists: outcome.lists, width: outcome.maxK, k: k, catalogSize: data.itemCount)
            // Coverage counts items of the ranked catalog (the cold items for cold_item).
            let scaled =
                catalog == data.itemCount ? coverage : coverage * Double(data.itemCount) / Double(max(1, catalog))
            columns.append(Column(name: "coverage@\(k)", summary: MetricSummary(value: scaled), perUser: nil))
            let gini = BeyondAccuracy.gini(lists: outcome.lists, width: outcome.maxK, k: k, catalogSize: data.itemCount)
            columns.append(Column(name: "gini@\(k)", summary: MetricSummary(value: gini), perUser: nil))
            var novelty: [Double] = [], ild: [Double] = [], serendipity: [Double] = []
            var noveltyUser = [Double](repeating: .nan, count: outcome.queryCount)
            var ildUser = noveltyUser, serendipityUser = noveltyUser
            for q in 0..<outcome.queryCount {
                let list = outcome.list(q, k: k)
                if let value = BeyondAccuracy.novelty(
                    list: list, popularity: popularity, trainInteractions: data.trainInteractions)
                {
                    novelty.append(value)
                    noveltyUser[q] = value
                }
                guard let similarity else { continue }
                if let value = BeyondAccuracy.intraListDiversity(list: list, similarity: similarity) {
                    ild.append(value)
                    ildUser[q] = value
                }
                let value = BeyondAccuracy.serendipity(
                    list: list, k: k, relevant: queries.relevant.row(q), history: queries.history.row(q),
                    similarity: similarity)
                serendipity.append(value)
                serendipityUser[q] = value
            }
            columns.append(Column(name: "novelty@\(k)", summary: MetricSummary(values: novelty), perUser: noveltyUser))
            if similarity != nil {
                columns.append(Column(name: "ild@\(k)", summary: MetricSummary(values: ild), perUser: ildUser))
                columns.append(
                    Column(
                        name: "serendipity@\(k)", summary: MetricSummary(values: serendipity), perUser: serendipityUser)
                )
            }
        }
        return columns
    }
}
