import Foundation
import PixelCore
import PixelData

/// How `RankingEvaluator` runs.
public struct EvaluationOptions: Sendable {
    /// Cut-offs, e.g. `[5, 10, 20, 50]`.
    public var ks: [Int]
    /// 0: full ranking (every candidate item). `n > 0`: sampled evaluation, each query ranks its relevant
    /// items among `n · |R|` uniformly sampled unexcluded items (seeded by `seed` and the query).
    public var negatives: Int
    public var seed: UInt64
    /// Users scored per block: memory is `workers · blockSize · items · 4` bytes.
    public var blockSize: Int
    /// Threads (default: every core).
    public var workers: Int

    public init(ks: [Int] = [5, 10, 20, 50], negatives: Int = 0, seed: UInt64 = 42, blockSize: Int = 64, workers: Int? = nil) {
        self.ks = ks
        self.negatives = negatives
        self.seed = seed
        self.blockSize = blockSize
        self.workers = workers ?? Parallel.defaultWorkers
    }

    /// `"full"` or `"sampled"`, as written in every output.
    public var protocolName: String { negatives > 0 ? "sampled" : "full" }
}

/// The per-user results of one evaluation.
public struct RankingOutcome: Sendable {
    public let ks: [Int]
    /// `[queries, ks.count, RankingMetric.allCases.count]`.
    public let perUser: [Double]
    /// Recommendation lists `[queries, maxK]` (ties by lower item index), `-1` padded.
    public let lists: [Int32]
    public let maxK: Int
    public let queryCount: Int
    /// Wall time of scoring and ranking.
    public let seconds: Double

    /// User `query`'s value of `metric` at `ks[kIndex]`.
    public func value(query: Int, metric: RankingMetric, kIndex: Int) -> Double {
        let metricIndex = RankingMetric.allCases.firstIndex(of: metric) ?? 0
        return perUser[(query * ks.count + kIndex) * RankingMetric.allCases.count + metricIndex]
    }

    /// Mean and 95% interval of `metric` at `ks[kIndex]` over all queries.
    public func summary(_ metric: RankingMetric, kIndex: Int) -> MetricSummary {
        MetricSummary(values: (0..<queryCount).lazy.map { value(query: $0, metric: metric, kIndex: kIndex) })
    }

    /// The first `k` slots of query `q`'s list.
    public func list(_ q: Int, k: Int) -> ArraySlice<Int32> {
        lists[q * maxK..<q * maxK + min(k, maxK)]
    }
}

/// Full-ranking evaluation: scores blocks of users with a `Scorer`, masks excluded items, selects the
/// top `max(ks)` per user without sorting, and computes every metric with pessimistic ties.
///
/// Tie rules (`docs/METRICS.md`): a relevant item is placed after every other item with an equal
/// score, so its position is `1 + #{non-relevant candidates with s ≥ s_r} + #{relevant ranked before it}`
/// (a constant scorer scores 0); recommendation lists break ties by lower item index.
///
/// Work per user: the scorer's row, one vector pass for top-k, one more per relevant item whose score
/// reaches the k-th best score. Memory is bounded by `workers · blockSize · items` floats.
public enum RankingEvaluator {
    /// Names the tie rules in outputs.
    public static let tieRule =
        "evaluation: pessimistic (a relevant item ranks after every item with an equal score); lists: lower item index first"

