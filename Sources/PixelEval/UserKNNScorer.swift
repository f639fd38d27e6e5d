/// User-based k-nearest-neighbours: `score(u, j) = Σ_{v ∈ N_k(u)} s(u, v) · x_{vj}`, where `N_k(u)` are
/// the `k` training users most similar to the user's profile under the shrunk cosine
/// `|P(u) ∩ I(v)| / (√|P(u)| √|I(v)| + h)` (the user's own training row excluded).
///
/// Neighbours are found per scored block from the item → user incidence (`Σ_{i ∈ P(u)} |U(i)|` work per
/// user), so nothing of size `users²` is ever stored.
public struct UserKNNScorer: Scorer {
    public let train: SparseMatrix
    public let profiles: SparseMatrix
    public let itemCount: Int
    public let k: Int
    public let shrinkage: Float
    /// `items × users` and `√|I(v)|`, kept for the per-block neighbour search.
    let itemUsers: SparseMatrix
    let trainNorms: [Float]
    public var description: String { "user_knn(k=\(k), shrinkage=\(shrinkage))" }

    /// - Parameters:
    ///   - train: `users × items` training interactions (the neighbours and what they recommend).
    ///   - profiles: `users × items` history each user is matched from (rows in the same user space).
    public init(train: SparseMatrix, profiles: SparseMatrix, k: Int, shrinkage: Float) throws {
        guard profiles.columnCount == train.columnCount else {
            throw EvalError.shapeMismatch(
                what: "profile items", expected: train.columnCount, found: profiles.columnCount)
        }
        guard k > 0 else { throw EvalError.invalidOption(name: "knn_neighbors", reason: "must be positive, got \(k)") }
        guard shrinkage >= 0, shrinkage.isFinite else {
            throw EvalError.invalidOption(name: "knn_shrinkage", reason: "must be ≥ 0, got \(shrinkage)")
        }
        self.train = train
        self.profiles = profiles
        self.itemCount = train.columnCount
        self.k = k
        self.shrinkage = shrinkage
        self.itemUsers = train.transposed()
        self.trainNorms = (0..<train.rowCount).map { Float(train.rowLength($0)).squareRoot() }
    }

    public func score(users: UnsafeBufferPointer<Int32>, into scores: UnsafeMutableBufferPointer<Float>) {
        let n = itemCount
        scores.baseAddress!.update(repeating: 0, count: users.count * n)
        let rows = users.map { Int($0) < profiles.rowCount ? $0 : Int32(-1) }
        let valid = rows.filter { $0 >= 0 }
        // Called from an evaluator worker already: one thread here.
        let neighbors = Neighborhood.users(
            profiles: profiles, rows: valid, train: train, k: k, shrinkage: shrinkage, workers: 1, itemUsers: itemUsers,
            trainNorms: trainNorms)
        var next = 0
        for (r, user) in rows.enumerated() where user >= 0 {
            let row = scores.baseAddress! + r * n
            for e in neighbors.offsets[next]..<neighbors.offsets[next + 1] {
                let weight = neighbors.weights[e]
                for item in train.row(Int(neighbors.columns[e])) { row[Int(item)] += weight }
            }
            next += 1
        }
    }
}
