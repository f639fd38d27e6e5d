/// The `evaluation:` section: what `pixelrec eval` measures (definitions in `docs/METRICS.md`).
public struct EvaluationConfig: Sendable, Equatable {
    /// `task`
    public var task: EvaluationTask = .retrieval
    /// `k_values`: list lengths at which every metric is reported.
    public var kValues = [5, 10, 20, 50]
    /// `negatives`: 0 = full ranking over every item (the default); `n > 0` = sampled evaluation of each
    /// positive against `n` sampled negatives, labelled as such in every output.
    public var negatives = 0
    /// `recommender_type`: the model evaluated; the others are baselines.
    public var recommenderType: RecommenderType = .multimodal
    /// `knn_neighbors`: neighbours kept by `item_knn` and `user_knn`.
    public var knnNeighbors = 50
    /// `knn_shrinkage`: `h` in the shrunk cosine `a·b / (‖a‖‖b‖ + h)` of `item_knn` and `user_knn`.
    public var knnShrinkage = 100.0
    /// `save_per_user`: also write every user's metrics to a CSV file.
    public var savePerUser = false

    public init() {}
}

/// `evaluation.task`: the evaluation protocols of `pixelrec eval` (issue 8). Every task ranks all
/// candidate items (full ranking) unless sampled evaluation is asked for explicitly.
public enum EvaluationTask: String, Sendable, CaseIterable, ConfigEnum {
    /// Users seen in training; rank every item except their training items; relevant = test items.
    case retrieval
    /// As `retrieval`, but training items stay in the ranking.
    case ranking
    /// Leave-one-out next item (pairs with `leave_one_out` or `temporal` splits): rank every item except
    /// the user's training and validation items; the profile a model scores from is training +
    /// validation (all history before the test item).
    case nextItem = "next_item"
    /// Users absent from training: their first `coldHistory` held-out interactions (time order) are the
    /// profile, the rest are relevant.
    case coldUser = "cold_user"
    /// Items absent from training, ranked among the cold items only (scored from content alone);
    /// relevant = test interactions with cold items.
    case coldItem = "cold_item"
    /// `retrieval` plus catalog coverage, Gini, novelty, intra-list diversity and serendipity.
    case beyondAccuracy = "beyond_accuracy"
}

/// `evaluation.recommender_type`
public enum RecommenderType: String, Sendable, CaseIterable, ConfigEnum {
    /// The trained multimodal model.
    case multimodal
    case random, popularity
    case itemKNN = "item_knn"
    case userKNN = "user_knn"
    /// Content-only kNN over the feature stores' text ⊕ image embeddings (scores cold items).
    case contentKNN = "content_knn"
}
