import Foundation
import PixelCluster
import PixelCore
import PixelEval

/// Full-ranking evaluation split over the ranks of an MPI job (``Cluster``): the queries are cut into
/// `N` contiguous parts on multiples of the block size (rank `r` takes blocks `⌊r·B/N⌋ ..< ⌊(r+1)·B/N⌋`
/// of the `B = ⌈Q/blockSize⌉` blocks), each rank ranks its part, and one all-gather carries every part's
/// per-user metric values (`Q_r · |ks| · metrics` doubles) and top-`maxK` lists (`Q_r · maxK` ints). Every
/// rank then holds the outcome one process computes — the same blocks, the same per-user values, in
/// query order — so means, intervals and lists are equal bit for bit; rank 0 writes them. The outcome's
/// `seconds` is this rank's wall time of the whole split ranking (its part and the all-gather), so users
/// per second count every rank's users.
enum DistributedEvaluation {
    /// Rank `rank`'s queries among `count`, whole blocks of `block`.
    static func part(rank: Int, of ranks: Int, count: Int, block: Int) -> Range<Int> {
        let blocks = (count + block - 1) / max(1, block)
        let lo = min(count, rank * blocks / ranks * block), hi = min(count, (rank + 1) * blocks / ranks * block)
        return lo..<hi
    }

    /// ``RankingEvaluator/evaluate(scorer:queries:options:progress:)`` over `cluster`'s ranks.
    /// - Throws: `EvalError`, ``ClusterError`` (a rank failed, or a malformed part).
    static func evaluate(
        scorer: any Scorer, queries: EvaluationQueries, options: EvaluationOptions, progress: PixelCore.Progress?,
        cluster: Cluster = .world
    ) throws -> RankingOutcome {
        guard cluster.isDistributed else {
            return try RankingEvaluator.evaluate(scorer: scorer, queries: queries, options: options, progress: progress)
        }
        let started = Date()
        let count = queries.count
        let mine = part(rank: cluster.rank, of: cluster.size, count: count, block: max(1, options.blockSize))
        var local = options
        local.queryRange = mine
        let outcome = try RankingEvaluator.evaluate(
            scorer: scorer, queries: queries, options: local, progress: progress)
        let width = outcome.perUser.count / max(1, outcome.queryCount)
        var writer = ByteWriter()
        writer.doubles(Array(outcome.perUser[(mine.lowerBound * width)..<(mine.upperBound * width)]))
        writer.int32s(Array(outcome.lists[(mine.lowerBound * outcome.maxK)..<(mine.upperBound * outcome.maxK)]))
        let gathered = try cluster.allgather(writer.bytes, label: "eval parts")
        var parts: [(range: Range<Int>, perUser: [Double], lists: [Int32])] = []
        for (rank, bytes) in gathered.enumerated() {
            var reader = ByteReader(bytes, rank: rank)
            let range = part(rank: rank, of: cluster.size, count: count, block: max(1, options.blockSize))
            parts.append((range, try reader.doubles(), try reader.int32s()))
            guard reader.isAtEnd else { throw reader.fail("eval parts: trailing bytes") }
        }
        return try RankingOutcome.assembled(
            ks: outcome.ks, maxK: outcome.maxK, queryCount: count, parts: parts,
            seconds: Date().timeIntervalSince(started))
    }
}
