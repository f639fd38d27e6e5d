/// Scores every item by its number of training interactions (the same row for every user).
public struct PopularityScorer: Scorer {
    /// Training interactions per item.
    public let counts: [Float]
    public var itemCount: Int { counts.count }
    public var description: String { "popularity" }

    /// - Parameter train: the `users × items` training interactions.
    public init(train: SparseMatrix) {
        counts = train.columnCounts().map(Float.init)
    }

    public func score(users: UnsafeBufferPointer<Int32>, into scores: UnsafeMutableBufferPointer<Float>) {
        counts.withUnsafeBufferPointer { counts in
            for r in 0..<users.count {
                (scores.baseAddress! + r * counts.count).update(from: counts.baseAddress!, count: counts.count)
            }
        }
    }
}
