/// Something that scores users against every item: the one thing the evaluator needs from a model.
///
/// The evaluator calls `score(users:into:)` for blocks of users from several threads at once, each with
/// its own output buffer, so implementations must be thread-safe (no shared mutable state) and should
/// keep their own parallelism off (e.g. single-threaded BLAS; the evaluator sets OpenBLAS to one thread
/// while it runs its workers).
///
/// The multimodal model plugs in as a `FactorizedScorer` over its user and item vectors, or
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

/// A scorer that can also score a range of items, so the evaluator can rank cache-sized tiles of the
/// `users × items` score matrix instead of whole rows (for `FactorizedScorer` this keeps each `sgemm`
/// output tile in L2 while it is ranked).
public protocol TiledScorer: Scorer {
    /// Writes `scores[r * items.count + (i − items.lowerBound)]` = score of user `users[r]` for item `i`.
    /// (One evaluation takes every score from the same method, so equal scores stay equal.)
    func score(users: UnsafeBufferPointer<Int32>, items: Range<Int>, into scores: UnsafeMutableBufferPointer<Float>)
}

/// A scorer whose rows are mostly zero (neighbourhood models): it adds a user's non-zero scores into a
/// zeroed row and names the items it wrote, so ranking a user costs `O(non-zeros)` instead of `O(items)`.
///
/// Every item it does not touch scores exactly 0; touched items must score `> 0`.
public protocol SparseScorer: Scorer {
    /// Adds user `user`'s scores into `row` (all zeros on entry, `itemCount` wide) and appends each item
    /// written to `touched` exactly once (any order).
    func accumulate(user: Int32, into row: UnsafeMutablePointer<Float>, touched: inout [Int32])
}
