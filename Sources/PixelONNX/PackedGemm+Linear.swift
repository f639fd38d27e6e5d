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
    static func multiplyRows(_ x: UnsafePointer<Float>, m: Int, _ w: PackedColumns, c: UnsafeMutablePointer<Float>,
                             gelu: Bool = false, settings: ExecutionSettings) {
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
                    if width == columnBlock {
                        block12x32(k: k, a: ap, b: bp, c: cs.value + row0 * n + j0, ldc: n, rows: rows, bias: nil,
                                   columnBias: bias, gelu: gelu, bounds: (-.infinity, .infinity))
                    } else {
                        block12x32(k: k, a: ap, b: bp, c: tile, ldc: columnBlock, rows: rows, bias: nil,
                                   columnBias: bias, gelu: gelu, bounds: (-.infinity, .infinity))
                        for r in 0..<rows { (cs.value + (row0 + r) * n + j0).update(from: tile + r * columnBlock, count: width) }
                    }
                }
            }
        }
    }
}

/// ``PackedGemm/PackedColumns`` of one fused Linear node, built on its first call with many rows.
final class PackedColumnsCache: @unchecked Sendable {
    private let lock = NSLock()
    private var source: ONNXBuffer?
    private var biasSource: ONNXBuffer?
    private var packed: PackedGemm.PackedColumns?

    func packed(_ w: ONNXValue, bias: ONNXValue) -> PackedGemm.PackedColumns {
        lock.lock()
        defer { lock.unlock() }
        if let packed, source === w.buffer, biasSource === bias.buffer, packed.k == w.shape[0], packed.n == w.shape[1] { return packed }
        let fresh = PackedGemm.PackedColumns(w.floatPointer, k: w.shape[0], n: w.shape[1], bias: bias.floatPointer)
        packed = fresh
        source = w.buffer
        biasSource = bias.buffer
        return fresh
    }
}
