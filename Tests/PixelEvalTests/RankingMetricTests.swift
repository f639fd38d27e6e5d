import Foundation
import PixelConfig
import Testing

@testable import PixelEval

@Suite("Ranking metrics: hand-computed cases")
struct RankingMetricTests {
    // Order of values: precision, recall, ndcg, map, mrr, hit_rate.
    @Test("hits at positions 1 and 3 of 2 relevant, k = 3")
    func twoHits() {
        let v = RankingMetric.values(positions: [1, 3], relevantCount: 2, k: 3)
        // DCG = 1 + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) = 1.6309297535714575
        let expected = [2.0 / 3, 1, 1.5 / 1.6309297535714575, (1 + 2.0 / 3) / 2, 1, 1]
        for (a, b) in zip(v, expected) { #expect(abs(a - b) < 1e-12) }
    }

    @Test("one hit at position 2 of 3 relevant, k = 5")
    func oneHit() {
        let v = RankingMetric.values(positions: [2], relevantCount: 3, k: 5)
        // IDCG = 1 + 1/log2(3) + 1/log2(4) = 2.1309297535714575; AP = (1/2) / min(3, 5)
        let expected = [0.2, 1.0 / 3, 0.6309297535714575 / 2.1309297535714575, 0.5 / 3, 0.5, 1]
        for (a, b) in zip(v, expected) { #expect(abs(a - b) < 1e-12) }
    }

    @Test("more relevant items than k: IDCG and MAP use min(|R|, k)")
    func saturated() {
        let v = RankingMetric.values(positions: [1, 2], relevantCount: 10, k: 2)
        #expect(v == [1, 0.2, 1, 1, 1, 1])
    }

    @Test("positions beyond k count for nothing")
    func miss() {
        #expect(RankingMetric.values(positions: [4, 7], relevantCount: 2, k: 3) == [0, 0, 0, 0, 0, 0])
    }

    @Test("labels")
    func labels() {
        #expect(RankingMetric.hitRate.label(k: 10) == "hit_rate@10")
        #expect(RankingMetric.allCases.map(\.rawValue) == ["precision", "recall", "ndcg", "map", "mrr", "hit_rate"])
    }

    @Test("mean and 95% interval: normal approximation with the n − 1 standard deviation")
    func summary() {
        let s = MetricSummary(values: [1, 2, 3, 4])
        // numpy: x.mean() = 2.5, x.std(ddof=1) = 1.2909944487358056; half = 1.959963984540054 * s / 2
        #expect(abs(s.mean - 2.5) < 1e-12)
        #expect(abs((s.std ?? 0) - 1.2909944487358056) < 1e-12)
        #expect(abs((s.ciHigh ?? 0) - (2.5 + 1.959963984540054 * 1.2909944487358056 / 2)) < 1e-12)
        #expect(s.count == 4)
    }
}
