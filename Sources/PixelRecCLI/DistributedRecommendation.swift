import Foundation
import PixelCluster
import PixelCore
import PixelEval

/// Recommendation lists split over the ranks of an MPI job: the requested users are cut on multiples of
/// the engine's block size (as ``DistributedEvaluation/part(rank:of:count:block:)``), each rank computes
/// the lists of its users — the same blocks one process scores — and one all-gather carries every part's
/// `Q_r · k` item ids and scores; every rank then holds the lists of one process, in request order, and
/// rank 0 writes them. `seconds`: this rank's wall time of the whole split (its part and the all-gather).
enum DistributedRecommendation {
    /// ``RecommendationEngine/recommend(scorer:request:progress:)`` over `cluster`'s ranks.
    /// - Throws: `EvalError`, ``ClusterError`` (a rank failed, or a malformed part).
    static func recommend(
        scorer: any Scorer, request: RecommendationRequest, progress: PixelCore.Progress?, cluster: Cluster = .world
    ) throws -> RecommendationLists {
        guard cluster.isDistributed else {
            return try RecommendationEngine.recommend(scorer: scorer, request: request, progress: progress)
        }
        let started = Date()
        let block = max(1, request.blockSize), count = request.users.count
        func part(_ rank: Int) -> Range<Int> {
            DistributedEvaluation.part(rank: rank, of: cluster.size, count: count, block: block)
        }
        var mine = request
        mine.users = Array(request.users[part(cluster.rank)])
        let lists = try RecommendationEngine.recommend(scorer: scorer, request: mine, progress: progress)
        var writer = ByteWriter()
        writer.int(lists.k)
        writer.int32s(lists.items)
        writer.floats(lists.scores)
        let gathered = try cluster.allgather(writer.bytes, label: "recommendation parts")
        var items: [Int32] = [], scores: [Float] = []
        for (rank, bytes) in gathered.enumerated() {
            var reader = ByteReader(bytes, rank: rank)
            let k = try reader.int()
            let partItems = try reader.int32s(), partScores = try reader.floats()
            guard k == lists.k, partItems.count == part(rank).count * k, partScores.count == partItems.count,
                reader.isAtEnd
            else { throw reader.fail("recommendation parts: lists do not fit the rank's users") }
            items += partItems
            scores += partScores
        }
        return RecommendationLists(k: lists.k, items: items, scores: scores, seconds: Date().timeIntervalSince(started))
    }
}
