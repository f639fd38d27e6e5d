import CBLAS

/// OpenBLAS controls and the one `sgemm` entry point every matrix product goes through.
public enum BLAS {
    /// Sets the number of OpenBLAS threads (environment variables are only read at load).
    public static func setThreadCount(_ count: Int) { openblas_set_num_threads(Int32(count)) }

    /// The current number of OpenBLAS threads.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Below this many multiply-adds a plain loop beats the BLAS call overhead.
    @usableFromInline static let smallProduct = 4096

    /// `C = alpha · op(A) · op(B) + beta · C` for row-major `A`, `B`, `C`, where `op(A)` is `m × k` and
    /// `op(B)` is `k × n`.
    @inlinable
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        if m * n * k <= smallProduct {
            smallGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    @usableFromInline
    static func smallGemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let sai = transposeA ? 1 : lda, sap = transposeA ? lda : 1
        let sbp = transposeB ? 1 : ldb, sbj = transposeB ? ldb : 1
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                if sap == 1 && sbp == 1 {
                    s = Kernels.dot(a + i * sai, b + j * sbj, k)
                } else {
                    for p in 0..<k { s += a[i * sai + p * sap] * b[p * sbp + j * sbj] }
                }
                let old = beta == 0 ? 0 : beta * c[i * ldc + j]
                c[i * ldc + j] = alpha * s + old
            }
        }
    }
}
