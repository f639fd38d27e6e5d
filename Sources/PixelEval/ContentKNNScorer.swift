import CBLAS

/// Content-only item k-nearest-neighbours: scores an item from how similar its content embedding is to
/// the items the user interacted with, so it can score items nobody has interacted with (cold items).
///
/// With `ê_i` the unit-length content embedding of item `i` (a zero row stays zero) and `P(u)` the user's
/// profile, `score(u, j) = Σ_{i ∈ N_k(u, j)} ê_i · ê_j`, where `N_k(u, j)` is the `k` items of `P(u)` most
/// similar to `j` (all of `P(u)` when it has at most `k` items). Sum and mean over the `k` neighbours rank
/// the same (the divisor `min(k, |P(u)|)` is the same for every item of a user). No shrinkage: a dense
/// cosine has no co-occurrence support to shrink by.
///
/// Catalogs of at most `denseItemLimit` items precompute the `items × items` cosine matrix once (one
/// `sgemm`); a user then costs `items · |P(u)|` lookups plus a top-`k` selection per item. Larger catalogs
/// compute per user one `[items, d] × [d, |P(u)|]` `sgemm` (in item blocks of `blockItems`, so memory is
/// `blockItems · |P(u)|` floats) instead.
public struct ContentKNNScorer: Scorer {
    /// `[itemCount, dimension]`, unit-length rows (zero rows stay zero).
    public let embeddings: [Float]
    public let dimension: Int
    /// Row `u`: the items scored from for user `u`.
    public let profiles: SparseMatrix
    public let itemCount: Int
    public let k: Int
    /// Items per `sgemm` block (per-user path).
    public let blockItems: Int
    /// `[itemCount, itemCount]` cosines when the catalog has at most `denseItemLimit` items, else `nil`.
    public let similarity: [Float]?
    public var description: String { "content_knn(k=\(k), d=\(dimension))" }

