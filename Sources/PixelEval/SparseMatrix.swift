/// A binary sparse matrix in compressed sparse row (CSR) form: row `r` holds the sorted, distinct
/// column indices `columns[offsets[r] ..< offsets[r + 1]]`.
///
/// Used for user × item interaction sets (train history, relevant test items, masked items) and,
/// transposed, for item × user incidence. Memory: `8 (rows + 1) + 4 nnz` bytes.
public struct SparseMatrix: Sendable, Equatable {
    public let rowCount: Int
    public let columnCount: Int
    /// `rowCount + 1` offsets into `columns`.
    public let offsets: [Int]
    /// Column indices, sorted and distinct within each row.
    public let columns: [Int32]

    /// The number of stored entries.
    public var nonZeroCount: Int { columns.count }

    /// A matrix from its CSR arrays (rows must already be sorted and distinct).
    public init(rowCount: Int, columnCount: Int, offsets: [Int], columns: [Int32]) {
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.offsets = offsets
        self.columns = columns
    }

    /// An empty `rowCount × columnCount` matrix.
    public init(rowCount: Int, columnCount: Int) {
        self.init(
            rowCount: rowCount, columnCount: columnCount, offsets: [Int](repeating: 0, count: rowCount + 1), columns: []
        )
    }

    /// The matrix with a 1 at every `(rows[k], columns[k])`; repeated pairs count once.
    /// - Precondition: every index is in range (callers pass dense ids).
    public init(rowCount: Int, columnCount: Int, rows: [Int32], columns cols: [Int32]) {
        precondition(rows.count == cols.count, "pair arrays differ in length")
        var counts = [Int](repeating: 0, count: rowCount + 1)
        for r in rows { counts[Int(r) + 1] += 1 }
        for r in 0..<rowCount { counts[r + 1] += counts[r] }
        var cursor = counts
        var scattered = [Int32](repeating: 0, count: rows.count)
        for k in 0..<rows.count {
            let r = Int(rows[k])
            scattered[cursor[r]] = cols[k]
            cursor[r] += 1
        }
        // Sort each row and drop repeats, compacting in place.
        var offsets = [Int](repeating: 0, count: rowCount + 1)
        var write = 0
        scattered.withUnsafeMutableBufferPointer { buffer in
            for r in 0..<rowCount {
                let start = counts[r], end = counts[r + 1]
                if end - start > 1 {
                    var slice = UnsafeMutableBufferPointer(rebasing: buffer[start..<end])
                    slice.sort()
                }
                var previous: Int32 = -1
                for k in start..<end where buffer[k] != previous {
                    previous = buffer[k]
                    buffer[write] = previous
                    write += 1
                }
                offsets[r + 1] = write
            }
        }
        scattered.removeLast(scattered.count - write)
        self.init(rowCount: rowCount, columnCount: columnCount, offsets: offsets, columns: scattered)
    }

    /// The column indices of row `r`.
    @inlinable
    public func row(_ r: Int) -> ArraySlice<Int32> { columns[offsets[r]..<offsets[r + 1]] }

    /// The number of entries in row `r`.
    @inlinable
    public func rowLength(_ r: Int) -> Int { offsets[r + 1] - offsets[r] }

    /// Whether `(r, c)` is stored (binary search in the row).
    public func contains(_ r: Int, _ c: Int32) -> Bool {
        var low = offsets[r], high = offsets[r + 1]
        while low < high {
            let mid = (low + high) / 2
            if columns[mid] < c { low = mid + 1 } else { high = mid }
        }
        return low < offsets[r + 1] && columns[low] == c
    }

    /// The transpose (`columnCount × rowCount`), rows again sorted.
    public func transposed() -> SparseMatrix {
        var counts = [Int](repeating: 0, count: columnCount + 1)
        for c in columns { counts[Int(c) + 1] += 1 }
        for c in 0..<columnCount { counts[c + 1] += counts[c] }
        var cursor = counts
        var result = [Int32](repeating: 0, count: columns.count)
        // Rows are visited in increasing order, so each transposed row comes out sorted.
        for r in 0..<rowCount {
            for k in offsets[r]..<offsets[r + 1] {
                let c = Int(columns[k])
                result[cursor[c]] = Int32(r)
                cursor[c] += 1
            }
        }
        return SparseMatrix(rowCount: columnCount, columnCount: rowCount, offsets: counts, columns: result)
    }

    /// Row-wise union with `other` (same shape).
    public func union(_ other: SparseMatrix) -> SparseMatrix {
        precondition(rowCount == other.rowCount && columnCount == other.columnCount, "shapes differ")
        var offsets = [0]
        offsets.reserveCapacity(rowCount + 1)
        var result: [Int32] = []
        result.reserveCapacity(columns.count + other.columns.count)
        for r in 0..<rowCount {
            var a = self.offsets[r], b = other.offsets[r]
            let aEnd = self.offsets[r + 1], bEnd = other.offsets[r + 1]
            while a < aEnd || b < bEnd {
                if b >= bEnd || (a < aEnd && columns[a] < other.columns[b]) {
                    result.append(columns[a])
                    a += 1
                } else if a >= aEnd || other.columns[b] < columns[a] {
                    result.append(other.columns[b])
                    b += 1
                } else {
                    result.append(columns[a])
                    a += 1
                    b += 1
                }
            }
            offsets.append(result.count)
        }
        return SparseMatrix(rowCount: rowCount, columnCount: columnCount, offsets: offsets, columns: result)
    }

    /// Row-wise difference `self \ other` (same shape).
    public func subtracting(_ other: SparseMatrix) -> SparseMatrix {
        precondition(rowCount == other.rowCount && columnCount == other.columnCount, "shapes differ")
        var offsets = [0]
        offsets.reserveCapacity(rowCount + 1)
        var result: [Int32] = []
        result.reserveCapacity(columns.count)
        for r in 0..<rowCount {
            var b = other.offsets[r]
            let bEnd = other.offsets[r + 1]
            for a in self.offsets[r]..<self.offsets[r + 1] {
                let c = columns[a]
                while b < bEnd && other.columns[b] < c { b += 1 }
                if b < bEnd && other.columns[b] == c { continue }
                result.append(c)
            }
            offsets.append(result.count)
        }
        return SparseMatrix(rowCount: rowCount, columnCount: columnCount, offsets: offsets, columns: result)
    }

    /// The rows `rows`, in that order.
    public func selectingRows(_ rows: [Int32]) -> SparseMatrix {
        var offsets = [0]
        offsets.reserveCapacity(rows.count + 1)
        var result: [Int32] = []
        for r in rows {
            result.append(contentsOf: row(Int(r)))
            offsets.append(result.count)
        }
        return SparseMatrix(rowCount: rows.count, columnCount: columnCount, offsets: offsets, columns: result)
    }

    /// Number of entries per column (item popularity for a user × item matrix).
    public func columnCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: columnCount)
        for c in columns { counts[Int(c)] += 1 }
        return counts
    }
}
