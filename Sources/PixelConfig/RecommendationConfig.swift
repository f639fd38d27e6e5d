/// The `recommendation:` section: how `pixelrec recommend` builds each user's list.
public struct RecommendationConfig: Sendable, Equatable {
    /// `top_k`: length of each list.
    public var topK = 50
    /// `diversity_weight` `w`: with `use_diversity`, the MMR trade-off: each pick maximises
    /// `λ·rel − (1−λ)·max cosine to already chosen items` with `λ = 1 − w` (0: plain top-k).
    public var diversityWeight = 0.3
    /// `novelty_weight` `ν`: with `use_diversity`, `rel = (1−ν)·normalised score + ν·normalised novelty`,
    /// novelty `−log₂(pop/N)` divided by `log₂ N`.
    public var noveltyWeight = 0.2
    /// `filter_seen`: leave out items the user interacted with in training.
    public var filterSeen = true
    /// `max_candidates`: best-scored items re-ranked for diversity and novelty (at least `top_k`).
    public var maxCandidates = 1000
    /// `novelty_filter_percent`: leave out the most popular this many percent of items; 0 keeps all.
    public var noveltyFilterPercent = 0.0
    /// `use_diversity`: re-rank candidates with `diversity_weight` and `novelty_weight`.
    public var useDiversity = false
    /// `include_new_items`: also rank the items of the item table the model was not trained on (no
    /// training interactions: new items), scored from their content alone; their popularity is 0.
    public var includeNewItems = false

    public init() {}
}
