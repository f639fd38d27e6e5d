import CBLAS

/// Scores as inner products of user and item vectors: `S = U[users] · Vᵀ`, one `sgemm` per block.
///
/// `U` is `[userCount, dimension]`, `V` is `[itemCount, dimension]`, both row-major `Float`. A block of
/// `b` users costs `2 b n d` flops; with `b ≥ 32` OpenBLAS runs near its peak. Users are gathered into a
/// contiguous block first unless they are already consecutive.
public struct FactorizedScorer: TiledScorer {
    /// How the products are computed. Both give the same scores up to float rounding; one evaluation
    /// uses one kernel throughout, so equal scores stay equal.
    public enum Kernel: String, Sendable, CaseIterable {
        /// `cblas_sgemm` (OpenBLAS): portable, as fast as the installed BLAS is on this CPU.
        case blas
        /// `PackedItemPanels`: pixelrec's own register-blocked kernel; fastest when built with
        /// `-target-cpu` of an AVX-512 machine (the release build), where the system BLAS is slower.
        case packed
    }

    public let kernel: Kernel
    /// Item vectors repacked for `.packed` (empty for `.blas`).
    public let panels: PackedItemPanels?
    public let userVectors: [Float]
    public let itemVectors: [Float]
    public let dimension: Int
    public let userCount: Int
    public let itemCount: Int
    public let description: String

    /// - Throws: `EvalError.shapeMismatch` when the arrays are not multiples of `dimension`.
    public init(
        userVectors: [Float], itemVectors: [Float], dimension: Int, description: String = "factorized",
        kernel: Kernel = .blas
    ) throws {
        guard dimension > 0 else { throw EvalError.invalidOption(name: "dimension", reason: "must be positive") }
        guard userVectors.count % dimension == 0 else {
            throw EvalError.shapeMismatch(
                what: "user vectors (multiple of dimension \(dimension))",
                expected: userVectors.count / dimension * dimension,
                found: userVectors.count)
        }
        guard itemVectors.count % dimension == 0 else {
            throw EvalError.shapeMismatch(
                what: "item vectors (multiple of dimension \(dimension))",
                expected: itemVectors.count / dimension * dimension,
                found: itemVectors.count)
        }
        self.userVectors = userVectors
        self.itemVectors = itemVectors
        self.dimension = dimension
        self.userCount = userVectors.count / dimension
        self.itemCount = itemVectors.count / dimension
        self.description = description
        self.kernel = kernel
        self.panels =
            kernel == .packed
            ? PackedItemPanels(itemVectors: itemVectors, itemCount: itemVectors.count / dimension, dimension: dimension)
            : nil
    }

    public func score(users: UnsafeBufferPointer<Int32>, into scores: UnsafeMutableBufferPointer<Float>) {
        score(users: users, items: 0..<itemCount, into: scores)
    }

    /// `S[:, items] = U[users] · V[items]ᵀ` (one `sgemm` on the item rows of the range).
    public func score(
        users: UnsafeBufferPointer<Int32>, items: Range<Int>, into scores: UnsafeMutableBufferPointer<Float>
    ) {
        let b = users.count, d = dimension, n = items.count
        guard b > 0, n > 0 else { return }
        precondition(
            scores.count >= b * n && items.upperBound <= itemCount, "score buffer too small or items out of range")
        userVectors.withUnsafeBufferPointer { u in
            itemVectors.withUnsafeBufferPointer { v in
                let first = Int(users[0])
                var consecutive = true
                for r in 1..<b where Int(users[r]) != first + r {
                    consecutive = false
                    break
                }
                if let panels {
                    if consecutive {
                        panels.multiply(
                            users: u.baseAddress! + first * d, rows: b, items: items, into: scores.baseAddress!, ldc: n)
                        return
                    }
                    let block = UnsafeMutablePointer<Float>.allocate(capacity: b * d)
                    defer { block.deallocate() }
                    for r in 0..<b { (block + r * d).update(from: u.baseAddress! + Int(users[r]) * d, count: d) }
                    panels.multiply(users: block, rows: b, items: items, into: scores.baseAddress!, ldc: n)
                    return
                }
                if consecutive {
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasTrans, Int32(b), Int32(n), Int32(d), 1,
                        u.baseAddress! + first * d, Int32(d), v.baseAddress! + items.lowerBound * d, Int32(d), 0,
                        scores.baseAddress!, Int32(n))
                    return
                }
                let block = UnsafeMutablePointer<Float>.allocate(capacity: b * d)
                defer { block.deallocate() }
                for r in 0..<b {
                    (block + r * d).update(from: u.baseAddress! + Int(users[r]) * d, count: d)
                }
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans, Int32(b), Int32(n), Int32(d), 1,
                    block, Int32(d), v.baseAddress! + items.lowerBound * d, Int32(d), 0, scores.baseAddress!, Int32(n))
            }
        }
    }
}
