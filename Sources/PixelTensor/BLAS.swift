import CBLAS

#if canImport(Glibc)
    import Glibc
#endif

/// OpenBLAS controls and the one `sgemm` entry point every matrix product goes through.
public enum BLAS {
    /// Sets the number of OpenBLAS threads (environment variables are only read at load).
    public static func setThreadCount(_ count: Int) { openblas_set_num_threads(Int32(count)) }

    /// The current number of OpenBLAS threads.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// The kernel family OpenBLAS picked at load (`Prescott`, `Haswell`, `SkylakeX`, …).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(decoding: UnsafeRawBufferPointer(start: name, count: strlen(name)), as: UTF8.self)
    }

    /// The `OPENBLAS_CORETYPE` to relaunch with when OpenBLAS fell back to its generic SSE3 kernels on a
    /// CPU it did not recognize (common under virtualization, where the CPU model is masked): `SkylakeX`
    /// with AVX-512, `Haswell` with AVX2; `nil` when the detection is fine or the variable is already set.
    /// Measured here: 32 GFLOP/s (Prescott) vs 150 GFLOP/s (SkylakeX) single-threaded sgemm.
    /// OpenBLAS reads the variable only at load, so the caller must re-exec (see ``relaunchWithBetterCoreIfNeeded()``).
    public static var betterCoreType: String? {
        guard getenv("OPENBLAS_CORETYPE") == nil else { return nil }
        let core = coreName.lowercased()
        guard core == "prescott" || core == "unknown" || core == "core2" || core == "nehalem" else { return nil }
        guard let f = fopen("/proc/cpuinfo", "r") else { return nil }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 8192)
        while fgets(&line, Int32(line.count), f) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasPrefix("flags") else { continue }
            let flags = Set(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }))
            if flags.contains("avx512f") && flags.contains("avx512vl") && flags.contains("avx512bw") {
                return "SkylakeX"
            }
            if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
            return nil
        }
        return nil
    }

    /// Re-executes the current process with `OPENBLAS_CORETYPE` set when ``betterCoreType`` says
    /// OpenBLAS mis-detected the CPU; returns normally otherwise (or if the re-exec fails).
    /// Call it first thing in `main`, before any other work.
    public static func relaunchWithBetterCoreIfNeeded() {
        guard let core = betterCoreType else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        var argv: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", &argv)
    }

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
            smallGemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
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
        // β = 0: C is not read; each element is written once as `0 + α·Σ` (the value a zero fill followed
        // by `+=` gave — the fill and the reload of the just-stored zeros cost more than the small product).
        let fresh = beta == 0
        if !fresh && beta != 1 {
            for i in 0..<m {
                let cr = c + i * ldc
                for j in 0..<n { cr[j] *= beta }
            }
        }
        if transposeB && !transposeA {
            // C[i, j] += α·⟨A[i, :], B[j, :]⟩, both rows contiguous.
            for i in 0..<m {
                let ar = a + i * lda, cr = c + i * ldc
                for j in 0..<n { cr[j] = (fresh ? 0 : cr[j]) + alpha * Kernels.dot(ar, b + j * ldb, k) }
            }
        } else if transposeB {
            // Aᵀ's rows are strided: gather each into a contiguous buffer first.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: k) { row in
                let r = row.baseAddress!
                for i in 0..<m {
                    for p in 0..<k { r[p] = a[i * sai + p * sap] }
                    let cr = c + i * ldc
                    for j in 0..<n { cr[j] = (fresh ? 0 : cr[j]) + alpha * Kernels.dot(r, b + j * ldb, k) }
                }
            }
        } else {
            // C[i, j…j+15] accumulates Σ_p A(i, p)·B[p, j…j+15] in a register, stored once.
            for i in 0..<m {
                let cr = c + i * ldc, ai = a + i * sai
                var j = 0
                while j + 16 <= n {
                    var acc = SIMD16<Float>()
                    for p in 0..<k {
                        acc += ai[p * sap] * UnsafeRawPointer(b + p * ldb + j).loadUnaligned(as: SIMD16<Float>.self)
                    }
                    let old = fresh ? SIMD16<Float>() : UnsafeRawPointer(cr + j).loadUnaligned(as: SIMD16<Float>.self)
                    UnsafeMutableRawPointer(cr + j).storeBytes(of: old + alpha * acc, as: SIMD16<Float>.self)
                    j += 16
                }
                while j < n {
                    var s: Float = 0
                    for p in 0..<k { s += ai[p * sap] * b[p * ldb + j] }
                    cr[j] = (fresh ? 0 : cr[j]) + alpha * s
                    j += 1
                }
            }
        }
    }
}
