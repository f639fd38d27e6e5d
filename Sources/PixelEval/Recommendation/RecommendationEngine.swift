import CBLAS
import PixelCore

/// Batch recommendation: scores blocks of users against every item, removes seen and excluded items,
/// keeps each user's best `C` items with a partial top-k selection, then (with diversity) re-ranks them
/// by maximal marginal relevance.
///
/// Work is spread over `workers` threads, one block of `blockSize` users at a time; with a
/// `TiledScorer` each block is scored `tileSize` items at a time and each tile is ranked while in cache.
/// Memory is `workers · blockSize · (tileSize or items)` floats of scores plus the `[users, k]` output —
/// never `users × items`. Ties rank the lower item index first (`docs/METRICS.md`, recommendation lists).
public enum RecommendationEngine {
    /// Builds the lists of `request.users` (in that order).
    /// - Parameters:
    ///   - progress: advanced by the number of users of each finished block.
    /// - Throws: `EvalError.invalidOption` for a non-positive `k`, `EvalError.shapeMismatch` when the
    ///   embeddings or novelty do not have one row per scorer item.
    public static func recommend(
        scorer: any Scorer, request: RecommendationRequest, progress: Progress? = nil
    ) throws -> RecommendationLists {
        let start = Parallel.now()
        let n = scorer.itemCount, k = request.topK
        guard k > 0 else { throw EvalError.invalidOption(name: "top_k", reason: "must be at least 1") }
        if let diversity = request.diversity {
            let rows = diversity.embeddings.normalized.count / max(1, diversity.embeddings.dimension)
            guard rows == n else {
                throw EvalError.shapeMismatch(what: "item embeddings (rows)", expected: n, found: rows)
            }
            if let novelty = diversity.normalizedNovelty, novelty.count != n {
                throw EvalError.shapeMismatch(what: "item novelty", expected: n, found: novelty.count)
            }
        }
        let count = request.users.count
        var items = [Int32](repeating: -1, count: count * k)
        var scores = [Float](repeating: .nan, count: count * k)
        guard count > 0, n > 0 else { return RecommendationLists(k: k, items: items, scores: scores, seconds: 0) }

        // Excluded items as an additive 0 / -inf row (one vector add per scored tile).
        var penalty: [Float] = []
        if !request.excluded.isEmpty {
            penalty = [Float](repeating: 0, count: n)
            for i in request.excluded where i >= 0 && Int(i) < n { penalty[Int(i)] = -.infinity }
        }
        let candidates = request.diversity.map { max(k, min(n, $0.candidates)) } ?? k
        let block = max(1, request.blockSize)
        let tiled = scorer as? any TiledScorer
        let tile = tiled != nil ? max(16, min(request.tileSize, n)) : n
        let workers = max(1, request.workers)
        let layout = Layout(
            block: block, tile: tile, candidates: candidates, k: k,
            dimension: request.diversity?.embeddings.dimension ?? 0)
        let scratches = (0..<workers).map { _ in Scratch(layout) }
        defer { scratches.forEach { $0.deallocate() } }

        Parallel.withSingleThreadedBLAS {
            request.users.withUnsafeBufferPointer { users in
                items.withUnsafeMutableBufferPointer { outItems in
                    scores.withUnsafeMutableBufferPointer { outScores in
                        penalty.withUnsafeBufferPointer { penalty in
                            let output = Output(items: outItems.baseAddress!, scores: outScores.baseAddress!)
                            Parallel.forEachChunk(count: count, chunk: block, workers: workers) { range, worker in
                                let scratch = scratches[worker]
                                let blockUsers = UnsafeBufferPointer(rebasing: users[range])
                                select(
                                    scorer: scorer, tiled: tiled, users: blockUsers, n: n, tile: tile, request: request,
                                    penalty: penalty, candidates: candidates, scratch: scratch)
                                finish(
                                    rows: blockUsers.count, firstOutput: range.lowerBound, k: k, request: request,
                                    scratch: scratch, output: output)
                                progress?.advance(by: range.count)
                            }
                        }
                    }
                }
            }
        }
        return RecommendationLists(k: k, items: items, scores: scores, seconds: Parallel.now() - start)
    }

    /// Scores one block tile by tile and feeds each row's top-`candidates` heap.
    static func select(
        scorer: any Scorer, tiled: (any TiledScorer)?, users: UnsafeBufferPointer<Int32>, n: Int, tile: Int,
        request: RecommendationRequest, penalty: UnsafeBufferPointer<Float>, candidates: Int, scratch: Scratch
    ) {
        let b = users.count
        for r in 0..<b {
            scratch.streams[r] = TopK.Stream()
            let u = Int(users[r])
            scratch.seenCursor[r] = request.seen.map { u < $0.rowCount ? $0.offsets[u] : 0 } ?? 0
            scratch.seenEnd[r] = request.seen.map { u < $0.rowCount ? $0.offsets[u + 1] : 0 } ?? 0
        }
        var start = 0
        while start < n {
            let end = min(n, start + tile), width = end - start
            let buffer = UnsafeMutableBufferPointer(start: scratch.scores, count: b * width)
            if let tiled, tile < n {
                tiled.score(users: users, items: start..<end, into: buffer)
            } else {
                scorer.score(users: users, into: buffer)
            }
            for r in 0..<b {
                let row = scratch.scores + r * width
                if penalty.count == n, let p = penalty.baseAddress {
                    addPenalty(row, p + start, count: width)
                }
                if let seen = request.seen {
                    var cursor = scratch.seenCursor[r]
                    let stop = scratch.seenEnd[r]
                    seen.columns.withUnsafeBufferPointer { columns in
                        while cursor < stop {
                            let item = Int(columns[cursor])
                            if item >= end { break }
                            if item >= start { row[item - start] = -.infinity }
                            cursor += 1
                        }
                    }
                    scratch.seenCursor[r] = cursor
                }
                TopK.scan(
                    row, count: width, offset: start, k: candidates, indices: scratch.heapIndices + r * candidates,
                    values: scratch.heapValues + r * candidates, stream: &scratch.streams[r])
            }
            start = end
        }
        for r in 0..<b {
            TopK.sortHeap(
                values: scratch.heapValues + r * candidates, indices: scratch.heapIndices + r * candidates,
                size: scratch.streams[r].size)
        }
    }

