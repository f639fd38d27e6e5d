import Foundation
import PixelConfig
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
        let a = try RankingEvaluator.evaluate(
            scorer: scorer, queries: q, options: EvaluationOptions(ks: [10], negatives: 9, seed: 1))
        let b = try RankingEvaluator.evaluate(
            scorer: scorer, queries: q, options: EvaluationOptions(ks: [10], negatives: 9, seed: 1))
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

    struct RowsOnly: Scorer {
        let base: FactorizedScorer
        var itemCount: Int { base.itemCount }
        var description: String { "rows" }
        func score(users: UnsafeBufferPointer<Int32>, into scores: UnsafeMutableBufferPointer<Float>) {
            base.score(users: users, into: scores)
        }
    }

    @Test(
        "factorized scores ranked in tiles equal whole-row ranking (integer factors: many ties)",
        arguments: FactorizedScorer.Kernel.allCases)
    func tiledFactorized(kernel: FactorizedScorer.Kernel) throws {
        var random = TestRandom(21)
        let users = 90, items = 333, d = 4
        let u = (0..<users * d).map { _ in Float(random.int(3)) }
        let v = (0..<items * d).map { _ in Float(random.int(3)) }
        let scorer = try FactorizedScorer(userVectors: u, itemVectors: v, dimension: d, kernel: kernel)
        var relevant: [[Int]] = [], excluded: [[Int]] = []
        for _ in 0..<users {
            relevant.append((0..<1 + random.int(4)).map { _ in random.int(items) })
            excluded.append((0..<random.int(30)).map { _ in random.int(items) })
        }
        let q = try EvaluationQueries(
            users: (0..<users).map { Int32($0) }, relevant: sparse(relevant, columns: items),
            excluded: sparse(excluded, columns: items))
        let rows = try RankingEvaluator.evaluate(
            scorer: RowsOnly(base: scorer), queries: q, options: EvaluationOptions(ks: [1, 5, 20], blockSize: 8))
        for tile in [16, 50, 128] {
            let tiled = try RankingEvaluator.evaluate(
                scorer: scorer, queries: q, options: EvaluationOptions(ks: [1, 5, 20], blockSize: 8, tileSize: tile))
            #expect(tiled.perUser == rows.perUser, "tile \(tile)")
            #expect(tiled.lists == rows.lists, "tile \(tile)")
        }
    }

    /// Dense rows of a sparse scorer (forces the whole-row path).
    struct DenseRows: Scorer {
        let base: ItemKNNScorer
        var itemCount: Int { base.itemCount }
        var description: String { "dense" }
        func score(users: UnsafeBufferPointer<Int32>, into scores: UnsafeMutableBufferPointer<Float>) {
            base.score(users: users, into: scores)
        }
    }

    @Test(
        "sparse ranking of a kNN scorer equals whole-row ranking (zeros tie, lists filled by index)",
        arguments: [1, 5, 40])
    func sparseRows(k: Int) throws {
        var random = TestRandom(UInt64(k))
        let users = 60, items = 80
        var train: [[Int]] = [], relevant: [[Int]] = []
        for u in 0..<users {
            train.append((0..<1 + random.int(6)).map { _ in random.int(items / 2) + (u % 3 == 0 ? items / 2 : 0) })
            relevant.append((0..<1 + random.int(3)).map { _ in random.int(items) })
        }
        let trainMatrix = sparse(train, columns: items)
        let knn = try ItemKNNScorer(train: trainMatrix, profiles: trainMatrix, k: k, shrinkage: 1)
        for candidates in [nil, Array(stride(from: 0, to: items, by: 3)).map { Int32($0) }] as [[Int32]?] {
            let rel = candidates == nil ? relevant : relevant.map { $0.map { $0 / 3 * 3 } }
            let q = try EvaluationQueries(
                users: (0..<users).map { Int32($0) }, relevant: sparse(rel, columns: items),
                excluded: trainMatrix, candidates: candidates)
            let options = EvaluationOptions(ks: [1, 3, 10, 30], blockSize: 7)
            let dense = try RankingEvaluator.evaluate(scorer: DenseRows(base: knn), queries: q, options: options)
            let fast = try RankingEvaluator.evaluate(scorer: knn, queries: q, options: options)
            #expect(fast.perUser == dense.perUser)
            #expect(fast.lists == dense.lists)
        }
    }

    @Test("wrong scorer width and empty cut-offs are errors")
    func errors() throws {
        let q = try Self.queries(users: 3, items: 40, seed: 1)
        #expect(throws: EvalError.self) {
            try RankingEvaluator.evaluate(
                scorer: ConstantScorer(itemCount: 41), queries: q, options: EvaluationOptions())
        }
        #expect(throws: EvalError.self) {
            try RankingEvaluator.evaluate(
                scorer: ConstantScorer(itemCount: 40), queries: q, options: EvaluationOptions(ks: []))
        }
    }
}