    /// Evaluates `scorer` on `queries`.
    /// - Throws: `EvalError` for empty cut-offs or a scorer whose width is not the query item count.
    public static func evaluate(
        scorer: any Scorer, queries: EvaluationQueries, options: EvaluationOptions, progress: PixelCore.Progress? = nil
    ) throws -> RankingOutcome {
        guard let maxK = options.ks.max(), options.ks.allSatisfy({ $0 > 0 }) else {
            throw EvalError.invalidOption(name: "k", reason: "need at least one cut-off, each ≥ 1")
        }
        guard scorer.itemCount == queries.itemCount else {
            throw EvalError.shapeMismatch(what: "scorer items", expected: queries.itemCount, found: scorer.itemCount)
        }
        guard options.negatives >= 0 else {
            throw EvalError.invalidOption(name: "negatives", reason: "must be ≥ 0, got \(options.negatives)")
        }
        let n = queries.itemCount
        let count = queries.count
        let metricCount = RankingMetric.allCases.count
        var perUser = [Double](repeating: 0, count: count * options.ks.count * metricCount)
        var lists = [Int32](repeating: -1, count: count * maxK)
        let nonCandidates: [Int32]
        if let candidates = queries.candidates {
            var inside = [Bool](repeating: false, count: n)
            for c in candidates where Int(c) < n { inside[Int(c)] = true }
            nonCandidates = (0..<n).filter { !inside[$0] }.map { Int32($0) }
        } else {
            nonCandidates = []
        }
        let block = max(1, options.blockSize)
        let workers = max(1, options.workers)
        let started = Parallel.now()
        let buffers = (0..<workers).map { _ in WorkerScratch(rowFloats: block * n, rowWidth: n, maxK: maxK) }
        perUser.withUnsafeMutableBufferPointer { perUser in
            lists.withUnsafeMutableBufferPointer { lists in
                queries.users.withUnsafeBufferPointer { users in
                    Parallel.withSingleThreadedBLAS {
                        Parallel.forEachChunk(count: count, chunk: block, workers: workers) { range, worker in
                            let scratch = buffers[worker]
                            let scores = UnsafeMutableBufferPointer(start: scratch.scores, count: range.count * n)
                            scorer.score(users: UnsafeBufferPointer(rebasing: users[range]), into: scores)
                            for q in range {
                                let row = scratch.scores + (q - range.lowerBound) * n
                                for e in queries.excluded.offsets[q]..<queries.excluded.offsets[q + 1] {
                                    row[Int(queries.excluded.columns[e])] = -.infinity
                                }
                                for c in nonCandidates { row[Int(c)] = -.infinity }
                                judgeRow(
                                    row, itemCount: n, query: q, queries: queries, options: options, maxK: maxK,
                                    scratch: scratch, list: lists.baseAddress! + q * maxK,
                                    metrics: perUser.baseAddress! + q * options.ks.count * metricCount)
                            }
                            progress?.advance(by: range.count)
                        }
                    }
                }
            }
        }
        return RankingOutcome(
            ks: options.ks, perUser: perUser, lists: lists, maxK: maxK, queryCount: count,
            seconds: Parallel.now() - started)
    }

    /// Ranks one masked row, fills the query's list and metrics.
    static func judgeRow(
        _ row: UnsafeMutablePointer<Float>, itemCount n: Int, query q: Int, queries: EvaluationQueries,
        options: EvaluationOptions, maxK: Int, scratch: WorkerScratch, list: UnsafeMutablePointer<Int32>,
        metrics: UnsafeMutablePointer<Double>
    ) {
        let relevantStart = queries.relevant.offsets[q], relevantEnd = queries.relevant.offsets[q + 1]
        let relevantCount = relevantEnd - relevantStart
        // The row being ranked: the full masked row, or (sampled) the gathered candidates in item order.
        var ranked = UnsafePointer<Float>(row)
        var rankedCount = n
        scratch.relevant.removeAll(keepingCapacity: true)
        if options.negatives > 0 {
            sampleCandidates(query: q, queries: queries, options: options, row: row, scratch: scratch)
            ranked = UnsafePointer(scratch.sampledScores)
            rankedCount = scratch.sampledCount
            for (position, item) in scratch.sampledItems.enumerated()
            where queries.relevant.contains(q, item) {
                scratch.relevant.append((row[Int(item)], Int32(position)))
            }
        } else {
            for e in relevantStart..<relevantEnd {
                let item = queries.relevant.columns[e]
                scratch.relevant.append((row[Int(item)], item))
            }
        }
        let found = TopK.select(ranked, count: rankedCount, k: maxK, indices: scratch.listIndices, values: scratch.listValues)
        for j in 0..<found {
            let local = Int(scratch.listIndices[j])
            list[j] = options.negatives > 0 ? scratch.sampledItems[local] : Int32(local)
        }
        // Relevant items best first (ties: lower index; their mutual order does not change any metric).
        scratch.relevant.sort { $0.score > $1.score || ($0.score == $1.score && $0.index < $1.index) }
        scratch.positions.removeAll(keepingCapacity: true)
        let kthScore = found == maxK ? scratch.listValues[maxK - 1] : -Float.infinity
        var m = 0
        while m < scratch.relevant.count {
            let s = scratch.relevant[m].score
            // Unscorable, or strictly below k other items: beyond every cut-off (and so are the rest).
            if !(s > -.infinity) || s < kthScore { break }
            let atLeast = TopK.countAtLeast(ranked, count: rankedCount, threshold: s)
            var relevantAtLeast = m + 1
            while relevantAtLeast < scratch.relevant.count && scratch.relevant[relevantAtLeast].score >= s {
                relevantAtLeast += 1
            }
            let position = atLeast - relevantAtLeast + m + 1
            if position > maxK { break }
            scratch.positions.append(position)
            m += 1
        }
        scratch.positions.sort()
        scratch.positions.withUnsafeBufferPointer { positions in
            for (kIndex, k) in options.ks.enumerated() {
                RankingMetric.write(
                    positions: positions, relevantCount: relevantCount, k: k,
                    into: metrics + kIndex * RankingMetric.allCases.count)
            }
        }
    }

