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
    static func multiply(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                         c: UnsafeMutablePointer<Float>, accumulate: Bool, settings: ExecutionSettings) {
        let blocks = (n + 63) / 64
        settings.parallelChunks(blocks, minimumPerThread: 2) { range in
            for block in range {
                let j = block * 64
                var i = 0
                while i < m {
                    if n - j >= 64 { rows4x64(i, m, j, k, a, b, c, n) } else { rows4x16(i, m, j, n - j, k, a, b, c, n) }
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
    static func rows4x64(_ i: Int, _ m: Int, _ j: Int, _ k: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                         _ c: UnsafeMutablePointer<Float>, _ n: Int) {
        let last = m - 1
        let a0 = a + Swift.min(i, last) * k, a1 = a + Swift.min(i + 1, last) * k
        let a2 = a + Swift.min(i + 2, last) * k, a3 = a + Swift.min(i + 3, last) * k
        var x0 = V(), x1 = V(), x2 = V(), x3 = V()
        var y0 = V(), y1 = V(), y2 = V(), y3 = V()
        var z0 = V(), z1 = V(), z2 = V(), z3 = V()
        var u0 = V(), u1 = V(), u2 = V(), u3 = V()
        var bp = b + j
        for p in 0..<k {
            let w0 = load(bp), w1 = load(bp + 16), w2 = load(bp + 32), w3 = load(bp + 48)
            let s0 = a0[p], s1 = a1[p], s2 = a2[p], s3 = a3[p]
            x0 += s0 * w0; x1 += s0 * w1; x2 += s0 * w2; x3 += s0 * w3
            y0 += s1 * w0; y1 += s1 * w1; y2 += s1 * w2; y3 += s1 * w3
            z0 += s2 * w0; z1 += s2 * w1; z2 += s2 * w2; z3 += s2 * w3
            u0 += s3 * w0; u1 += s3 * w1; u2 += s3 * w2; u3 += s3 * w3
            bp += n
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
    static func rows4x16(_ i: Int, _ m: Int, _ j: Int, _ width: Int, _ k: Int, _ a: UnsafePointer<Float>,
                         _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ n: Int) {
        let rows = Swift.min(4, m - i)
        var q = 0
        while q < width {
            for r in 0..<rows {
                let ar = a + (i + r) * k
                var x = V()
                var bp = b + j + q
                for p in 0..<k {
                    x += ar[p] * load(bp)
                    bp += n
                }
                add(x, c + (i + r) * n + j + q)
            }
            q += 16
        }
    }
}
