/// Item-based k-nearest-neighbours: `score(u, j) = Σ_{i ∈ P(u)} s_k(i, j)`, where `P(u)` is the user's
/// profile (the items known for them) and `s_k(i, ·)` keeps item `i`'s `k` most similar items under the
/// shrunk cosine `|U(i) ∩ U(j)| / (√|U(i)| √|U(j)| + h)` on the training interactions.
///
/// Fit cost `Σ_u |I(u)|²`; scoring costs `|P(u)| · k` per user plus writing the row. Items absent from
/// training have no neighbours and score 0 (an ID-based model cannot score cold items).
public struct ItemKNNScorer: SparseScorer {
    public let neighbors: Neighborhood
    /// Row `u`: the items scored from for user `u`.
    public let profiles: SparseMatrix
    public let itemCount: Int
    public let k: Int
    public let shrinkage: Float
    public var description: String { "item_knn(k=\(k), shrinkage=\(shrinkage))" }

    /// - Parameters:
    ///   - train: `users × items` training interactions (similarities come from here).
    ///   - profiles: `users × items` history each user is scored from (often `train` itself; for cold
    ///     users their first interactions). Its column count must equal `train`'s.
    public init(train: SparseMatrix, profiles: SparseMatrix, k: Int, shrinkage: Float, workers: Int? = nil) throws {
        guard profiles.columnCount == train.columnCount else {
            throw EvalError.shapeMismatch(
                what: "profile items", expected: train.columnCount, found: profiles.columnCount)
        }
        guard k > 0 else { throw EvalError.invalidOption(name: "knn_neighbors", reason: "must be positive, got \(k)") }
        guard shrinkage >= 0, shrinkage.isFinite else {
            throw EvalError.invalidOption(name: "knn_shrinkage", reason: "must be ≥ 0, got \(shrinkage)")
        }
        self.neighbors = Neighborhood.items(
            train: train, k: k, shrinkage: shrinkage, workers: workers ?? Parallel.defaultWorkers)
        self.profiles = profiles
        self.itemCount = train.columnCount
        self.k = k
        self.shrinkage = shrinkage
    }

    public func score(users: UnsafeBufferPointer<Int32>, into scores: UnsafeMutableBufferPointer<Float>) {
        let n = itemCount
        scores.baseAddress!.update(repeating: 0, count: users.count * n)
        neighbors.columns.withUnsafeBufferPointer { columns in
            neighbors.weights.withUnsafeBufferPointer { weights in
                for (r, user) in users.enumerated() where Int(user) < profiles.rowCount {
                    let row = scores.baseAddress! + r * n
                    for item in profiles.row(Int(user)) {
                        let i = Int(item)
                        for e in neighbors.offsets[i]..<neighbors.offsets[i + 1] { row[Int(columns[e])] += weights[e] }
                    }
                }
            }
        }
    }

    public func accumulate(user: Int32, into row: UnsafeMutablePointer<Float>, touched: inout [Int32]) {
        guard Int(user) < profiles.rowCount else { return }
        neighbors.columns.withUnsafeBufferPointer { columns in
            neighbors.weights.withUnsafeBufferPointer { weights in
                for item in profiles.row(Int(user)) {
                    let i = Int(item)
                    for e in neighbors.offsets[i]..<neighbors.offsets[i + 1] {
                        let j = Int(columns[e])
                        if row[j] == 0 { touched.append(columns[e]) }
                        row[j] += weights[e]
                    }
                }
            }
        }
    }
}
