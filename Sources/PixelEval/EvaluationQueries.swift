/// What to evaluate: one query per evaluated user.
///
/// Query `q` asks the scorer for row `users[q]`, ranks every item except `excluded` row `q` (and,
/// when `candidates` is set, except items outside it), and judges the ranking against `relevant` row `q`.
/// `excluded` never contains an item of the same row of `relevant` (a relevant item is always ranked).
public struct EvaluationQueries: Sendable {
    /// Scorer row per query.
    public var users: [Int32]
    /// `queries × items`: held-out relevant items, at least one per query.
    public var relevant: SparseMatrix
    /// `queries × items`: items removed from the ranking (e.g. training items in `retrieval`).
    public var excluded: SparseMatrix
    /// Items the ranking is restricted to (`cold_item`: the cold items), sorted; `nil` = every item.
    public var candidates: [Int32]?
    /// `queries × items`: each user's known items (serendipity's reference set).
    public var history: SparseMatrix

    /// - Throws: `EvalError.shapeMismatch` when the parts disagree in rows or items.
    public init(
        users: [Int32], relevant: SparseMatrix, excluded: SparseMatrix, candidates: [Int32]? = nil,
        history: SparseMatrix? = nil
    ) throws {
        guard relevant.rowCount == users.count else {
            throw EvalError.shapeMismatch(what: "relevant rows", expected: users.count, found: relevant.rowCount)
        }
        guard excluded.rowCount == users.count else {
            throw EvalError.shapeMismatch(what: "excluded rows", expected: users.count, found: excluded.rowCount)
        }
        guard excluded.columnCount == relevant.columnCount else {
            throw EvalError.shapeMismatch(
                what: "excluded items", expected: relevant.columnCount, found: excluded.columnCount)
        }
        self.users = users
        self.relevant = relevant
        self.excluded = excluded.subtracting(relevant)
        self.candidates = candidates.map { Array(Set($0)).sorted() }
        self.history = history ?? SparseMatrix(rowCount: users.count, columnCount: relevant.columnCount)
    }

    /// The number of queries.
    public var count: Int { users.count }
    /// Items per ranking row.
    public var itemCount: Int { relevant.columnCount }
}
