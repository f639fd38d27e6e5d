import Foundation
import PixelCore
import PixelData
import PixelEval

/// PixelBench subcommand of batch recommendation (bench/cases/recommend-batch.sh).
///
/// - `recommend-batch [users items dim seen topk candidates workers mmr(0|1) seed kernel]`: every user of
///   generated factors `U [users, d]`, `V [items, d]` ~ N(0, 1)/√d, ~`seen` uniform masked items per user;
///   top-`topk` lists, plain or MMR-re-ranked (diversity weight 0.3, no novelty) over the best
///   `candidates` with the unit-normalised item factors as embeddings. Prints users/s of the
///   recommendation step and the process's peak RSS.
enum RecommendBench {
    static let commands = ["recommend-batch"]

    static func run(_ command: String, _ arguments: [String]) throws {
        func argument(_ index: Int, _ fallback: String) -> String {
            index < arguments.count ? arguments[index] : fallback
        }
        let users = Int(argument(0, "200000")) ?? 200_000, items = Int(argument(1, "100000")) ?? 100_000
        let dimension = Int(argument(2, "64")) ?? 64, seen = Int(argument(3, "20")) ?? 20
        let k = Int(argument(4, "50")) ?? 50, candidates = Int(argument(5, "200")) ?? 200
        let workers = Int(argument(6, "1")) ?? 1, mmr = argument(7, "0") == "1"
        let seed = UInt64(argument(8, "42")) ?? 42
        let kernel = FactorizedScorer.Kernel(rawValue: argument(9, "packed")) ?? .packed

        var generator = SeededGenerator(seed: seed)
        let userVectors = gaussianFactors(users * dimension, dimension: dimension, generator: &generator)
        let itemVectors = gaussianFactors(items * dimension, dimension: dimension, generator: &generator)
        var rows: [Int32] = [], columns: [Int32] = []
        rows.reserveCapacity(users * seen)
        columns.reserveCapacity(users * seen)
        for u in 0..<users {
            for _ in 0..<seen {
                rows.append(Int32(u))
                columns.append(Int32(generator.below(items)))
            }
        }
        let seenMatrix = SparseMatrix(rowCount: users, columnCount: items, rows: rows, columns: columns)
        rows = []
        columns = []
        let scorer = try FactorizedScorer(
            userVectors: userVectors, itemVectors: itemVectors, dimension: dimension, kernel: kernel)
        let diversity =
            mmr
            ? DiversitySettings(
                diversityWeight: 0.3, noveltyWeight: 0, candidates: candidates,
                embeddings: try EmbeddingCosine(embeddings: itemVectors, dimension: dimension, source: "item factors"),
                normalizedNovelty: nil)
            : nil
        let request = RecommendationRequest(
            users: (0..<Int32(users)).map { $0 }, topK: k, seen: seenMatrix, diversity: diversity, workers: workers)
        let lists = try RecommendationEngine.recommend(scorer: scorer, request: request)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        var checksum = 0
        for item in lists.items.prefix(1000) { checksum &+= Int(item) }
        print(
            DataBench.json([
                ("users", users), ("items", items), ("dim", dimension), ("k", k), ("mmr", mmr ? 1 : 0),
                ("candidates", mmr ? candidates : k), ("workers", workers), ("kernel", kernel.rawValue),
                ("seconds", lists.seconds), ("users_per_second", Double(users) / lists.seconds),
                ("peak_rss_mb", Double(usage.ru_maxrss) / 1024), ("checksum", checksum),
            ]))
    }
}
