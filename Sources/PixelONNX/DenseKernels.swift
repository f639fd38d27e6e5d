import CPixelKernels

/// The dense inner loops (GEMM register tiles, the small-row GEMM, the fused attention's two products, GELU)
/// as C kernels compiled for AVX-512, AVX2 + FMA and baseline x86-64, one set chosen per process from the
/// CPU (and `PIXELREC_ISA=avx2|baseline`, which can only lower it).
///
/// Why C: Swift SIMD code is compiled for one target. `SIMD16<Float>.addingProduct` is a fused
/// multiply-add `c + a·b` rounded once; on a build without `-target-cpu` (baseline x86-64 has no FMA) it
/// becomes a call to libm's `fmaf` per lane, measured 40× slower for a whole MiniLM embedding. A binary built
/// with `-target-cpu znver4` instead runs AVX-512 everywhere and stops with SIGILL on an AVX2 CPU.
///
/// The AVX-512 and AVX2 kernels give the same bits (fused multiply-adds in the same order); the baseline
/// kernels round each product first, a relative difference of about `k·2⁻²⁴` in a `k`-term sum.
public enum DenseKernels {
    /// The kernels in use (decided on the first call).
    @inline(__always)
    static var active: PixelDenseKernels { pixel_dense_active().pointee }

    /// The kernels of `level`, lowered to what this CPU runs (for tests that compare the variants).
    static func kernels(_ level: Level) -> PixelDenseKernels { pixel_dense_kernels(level.rawValue).pointee }

    /// An instruction-set level of the kernels.
    public enum Level: Int32, CaseIterable, Sendable {
        case baseline = 0, avx2 = 1, avx512 = 2

        /// `baseline`, `avx2` or `avx512`.
        public var name: String { String(cString: pixel_isa_name(rawValue)) }
    }

    /// The level in use.
    public static var activeLevel: Level { Level(rawValue: pixel_isa_active()) ?? .baseline }

    /// The highest level this CPU runs.
    public static var supportedLevel: Level { Level(rawValue: pixel_isa_supported()) ?? .baseline }
}
