/// The evaluation protocols of `pixelrec eval` (issue 8). Every task ranks all candidate items
/// (full ranking) unless sampled evaluation is asked for explicitly.
public enum EvalTask: String, Sendable, CaseIterable, Codable {
    /// Users seen in training; rank every item except their training items; relevant = test items.
    case retrieval
    /// As `retrieval`, but training items stay in the ranking.
    case ranking
    /// Leave-one-out next item: rank every item except the user's training and validation items;
    /// the profile a model scores from is training + validation (all history before the test item).
    case nextItem = "next_item"
    /// Users absent from training: their first `coldHistory` held-out interactions (time order) are the
    /// profile, the rest are relevant.
    case coldUser = "cold_user"
    /// Items absent from training, ranked among the cold items only; relevant = test interactions with
    /// cold items.
    case coldItem = "cold_item"
    /// `retrieval` plus catalog coverage, Gini, novelty, intra-list diversity and serendipity.
    case beyondAccuracy = "beyond_accuracy"
}
