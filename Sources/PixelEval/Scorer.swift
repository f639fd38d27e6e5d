/// Something that scores users against every item: the one thing the evaluator needs from a model.
///
/// The evaluator calls `score(users:into:)` for blocks of users from several threads at once, each with
/// its own output buffer, so implementations must be thread-safe (no shared mutable state) and should
/// keep their own parallelism off (e.g. single-threaded BLAS; the evaluator sets OpenBLAS to one thread
/// while it runs its workers).
///
/// The multimodal model (issue 7) plugs in as a `FactorizedScorer` over its user and item vectors, or
/// as its own type conforming to this protocol, registered through `ScorerRegistry`.
public protocol Scorer: Sendable {
    /// Items scored per user (`n`): the width of every output row.
    var itemCount: Int { get }
    /// A short description for reports, e.g. `item_knn(k=50, shrinkage=100)`.
    var description: String { get }
    /// Writes the scores of `users` into `scores`, row-major `[users.count, itemCount]`:
    /// `scores[r * itemCount + i]` = score of user `users[r]` for item `i`; higher is better.
    ///
    /// User indices are rows of the evaluation's user space (the training id map, extended with users
    /// first seen at evaluation time). Every element must be written; `NaN` ranks last.
    func score(users: UnsafeBufferPointer<Int32>, into scores: UnsafeMutableBufferPointer<Float>)
}
