import CBLAS

/// Maximal marginal relevance re-ranking (Carbonell & Goldstein, 1998).
///
/// Given candidates `c_1 … c_C` (in descending model-score order) with relevance `rel_j` and unit-length
/// embeddings `e_j`, the list is built greedily: with `S` the items picked so far,
///
/// `pick = argmax_{j ∉ S} λ · rel_j − (1 − λ) · max_{s ∈ S} cos(e_j, e_s)`
///
/// where the similarity term is 0 while `S` is empty (the first pick is the most relevant candidate).
/// Ties go to the earlier candidate, so with `λ = 1` the result is exactly the candidates' own order.
/// `cos` is a dot product because the embeddings are unit length (a zero embedding has cosine 0 with
/// everything). Each pick costs one `C × e` matrix-vector product (`sgemv`): `O(k · C · e)` per list.
public enum MaximalMarginalRelevance {
    /// Scratch buffers for one list; reuse across lists to avoid allocation.
    public struct Scratch {
        var maxSimilarity: [Float] = []
        var similarity: [Float] = []
        var picked: [Bool] = []

        public init() {}

        mutating func reserve(_ count: Int) {
            if maxSimilarity.count < count {
                maxSimilarity = [Float](repeating: 0, count: count)
                similarity = [Float](repeating: 0, count: count)
                picked = [Bool](repeating: false, count: count)
            }
        }
    }

    /// Picks `min(k, count)` candidates in MMR order.
    /// - Parameters:
    ///   - count: candidates `C`.
    ///   - relevance: `rel[0 ..< C]`, any scale (the caller normalises; see ``RelevanceMix``).
    ///   - embeddings: `[C, dimension]` row-major unit-length (or zero) rows, row `j` for candidate `j`.
    ///   - lambda: `λ ∈ [0, 1]`, the weight of relevance.
    ///   - picks: room for `k` entries; receives candidate positions (`0 ..< C`) in list order.
    /// - Returns: the number of picks written.
    @discardableResult
    public static func rerank(
        count: Int, relevance: UnsafePointer<Float>, embeddings: UnsafePointer<Float>, dimension: Int, lambda: Float,
        k: Int, picks: UnsafeMutablePointer<Int32>, scratch: inout Scratch
    ) -> Int {
        let total = min(k, count)
        guard total > 0 else { return 0 }
        scratch.reserve(count)
        let redundancyWeight = 1 - lambda
        return scratch.maxSimilarity.withUnsafeMutableBufferPointer { maxSim in
            scratch.similarity.withUnsafeMutableBufferPointer { sim in
                scratch.picked.withUnsafeMutableBufferPointer { picked in
                    for j in 0..<count {
                        maxSim[j] = -.infinity
                        picked[j] = false
                    }
                    for slot in 0..<total {
                        var best = -1
                        var bestValue = -Float.infinity
                        for j in 0..<count where !picked[j] {
                            let redundancy = slot == 0 ? 0 : maxSim[j]
                            let value = lambda * relevance[j] - redundancyWeight * redundancy
                            // Strict `>`: the earlier candidate keeps ties; `best < 0` admits -inf/NaN values.
                            if best < 0 || value > bestValue {
                                best = j
                                bestValue = value
                            }
                        }
                        picks[slot] = Int32(best)
                        picked[best] = true
                        guard slot + 1 < total, dimension > 0 else { continue }
                        // sim = E · e_best, then the running maximum over picked items.
                        cblas_sgemv(
                            CblasRowMajor, CblasNoTrans, Int32(count), Int32(dimension), 1, embeddings,
                            Int32(dimension),
                            embeddings + best * dimension, 1, 0, sim.baseAddress!, 1)
                        for j in 0..<count where sim[j] > maxSim[j] { maxSim[j] = sim[j] }
                    }
                    return total
                }
            }
        }
    }

    /// Array convenience of ``rerank(count:relevance:embeddings:dimension:lambda:k:picks:scratch:)``:
    /// candidate positions in MMR order.
    public static func rerank(relevance: [Float], embeddings: [Float], dimension: Int, lambda: Float, k: Int) -> [Int] {
        let count = relevance.count
        guard count > 0, k > 0, embeddings.count >= count * dimension else { return [] }
        var picks = [Int32](repeating: -1, count: min(k, count))
        var scratch = Scratch()
        let written = relevance.withUnsafeBufferPointer { rel in
            embeddings.withUnsafeBufferPointer { emb in
                picks.withUnsafeMutableBufferPointer { out in
                    rerank(
                        count: count, relevance: rel.baseAddress!, embeddings: emb.baseAddress!, dimension: dimension,
                        lambda: lambda, k: k, picks: out.baseAddress!, scratch: &scratch)
                }
            }
        }
        return picks.prefix(written).map(Int.init)
    }
}

/// How a candidate's MMR relevance is made from its model score and its novelty.
///
/// Scores of one user's candidates are min–max normalised, `s̃_j = (s_j − min s) / (max s − min s)`
/// (all 1 when every candidate scores the same), so `λ` means the same for every user and model scale.
/// Novelty `n_i = −log2(pop_i / N)` is divided by its largest possible value `log2 N` (an item with one
/// training interaction), `ñ_i ∈ [0, 1]`. Then `rel_j = (1 − ν) · s̃_j + ν · ñ_j` with `ν = novelty_weight`.
public enum RelevanceMix {
    /// Writes `rel[0 ..< count]` from `scores` (candidate order) and `novelty` (normalised, per item).
    public static func relevance(
        scores: UnsafePointer<Float>, items: UnsafePointer<Int32>, count: Int, normalizedNovelty: UnsafePointer<Float>?,
        noveltyWeight: Float, into rel: UnsafeMutablePointer<Float>
    ) {
        guard count > 0 else { return }
        var low = Float.infinity, high = -Float.infinity
        for j in 0..<count {
            low = min(low, scores[j])
            high = max(high, scores[j])
        }
        let range = high - low
        let scale: Float = range > 0 && range.isFinite ? 1 / range : 0
        let nu = normalizedNovelty == nil ? 0 : noveltyWeight
        for j in 0..<count {
            let s: Float = scale > 0 ? (scores[j] - low) * scale : 1
            let n: Float = normalizedNovelty.map { $0[Int(items[j])] } ?? 0
            rel[j] = (1 - nu) * s + nu * n
        }
    }
}
