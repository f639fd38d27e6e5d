import Foundation
import Testing

@testable import PixelEval

@Suite("Full-ranking evaluator: ties, masking, sampling")
struct EvaluatorTests {
    struct ConstantScorer: Scorer {
        let itemCount: Int
        var description: String { "constant" }
        func score(users: UnsafeBufferPointer<Int32>, into scores: UnsafeMutableBufferPointer<Float>) {
            scores.baseAddress!.update(repeating: 0.25, count: users.count * itemCount)
        }
    }

    static func queries(users: Int, items: Int, seed: UInt64) throws -> EvaluationQueries {
        var random = TestRandom(seed)
        var relevant: [[Int]] = [], excluded: [[Int]] = []
        for _ in 0..<users {
            relevant.append([random.int(items / 4)])  // low ids: an id-order tie break would find them
            excluded.append((0..<5).map { _ in random.int(items) })
        }
        return try EvaluationQueries(
            users: (0..<users).map { Int32($0) }, relevant: sparse(relevant, columns: items),
            excluded: sparse(excluded, columns: items))
    }

    @Test("a constant scorer scores zero on every accuracy metric (pessimistic ties)")
    func constantScoresZero() throws {
        let q = try Self.queries(users: 50, items: 200, seed: 1)
        let outcome = try RankingEvaluator.evaluate(
            scorer: ConstantScorer(itemCount: 200), queries: q, options: EvaluationOptions(ks: [1, 10, 50]))
        for kIndex in 0..<3 {
            for metric in RankingMetric.allCases {
                #expect(outcome.summary(metric, kIndex: kIndex).mean == 0, "\(metric)")
            }
        }
        // …while its recommendation list is the lowest unmasked indices.
        #expect(outcome.list(0, k: 3).allSatisfy { $0 < 10 })
    }

    @Test("excluded items never appear in lists; a relevant item is never masked")
    func masking() throws {
        let items = 30
        let scores = (0..<items).map { Float(items - $0) }  // item 0 best
        let q = try EvaluationQueries(
            users: [0], relevant: sparse([[1]], columns: items), excluded: sparse([[0, 1, 2]], columns: items))
        let outcome = try RankingEvaluator.evaluate(
            scorer: TableScorer(table: scores, itemCount: items), queries: q, options: EvaluationOptions(ks: [2]))
        #expect(Array(outcome.list(0, k: 2)) == [1, 3])
        #expect(outcome.value(query: 0, metric: .mrr, kIndex: 0) == 1)
    }

    @Test("sampled evaluation with every item as a negative equals full ranking")
    func sampledCoversAll() throws {
        let q = try Self.queries(users: 40, items: 60, seed: 3)
        var random = TestRandom(9)
        let table = (0..<40 * 60).map { _ in Float(random.int(20)) }
        let scorer = TableScorer(table: table, itemCount: 60)
        let full = try RankingEvaluator.evaluate(scorer: scorer, queries: q, options: EvaluationOptions(ks: [5, 10]))
        let sampled = try RankingEvaluator.evaluate(
            scorer: scorer, queries: q, options: EvaluationOptions(ks: [5, 10], negatives: 1000))
        #expect(full.perUser == sampled.perUser)
        #expect(EvaluationOptions(negatives: 3).protocolName == "sampled")
        #expect(EvaluationOptions().protocolName == "full")
    }

    @Test("sampled evaluation is seeded and ranks among 1 + n items")
    func sampledSeeded() throws {
        let q = try Self.queries(users: 30, items: 500, seed: 4)
        let scorer = RandomScorer(itemCount: 500, seed: 5)
        let a = try RankingEvaluator.evaluate(scorer: scorer, queries: q, options: EvaluationOptions(ks: [10], negatives: 9, seed: 1))
        let b = try RankingEvaluator.evaluate(scorer: scorer, queries: q, options: EvaluationOptions(ks: [10], negatives: 9, seed: 1))
        #expect(a.perUser == b.perUser)
        // 10 candidates, k = 10: every relevant item is a hit.
        #expect(a.summary(.hitRate, kIndex: 0).mean == 1)
    }

    @Test("candidates restrict the ranking (cold items)")
    func candidates() throws {
        let items = 20
        let scores = (0..<items).map { Float($0) }  // item 19 best
        let q = try EvaluationQueries(
            users: [0], relevant: sparse([[5]], columns: items), excluded: sparse([[]], columns: items),
            candidates: [3, 5, 7])
        let outcome = try RankingEvaluator.evaluate(
            scorer: TableScorer(table: scores, itemCount: items), queries: q, options: EvaluationOptions(ks: [3]))
        #expect(Array(outcome.list(0, k: 3)) == [7, 5, 3])
        #expect(outcome.value(query: 0, metric: .mrr, kIndex: 0) == 0.5)
    }

    @Test("results do not depend on block size or worker count")
    func blocking() throws {
        let q = try Self.queries(users: 101, items: 300, seed: 8)
        let scorer = RandomScorer(itemCount: 300, seed: 2)
        let one = try RankingEvaluator.evaluate(
            scorer: scorer, queries: q, options: EvaluationOptions(ks: [10], blockSize: 1, workers: 1))
        let many = try RankingEvaluator.evaluate(
            scorer: scorer, queries: q, options: EvaluationOptions(ks: [10], blockSize: 13, workers: 2))
        #expect(one.perUser == many.perUser)
        #expect(one.lists == many.lists)
    }

    @Test("wrong scorer width and empty cut-offs are errors")
    func errors() throws {
        let q = try Self.queries(users: 3, items: 40, seed: 1)
        #expect(throws: EvalError.self) {
            try RankingEvaluator.evaluate(scorer: ConstantScorer(itemCount: 41), queries: q, options: EvaluationOptions())
        }
        #expect(throws: EvalError.self) {
            try RankingEvaluator.evaluate(scorer: ConstantScorer(itemCount: 40), queries: q, options: EvaluationOptions(ks: []))
        }
    }
}