    /// `row[j] += penalty[j]` (0 or -inf), 16 lanes at a time.
    @inline(__always)
    static func addPenalty(_ row: UnsafeMutablePointer<Float>, _ penalty: UnsafePointer<Float>, count: Int) {
        var j = 0
        let rawRow = UnsafeMutableRawPointer(row), rawPenalty = UnsafeRawPointer(penalty)
        while j + 16 <= count {
            let a = rawRow.loadUnaligned(fromByteOffset: j &* 4, as: SIMD16<Float>.self)
            let p = rawPenalty.loadUnaligned(fromByteOffset: j &* 4, as: SIMD16<Float>.self)
            rawRow.storeBytes(of: a + p, toByteOffset: j &* 4, as: SIMD16<Float>.self)
            j += 16
        }
        while j < count {
            row[j] += penalty[j]
            j += 1
        }
    }

    /// Turns each row's sorted candidates into its list (MMR or the first `k`) and writes it out.
    static func finish(
        rows: Int, firstOutput: Int, k: Int, request: RecommendationRequest, scratch: Scratch, output: Output
    ) {
        let candidates = scratch.layout.candidates
        for r in 0..<rows {
            let size = scratch.streams[r].size
            let values = scratch.heapValues + r * candidates, indices = scratch.heapIndices + r * candidates
            let outItems = output.items + (firstOutput + r) * k, outScores = output.scores + (firstOutput + r) * k
            guard let diversity = request.diversity, size > 1 else {
                for j in 0..<min(k, size) {
                    outItems[j] = indices[j]
                    outScores[j] = values[j]
                }
                continue
            }
            let d = diversity.embeddings.dimension
            diversity.embeddings.normalized.withUnsafeBufferPointer { table in
                for j in 0..<size {
                    (scratch.embeddings + j * d).update(from: table.baseAddress! + Int(indices[j]) * d, count: d)
                }
            }
            let nu = Float(diversity.noveltyWeight)
            if let novelty = diversity.normalizedNovelty {
                novelty.withUnsafeBufferPointer { novelty in
                    RelevanceMix.relevance(
                        scores: values, items: indices, count: size, normalizedNovelty: novelty.baseAddress!,
                        noveltyWeight: nu, into: scratch.relevance)
                }
            } else {
                RelevanceMix.relevance(
                    scores: values, items: indices, count: size, normalizedNovelty: nil, noveltyWeight: 0,
                    into: scratch.relevance)
            }
            let picked = MaximalMarginalRelevance.rerank(
                count: size, relevance: scratch.relevance, embeddings: scratch.embeddings, dimension: d,
                lambda: diversity.lambda, k: k, picks: scratch.picks, scratch: &scratch.mmr)
            for j in 0..<picked {
                let c = Int(scratch.picks[j])
                outItems[j] = indices[c]
                outScores[j] = values[c]
            }
        }
    }

    struct Layout {
        let block: Int, tile: Int, candidates: Int, k: Int, dimension: Int
    }

    /// Output pointers shared by the workers (each writes its own rows).
    struct Output: @unchecked Sendable {
        let items: UnsafeMutablePointer<Int32>
        let scores: UnsafeMutablePointer<Float>
    }

    /// One worker's buffers, reused across blocks.
    final class Scratch: @unchecked Sendable {
        let layout: Layout
        let scores: UnsafeMutablePointer<Float>
        let heapValues: UnsafeMutablePointer<Float>
        let heapIndices: UnsafeMutablePointer<Int32>
        let embeddings: UnsafeMutablePointer<Float>
        let relevance: UnsafeMutablePointer<Float>
        let picks: UnsafeMutablePointer<Int32>
        var streams: [TopK.Stream]
        var seenCursor: [Int]
        var seenEnd: [Int]
        var mmr = MaximalMarginalRelevance.Scratch()

        init(_ layout: Layout) {
            self.layout = layout
            scores = .allocate(capacity: layout.block * layout.tile)
            heapValues = .allocate(capacity: layout.block * layout.candidates)
            heapIndices = .allocate(capacity: layout.block * layout.candidates)
            embeddings = .allocate(capacity: max(1, layout.candidates * layout.dimension))
            relevance = .allocate(capacity: layout.candidates)
            picks = .allocate(capacity: layout.k)
            streams = [TopK.Stream](repeating: TopK.Stream(), count: layout.block)
            seenCursor = [Int](repeating: 0, count: layout.block)
            seenEnd = [Int](repeating: 0, count: layout.block)
        }

        func deallocate() {
            scores.deallocate()
            heapValues.deallocate()
            heapIndices.deallocate()
            embeddings.deallocate()
            relevance.deallocate()
            picks.deallocate()
        }
    }
}
