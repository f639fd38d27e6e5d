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

/// `evaluation.task`
public enum EvaluationTask: String, Sendable, CaseIterable, ConfigEnum {
    /// Rank every item not seen in training.
    case retrieval
    /// Rank the user's held-out items among sampled or all items, seen items included.
    case ranking
    /// Predict each user's next interaction (pairs with `leave_one_out` or `temporal` splits).
    case nextItem = "next_item"
    /// Users absent from training.
    case coldUser = "cold_user"
    /// Items absent from training, scored from content alone.
    case coldItem = "cold_item"
    /// Coverage, Gini, novelty, diversity and serendipity next to accuracy.
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
