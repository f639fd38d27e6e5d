/// A dense row-major array of `Int32` indices (embedding ids, gather indices, class targets).
public struct IndexTensor: Sendable, Equatable {
    /// Extent of each dimension.
    public var shape: [Int]
    /// Indices in row-major order.
    public var indices: [Int32]

    /// An index tensor of `shape`. - Precondition: `indices.count == shape.reduce(1, *)`.
    public init(shape: [Int], indices: [Int32]) {
        precondition(indices.count == shape.reduce(1, *), "IndexTensor: \(indices.count) indices for shape \(shape)")
        self.shape = shape
        self.indices = indices
    }

    /// A rank-1 index tensor.
    public init(_ indices: [Int32]) { self.init(shape: [indices.count], indices: indices) }

    /// A rank-1 index tensor from 64-bit ids (each must fit in `Int32`).
    public init(int64 indices: [Int64]) { self.init(indices.map { Int32(truncatingIfNeeded: $0) }) }

    /// Number of indices.
    public var count: Int { indices.count }
}
