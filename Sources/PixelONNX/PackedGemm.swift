import CPixelKernels
import Foundation

/// `C[m×n] = clamp(A[m×k] · B[k×n] + bias)` for convolutions: `A` is the constant weight, packed once into
/// 12-row panels; the columns of `B` may span several images (a 1×1 convolution over a batch is one product
/// with `batch · H · W` columns), gathered 32 at a time into a contiguous panel.
///
/// OpenBLAS repacks the weight on every call; for the late layers of a CNN (7×7 maps, 1152×192 weights)
/// that packing costs as much as the product. Here each 12×32 block of `C` stays in 24 registers over
/// the whole `k`, and the bias and activation are applied before the single store.
enum PackedGemm {
    typealias V = SIMD16<Float>

    /// Rows of `A` per panel and columns of `B` per panel (the register block).
    static let rowBlock = 12, columnBlock = 32

    /// A constant `m × k` matrix as `⌈m/12⌉` panels of `k × 12` values (rows past `m` are zero).
    final class PackedA: @unchecked Sendable {
        let m: Int, k: Int, panels: Int
        let values: UnsafeMutablePointer<Float>

        /// Packs `a` (row-major, row stride `lda`).
        init(_ a: UnsafePointer<Float>, m: Int, k: Int, lda: Int) {
            self.m = m
            self.k = k
            panels = (m + rowBlock - 1) / rowBlock
            let count = Swift.max(panels * k * rowBlock, 1)
            values = .allocate(capacity: count)
            values.update(repeating: 0, count: count)
            for r in 0..<m {
                let panel = values + (r / rowBlock) * k * rowBlock + r % rowBlock
                let row = a + r * lda
                for p in 0..<k { panel[p * rowBlock] = row[p] }
            }
        }

        deinit { values.deallocate() }
    }

    /// Where the columns of a `rows × columns` operand live: column `j` belongs to image
    /// `j / columnsPerImage`, element `(r, j)` is at `base + image·imageStride + r·rowStride + j % columnsPerImage`.
    struct Layout {
        var imageStride: Int
        var rowStride: Int
        var columnsPerImage: Int
    }

    /// Bytes of packed `B` kept per column block (stays in L2 while every panel of `A` passes over it).
    static let blockBytes = 384 * 1024

    /// `C = clamp(A·B + bias)`; `n` columns in all (`B` and `C` follow their layouts).
    ///
    /// GotoBLAS order: the columns are cut into blocks whose packed `B` fits in L2; every 12-row panel of
    /// `A` (L1-sized) then passes over all 32-column tiles of the block, so `A` is read once per block
    /// rather than once per tile (for 7×7 maps the weight is larger than the activations).
    static func multiply(
        _ a: PackedA, b: UnsafePointer<Float>, bLayout: Layout, n: Int,
        c: UnsafeMutablePointer<Float>, cLayout: Layout, bias: UnsafePointer<Float>?,
        bounds: (Float, Float), settings: ExecutionSettings
    ) {
        let k = a.k
        if n == 0 || a.m == 0 { return }
        let tilesPerBlock = Swift.max(1, blockBytes / (Swift.max(k, 1) * columnBlock * 4))
        let tiles = (n + columnBlock - 1) / columnBlock
        let blocks = (tiles + tilesPerBlock - 1) / tilesPerBlock
        let threads = settings.threads
        let bPtr = UncheckedSendable(b), cPtr = UncheckedSendable(c), biasPtr = UncheckedSendable(bias)
        func run(
            block: Int, panels: Range<Int>, packed: UnsafeMutablePointer<Float>, tile: UnsafeMutablePointer<Float>,
            pack: Bool
        ) {
            let t0 = block * tilesPerBlock, t1 = Swift.min(tiles, t0 + tilesPerBlock)
            if pack {
                for t in t0..<t1 {
                    let j0 = t * columnBlock
                    packColumns(
                        bPtr.value, bLayout, j0: j0, width: Swift.min(columnBlock, n - j0), k: k,
                        into: packed + (t - t0) * k * columnBlock)
                }
            }
            for p in panels {
                let row0 = p * rowBlock, rows = Swift.min(rowBlock, a.m - row0)
                let ap = UnsafePointer(a.values + p * k * rowBlock)
                let rowBias = biasPtr.value.map { $0 + row0 }
                for t in t0..<t1 {
                    let j0 = t * columnBlock, width = Swift.min(columnBlock, n - j0)
                    let bp = UnsafePointer(packed + (t - t0) * k * columnBlock)
                    let image = j0 / cLayout.columnsPerImage, position = j0 % cLayout.columnsPerImage
                    // Output columns contiguous (one image, full width): store straight into C.
                    if width == columnBlock && position + columnBlock <= cLayout.columnsPerImage {
                        block12x32(
                            k: k, a: ap, b: bp,
                            c: cPtr.value + image * cLayout.imageStride + row0 * cLayout.rowStride + position,
                            ldc: cLayout.rowStride, rows: rows, bias: rowBias, bounds: bounds)
                    } else {
                        block12x32(
                            k: k, a: ap, b: bp, c: tile, ldc: columnBlock, rows: rows, bias: rowBias, bounds: bounds)
                        scatter(
                            tile, rows: rows, j0: j0, width: width, into: cPtr.value + row0 * cLayout.rowStride, cLayout
                        )
                    }
                }
            }
        }
        let packedCount = Swift.max(k, 1) * columnBlock * Swift.min(tilesPerBlock, tiles)
        if blocks >= 2 * threads || threads == 1 || a.panels < 2 {
            // Enough blocks for every thread: each packs its own.
            settings.parallelChunks(blocks, minimumPerThread: 1) { range in
                let packed = UnsafeMutablePointer<Float>.allocate(capacity: packedCount)
                defer { packed.deallocate() }
                let tile = UnsafeMutablePointer<Float>.allocate(capacity: rowBlock * columnBlock)
                defer { tile.deallocate() }
                for block in range { run(block: block, panels: 0..<a.panels, packed: packed, tile: tile, pack: true) }
            }
            return
        }
        // Few blocks (small maps): pack each once (its tiles split across threads: serial, the packing
        // is a large part of a small product), then split its panels across threads.
        let packed = UnsafeMutablePointer<Float>.allocate(capacity: packedCount)
        defer { packed.deallocate() }
        let shared = UncheckedSendable(packed)
        for block in 0..<blocks {
            let t0 = block * tilesPerBlock, t1 = Swift.min(tiles, t0 + tilesPerBlock)
            settings.parallelChunks(t1 - t0, minimumPerThread: 1) { range in
                for t in (t0 + range.lowerBound)..<(t0 + range.upperBound) {
                    let j0 = t * columnBlock
                    packColumns(
                        bPtr.value, bLayout, j0: j0, width: Swift.min(columnBlock, n - j0), k: k,
                        into: shared.value + (t - t0) * k * columnBlock)
                }
            }
            settings.parallelChunks(a.panels, minimumPerThread: 1) { panels in
                let tile = UnsafeMutablePointer<Float>.allocate(capacity: rowBlock * columnBlock)
                defer { tile.deallocate() }
                run(block: block, panels: panels, packed: shared.value, tile: tile, pack: false)
            }
        }
    }

