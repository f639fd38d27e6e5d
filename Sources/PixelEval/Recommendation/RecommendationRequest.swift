/// What ``RecommendationEngine`` needs to build lists for a batch of users.
public struct RecommendationRequest: Sendable {
    /// Scorer rows to recommend for, in output order.
    public var users: [Int32]
    /// List length `k`.
    public var topK: Int
    /// Items the user already has, row `u` for scorer row `u` (rows beyond `rowCount` have none); `nil`
    /// recommends seen items too. Each row's columns must be sorted (as `SparseMatrix` keeps them).
    public var seen: SparseMatrix?
    /// Items never recommended (allow/deny lists, novelty filter), any order.
    public var excluded: [Int32]
    /// Diversity-aware re-ranking; `nil` gives the plain top-`k` by model score.
    public var diversity: DiversitySettings?
    /// Worker threads (blocks of users are spread over them).
    public var workers: Int
    /// Users scored per block: memory is `workers · blockSize · tileSize` floats of scores.
    public var blockSize: Int
    /// Items per scored tile with a `TiledScorer` (whole rows otherwise).
    public var tileSize: Int

    public init(
        users: [Int32], topK: Int, seen: SparseMatrix? = nil, excluded: [Int32] = [],
        diversity: DiversitySettings? = nil,
        workers: Int = 2, blockSize: Int = 128, tileSize: Int = 2048
    ) {
        self.users = users
        self.topK = topK
        self.seen = seen
        self.excluded = excluded
        self.diversity = diversity
        self.workers = workers
        self.blockSize = blockSize
        self.tileSize = tileSize
    }
}

/// MMR re-ranking settings (see ``MaximalMarginalRelevance`` and ``RelevanceMix``).
///
/// `diversityWeight = w` maps to MMR's `λ = 1 − w`: `w = 0` is the plain top-k (with `noveltyWeight = 0`),
/// `w = 1` ignores relevance after the first pick.
public struct DiversitySettings: Sendable {
    /// `w ∈ [0, 1]`.
    public var diversityWeight: Double
    /// `ν ∈ [0, 1]`: share of normalised novelty in the relevance.
    public var noveltyWeight: Double
    /// Best-scored candidates re-ranked per user (`C ≥ k`): a partial top-`C` selection, no full sort.
    public var candidates: Int
    /// Unit-length item embeddings the cosine is taken over, one row per scorer item.
    public var embeddings: EmbeddingCosine
    /// `ñ_i ∈ [0, 1]` per item (``ItemPopularity/normalizedNovelty``); `nil` means no novelty term.
    public var normalizedNovelty: [Float]?

    public init(
        diversityWeight: Double, noveltyWeight: Double, candidates: Int, embeddings: EmbeddingCosine,
        normalizedNovelty: [Float]?
    ) {
        self.diversityWeight = diversityWeight
        self.noveltyWeight = noveltyWeight
        self.candidates = candidates
        self.embeddings = embeddings
        self.normalizedNovelty = normalizedNovelty
    }

    /// MMR's `λ = 1 − diversityWeight`.
    public var lambda: Float { Float(1 - min(1, max(0, diversityWeight))) }
}

/// Recommendation lists of a batch: `[users, k]` item indices and model scores, rank order, padded with
/// `-1` / `NaN` when fewer than `k` items are allowed.
public struct RecommendationLists: Sendable {
    public let k: Int
    public let items: [Int32]
    public let scores: [Float]
    /// Wall-clock seconds of scoring, selection and re-ranking.
    public let seconds: Double

    public init(k: Int, items: [Int32], scores: [Float], seconds: Double) {
        self.k = k
        self.items = items
        self.scores = scores
        self.seconds = seconds
    }

    public var userCount: Int { k > 0 ? items.count / k : 0 }

    /// List `q` without padding.
    public func list(_ q: Int) -> ArraySlice<Int32> {
        let row = items[q * k..<(q + 1) * k]
        return row.prefix { $0 >= 0 }
    }

    public func scores(_ q: Int) -> ArraySlice<Float> { scores[q * k..<q * k + list(q).count] }
}
