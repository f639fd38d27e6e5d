import Foundation
import Testing

@testable import PixelEval

@Suite("Recommendation: MMR, filtering, engine")
struct RecommendationTests {
    /// The hand-worked example. Candidates in score order with relevance and 2-d unit embeddings:
    ///   c0 rel 1.0 e=(1,0);  c1 rel 0.9 e=(1,0) (a duplicate of c0);  c2 rel 0.5 e=(0,1);  c3 rel 0.6 e=(0.6,0.8)
    /// λ = 0.5, objective 0.5·rel − 0.5·maxsim:
    ///   pick 1: S empty → 0.5·rel = [0.5, 0.45, 0.25, 0.3] → c0.   cos to c0: [1, 1, 0, 0.6]
    ///   pick 2: c1 0.45−0.5 = −0.05, c2 0.25−0 = 0.25, c3 0.3−0.3 = 0 → c2.   cos to c2: [0, 0, 1, 0.8]
    ///           maxsim = [1, 1, 1, 0.8]
    ///   pick 3: c1 0.45−0.5 = −0.05, c3 0.3−0.4 = −0.1 → c1.   List: c0, c2, c1.
    /// λ = 0.3, objective 0.3·rel − 0.7·maxsim:
    ///   pick 1: c0.  pick 2: c1 0.27−0.7 = −0.43, c2 0.15−0 = 0.15, c3 0.18−0.42 = −0.24 → c2.
    ///   pick 3: c1 0.27−0.7 = −0.43, c3 0.18−0.56 = −0.38 → c3.   List: c0, c2, c3.
    /// λ = 1: relevance order c0, c1, c3.
    static let relevance: [Float] = [1.0, 0.9, 0.5, 0.6]
    static let embeddings: [Float] = [1, 0, 1, 0, 0, 1, 0.6, 0.8]

    @Test("MMR matches the hand-worked example", arguments: [(0.5, [0, 2, 1]), (0.3, [0, 2, 3]), (1.0, [0, 1, 3])])
    func handWorked(lambda: Double, expected: [Int]) {
        let picks = MaximalMarginalRelevance.rerank(
            relevance: Self.relevance, embeddings: Self.embeddings, dimension: 2, lambda: Float(lambda), k: 3)
        #expect(picks == expected)
    }

    @Test("MMR with k beyond the candidates returns every candidate once")
    func shortCandidateList() {
        let picks = MaximalMarginalRelevance.rerank(
            relevance: Self.relevance, embeddings: Self.embeddings, dimension: 2, lambda: 0.5, k: 10)
        #expect(picks.sorted() == [0, 1, 2, 3])
    }