    /// Copies columns `j0..<j0+width` of `B` (all `k` rows) into `panel` (`k × 32`, zero past `width`).
    static func packColumns(
        _ b: UnsafePointer<Float>, _ layout: Layout, j0: Int, width: Int, k: Int,
        into panel: UnsafeMutablePointer<Float>
    ) {
        if width < columnBlock { panel.update(repeating: 0, count: k * columnBlock) }
        var j = j0, offset = 0
        while offset < width {
            let image = j / layout.columnsPerImage, position = j % layout.columnsPerImage
            let length = Swift.min(width - offset, layout.columnsPerImage - position)
            var src = b + image * layout.imageStride + position
            var dst = panel + offset
            if length == columnBlock {
                for _ in 0..<k {
                    UnsafeMutableRawPointer(dst).storeBytes(
                        of: UnsafeRawPointer(src).loadUnaligned(as: V.self), as: V.self)
                    UnsafeMutableRawPointer(dst + 16).storeBytes(
                        of: UnsafeRawPointer(src + 16).loadUnaligned(as: V.self), as: V.self)
                    src += layout.rowStride
                    dst += columnBlock
                }
            } else {
                for _ in 0..<k {
                    for q in 0..<length { dst[q] = src[q] }
                    src += layout.rowStride
                    dst += columnBlock
                }
            }
            j += length
            offset += length
        }
    }

    /// Writes the first `width` columns of a `rows × 32` tile to columns `j0...` of `C` (rows from `c`).
    static func scatter(
        _ tile: UnsafePointer<Float>, rows: Int, j0: Int, width: Int, into c: UnsafeMutablePointer<Float>,
        _ layout: Layout
    ) {
        var j = j0, offset = 0
        while offset < width {
            let image = j / layout.columnsPerImage, position = j % layout.columnsPerImage
            let length = Swift.min(width - offset, layout.columnsPerImage - position)
            let dst = c + image * layout.imageStride + position
            for r in 0..<rows {
                (dst + r * layout.rowStride).update(from: tile + r * columnBlock + offset, count: length)
            }
            j += length
            offset += length
        }
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }

    /// One 12×32 block over the whole `k`: 24 accumulators, two vector loads of `B` and twelve broadcasts
    /// of `A` per step; bias (`bias[r]` per row and/or `columnBias[0..<32]` per column), clamp and store of
    /// the first `rows` rows at the end (with `gelu`, GELU after the bias):
    /// `c[r, j] = clamp(Σ_p a[12p + r]·b[32p + j] + bias[r] + columnBias[j])`, one fused multiply-add per
    /// term in `p` order. The loop is the C kernel `tile12x32` of the instruction set chosen at run time
    /// (``DenseKernels``).
    @inline(__always)
    static func block12x32(
        k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
        rows: Int, bias: UnsafePointer<Float>?, columnBias: UnsafePointer<Float>? = nil,
        gelu: Bool = false, bounds: (Float, Float), kernels: PixelDenseKernels = DenseKernels.active
    ) {
        kernels.tile12x32(k, a, b, c, ldc, rows, bias, columnBias, gelu ? 1 : 0, bounds.0, bounds.1)
    }
}

/// A constant input (a weight, and for a Linear its bias) packed once on a node's first run and reused
/// while the node sees the same buffers with the same shapes; different buffers (e.g. a computed weight)
/// are packed afresh.
final class PackCache<Packed>: @unchecked Sendable {
    private let lock = NSLock()
    // Held strongly so an identity cannot be reused by another buffer while cached.
    private var sources: [ONNXBuffer] = []
    private var shapes: [[Int]] = []
    private var packed: Packed?

    /// `inputs` packed by `pack`, or the result of an earlier call with the same buffers and shapes.
    func packed(_ inputs: ONNXValue..., pack: () -> Packed) -> Packed {
        lock.lock()
        defer { lock.unlock() }
        if let packed, sources.count == inputs.count, zip(sources, inputs).allSatisfy({ $0 === $1.buffer }),
            shapes == inputs.map(\.shape)
        {
            return packed
        }
        let fresh = pack()
        packed = fresh
        sources = inputs.map(\.buffer)
        shapes = inputs.map(\.shape)
        return fresh
    }
}
