import CPixelKernels

/// `C[m×n] (+)= A[m×k] · B[k×n]` for few rows (m ≤ 32), row-major, n a multiple of 16.
///
/// OpenBLAS spends most of its time packing when `m` is tiny (batch-1 transformer layers: m = tokens);
/// this kernel streams each 64-column block of `B` once per 4 rows of `A`, keeping 4×64 outputs in registers.
enum SmallGemm {
    static let maximumRows = 32

    /// Adds `A·B` to `c` (which holds the bias or zeros). Each 64-column block of `B` is streamed once per
    /// group of 4 rows of `A`, with the 4×64 outputs in registers (rows past `m` repeat the last row and
    /// are not stored).
    static func multiply(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, accumulate: Bool, settings: ExecutionSettings
    ) {
        let blocks = (n + 63) / 64, kernels = DenseKernels.active
        settings.parallelChunks(blocks, minimumPerThread: 2) { range in
            for block in range {
                let j = block * 64
                var i = 0
                while i < m {
                    if n - j >= 64 {
                        rows4x64(i, m, j, k, a, b + j, b + j + 32, n, c, n, kernels)
                    } else {
                        rows4x16(i, m, j, n - j, k, a, b + j, n, c, n, kernels)
                    }
                    i += 4
                }
            }
        }
    }

    /// Same product with `B` pre-packed as ``PackedGemm/PackedColumns`` (32-column panels of `k × 32`
    /// values, read sequentially): each 64-column block is two adjacent panels. Every output element gets
    /// the same operations in the same order as the unpacked kernel, so the results are the same bits.
    static func multiply(
        m: Int, a: UnsafePointer<Float>, columns: PackedGemm.PackedColumns, c: UnsafeMutablePointer<Float>,
        settings: ExecutionSettings
    ) {
        let n = columns.n, k = columns.k, b = UnsafePointer(columns.values), panel = PackedGemm.columnBlock
        let blocks = (n + 63) / 64, kernels = DenseKernels.active
        settings.parallelChunks(blocks, minimumPerThread: 2) { range in
            for block in range {
                let j = block * 64, width = Swift.min(64, n - j)
                let low = b + (j / panel) * k * panel
                var i = 0
                while i < m {
                    if width == 64 {
                        rows4x64(i, m, j, k, a, low, low + k * panel, panel, c, n, kernels)
                    } else {
                        // The column tail (16, 32 or 48 columns), one 16-column half panel at a time.
                        var q = 0
                        while q < width {
                            let column = j + q
                            rows4x16(
                                i, m, column, 16, k, a, b + (column / panel) * k * panel + column % panel, panel, c, n,
                                kernels)
                            q += 16
                        }
                    }
                    i += 4
                }
            }
        }
    }

    /// Rows `i ..< i+4` (the last repeated past `m`) × 64 columns, `c += A·B` in registers over the whole `k`
    /// (columns 0..<32 of `B` at `low`, 32..<64 at `high`, row stride `ldb`): the C kernel `small_rows4x64`.
    @inline(__always)
    static func rows4x64(
        _ i: Int, _ m: Int, _ j: Int, _ k: Int, _ a: UnsafePointer<Float>, _ low: UnsafePointer<Float>,
        _ high: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ n: Int,
        _ kernels: PixelDenseKernels
    ) {
        kernels.small_rows4x64(i, m, j, k, a, low, high, ldb, c, n)
    }

    /// The column tail (`width` a multiple of 16, below 64), one vector at a time: `small_rows4x16`.
    @inline(__always)
    static func rows4x16(
        _ i: Int, _ m: Int, _ j: Int, _ width: Int, _ k: Int, _ a: UnsafePointer<Float>,
        _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ n: Int,
        _ kernels: PixelDenseKernels
    ) {
        kernels.small_rows4x16(i, m, j, width, k, a, b, ldb, c, n)
    }
}
