import CBLAS
import Foundation
import PixelCore
import PixelData
import PixelEval

/// PixelBench subcommands of evaluation (bench/cases/eval-*.sh, knn-*.sh).
///
/// - `eval-split IN OUT [strategy]`: splits an interactions CSV (default leave_one_out) into OUT/{train,val,test}.csv.
/// - `eval-full [users items dim seen workers block seed kernel(blas|packed)]`: full-ranking evaluation of generated factors
///   (each user ~`seen` masked items and one held-out item; top-10, NDCG@10/HR@10); prints users/s.
/// - `knn-synth OUT [users items interactions seed]`: writes a skewed random interaction set as raw int32
///   `OUT.rows` / `OUT.cols` (shared with the implicit side of the bench).
/// - `knn-fit FILE|CSV [k workers]`: item kNN fit + recommend-all top-10 (training items masked) on the
///   raw pairs from `knn-synth` or an interactions CSV; prints fit and recommend seconds.
enum EvalBench {
    static let commands = ["eval-split", "eval-full", "knn-synth", "knn-fit", "topk-micro"]

    static func run(_ command: String, _ arguments: [String]) throws {
        func argument(_ index: Int, _ fallback: String) -> String {
            index < arguments.count ? arguments[index] : fallback
        }
        switch command {
        case "eval-split":
            let table = try InteractionTable.load(path: argument(0, "interactions.csv")).0
            var options = SplitOptions()
            options.strategy = SplitStrategy(rawValue: argument(2, "leave_one_out")) ?? .leaveOneOut
            let report = try Splitter.run(table, options: options, outputDirectory: argument(1, "split"))
            print(
                DataBench.json([
                    ("train", report.counts.train), ("val", report.counts.val), ("test", report.counts.test),
                ]))
        case "eval-full":
            try fullRanking(
                users: Int(argument(0, "200000")) ?? 200_000, items: Int(argument(1, "100000")) ?? 100_000,
                dimension: Int(argument(2, "128")) ?? 128, seen: Int(argument(3, "20")) ?? 20,
                workers: Int(argument(4, "1")) ?? 1, block: Int(argument(5, "128")) ?? 128,
                seed: UInt64(argument(6, "42")) ?? 42,
                kernel: FactorizedScorer.Kernel(rawValue: argument(7, "packed")) ?? .packed)
        case "topk-micro":
            // ns per score of a top-10 scan over random rows (the ranking cost beside the products).
            let n = Int(argument(0, "100000")) ?? 100_000, rows = Int(argument(1, "2000")) ?? 2000
            var generator = SeededGenerator(seed: 1)
            let data = (0..<n * 4).map { _ in Float(generator.unit()) }
            var indices = [Int32](repeating: 0, count: 10), values = [Float](repeating: 0, count: 10)
            let clock = Date()
            var checksum = 0
            data.withUnsafeBufferPointer { data in
                for r in 0..<rows {
                    checksum &+= TopK.select(
                        data.baseAddress! + (r % 4) * n, count: n, k: 10, indices: &indices, values: &values)
                }
            }
            let seconds = Date().timeIntervalSince(clock)
            print(DataBench.json([("ns_per_score", seconds * 1e9 / Double(n * rows)), ("checksum", checksum)]))
        case "knn-synth":
            try synthesize(
                path: argument(0, "knn"), users: Int(argument(1, "200000")) ?? 200_000,
                items: Int(argument(2, "100000")) ?? 100_000, interactions: Int(argument(3, "4000000")) ?? 4_000_000,
                seed: UInt64(argument(4, "42")) ?? 42)
        case "knn-fit":
            try knnFit(path: argument(0, "knn"), k: Int(argument(1, "50")) ?? 50, workers: Int(argument(2, "1")) ?? 1)
        default:
            throw PixelError.invalidValue(setting: "command", reason: "unknown eval bench command '\(command)'")
        }
    }