    /// - Parameters:
    ///   - embeddings: `[profiles.columnCount, dimension]` content embeddings, row `i` for item `i`
    ///     (normalized here).
    ///   - profiles: `users × items` histories.
    ///   - k: neighbours per scored item (`evaluation.knn_neighbors`).
    ///   - denseItemLimit: precompute all item–item cosines up to this many items (4,096: 64 MiB).
    /// - Throws: `EvalError.shapeMismatch` / `.invalidOption` for inconsistent shapes or `k < 1`.
    public init(
        embeddings: [Float], dimension: Int, profiles: SparseMatrix, k: Int, blockItems: Int = 4096,
        denseItemLimit: Int = 4096
    ) throws {
        guard dimension > 0, embeddings.count == profiles.columnCount * dimension else {
            throw EvalError.shapeMismatch(
                what: "content embedding values (items × dimension)",
                expected: profiles.columnCount * max(dimension, 1),
                found: embeddings.count)
        }
        guard k > 0 else { throw EvalError.invalidOption(name: "knn_neighbors", reason: "must be positive, got \(k)") }
        var unit = embeddings
        let rows = profiles.columnCount
        unit.withUnsafeMutableBufferPointer { e in
            for row in 0..<rows {
                let base = e.baseAddress! + row * dimension
                var norm: Float = 0
                for c in 0..<dimension { norm += base[c] * base[c] }
                let scale: Float = norm > 0 ? 1 / norm.squareRoot() : 0
                for c in 0..<dimension { base[c] *= scale }
            }
        }
        if rows > 0 && rows <= denseItemLimit {
            var cosines = [Float](repeating: 0, count: rows * rows)
            unit.withUnsafeBufferPointer { e in
                cosines.withUnsafeMutableBufferPointer { c in
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(rows), Int32(dimension), 1,
                        e.baseAddress!, Int32(dimension), e.baseAddress!, Int32(dimension), 0, c.baseAddress!,
                        Int32(rows))
                }
            }
            self.similarity = cosines
        } else {
            self.similarity = nil
        }
        self.embeddings = unit
        self.dimension = dimension
        self.profiles = profiles
        self.itemCount = rows
        self.k = k
        self.blockItems = max(1, blockItems)
    }

    public func score(users: UnsafeBufferPointer<Int32>, into scores: UnsafeMutableBufferPointer<Float>) {
        let n = itemCount, d = dimension
        precondition(scores.count >= users.count * n, "score buffer too small")
        scores.baseAddress!.update(repeating: 0, count: users.count * n)
        if let similarity {
            var gathered: [Float] = []
            var scratch: [Float] = []
            similarity.withUnsafeBufferPointer { c in
                for (r, user) in users.enumerated() where Int(user) < profiles.rowCount {
                    let items = profiles.row(Int(user))
                    guard !items.isEmpty else { continue }
                    let rowOut = scores.baseAddress! + r * n
                    for j in 0..<n {
                        let base = c.baseAddress! + j * n
                        gathered.removeAll(keepingCapacity: true)
                        for i in items { gathered.append(base[Int(i)]) }
                        rowOut[j] = gathered.withUnsafeBufferPointer {
                            Self.topSum($0.baseAddress!, count: $0.count, k: k, scratch: &scratch)
                        }
                    }
                }
            }
            return
        }
        var history: [Float] = []
        var block: [Float] = []
        var scratch: [Float] = []
        embeddings.withUnsafeBufferPointer { e in
            for (r, user) in users.enumerated() where Int(user) < profiles.rowCount {
                let items = profiles.row(Int(user))
                let h = items.count
                guard h > 0 else { continue }
                history.removeAll(keepingCapacity: true)
                for item in items { history.append(contentsOf: e[(Int(item) * d)..<((Int(item) + 1) * d)]) }
                let rowOut = scores.baseAddress! + r * n
                var start = 0
                while start < n {
                    let m = min(blockItems, n - start)
                    if block.count < m * h { block = [Float](repeating: 0, count: m * h) }
                    history.withUnsafeBufferPointer { hist in
                        block.withUnsafeMutableBufferPointer { s in
                            // S[m, h] = E[start..<start+m] · Hᵀ
                            cblas_sgemm(
                                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(h), Int32(d), 1,
                                e.baseAddress! + start * d, Int32(d), hist.baseAddress!, Int32(d), 0, s.baseAddress!,
                                Int32(h))
                            for j in 0..<m {
                                rowOut[start + j] = Self.topSum(
                                    s.baseAddress! + j * h, count: h, k: k, scratch: &scratch)
                            }
                        }
                    }
                    start += m
                }
            }
        }
    }

    /// Sum of the `k` largest of `values[0..<count]` (all of them when `count ≤ k`); deterministic.
    static func topSum(_ values: UnsafePointer<Float>, count: Int, k: Int, scratch: inout [Float]) -> Float {
        if count <= k {
            var sum: Float = 0
            for i in 0..<count { sum += values[i] }
            return sum
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: values, count: count))
        return scratch.withUnsafeMutableBufferPointer { a in
            // Quickselect: move the k largest to a[0..<k] (descending partition around the middle pivot).
            var lo = 0, hi = count - 1
            while lo < hi {
                let pivot = a[(lo + hi) / 2]
                var i = lo, j = hi
                while i <= j {
                    while a[i] > pivot { i += 1 }
                    while a[j] < pivot { j -= 1 }
                    if i <= j {
                        a.swapAt(i, j)
                        i += 1
                        j -= 1
                    }
                }
                // Now a[lo...j] ≥ pivot ≥ a[i...hi]; elements between j and i equal the pivot.
                if k - 1 <= j {
                    hi = j
                } else if k - 1 >= i {
                    lo = i
                } else {
                    break
                }
            }
            var sum: Float = 0
            for i in 0..<k { sum += a[i] }
            return sum
        }
    }
}
