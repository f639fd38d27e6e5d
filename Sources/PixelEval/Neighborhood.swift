/// A weighted sparse matrix of nearest neighbours: row `r` lists up to `k` neighbours
/// `columns[offsets[r] ..< offsets[r + 1]]` with similarities `weights[…]`, best first.
public struct Neighborhood: Sendable {
    public let rowCount: Int
    public let offsets: [Int]
    public let columns: [Int32]
    public let weights: [Float]

    /// Shrunk cosine between binary rows with `c` common entries: `c / (√(na · nb) + shrinkage)`.
    @inline(__always)
    static func similarity(common: Float, normA: Float, normB: Float, shrinkage: Float) -> Float {
        common / (normA * normB + shrinkage)
    }

    /// Item × item neighbours by shrunk cosine over the columns of `train` (`users × items`, binary):
    /// `s(i, j) = |U(i) ∩ U(j)| / (√|U(i)| √|U(j)| + h)`, keeping each item's `k` most similar items
    /// (itself excluded; ties by lower index; zero similarities dropped).
    ///
    /// Cost `Σ_u |I(u)|²` accumulations, spread over `workers`; memory `O(items · k)`.
    public static func items(train: SparseMatrix, k: Int, shrinkage: Float, workers: Int) -> Neighborhood {
        let itemUsers = train.transposed()
        let n = train.columnCount
        let norms = (0..<n).map { Float(itemUsers.rowLength($0)).squareRoot() }
        return train.columns.withUnsafeBufferPointer { columns in
            train.offsets.withUnsafeBufferPointer { offsets in
                itemUsers.columns.withUnsafeBufferPointer { users in
                    build(
                        rows: n, candidates: n, k: k, workers: workers,
                        norms: norms, candidateNorms: norms, shrinkage: shrinkage,
                        excludeSelf: true
                    ) { row, accumulate in
                        for e in itemUsers.offsets[row]..<itemUsers.offsets[row + 1] {
                            let u = Int(users[e])
                            accumulate(UnsafeBufferPointer(rebasing: columns[offsets[u]..<offsets[u + 1]]))
                        }
                    }
                }
            }
        }
    }

    /// Neighbours of each `profiles` row among the rows of `train` (users), by the same shrunk cosine,
    /// row `r` excluding training user `r` itself (the user's own training row).
    /// - Parameters:
    ///   - itemUsers, trainNorms: `train.transposed()` and `√|I(v)|` per training user, when the caller
    ///     keeps them across calls.
    public static func users(
        profiles: SparseMatrix, rows: [Int32], train: SparseMatrix, k: Int, shrinkage: Float, workers: Int,
        itemUsers: SparseMatrix? = nil, trainNorms: [Float]? = nil
    ) -> Neighborhood {
        let itemUsers = itemUsers ?? train.transposed()
        let trainNorms = trainNorms ?? (0..<train.rowCount).map { Float(train.rowLength($0)).squareRoot() }
        let profileNorms = rows.map { Float(profiles.rowLength(Int($0))).squareRoot() }
        return build(
            rows: rows.count, candidates: train.rowCount, k: k, workers: workers,
            norms: profileNorms, candidateNorms: trainNorms, shrinkage: shrinkage,
            excludeSelf: false, selfIndex: { Int(rows[$0]) }
        ) { row, accumulate in
            itemUsers.columns.withUnsafeBufferPointer { users in
                for item in profiles.row(Int(rows[row])) where Int(item) < itemUsers.rowCount {
                    accumulate(
                        UnsafeBufferPointer(
                            rebasing: users[itemUsers.offsets[Int(item)]..<itemUsers.offsets[Int(item) + 1]]))
                }
            }
        }
    }

    /// Shared kernel: for each row, count co-occurrences into a dense accumulator, turn the touched
    /// entries into similarities and keep the top `k`.
    static func build(
        rows: Int, candidates: Int, k: Int, workers: Int, norms: [Float], candidateNorms: [Float],
        shrinkage: Float, excludeSelf: Bool, selfIndex: ((Int) -> Int)? = nil,
        gather: (Int, (UnsafeBufferPointer<Int32>) -> Void) -> Void
    ) -> Neighborhood {
        let k = max(0, k)
        var counts = [Int](repeating: 0, count: rows)
        var slotColumns = [Int32](repeating: 0, count: rows * k)
        var slotWeights = [Float](repeating: 0, count: rows * k)
        let workers = max(1, workers)
        // One dense accumulator and touched list per worker.
        var accumulators = [[Float]](repeating: [Float](repeating: 0, count: candidates), count: workers)
        let touchedBuffers = (0..<workers).map { _ in UnsafeMutablePointer<Int32>.allocate(capacity: max(1, candidates))
        }
        defer { for buffer in touchedBuffers { buffer.deallocate() } }
        counts.withUnsafeMutableBufferPointer { counts in
            slotColumns.withUnsafeMutableBufferPointer { slotColumns in
                slotWeights.withUnsafeMutableBufferPointer { slotWeights in
                    accumulators.withUnsafeMutableBufferPointer { accumulators in
                        candidateNorms.withUnsafeBufferPointer { candidateNorms in
                            Parallel.forEachChunk(count: rows, chunk: 64, workers: workers) { range, worker in
                                let touched = touchedBuffers[worker]
                                accumulators[worker].withUnsafeMutableBufferPointer { acc in
                                    let acc = acc.baseAddress!
                                    for row in range {
                                        var touchedCount = 0
                                        gather(row) { list in
                                            for c in list {
                                                let ci = Int(c)
                                                if acc[ci] == 0 {
                                                    touched[touchedCount] = c
                                                    touchedCount += 1
                                                }
                                                acc[ci] += 1
                                            }
                                        }
                                        let own = selfIndex?(row) ?? (excludeSelf ? row : -1)
                                        let base = row * k
                                        var size = 0
                                        let values = slotWeights.baseAddress! + base
                                        let indices = slotColumns.baseAddress! + base
                                        let normA = norms[row]
                                        for j in 0..<touchedCount {
                                            let c = touched[j]
                                            let common = acc[Int(c)]
                                            acc[Int(c)] = 0
                                            if Int(c) == own || k == 0 { continue }
                                            let s = similarity(
                                                common: common, normA: normA, normB: candidateNorms[Int(c)],
                                                shrinkage: shrinkage)
                                            // Most candidates lose to a full heap's root: test before the call.
                                            if size == k && s < values[0] { continue }
                                            guard s > 0 else { continue }
                                            size = TopK.offer(
                                                values: values, indices: indices, size: size, k: k, score: s, index: c)
                                        }
                                        TopK.sortHeap(values: values, indices: indices, size: size)
                                        counts[row] = size
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var offsets = [Int](repeating: 0, count: rows + 1)
        for r in 0..<rows { offsets[r + 1] = offsets[r] + counts[r] }
        var columns = [Int32](repeating: 0, count: offsets[rows])
        var weights = [Float](repeating: 0, count: offsets[rows])
        for r in 0..<rows {
            for j in 0..<counts[r] {
                columns[offsets[r] + j] = slotColumns[r * k + j]
                weights[offsets[r] + j] = slotWeights[r * k + j]
            }
        }
        return Neighborhood(rowCount: rows, offsets: offsets, columns: columns, weights: weights)
    }
}