    /// Generated factors `U [users, d]`, `V [items, d]` ~ N(0, 1)/√d; per user `seen` distinct masked
    /// items and one distinct held-out item, all uniform.
    static func fullRanking(
        users: Int, items: Int, dimension: Int, seen: Int, workers: Int, block: Int, seed: UInt64,
        kernel: FactorizedScorer.Kernel
    ) throws {
        var generator = SeededGenerator(seed: seed)
        let userVectors = gaussianFactors(users * dimension, dimension: dimension, generator: &generator)
        let itemVectors = gaussianFactors(items * dimension, dimension: dimension, generator: &generator)
        var excludedRows: [Int32] = [], excludedItems: [Int32] = [], relevantItems: [Int32] = []
        excludedRows.reserveCapacity(users * seen)
        excludedItems.reserveCapacity(users * seen)
        for u in 0..<users {
            for _ in 0..<seen {
                excludedRows.append(Int32(u))
                excludedItems.append(Int32(generator.below(items)))
            }
            relevantItems.append(Int32(generator.below(items)))
        }
        let ids = (0..<users).map { Int32($0) }
        let queries = try EvaluationQueries(
            users: ids,
            relevant: SparseMatrix(rowCount: users, columnCount: items, rows: ids, columns: relevantItems),
            excluded: SparseMatrix(rowCount: users, columnCount: items, rows: excludedRows, columns: excludedItems))
        let scorer = try FactorizedScorer(
            userVectors: userVectors, itemVectors: itemVectors, dimension: dimension, kernel: kernel)
        let blas = try FactorizedScorer(userVectors: userVectors, itemVectors: itemVectors, dimension: dimension)
        // The matrix-product bound on the same shapes (block × 2048-item tiles, as the evaluator runs
        // them), for our kernel and for OpenBLAS sgemm, measured right before and after the evaluation.
        let sample = min(users, 2048)
        var gemmSeconds = gemmTime(scorer: scorer, block: block, users: sample)
        let blasSeconds = gemmTime(scorer: blas, block: block, users: sample)
        let timed = TimedScorer(base: scorer)
        let outcome = try RankingEvaluator.evaluate(
            scorer: timed, queries: queries, options: EvaluationOptions(ks: [10], blockSize: block, workers: workers))
        gemmSeconds = min(gemmSeconds, gemmTime(scorer: scorer, block: block, users: sample))
        let rate = Double(users) / outcome.seconds
        print(
            DataBench.json([
                ("users", users), ("items", items), ("dim", dimension), ("workers", workers), ("block", block),
                ("seconds", outcome.seconds), ("users_per_second", rate),
                ("kernel", kernel.rawValue),
                ("gemm_users_per_second_1thread", Double(sample) / gemmSeconds),
                ("blas_gemm_users_per_second_1thread", Double(sample) / blasSeconds),
                ("product_share_of_eval_time", timed.seconds / (outcome.seconds * Double(workers))),
                ("ndcg10", outcome.summary(.ndcg, kIndex: 0).mean), ("hr10", outcome.summary(.hitRate, kIndex: 0).mean),
            ]))
    }

    /// A scorer that adds up the time spent in the products (the rest of the evaluation is ranking).
    final class TimedScorer: TiledScorer, @unchecked Sendable {
        let base: FactorizedScorer
        private let lock = NSLock()
        private var total = 0.0
        var itemCount: Int { base.itemCount }
        var description: String { base.description }
        var seconds: Double { lock.withLock { total } }
        init(base: FactorizedScorer) { self.base = base }
        func score(users: UnsafeBufferPointer<Int32>, into scores: UnsafeMutableBufferPointer<Float>) {
            score(users: users, items: 0..<itemCount, into: scores)
        }
        func score(users: UnsafeBufferPointer<Int32>, items: Range<Int>, into scores: UnsafeMutableBufferPointer<Float>)
        {
            let start = DispatchTime.now().uptimeNanoseconds
            base.score(users: users, items: items, into: scores)
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            lock.withLock { total += elapsed }
        }
    }

