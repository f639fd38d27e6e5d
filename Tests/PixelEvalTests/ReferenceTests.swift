import Foundation
import PixelConfig
import Testing

@testable import PixelEval

/// Compares the evaluator with the independent numpy implementation in `Fixtures/make_reference.py`
/// (full stable sort, pessimistic ties) on a random ranking set with many ties. Tolerance: 1e-6 absolute.
@Suite("Metrics vs the numpy reference (1e-6)")
struct ReferenceTests {
    struct Fixture: Decodable {
        let users: Int
        let items: Int
        let dim: Int
        let ks: [Int]
        let scores: [[Float]]
        let relevant: [[Int]]
        let excluded: [[Int]]
        let history: [[Int]]
        let popularity: [Int]
        let train_interactions: Int
        let embeddings: [Float]
        let lists: [[Int]]
        let expected: [String: [Double?]]
        let catalog: [String: Double]
    }

    static func load() throws -> Fixture {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/reference_metrics", withExtension: "json"))
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    static func run(_ f: Fixture, blockSize: Int, workers: Int, tileSize: Int? = nil) throws -> (
        RankingOutcome, EvaluationQueries
    ) {
        let queries = try EvaluationQueries(
            users: (0..<f.users).map { Int32($0) }, relevant: sparse(f.relevant, columns: f.items),
            excluded: sparse(f.excluded, columns: f.items), history: sparse(f.history, columns: f.items))
        let table = TableScorer(table: f.scores.flatMap { $0 }, itemCount: f.items)
        // Tiled ranking when a tile size is given, whole rows otherwise.
        let scorer: any Scorer = tileSize == nil ? table.untiled : table
        let outcome = try RankingEvaluator.evaluate(
            scorer: scorer, queries: queries,
            options: EvaluationOptions(ks: f.ks, blockSize: blockSize, workers: workers, tileSize: tileSize ?? 2048))
        return (outcome, queries)
    }

    @Test(
        "per-user accuracy metrics (whole rows and tiles)",
        arguments: [(1, 1, nil), (7, 2, nil), (64, 2, nil), (5, 2, 16), (64, 1, 32), (3, 2, 17)] as [(Int, Int, Int?)])
    func accuracy(blockSize: Int, workers: Int, tileSize: Int?) throws {
        let f = try Self.load()
        let (outcome, _) = try Self.run(f, blockSize: blockSize, workers: workers, tileSize: tileSize)
        for (kIndex, k) in f.ks.enumerated() {
            for metric in RankingMetric.allCases {
                let expected = try #require(f.expected[metric.label(k: k)])
                for u in 0..<f.users {
                    let ours = outcome.value(query: u, metric: metric, kIndex: kIndex)
                    #expect(abs(ours - (expected[u] ?? .nan)) < 1e-6, "\(metric.label(k: k)) user \(u)")
                }
            }
        }
    }

    @Test("recommendation lists break ties by lower item index", arguments: [nil, 16] as [Int?])
    func lists(tileSize: Int?) throws {
        let f = try Self.load()
        let (outcome, _) = try Self.run(f, blockSize: 16, workers: 2, tileSize: tileSize)
        for u in 0..<f.users {
            #expect(outcome.list(u, k: outcome.maxK).map { Int($0) } == f.lists[u], "user \(u)")
        }
    }

    @Test("coverage, Gini, novelty, intra-list diversity, serendipity")
    func beyondAccuracy() throws {
        let f = try Self.load()
        let (outcome, queries) = try Self.run(f, blockSize: 16, workers: 2)
        let similarity = try EmbeddingCosine(embeddings: f.embeddings, dimension: f.dim, source: "fixture")
        for k in f.ks {
            let coverage = BeyondAccuracy.coverage(
                lists: outcome.lists, width: outcome.maxK, k: k, catalogSize: f.items)
            #expect(abs(coverage - (f.catalog["coverage@\(k)"] ?? .nan)) < 1e-6)
            let gini = BeyondAccuracy.gini(lists: outcome.lists, width: outcome.maxK, k: k, catalogSize: f.items)
            #expect(abs(gini - (f.catalog["gini@\(k)"] ?? .nan)) < 1e-6, "gini@\(k)")
            for u in 0..<f.users {
                let list = outcome.list(u, k: k)
                let novelty = BeyondAccuracy.novelty(
                    list: list, popularity: f.popularity, trainInteractions: f.train_interactions)
                let expectedNovelty = f.expected["novelty@\(k)"]?[u] ?? nil
                #expect(abs((novelty ?? .nan) - (expectedNovelty ?? .nan)) < 1e-6, "novelty@\(k) user \(u)")
                let ild = BeyondAccuracy.intraListDiversity(list: list, similarity: similarity)
                if let expected = f.expected["ild@\(k)"]?[u] ?? nil {
                    #expect(abs((ild ?? .nan) - expected) < 1e-6, "ild@\(k) user \(u)")
                } else {
                    #expect(ild == nil)
                }
                let serendipity = BeyondAccuracy.serendipity(
                    list: list, k: k, relevant: queries.relevant.row(u), history: queries.history.row(u),
                    similarity: similarity)
                let expectedSerendipity = f.expected["serendipity@\(k)"]?[u] ?? nil
                #expect(abs(serendipity - (expectedSerendipity ?? .nan)) < 1e-6, "serendipity@\(k) user \(u)")
            }
        }
    }
}