    /// Fills `scratch.sampledItems` (sorted) with the query's relevant items and `negatives · |R|`
    /// distinct sampled items that are neither excluded nor relevant nor outside the candidates
    /// (fewer when fewer exist), and `scratch.sampledScores` with their scores.
    static func sampleCandidates(
        query q: Int, queries: EvaluationQueries, options: EvaluationOptions, row: UnsafeMutablePointer<Float>,
        scratch: WorkerScratch
    ) {
        let relevant = queries.relevant.row(q)
        var generator = SeededGenerator(seed: options.seed, stream: UInt64(q))
        let pool = queries.candidates
        let poolSize = pool?.count ?? queries.itemCount
        let excludedCount = queries.excluded.rowLength(q)
        let available = max(0, poolSize - excludedCount - relevant.count)
        let wanted = min(options.negatives * relevant.count, available)
        scratch.sampledItems.removeAll(keepingCapacity: true)
        scratch.sampledItems.append(contentsOf: relevant)
        var chosen = Set<Int32>()
        func usable(_ item: Int32) -> Bool {
            row[Int(item)] > -.infinity || row[Int(item)].isNaN
                ? !queries.relevant.contains(q, item) && !chosen.contains(item) : false
        }
        if wanted * 2 >= available {
            // Dense case: enumerate what is available, then draw without replacement.
            var all: [Int32] = []
            for index in 0..<poolSize {
                let item = pool?[index] ?? Int32(index)
                if usable(item) { all.append(item) }
            }
            for j in 0..<wanted {
                let pick = j + generator.below(all.count - j)
                all.swapAt(j, pick)
            }
            scratch.sampledItems.append(contentsOf: all.prefix(wanted))
        } else {
            while chosen.count < wanted {
                let index = generator.below(poolSize)
                let item = pool?[index] ?? Int32(index)
                if usable(item) { chosen.insert(item) }
            }
            scratch.sampledItems.append(contentsOf: chosen)
        }
        scratch.sampledItems.sort()
        for (j, item) in scratch.sampledItems.enumerated() { scratch.sampledScores[j] = row[Int(item)] }
        scratch.sampledCount = scratch.sampledItems.count
    }

    /// One worker's buffers, reused across blocks.
    final class WorkerScratch: @unchecked Sendable {
        let scores: UnsafeMutablePointer<Float>
        let listIndices: UnsafeMutablePointer<Int32>
        let listValues: UnsafeMutablePointer<Float>
        var relevant: [(score: Float, index: Int32)] = []
        var positions: [Int] = []
        var sampledItems: [Int32] = []
        /// Scores of `sampledItems` (capacity: one row).
        let sampledScores: UnsafeMutablePointer<Float>
        var sampledCount = 0

        init(rowFloats: Int, rowWidth: Int, maxK: Int) {
            scores = .allocate(capacity: max(1, rowFloats))
            sampledScores = .allocate(capacity: max(1, rowWidth))
            listIndices = .allocate(capacity: maxK)
            listValues = .allocate(capacity: maxK)
        }

        deinit {
            scores.deallocate()
            sampledScores.deallocate()
            listIndices.deallocate()
            listValues.deallocate()
        }
    }
}
