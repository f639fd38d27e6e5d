/// Gradient rows of a `[rowCount, width]` table: row `indices[i]` receives `values[i]`.
///
/// Indices may repeat (an id looked up twice); ``coalesced()`` sums duplicates and sorts the indices.
public struct SparseRows: Sendable {
    /// Rows of the table that receive a gradient.
    public var indices: [Int32]
    /// `[indices.count, width]` gradient rows.
    public var values: Tensor
    /// Number of rows of the whole table.
    public let rowCount: Int

    public init(indices: [Int32], values: Tensor, rowCount: Int) {
        precondition(values.rank == 2 && values.shape[0] == indices.count, "SparseRows: values must be [n, width]")
        self.indices = indices
        self.values = values
        self.rowCount = rowCount
    }

    /// Row width.
    public var width: Int { values.shape[1] }

    /// The concatenation of both row sets.
    public func appending(_ other: SparseRows) -> SparseRows {
        precondition(width == other.width && rowCount == other.rowCount, "SparseRows: mismatched tables")
        var values = Tensor(uninitializedShape: [indices.count + other.indices.count, width])
        let n = self.values.count
        values.withUnsafeMutableBufferPointer { out in
            self.values.withUnsafeBufferPointer { out.baseAddress!.update(from: $0.baseAddress!, count: n) }
            other.values.withUnsafeBufferPointer {
                (out.baseAddress! + n).update(from: $0.baseAddress!, count: $0.count)
            }
        }
        return SparseRows(indices: indices + other.indices, values: values, rowCount: rowCount)
    }

    /// Unique sorted indices with the rows of duplicates summed.
    public func coalesced() -> SparseRows {
        let order = indices.indices.sorted { (indices[$0], $0) < (indices[$1], $1) }
        var unique: [Int32] = []
        unique.reserveCapacity(order.count)
        for i in order where unique.last != indices[i] { unique.append(indices[i]) }
        let w = width
        var out = Tensor(zeros: [unique.count, w])
        out.withUnsafeMutableBufferPointer { o in
            values.withUnsafeBufferPointer { v in
                var row = -1
                var last: Int32 = -1
                for i in order {
                    if row < 0 || indices[i] != last { row += 1; last = indices[i] }
                    let dst = o.baseAddress! + row * w, src = v.baseAddress! + i * w
                    for j in 0..<w { dst[j] += src[j] }
                }
            }
        }
        return SparseRows(indices: unique, values: out, rowCount: rowCount)
    }

    /// Adds every row into the dense `[rowCount, width]` tensor `target`.
    public func scatterAdd(into target: inout Tensor) {
        let w = width
        target.withUnsafeMutableBufferPointer { t in
            values.withUnsafeBufferPointer { v in
                for (i, index) in indices.enumerated() {
                    let dst = t.baseAddress! + Int(index) * w, src = v.baseAddress! + i * w
                    for j in 0..<w { dst[j] += src[j] }
                }
            }
        }
    }

    /// The dense `[rowCount, width]` gradient.
    public func densified() -> Tensor {
        var t = Tensor(zeros: [rowCount, width])
        scatterAdd(into: &t)
        return t
    }
}
