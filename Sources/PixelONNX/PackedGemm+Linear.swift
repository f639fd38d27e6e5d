import CPixelKernels
import Foundation

extension PackedGemm {
    /// A constant `k × n` weight (and its bias) for `X·W + bias` as `⌈n/32⌉` panels of `k × 32` values
    /// (columns past `n` are zero), the bias zero-padded to whole panels.
    final class PackedColumns: @unchecked Sendable {
        let k: Int, n: Int, tiles: Int
        let values: UnsafeMutablePointer<Float>
        let bias: UnsafeMutablePointer<Float>

        init(_ w: UnsafePointer<Float>, k: Int, n: Int, bias b: UnsafePointer<Float>?) {
            self.k = k
            self.n = n
            tiles = (n + columnBlock - 1) / columnBlock
            let count = Swift.max(tiles * k * columnBlock, 1)
            values = .allocate(capacity: count)
            values.update(repeating: 0, count: count)
            for t in 0..<tiles {
                let j0 = t * columnBlock, width = Swift.min(columnBlock, n - j0)
                let panel = values + t * k * columnBlock
                for p in 0..<k { (panel + p * columnBlock).update(from: w + p * n + j0, count: width) }
            }
            bias = .allocate(capacity: Swift.max(tiles * columnBlock, 1))
            bias.update(repeating: 0, count: Swift.max(tiles * columnBlock, 1))
            if let b { bias.update(from: b, count: n) }
        }

        deinit {
            values.deallocate()
            bias.deallocate()
        }
    }

    /// `C[m×n] = X[m×k] · W + bias` (row-major) with `W` packed by ``PackedColumns``: the rows of `X` are
    /// packed once into 12-row panels, then every 32-column panel of `W` (read from memory once per call,
    /// unlike sgemm's per-call repacking) passes over all of them; the bias (and GELU) applied in registers.
    static func multiplyRows(
        _ x: UnsafePointer<Float>, m: Int, _ w: PackedColumns, c: UnsafeMutablePointer<Float>,
        gelu: Bool = false, settings: ExecutionSettings
    ) {
        let k = w.k, n = w.n
        if m == 0 || n == 0 { return }
        let panels = (m + rowBlock - 1) / rowBlock
        let xPacked = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(panels * k * rowBlock, 1))
        defer { xPacked.deallocate() }
        let xs = UncheckedSendable(UnsafePointer(xPacked)), cs = UncheckedSendable(c)
        let xIn = UncheckedSendable(x), xOut = UncheckedSendable(xPacked)
        // The packing is split too (at least about 64 K values per thread): it would otherwise be serial.
        settings.parallelChunks(panels, minimumPerThread: Swift.max(1, 65_536 / Swift.max(k * rowBlock, 1))) { range in
            for p in range {
                let panel = xOut.value + p * k * rowBlock
                for r in 0..<rowBlock {
                    // Rows past m repeat the last row (computed, never stored).
                    let row = xIn.value + Swift.min(p * rowBlock + r, m - 1) * k
                    for q in 0..<k { panel[q * rowBlock + r] = row[q] }
                }
            }
        }
        settings.parallelChunks(w.tiles, minimumPerThread: 2) { range in
            let tile = UnsafeMutablePointer<Float>.allocate(capacity: rowBlock * columnBlock)
            defer { tile.deallocate() }
            for t in range {
                let j0 = t * columnBlock, width = Swift.min(columnBlock, n - j0)
                let bp = UnsafePointer(w.values + t * k * columnBlock), bias = UnsafePointer(w.bias + j0)
                for p in 0..<panels {
                    let row0 = p * rowBlock, rows = Swift.min(rowBlock, m - row0)
                    let ap = xs.value + p * k * rowBlock
                    let full = width == columnBlock
                    let out = full ? cs.value + row0 * n + j0 : tile, ldc = full ? n : columnBlock
                    if rows <= 8 {
                        // A short last panel (m = 50 tokens: 2 rows of 12): 4 rows at a time, not 12.
                        var r = 0
                        while r < rows {
                            block4x32(
                                k: k, a: ap + r, b: bp, c: out + r * ldc, ldc: ldc, rows: Swift.min(4, rows - r),
                                columnBias: bias, gelu: gelu)
                            r += 4
                        }
                    } else {
                        block12x32(
                            k: k, a: ap, b: bp, c: out, ldc: ldc, rows: rows, bias: nil,
                            columnBias: bias, gelu: gelu, bounds: (-.infinity, .infinity))
                    }
                    if !full {
                        for r in 0..<rows {
                            (cs.value + (row0 + r) * n + j0).update(from: tile + r * columnBlock, count: width)
                        }
                    }
                }
            }
        }
    }
}

extension PackedGemm {
    /// ``block12x32(k:a:b:c:ldc:rows:bias:columnBias:gelu:bounds:kernels:)`` for the first `rows` (≤ 4) rows
    /// of a 12-row panel, with a column bias and no clamp: 8 accumulators, the same operations per element
    /// in the same order, so the results are the same bits.
    @inline(__always)
    static func block4x32(
        k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
        rows: Int, columnBias: UnsafePointer<Float>, gelu: Bool, kernels: PixelDenseKernels = DenseKernels.active
    ) {
        kernels.tile4x32(k, a, b, c, ldc, rows, columnBias, gelu ? 1 : 0)
    }
}
