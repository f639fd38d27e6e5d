import CBLAS

/// Scores as inner products of user and item vectors: `S = U[users] · Vᵀ`, one `sgemm` per block.
///
/// `U` is `[userCount, dimension]`, `V` is `[itemCount, dimension]`, both row-major `Float`. A block of
/// `b` users costs `2 b n d` flops; with `b ≥ 32` OpenBLAS runs near its peak. Users are gathered into a
/// contiguous block first unless they are already consecutive.
public struct FactorizedScorer: Scorer {
    public let userVectors: [Float]
    public let itemVectors: [Float]
    public let dimension: Int
    public let userCount: Int
    public let itemCount: Int
    public let description: String

    /// - Throws: `EvalError.shapeMismatch` when the arrays are not multiples of `dimension`.
    public init(userVectors: [Float], itemVectors: [Float], dimension: Int, description: String = "factorized") throws {
        guard dimension > 0 else { throw EvalError.invalidOption(name: "dimension", reason: "must be positive") }
        guard userVectors.count % dimension == 0 else {
            throw EvalError.shapeMismatch(
                what: "user vectors (multiple of dimension \(dimension))", expected: userVectors.count / dimension * dimension,
                found: userVectors.count)
        }
        guard itemVectors.count % dimension == 0 else {
            throw EvalError.shapeMismatch(
                what: "item vectors (multiple of dimension \(dimension))", expected: itemVectors.count / dimension * dimension,
                found: itemVectors.count)
        }
        self.userVectors = userVectors
        self.itemVectors = itemVectors
        self.dimension = dimension
        self.userCount = userVectors.count / dimension
        self.itemCount = itemVectors.count / dimension
        self.description = description
    }

    public func score(users: UnsafeBufferPointer<Int32>, into scores: UnsafeMutableBufferPointer<Float>) {
        let b = users.count, d = dimension, n = itemCount
        guard b > 0, n > 0 else { return }
        precondition(scores.count >= b * n, "score buffer too small")
        userVectors.withUnsafeBufferPointer { u in
            itemVectors.withUnsafeBufferPointer { v in
                let first = Int(users[0])
                var consecutive = true
                for r in 1..<b where Int(users[r]) != first + r {
                    consecutive = false
                    break
                }
                if consecutive {
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasTrans, Int32(b), Int32(n), Int32(d), 1,
                        u.baseAddress! + first * d, Int32(d), v.baseAddress!, Int32(d), 0, scores.baseAddress!, Int32(n))
                    return
                }
                let block = UnsafeMutablePointer<Float>.allocate(capacity: b * d)
                defer { block.deallocate() }
                for r in 0..<b {
                    (block + r * d).update(from: u.baseAddress! + Int(users[r]) * d, count: d)
                }
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans, Int32(b), Int32(n), Int32(d), 1,
                    block, Int32(d), v.baseAddress!, Int32(d), 0, scores.baseAddress!, Int32(n))
            }
        }
    }
}
