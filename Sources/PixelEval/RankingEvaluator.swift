import Foundation
import PixelConfig
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
    /// Items per tile when the scorer is a `TiledScorer` and ranking is full: each worker scores and
    /// ranks `blockSize × tileSize` tiles (default 2048 items: a 1 MiB tile for 128 users stays in L2).
    public var tileSize: Int
    /// Evaluate only these queries (one MPI rank's part; the others' rows of the outcome stay 0 and
    /// `-1`); `nil` = all. Sampled negatives are seeded by the query's index in the whole set and
    /// blocks start at `range.lowerBound`, so a part computes exactly the rows the whole run would.
    public var queryRange: Range<Int>? = nil

    public init(
        ks: [Int] = [5, 10, 20, 50], negatives: Int = 0, seed: UInt64 = 42, blockSize: Int = 128, workers: Int? = nil,
        tileSize: Int = 2048
    ) {
        self.ks = ks
        self.negatives = negatives
        self.seed = seed
        self.blockSize = blockSize
        self.workers = workers ?? Parallel.defaultWorkers
        self.tileSize = tileSize
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
        let metricIndex = RankingMetric.ordered.firstIndex(of: metric) ?? 0
        return perUser[(query * ks.count + kIndex) * RankingMetric.ordered.count + metricIndex]
    }

    /// Mean and 95% interval of `metric` at `ks[kIndex]` over all queries.
    public func summary(_ metric: RankingMetric, kIndex: Int) -> MetricSummary {
        MetricSummary(values: (0..<queryCount).lazy.map { value(query: $0, metric: metric, kIndex: kIndex) })
    }

    /// The outcome of the whole query set from `parts` that each computed the rows of their range
    /// (``EvaluationOptions/queryRange``), laid out as one evaluation would have; `seconds` is given.
    /// - Throws: `EvalError.shapeMismatch` when a part's rows do not fit its range or the shapes differ.
    public static func assembled(
        ks: [Int], maxK: Int, queryCount: Int, parts: [(range: Range<Int>, perUser: [Double], lists: [Int32])],
        seconds: Double
    ) throws -> RankingOutcome {
        let width = ks.count * RankingMetric.allCases.count
        var perUser = [Double](repeating: 0, count: queryCount * width)
        var lists = [Int32](repeating: -1, count: queryCount * maxK)
        for part in parts {
            guard part.range.lowerBound >= 0, part.range.upperBound <= queryCount else {
                throw EvalError.shapeMismatch(
                    what: "queries of a part", expected: queryCount, found: part.range.upperBound)
            }
            guard part.perUser.count == part.range.count * width, part.lists.count == part.range.count * maxK else {
                throw EvalError.shapeMismatch(
                    what: "metric values of a part", expected: part.range.count * width, found: part.perUser.count)
            }
            perUser.replaceSubrange(
                (part.range.lowerBound * width)..<(part.range.upperBound * width), with: part.perUser)
            lists.replaceSubrange((part.range.lowerBound * maxK)..<(part.range.upperBound * maxK), with: part.lists)
        }
        return RankingOutcome(
            ks: ks, perUser: perUser, lists: lists, maxK: maxK, queryCount: queryCount, seconds: seconds)
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
/// (a constant scorer scores 0); recommendation lists break ties by lower item index. The count of
/// items with `s ≥ s_r` comes from the top-k list plus the ties just outside it (`TopK.Stream`), so
/// one pass over the scores suffices.
///
/// With a `TiledScorer` (e.g. `FactorizedScorer`) and full ranking, each worker scores
/// `blockSize × tileSize` tiles and ranks each while it is in cache; otherwise whole rows. Memory is
/// bounded by `workers · blockSize · (tileSize or items)` floats, never `users × items`.
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
        let tiled = scorer as? any TiledScorer
        let sparse = options.negatives == 0 ? scorer as? any SparseScorer : nil
        let tile = sparse != nil ? 1 : tiled != nil && options.negatives == 0 ? max(16, min(options.tileSize, n)) : n
        var isCandidate = [Bool](repeating: true, count: sparse != nil ? n : 0)
        for c in nonCandidates where sparse != nil { isCandidate[Int(c)] = false }
        let candidateCount = queries.candidates?.count ?? n
        let started = Parallel.now()
        let buffers = (0..<workers).map { _ in WorkerScratch(block: block, tile: tile, rowWidth: n, maxK: maxK) }
        perUser.withUnsafeMutableBufferPointer { perUser in
            lists.withUnsafeMutableBufferPointer { lists in
                queries.users.withUnsafeBufferPointer { users in
                    Parallel.withSingleThreadedBLAS {
                        let part = (options.queryRange ?? 0..<count).clamped(to: 0..<count)
                        Parallel.forEachChunk(count: part.count, chunk: block, workers: workers) { chunk, worker in
                            let range = (part.lowerBound + chunk.lowerBound)..<(part.lowerBound + chunk.upperBound)
                            let scratch = buffers[worker]
                            let blockUsers = UnsafeBufferPointer(rebasing: users[range])
                            if let sparse {
                                rankSparse(
                                    sparse, range: range, queries: queries, isCandidate: isCandidate,
                                    candidateCount: candidateCount, maxK: maxK, scratch: scratch)
                            } else if let tiled, tile < n {
                                rankTiled(
                                    tiled, users: blockUsers, range: range, queries: queries, tile: tile,
                                    nonCandidates: nonCandidates, maxK: maxK, scratch: scratch)
                            } else {
                                rankRows(
                                    scorer, users: blockUsers, range: range, queries: queries, options: options,
                                    nonCandidates: nonCandidates, maxK: maxK, scratch: scratch)
                            }
                            for q in range {
                                finishRow(
                                    q, slot: q - range.lowerBound, queries: queries, options: options, maxK: maxK,
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

    /// Whole rows: score the block, mask, (sampled: gather candidates), select per row.
    static func rankRows(
        _ scorer: any Scorer, users: UnsafeBufferPointer<Int32>, range: Range<Int>, queries: EvaluationQueries,
        options: EvaluationOptions, nonCandidates: [Int32], maxK: Int, scratch: WorkerScratch
    ) {
        let n = queries.itemCount
        scorer.score(users: users, into: UnsafeMutableBufferPointer(start: scratch.scores, count: range.count * n))
        for q in range {
            let slot = q - range.lowerBound
            let row = scratch.scores + slot * n
            for e in queries.excluded.offsets[q]..<queries.excluded.offsets[q + 1] {
                row[Int(queries.excluded.columns[e])] = -.infinity
            }
            for c in nonCandidates { row[Int(c)] = -.infinity }
            scratch.relevant[slot].removeAll(keepingCapacity: true)
            scratch.streams[slot] = TopK.Stream()
            scratch.presorted[slot] = false
            scratch.mapped[slot] = options.negatives > 0
            let indices = scratch.listIndices + slot * maxK, values = scratch.listValues + slot * maxK
            if options.negatives > 0 {
                sampleCandidates(query: q, queries: queries, options: options, row: row, scratch: scratch, slot: slot)
                let sampled = scratch.sampledItems[slot]
                for (position, item) in sampled.enumerated() where queries.relevant.contains(q, item) {
                    scratch.relevant[slot].append((row[Int(item)], Int32(position)))
                }
                TopK.scan(
                    scratch.sampledScores, count: sampled.count, offset: 0, k: maxK, indices: indices, values: values,
                    stream: &scratch.streams[slot])
            } else {
                for e in queries.relevant.offsets[q]..<queries.relevant.offsets[q + 1] {
                    let item = queries.relevant.columns[e]
                    scratch.relevant[slot].append((row[Int(item)], item))
                }
                TopK.scan(
                    row, count: n, offset: 0, k: maxK, indices: indices, values: values, stream: &scratch.streams[slot])
            }
        }
    }

    /// Tiles: for each item tile, score the block's tile, mask it, read relevant scores, feed each row's stream.
    static func rankTiled(
        _ scorer: any TiledScorer, users: UnsafeBufferPointer<Int32>, range: Range<Int>, queries: EvaluationQueries,
        tile: Int, nonCandidates: [Int32], maxK: Int, scratch: WorkerScratch
    ) {
        let n = queries.itemCount
        for q in range {
            let slot = q - range.lowerBound
            scratch.relevant[slot].removeAll(keepingCapacity: true)
            scratch.streams[slot] = TopK.Stream()
            scratch.excludedCursor[slot] = queries.excluded.offsets[q]
            scratch.relevantCursor[slot] = queries.relevant.offsets[q]
            scratch.presorted[slot] = false
            scratch.mapped[slot] = false
        }
        var candidateCursor = 0
        var start = 0
        while start < n {
            let end = min(n, start + tile), width = end - start
            scorer.score(
                users: users, items: start..<end,
                into: UnsafeMutableBufferPointer(start: scratch.scores, count: range.count * width))
            let candidateStart = candidateCursor
            while candidateCursor < nonCandidates.count && Int(nonCandidates[candidateCursor]) < end {
                candidateCursor += 1
            }
            for q in range {
                let slot = q - range.lowerBound
                let row = scratch.scores + slot * width
                var e = scratch.excludedCursor[slot]
                let eEnd = queries.excluded.offsets[q + 1]
                while e < eEnd && Int(queries.excluded.columns[e]) < end {
                    row[Int(queries.excluded.columns[e]) - start] = -.infinity
                    e += 1
                }
                scratch.excludedCursor[slot] = e
                for c in candidateStart..<candidateCursor { row[Int(nonCandidates[c]) - start] = -.infinity }
                var r = scratch.relevantCursor[slot]
                let rEnd = queries.relevant.offsets[q + 1]
                while r < rEnd && Int(queries.relevant.columns[r]) < end {
                    let item = queries.relevant.columns[r]
                    scratch.relevant[slot].append((row[Int(item) - start], item))
                    r += 1
                }
                scratch.relevantCursor[slot] = r
                TopK.scan(
                    row, count: width, offset: start, k: maxK, indices: scratch.listIndices + slot * maxK,
                    values: scratch.listValues + slot * maxK, stream: &scratch.streams[slot])
            }
            start = end
        }
    }

    /// Sparse rows (`SparseScorer`): only touched items can score above 0, so the list is the top of the
    /// touched, unmasked items, filled up with zero-score candidates by lower index; every untouched
    /// candidate ties at 0 (counted as ties outside the list when the k-th score is 0).
    static func rankSparse(
        _ scorer: any SparseScorer, range: Range<Int>, queries: EvaluationQueries, isCandidate: [Bool],
        candidateCount: Int, maxK: Int, scratch: WorkerScratch
    ) {
        let row = scratch.scores
        for q in range {
            let slot = q - range.lowerBound
            scratch.relevant[slot].removeAll(keepingCapacity: true)
            scratch.presorted[slot] = true
            scratch.mapped[slot] = false
            scratch.touched.removeAll(keepingCapacity: true)
            scorer.accumulate(user: queries.users[q], into: row, touched: &scratch.touched)
            let excludedStart = queries.excluded.offsets[q], excludedEnd = queries.excluded.offsets[q + 1]
            // Masked touched items become -inf (untouched masked items are skipped by the zero fill).
            for e in excludedStart..<excludedEnd where row[Int(queries.excluded.columns[e])] != 0 {
                row[Int(queries.excluded.columns[e])] = -.infinity
            }
            for r in queries.relevant.offsets[q]..<queries.relevant.offsets[q + 1] {
                let item = queries.relevant.columns[r]
                scratch.relevant[slot].append((row[Int(item)], item))
            }
            // Top k of the touched, unmasked candidates, in any order (full tie rule in `offer`).
            let indices = scratch.listIndices + slot * maxK, values = scratch.listValues + slot * maxK
            var size = 0, positives = 0
            scratch.touched.withUnsafeBufferPointer { touched in
                for t in touched {
                    let v = row[Int(t)]
                    guard v > 0, isCandidate[Int(t)] else { continue }
                    positives += 1
                    size = TopK.offer(values: values, indices: indices, size: size, k: maxK, score: v, index: t)
                }
            }
            TopK.sortHeap(values: values, indices: indices, size: size)
            var stream = TopK.Stream()
            if size == maxK {
                // Ties outside: touched candidates scoring the k-th score that are not in the list.
                let kth = values[maxK - 1]
                var equal = 0
                scratch.touched.withUnsafeBufferPointer { touched in
                    for t in touched where row[Int(t)] == kth && isCandidate[Int(t)] { equal += 1 }
                }
                var listed = 0
                for j in 0..<maxK where values[j] == kth { listed += 1 }
                stream.tiesOutside = equal - listed
            } else {
                // Fill with zero-score candidates by lower index: not touched, not masked.
                var excludedCandidates = 0
                for e in excludedStart..<excludedEnd where isCandidate[Int(queries.excluded.columns[e])] {
                    excludedCandidates += 1
                }
                let zeroCount = candidateCount - excludedCandidates - positives
                var filled = 0
                var e = excludedStart
                var item = 0
                while size < maxK && item < queries.itemCount {
                    defer { item += 1 }
                    let i = Int32(item)
                    while e < excludedEnd && queries.excluded.columns[e] < i { e += 1 }
                    if !isCandidate[item] || row[item] != 0 || (e < excludedEnd && queries.excluded.columns[e] == i) {
                        continue
                    }
                    indices[size] = i
                    values[size] = 0
                    size += 1
                    filled += 1
                }
                if size == maxK { stream.tiesOutside = zeroCount - filled }
            }
            stream.size = size
            stream.threshold = size == maxK ? values[maxK - 1] : -.infinity
            scratch.streams[slot] = stream
            for t in scratch.touched { row[Int(t)] = 0 }
        }
    }

    /// Sorts the row's list, places its relevant items (pessimistic ties) and writes list and metrics.
    static func finishRow(
        _ q: Int, slot: Int, queries: EvaluationQueries, options: EvaluationOptions, maxK: Int,
        scratch: WorkerScratch, list: UnsafeMutablePointer<Int32>, metrics: UnsafeMutablePointer<Double>
    ) {
        let relevantCount = queries.relevant.rowLength(q)
        let indices = scratch.listIndices + slot * maxK, values = scratch.listValues + slot * maxK
        let stream = scratch.streams[slot]
        let found = stream.size
        if !scratch.presorted[slot] { TopK.sortHeap(values: values, indices: indices, size: found) }
        for j in 0..<found {
            let local = Int(indices[j])
            list[j] = scratch.mapped[slot] ? scratch.sampledItems[slot][local] : Int32(local)
        }
        // Relevant items best first (ties: lower index; their mutual order does not change any metric).
        scratch.relevant[slot].sort { $0.score > $1.score || ($0.score == $1.score && $0.index < $1.index) }
        let relevant = scratch.relevant[slot]
        scratch.positions.removeAll(keepingCapacity: true)
        let full = found == maxK
        let kthScore = full ? values[maxK - 1] : -Float.infinity
        var m = 0
        while m < relevant.count {
            let s = relevant[m].score
            // Unscorable, or strictly below k other items: beyond every cut-off (and so are the rest).
            if !(s > -.infinity) || s < kthScore { break }
            // Items scoring ≥ s: all in the list, plus (when s is the k-th score) the ties left outside.
            var atLeast = 0
            while atLeast < found && values[atLeast] >= s { atLeast += 1 }
            if full && s == kthScore { atLeast += stream.tiesOutside }
            var relevantAtLeast = m + 1
            while relevantAtLeast < relevant.count && relevant[relevantAtLeast].score >= s { relevantAtLeast += 1 }
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
                    into: metrics + kIndex * RankingMetric.ordered.count)
            }
        }
    }

    /// Fills `scratch.sampledItems[slot]` (sorted) with the query's relevant items and
    /// `negatives · |R|` distinct sampled items that are neither excluded nor relevant nor outside the
    /// candidates (fewer when fewer exist), and `scratch.sampledScores` with their scores.
    static func sampleCandidates(
        query q: Int, queries: EvaluationQueries, options: EvaluationOptions, row: UnsafeMutablePointer<Float>,
        scratch: WorkerScratch, slot: Int
    ) {
        let relevant = queries.relevant.row(q)
        var generator = SeededGenerator(seed: options.seed, stream: UInt64(q))
        let pool = queries.candidates
        let poolSize = pool?.count ?? queries.itemCount
        let excludedCount = queries.excluded.rowLength(q)
        let available = max(0, poolSize - excludedCount - relevant.count)
        let wanted = min(options.negatives * relevant.count, available)
        var sampled = scratch.sampledItems[slot]
        sampled.removeAll(keepingCapacity: true)
        sampled.append(contentsOf: relevant)
        var chosen = Set<Int32>()
        func usable(_ item: Int32) -> Bool {
            (row[Int(item)] > -.infinity || row[Int(item)].isNaN)
                && !queries.relevant.contains(q, item) && !chosen.contains(item)
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
            sampled.append(contentsOf: all.prefix(wanted))
        } else {
            while chosen.count < wanted {
                let index = generator.below(poolSize)
                let item = pool?[index] ?? Int32(index)
                if usable(item) { chosen.insert(item) }
            }
            sampled.append(contentsOf: chosen)
        }
        sampled.sort()
        for (j, item) in sampled.enumerated() { scratch.sampledScores[j] = row[Int(item)] }
        scratch.sampledItems[slot] = sampled
    }

    /// One worker's buffers, reused across blocks.
    final class WorkerScratch: @unchecked Sendable {
        /// `block × tile` scores (tile = every item for whole rows).
        let scores: UnsafeMutablePointer<Float>
        /// Per block slot: the top-k heap, its stream state, relevant scores, tile cursors.
        let listIndices: UnsafeMutablePointer<Int32>
        let listValues: UnsafeMutablePointer<Float>
        var streams: [TopK.Stream]
        var relevant: [[(score: Float, index: Int32)]]
        var excludedCursor: [Int]
        var relevantCursor: [Int]
        var positions: [Int] = []
        /// Whether a slot's list is already in rank order / holds positions into `sampledItems`.
        var presorted: [Bool]
        var mapped: [Bool]
        /// Sparse rows: the items a `SparseScorer` wrote.
        var touched: [Int32] = []
        /// Sampled evaluation: each slot's candidate items, and one row's gathered scores.
        var sampledItems: [[Int32]]
        let sampledScores: UnsafeMutablePointer<Float>

        /// `tile == 1` marks sparse ranking: `scores` is then one zeroed row.
        init(block: Int, tile: Int, rowWidth: Int, maxK: Int) {
            scores = .allocate(capacity: max(1, tile == 1 ? rowWidth : block * tile))
            listIndices = .allocate(capacity: block * maxK)
            listValues = .allocate(capacity: block * maxK)
            sampledScores = .allocate(capacity: max(1, rowWidth))
            streams = [TopK.Stream](repeating: TopK.Stream(), count: block)
            relevant = [[(score: Float, index: Int32)]](repeating: [], count: block)
            excludedCursor = [Int](repeating: 0, count: block)
            relevantCursor = [Int](repeating: 0, count: block)
            sampledItems = [[Int32]](repeating: [], count: block)
            presorted = [Bool](repeating: false, count: block)
            mapped = [Bool](repeating: false, count: block)
            if tile == 1 { scores.update(repeating: 0, count: rowWidth) }
        }

        deinit {
            scores.deallocate()
            listIndices.deallocate()
            listValues.deallocate()
            sampledScores.deallocate()
        }
    }
}
