/// `C[m×n] (+)= A[m×k] · B[k×n]` for few rows (m ≤ 32), row-major, n a multiple of 16.
///
/// OpenBLAS spends most of its time packing when `m` is tiny (batch-1 transformer layers: m = tokens);
/// this kernel streams each 64-column block of `B` once per 4 rows of `A`, keeping 4×64 outputs in registers.
enum SmallGemm {
    typealias V = SIMD16<Float>

    static let maximumRows = 32

    /// Adds `A·B` to `c` (which holds the bias or zeros). Each 64-column block of `B` is streamed once per
    /// group of 4 rows of `A`, with the 4×64 outputs in registers (rows past `m` repeat the last row and
    /// are not stored).
    static func multiply(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, accumulate: Bool, settings: ExecutionSettings
    ) {
        let blocks = (n + 63) / 64
        settings.parallelChunks(blocks, minimumPerThread: 2) { range in
            for block in range {
                let j = block * 64
                var i = 0
                while i < m {
                    if n - j >= 64 {
                        rows4x64(i, m, j, k, a, b + j, b + j + 32, n, c, n)
                    } else {
                        rows4x16(i, m, j, n - j, k, a, b + j, n, c, n)
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
        let blocks = (n + 63) / 64
        settings.parallelChunks(blocks, minimumPerThread: 2) { range in
            for block in range {
                let j = block * 64, width = Swift.min(64, n - j)
                let low = b + (j / panel) * k * panel
                var i = 0
                while i < m {
                    if width == 64 {
                        rows4x64(i, m, j, k, a, low, low + k * panel, panel, c, n)
                    } else {
                        // The column tail (16, 32 or 48 columns), one 16-column half panel at a time.
                        var q = 0
                        while q < width {
                            let column = j + q
                            rows4x16(
                                i, m, column, 16, k, a, b + (column / panel) * k * panel + column % panel, panel, c, n)
                            q += 16
                        }
                    }
                    i += 4
                }
            }
        }
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }

    @inline(__always)
    static func add(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: UnsafeRawPointer(p).loadUnaligned(as: V.self) + v, as: V.self)
    }

    @inline(__always)
    static func rows4x64(
        _ i: Int, _ m: Int, _ j: Int, _ k: Int, _ a: UnsafePointer<Float>, _ low: UnsafePointer<Float>,
        _ high: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ n: Int
    ) {
        let last = m - 1
        let a0 = a + Swift.min(i, last) * k, a1 = a + Swift.min(i + 1, last) * k
        let a2 = a + Swift.min(i + 2, last) * k, a3 = a + Swift.min(i + 3, last) * k
        var x0 = V(), x1 = V(), x2 = V(), x3 = V()
        var y0 = V(), y1 = V(), y2 = V(), y3 = V()
        var z0 = V(), z1 = V(), z2 = V(), z3 = V()
        var u0 = V(), u1 = V(), u2 = V(), u3 = V()
        var bp = low, hp = high
        for p in 0..<k {
            let w0 = load(bp), w1 = load(bp + 16), w2 = load(hp), w3 = load(hp + 16)
            // Fused multiply-adds (`acc += s * w` would compile to a separate multiply and add).
            let s0 = V(repeating: a0[p]), s1 = V(repeating: a1[p]), s2 = V(repeating: a2[p]), s3 = V(repeating: a3[p])
            x0 = x0.addingProduct(s0, w0); x1 = x1.addingProduct(s0, w1); x2 = x2.addingProduct(s0, w2);
            x3 = x3.addingProduct(s0, w3)
            y0 = y0.addingProduct(s1, w0); y1 = y1.addingProduct(s1, w1); y2 = y2.addingProduct(s1, w2);
            y3 = y3.addingProduct(s1, w3)
            z0 = z0.addingProduct(s2, w0); z1 = z1.addingProduct(s2, w1); z2 = z2.addingProduct(s2, w2);
            z3 = z3.addingProduct(s2, w3)
            u0 = u0.addingProduct(s3, w0); u1 = u1.addingProduct(s3, w1); u2 = u2.addingProduct(s3, w2);
            u3 = u3.addingProduct(s3, w3)
            bp += ldb
            hp += ldb
        }
        let rows = Swift.min(4, m - i)
        var cp = c + i * n + j
        add(x0, cp); add(x1, cp + 16); add(x2, cp + 32); add(x3, cp + 48)
        if rows < 2 { return }
        cp += n
        add(y0, cp); add(y1, cp + 16); add(y2, cp + 32); add(y3, cp + 48)
        if rows < 3 { return }
        cp += n
        add(z0, cp); add(z1, cp + 16); add(z2, cp + 32); add(z3, cp + 48)
        if rows < 4 { return }
        cp += n
        add(u0, cp); add(u1, cp + 16); add(u2, cp + 32); add(u3, cp + 48)
    }

    /// The column tail (`width` a multiple of 16, below 64), one vector at a time.
    @inline(__always)
    static func rows4x16(
        _ i: Int, _ m: Int, _ j: Int, _ width: Int, _ k: Int, _ a: UnsafePointer<Float>,
        _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ n: Int
    ) {
        let rows = Swift.min(4, m - i)
        var q = 0
        while q < width {
            for r in 0..<rows {
                let ar = a + (i + r) * k
                var x = V()
                var bp = b + q
                for p in 0..<k {
                    x = x.addingProduct(V(repeating: ar[p]), load(bp))
                    bp += ldb
                }
                add(x, c + (i + r) * n + j + q)
            }
            q += 16
        }
    }
}