    /// Seconds to score `users` users by sgemm alone on one thread, in `block × tile` products.
    static func gemmTime(scorer: FactorizedScorer, block: Int, users: Int, tile: Int = 2048) -> Double {
        let previous = openblas_get_num_threads()
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(previous) }
        var buffer = [Float](repeating: 0, count: block * tile)
        let clock = Date()
        var start = 0
        while start < users {
            let ids = (start..<min(users, start + block)).map { Int32($0) }
            var itemStart = 0
            while itemStart < scorer.itemCount {
                let items = itemStart..<min(scorer.itemCount, itemStart + tile)
                ids.withUnsafeBufferPointer { ids in
                    buffer.withUnsafeMutableBufferPointer { scorer.score(users: ids, items: items, into: $0) }
                }
                itemStart = items.upperBound
            }
            start += block
        }
        return Date().timeIntervalSince(clock)
    }

    /// Skewed random interactions: items drawn with probability ∝ 1/(rank+10)^0.8 (a long tail), users
    /// uniformly; repeated pairs collapse.
    static func synthesize(path: String, users: Int, items: Int, interactions: Int, seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        var cumulative = [Double](repeating: 0, count: items)
        var total = 0.0
        for i in 0..<items {
            total += pow(Double(i) + 10, -0.8)
            cumulative[i] = total
        }
        var rows = [Int32](), cols = [Int32]()
        rows.reserveCapacity(interactions)
        cols.reserveCapacity(interactions)
        for _ in 0..<interactions {
            let target = generator.unit() * total
            var low = 0, high = items - 1
            while low < high {
                let mid = (low + high) / 2
                if cumulative[mid] < target { low = mid + 1 } else { high = mid }
            }
            rows.append(Int32(generator.below(users)))
            cols.append(Int32(low))
        }
        let matrix = SparseMatrix(rowCount: users, columnCount: items, rows: rows, columns: cols)
        var outRows = [Int32](), outCols = [Int32]()
        for u in 0..<users {
            for item in matrix.row(u) {
                outRows.append(Int32(u))
                outCols.append(item)
            }
        }
        try AtomicFile.write(outRows.withUnsafeBytes { Data($0) }, to: path + ".rows")
        try AtomicFile.write(outCols.withUnsafeBytes { Data($0) }, to: path + ".cols")
        print(DataBench.json([("users", users), ("items", items), ("nnz", matrix.nonZeroCount)]))
    }

    static func loadPairs(_ path: String) throws -> SparseMatrix {
        if path.hasSuffix(".csv") {
            let table = try InteractionTable.load(path: path).0
            return SparseMatrix(
                rowCount: table.userIds.count, columnCount: table.itemIds.count, rows: table.users, columns: table.items
            )
        }
        guard let rowBytes = FileManager.default.contents(atPath: path + ".rows"),
            let colBytes = FileManager.default.contents(atPath: path + ".cols")
        else { throw PixelError.io(path: path + ".rows", reason: "cannot read") }
        let rows = rowBytes.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
        let cols = colBytes.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
        let userCount = Int(rows.max() ?? 0) + 1, itemCount = Int(cols.max() ?? 0) + 1
        return SparseMatrix(rowCount: userCount, columnCount: itemCount, rows: rows, columns: cols)
    }

    /// Item kNN (cosine, no shrinkage) fit, then every user's top-10 with training items masked.
    static func knnFit(path: String, k: Int, workers: Int) throws {
        let train = try loadPairs(path)
        let fitClock = Date()
        let scorer = try ItemKNNScorer(train: train, profiles: train, k: k, shrinkage: 0, workers: workers)
        let fitSeconds = Date().timeIntervalSince(fitClock)
        let users = (0..<train.rowCount).filter { train.rowLength($0) > 0 }.map { Int32($0) }
        // Relevant = one training item per user (kept in the ranking); the lists are what is timed.
        let relevant = SparseMatrix(
            rowCount: users.count, columnCount: train.columnCount, rows: (0..<users.count).map { Int32($0) },
            columns: users.map { train.row(Int($0)).first ?? 0 })
        let queries = try EvaluationQueries(users: users, relevant: relevant, excluded: train.selectingRows(users))
        let outcome = try RankingEvaluator.evaluate(
            scorer: scorer, queries: queries, options: EvaluationOptions(ks: [10], blockSize: 64, workers: workers))
        print(
            DataBench.json([
                ("users", users.count), ("items", train.columnCount), ("nnz", train.nonZeroCount), ("k", k),
                ("workers", workers), ("fit_seconds", fitSeconds), ("recommend_seconds", outcome.seconds),
                ("first_list", outcome.list(0, k: 10).map(String.init).joined(separator: " ")),
            ]))
    }
}

/// `count` values ~ N(0, 1)/√dimension drawn from `generator` (Box–Muller): generated factor matrices.
func gaussianFactors(_ count: Int, dimension: Int, generator: inout SeededGenerator) -> [Float] {
    let scale = 1 / Float(dimension).squareRoot()
    return (0..<count).map { _ in
        let u1 = max(generator.unit(), 1e-12), u2 = generator.unit()
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)) * scale
    }
}