    @Test("relevance: min-max normalised scores mixed with normalised novelty")
    func relevanceMix() {
        // scores 3, 1, 2 → s̃ = 1, 0, 0.5; items 0, 1, 2 with ñ = 0, 1, 0.5; ν = 0.2:
        // rel = 0.8·s̃ + 0.2·ñ = [0.8, 0.2, 0.5]
        let scores: [Float] = [3, 1, 2], items: [Int32] = [0, 1, 2], novelty: [Float] = [0, 1, 0.5]
        var rel = [Float](repeating: 0, count: 3)
        RelevanceMix.relevance(
            scores: scores, items: items, count: 3, normalizedNovelty: novelty, noveltyWeight: 0.2, into: &rel)
        for (a, b) in zip(rel, [Float(0.8), 0.2, 0.5]) { #expect(abs(a - b) < 1e-6) }
    }

    @Test("popularity: novelty −log2(pop/N) and the most popular percent")
    func popularity() {
        // counts 4, 0, 2, 2 of N = 8: novelty −log2(4/8) = 1, −log2(1/8) = 3, 2, 2; normalised by log2 8 = 3.
        let popularity = ItemPopularity(counts: [4, 0, 2, 2], totalInteractions: 8)
        #expect(popularity.novelty == [1, 3, 2, 2])
        let expected: [Float] = [1.0 / 3, 1, 2.0 / 3, 2.0 / 3]
        for (a, b) in zip(popularity.normalizedNovelty, expected) { #expect(abs(a - b) < 1e-6) }
        // 50% of 4 items = 2: item 0 (4), then items 2 and 3 tie at 2 → the lower index, 2.
        #expect(popularity.mostPopular(percent: 50) == [0, 2])
        #expect(popularity.mostPopular(percent: 10) == [])
    }

    /// Random scores: `users × items`.
    static func randomTable(users: Int, items: Int, seed: UInt64) -> TableScorer {
        var random = TestRandom(seed)
        return TableScorer(table: (0..<users * items).map { _ in random.unit() }, itemCount: items)
    }

    /// The reference list: every allowed item sorted by score (then index), first `k`.
    static func bruteForce(_ scorer: TableScorer, user: Int, k: Int, banned: Set<Int>) -> [Int32] {
        let n = scorer.itemCount
        let order = (0..<n).filter { !banned.contains($0) }.sorted {
            let a = scorer.table[user * n + $0], b = scorer.table[user * n + $1]
            return a > b || (a == b && $0 < $1)
        }
        return order.prefix(k).map { Int32($0) }
    }

    @Test(
        "plain top-k equals a full sort, never lists seen or excluded items, same for any blocking",
        arguments: [true, false], [true, false])
    func plainTopK(tiled: Bool, withExclusions: Bool) throws {
        let users = 37, items = 300, k = 10
        let scorer = Self.randomTable(users: users, items: items, seed: 5)
        var random = TestRandom(9)
        let seenRows = (0..<users).map { _ in (0..<20).map { _ in random.int(items) } }
        let seen = sparse(seenRows, columns: items)
        let excluded: [Int32] = withExclusions ? [3, 7, 100, 299] : []
        let request = RecommendationRequest(
            users: (0..<Int32(users)).reversed(), topK: k, seen: seen, excluded: excluded, workers: 2, blockSize: 8,
            tileSize: 64)
        let lists = try RecommendationEngine.recommend(scorer: tiled ? scorer : scorer.untiled, request: request)
        for (q, user) in request.users.enumerated() {
            let banned = Set(seenRows[Int(user)]).union(excluded.map { Int($0) })
            let list = Array(lists.list(q))
            #expect(list == Self.bruteForce(scorer, user: Int(user), k: k, banned: banned))
            #expect(list.allSatisfy { !banned.contains(Int($0)) })
            for (j, item) in list.enumerated() {
                #expect(lists.scores(q)[lists.scores(q).startIndex + j] == scorer.table[Int(user) * items + Int(item)])
            }
        }
        var single = request
        single.workers = 1
        single.blockSize = 128
        let again = try RecommendationEngine.recommend(scorer: scorer, request: single)
        #expect(again.items == lists.items)
    }

    /// A naive MMR in Double straight from the definition (independent of the engine's buffers).
    static func naiveMMR(scores: [Double], items: [Int32], embeddings: [[Double]], lambda: Double, k: Int) -> [Int32] {
        let low = scores.min()!, high = scores.max()!
        let rel = scores.map { high > low ? ($0 - low) / (high - low) : 1 }
        func cosine(_ a: [Double], _ b: [Double]) -> Double {
            let dot = zip(a, b).map(*).reduce(0, +)
            let na = a.map { $0 * $0 }.reduce(0, +).squareRoot(), nb = b.map { $0 * $0 }.reduce(0, +).squareRoot()
            return na > 0 && nb > 0 ? dot / (na * nb) : 0
        }
        var picked: [Int] = []
        while picked.count < min(k, items.count) {
            var best = -1, bestValue = -Double.infinity
            for j in items.indices where !picked.contains(j) {
                let redundancy = picked.map { cosine(embeddings[Int(items[j])], embeddings[Int(items[$0])]) }.max() ?? 0
                let value = lambda * rel[j] - (1 - lambda) * redundancy
                if best < 0 || value > bestValue {
                    best = j
                    bestValue = value
                }
            }
            picked.append(best)
        }
        return picked.map { items[$0] }
    }

    @Test("diversity: MMR over the top candidates matches a naive implementation; weight 0 is the plain top-k")
    func diversityAgainstNaive() throws {
        let users = 12, items = 200, k = 8, candidates = 30, dim = 5
        let scorer = Self.randomTable(users: users, items: items, seed: 21)
        var random = TestRandom(22)
        let raw = (0..<items).map { _ in (0..<dim).map { _ in Double(random.unit()) - 0.5 } }
        let embeddings = try EmbeddingCosine(
            embeddings: raw.flatMap { $0.map(Float.init) }, dimension: dim, source: "test")
        for weight in [0.0, 0.4, 0.8] {
            let diversity = DiversitySettings(
                diversityWeight: weight, noveltyWeight: 0, candidates: candidates, embeddings: embeddings,
                normalizedNovelty: nil)
            let request = RecommendationRequest(
                users: (0..<Int32(users)).map { $0 }, topK: k, diversity: diversity, blockSize: 5)
            let lists = try RecommendationEngine.recommend(scorer: scorer, request: request)
            for u in 0..<users {
                let top = Self.bruteForce(scorer, user: u, k: candidates, banned: [])
                let expected = Self.naiveMMR(
                    scores: top.map { Double(scorer.table[u * items + Int($0)]) }, items: top, embeddings: raw,
                    lambda: 1 - weight, k: k)
                #expect(Array(lists.list(u)) == expected, "weight \(weight) user \(u)")
                if weight == 0 { #expect(Array(lists.list(u)) == Array(top.prefix(k))) }
            }
        }
    }

    @Test("accuracy of lists: NDCG and hit rate by the METRICS.md definitions")
    func accuracy() {
        // List 0: relevant item at rank 2 of 3 → NDCG = (1/log2 3) / 1 = 0.63093; list 1: no hit; list 2: no held-out item (skipped).
        let lists = RecommendationLists(
            k: 3, items: [5, 6, 7, 1, 2, 3, 9, 8, -1], scores: [Float](repeating: 0, count: 9), seconds: 0)
        let (metrics, users) = RecommendationQuality.accuracy(lists: lists, relevant: [[6], [4, -1], []], k: 3)
        #expect(users == 2)
        #expect(abs(metrics["ndcg@3"]! - 0.630930 / 2) < 1e-5)
        #expect(metrics["hit_rate@3"] == 0.5)
    }

    @Test("id list files skip blanks and comments and keep line numbers")
    func idList() throws {
        let path = try temporaryFile("ids.txt", "a\n\n# note\n  b  \nc")
        let list = try ItemIdList(contentsOf: path)
        #expect(list.entries.map(\.id) == ["a", "b", "c"])
        #expect(list.entries.map(\.line) == [1, 4, 5])
    }
}
