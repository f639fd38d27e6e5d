import CPixelKernels
import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Softmax cross-entropy of dot-product logits against a candidate set, fused and blocked by rows so
/// the `[M, N]` logits are never stored.
///
/// Logits `X = Q·Cᵀ − 1·logQᵀ` (queries `Q` `[M, d]`, candidates `C` `[N, d]`, `logQ` `[N]`, or 0);
/// loss `= (1/M′) Σ_{r: y_r ≥ 0} (log Σ_j e^{X_rj} − X_{r,y_r})`, `M′` the rows with a target (rows with
/// `y_r < 0` are ignored). It equals `softmaxCrossEntropy(matmul(Q, C, transposeB: true) − logQ, y)` over
/// the rows with a target (same exponential, float sums in another order).
///
/// Blocks of `blockRows` rows (fixed boundaries) each go through one scratch buffer `E` `[blockRows, N]`:
/// `E = Q_b·Cᵀ` (sgemm), `top_r = max_j (E_rj − logQ_j)`, `E_rj ← e^{E_rj − logQ_j − top_r}`, `s_r = Σ_j E_rj`,
/// loss term `log s_r + top_r − X_{r,y_r}`. When recorded, the gradients are computed then and there (the
/// backward rule only scales them by the output gradient `g`): `E_{r,y_r} −= s_r`, `f_r = 1/(s_r·M′)`, so
/// `∂X_r = f_r·E_r = softmax(X_r) − onehot(y_r)` over `M′`, and
/// `∂Q_b = diag(f)·(E·C)`, `∂C += Eᵀ·(diag(f)·Q_b)` (sgemm, `β = 1`) — the big block is written by one
/// product, read by the max, rewritten by the exponential and read by two products; no other `[M, N]` pass.
///
/// ``DotProductSoftmaxProducts/tiled`` (the default for widths `d` = 16, 32, …, 128 on builds for AVX-512
/// targets) does the three products with CPixelKernels' register-tiled loops (`pixel_dps_*`): the candidates
/// are packed once per call (OpenBLAS packed them again for every block), the logits pass subtracts `logQ` and
/// finds each row's maximum as it stores, and `∂Q`, `∂C` read `C` and the block in place. Each element's sum
/// order depends only on the shapes.
///
/// `threads` workers take contiguous ranges of blocks (`k·B/T ..< (k+1)·B/T`), each with its own scratch,
/// single-threaded BLAS and `∂C` accumulator; the accumulators are summed in worker order and the loss
/// terms in block order, so a given `threads` always gives the same bits (the loss and `∂Q` do not depend
/// on it at all; `∂C` does, by float summation order). OpenBLAS is set to one thread while the op runs
/// (and restored after): its own threading may split a product's sums differently (seen with its
/// Haswell kernels), which would make the bits depend on the BLAS thread count too.
///
/// - Parameters:
///   - queries: `[M, d]`.
///   - candidates: `[N, d]`.
///   - targets: `M` column indices in `0 ..< N`, or −1 for a row without a target.
///   - logQ: `N` values subtracted from every row's logits (sampled-softmax correction), or `nil`.
///   - threads: workers over row blocks (at most the number of blocks are used).
///   - blockRows: rows per block; `nil`: up to 256, `E` at most 16 MiB (at least 32 rows).
///   - products: who computes the three products (``DotProductSoftmaxProducts``).
/// - Returns: the scalar mean loss.
/// - Precondition: shapes agree and every target is in `−1 ..< N`.
public func dotProductSoftmaxCrossEntropy(
    queries: Tensor, candidates: Tensor, targets: [Int32], logQ: [Float]? = nil, threads: Int = 1,
    blockRows: Int? = nil, products: DotProductSoftmaxProducts = .automatic
) -> Tensor {
    precondition(
        queries.rank == 2 && candidates.rank == 2 && queries.shape[1] == candidates.shape[1]
            && queries.shape[0] == targets.count,
        "dotProductSoftmaxCrossEntropy: queries \(queries.shape), candidates \(candidates.shape), \(targets.count) targets"
    )
    let m = queries.shape[0], n = candidates.shape[0], d = queries.shape[1]
    precondition(n > 0 || m == 0, "dotProductSoftmaxCrossEntropy: no candidates")
    if let logQ { precondition(logQ.count == n, "dotProductSoftmaxCrossEntropy: \(logQ.count) log Q for \(n)") }
    var counted = 0
    for t in targets {
        precondition(t >= -1 && Int(t) < n, "dotProductSoftmaxCrossEntropy: target \(t) out of −1..<\(n)")
        if t >= 0 { counted += 1 }
    }
    let tracked = Autograd.trackedInputs(queries, candidates)
    let wantsQueries = tracked?[0] != nil, wantsCandidates = tracked?[1] != nil
    let rows = blockRows ?? DotProductSoftmax.blockRows(candidates: n)
    precondition(rows > 0, "dotProductSoftmaxCrossEntropy: blockRows \(rows)")
    let blocks = (m + rows - 1) / rows
    let workers = max(1, min(threads, blocks))

    var dQ = wantsQueries ? Tensor(uninitializedShape: [m, d]) : Tensor(zeros: [0])
    // Worker 0's first block overwrites ∂C (β = 0); zeros only when there is no block.
    var dC =
        !wantsCandidates
        ? Tensor(zeros: [0]) : blocks == 0 ? Tensor(zeros: [n, d]) : Tensor(uninitializedShape: [n, d])
    let blockLoss = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(blocks, 1))
    defer { blockLoss.deallocate() }
    // Worker k > 0 accumulates ∂C in its own buffer; worker 0 in dC itself.
    let partial = UnsafeMutablePointer<Float>.allocate(capacity: wantsCandidates ? max(1, (workers - 1) * n * d) : 1)
    defer { partial.deallocate() }
    // The tiled products of CPixelKernels on candidates packed once here.
    let supported = pixel_dps_supports(d) != 0
    precondition(
        products != .tiled || supported, "dotProductSoftmaxCrossEntropy: tiled products need d = 16…128 by 16, got \(d)"
    )
    let tiled =
        blocks > 0 && (products == .tiled || (products == .automatic && supported && pixel_dps_preferred() != 0))
    let packed = UnsafeMutablePointer<Float>.allocate(capacity: tiled ? pixel_dps_padded(n) * (d + 1) : 1)
    defer { packed.deallocate() }
    if tiled {
        let shift = packed + pixel_dps_padded(n) * d
        if let logQ {
            logQ.withUnsafeBufferPointer {
                pixel_dps_pack(candidates.storage.pointer, n, d, $0.baseAddress, packed, shift)
            }
        } else {
            pixel_dps_pack(candidates.storage.pointer, n, d, nil, packed, shift)
        }
    }
    let work = DotProductSoftmax(
        q: queries.storage.pointer, c: candidates.storage.pointer, m: m, n: n, d: d, rows: rows,
        targets: targets, logQ: logQ ?? [], scale: 1 / Float(max(counted, 1)), gradients: tracked != nil,
        wantsQueries: wantsQueries, wantsCandidates: wantsCandidates, packed: tiled ? UnsafePointer(packed) : nil)
    dQ.withUnsafeMutableBufferPointer { gq in
        dC.withUnsafeMutableBufferPointer { gc in
            let outputs = DotProductSoftmax.Outputs(
                loss: blockLoss.baseAddress!, dQ: gq.baseAddress!, dC: gc.baseAddress!, partial: partial)
            let saved = BLAS.threadCount
            if saved != 1 { BLAS.setThreadCount(1) }
            DotProductSoftmax.parallel(workers) { k in
                work.run(blocks: (k * blocks / workers)..<((k + 1) * blocks / workers), worker: k, outputs)
            }
            if saved != 1 { BLAS.setThreadCount(saved) }
            if wantsCandidates {
                for k in 1..<workers { Kernels.add(partial + (k - 1) * n * d, into: gc.baseAddress!, n * d) }
            }
        }
    }
    var total = 0.0
    for b in 0..<blocks { total += blockLoss[b] }
    var out = Tensor(Float(total / Double(max(counted, 1))))
    if let nodes = tracked {
        let gq = dQ, gc = dC
        out.recordOp(inputs: nodes) { g in
            let s = g.scalar
            func scaled(_ t: Tensor) -> Tensor {
                guard s != 1 else { return t }
                var u = t
                u.scaleInPlace(by: s)
                return u
            }
            return [wantsQueries ? .dense(scaled(gq)) : nil, wantsCandidates ? .dense(scaled(gc)) : nil]
        }
    }
    return out
}

/// Who computes the products of ``dotProductSoftmaxCrossEntropy(queries:candidates:targets:logQ:threads:blockRows:products:)``.
public enum DotProductSoftmaxProducts: Sendable {
    /// ``tiled`` where it is supported and faster (widths 16…128 by 16, builds for AVX-512 targets), else ``blas``.
    case automatic
    /// OpenBLAS `sgemm`, any width.
    case blas
    /// CPixelKernels' register-tiled loops (any target; widths 16…128 by 16).
    case tiled
}

/// The blocked kernel behind ``dotProductSoftmaxCrossEntropy(queries:candidates:targets:logQ:threads:blockRows:products:)``.
struct DotProductSoftmax: @unchecked Sendable {
    let q: UnsafePointer<Float>
    let c: UnsafePointer<Float>
    let m: Int, n: Int, d: Int, rows: Int
    let targets: [Int32]
    /// Empty: no correction.
    let logQ: [Float]
    /// `1/M′`.
    let scale: Float
    let gradients: Bool
    let wantsQueries: Bool
    let wantsCandidates: Bool
    /// The candidates packed by `pixel_dps_pack`, followed by the shift row; `nil`: the OpenBLAS products.
    let packed: UnsafePointer<Float>?

    /// Where workers write: loss per block, `∂Q` rows, `∂C` (worker 0) and the other workers' `∂C`.
    struct Outputs: @unchecked Sendable {
        let loss: UnsafeMutablePointer<Double>
        let dQ: UnsafeMutablePointer<Float>
        let dC: UnsafeMutablePointer<Float>
        let partial: UnsafeMutablePointer<Float>
    }

    /// Rows per block: as many as keep the scratch block within 16 MiB, between 32 and 256, a multiple
    /// of 16. Wider blocks make better products (the candidates are packed once per block, and `∂C`'s
    /// product has the block as its inner dimension): measured at M 12,800, N 12,336, one thread,
    /// d 128: 256 rows 1.49 s, 128 rows 1.58 s, 80 rows 1.67 s; d 64: 256 rows 0.89 s, 80 rows 0.93 s.
    static func blockRows(candidates n: Int) -> Int {
        let fit = (16 << 20) / (4 * max(n, 1))
        return max(32, min(256, fit / 16 * 16))
    }

    /// `body(k)` for `k` in `0 ..< count` on `count` threads (the caller's among them).
    static func parallel(_ count: Int, _ body: (Int) -> Void) {
        if count == 1 {
            body(0)
            return
        }
        withoutActuallyEscaping(body) { body in
            let job = Job(body: body)
            DispatchQueue.concurrentPerform(iterations: count) { job.body($0) }
        }
    }

    struct Job: @unchecked Sendable { let body: (Int) -> Void }

    /// Blocks `range` in order, accumulating `∂C` into worker `worker`'s buffer.
    func run(blocks range: Range<Int>, worker: Int, _ out: Outputs) {
        guard !range.isEmpty else { return }
        if packed != nil {
            runTiled(blocks: range, worker: worker, out)
            return
        }
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: rows * n)
        let factors = UnsafeMutablePointer<Float>.allocate(capacity: rows * (d + 1))
        defer {
            scratch.deallocate()
            factors.deallocate()
        }
        let scaledQueries = factors + rows
        let accumulator = worker == 0 ? out.dC : out.partial + (worker - 1) * n * d
        var first = true
        logQ.withUnsafeBufferPointer { shift in
            let correction = logQ.isEmpty ? nil : shift.baseAddress
            for b in range {
                let r0 = b * rows, count = min(rows, m - r0)
                let blockQ = q + r0 * d
                BLAS.gemm(
                    transposeA: false, transposeB: true, m: count, n: n, k: d, a: blockQ, lda: d, b: c, ldb: d,
                    c: scratch, ldc: n)
                var loss = 0.0
                for i in 0..<count {
                    let x = scratch + i * n
                    let y = Int(targets[r0 + i])
                    guard y >= 0 else {
                        // No target: no loss and a zero gradient row (a zero factor on a zero row).
                        x.update(repeating: 0, count: n)
                        factors[i] = 0
                        continue
                    }
                    let top: Float, s: Float, target: Float
                    if let lq = correction {
                        top = Kernels.maxDifference(x, lq, n)
                        target = x[y] - lq[y]
                        s = Kernels.expShifted(x, minus: lq, n, shift: top, into: x)
                    } else {
                        top = Kernels.max(x, n)
                        target = x[y]
                        s = Kernels.expShifted(x, n, shift: top, into: x)
                    }
                    loss += Double(logf(s) + top - target)
                    x[y] -= s  // E_r·(1/s_r) − onehot = (E_r − s_r·onehot)/s_r
                    factors[i] = scale / s
                }
                out.loss[b] = loss
                guard gradients else { continue }
                if wantsQueries {
                    let blockDQ = out.dQ + r0 * d
                    BLAS.gemm(
                        transposeA: false, transposeB: false, m: count, n: d, k: n, a: scratch, lda: n, b: c,
                        ldb: d, c: blockDQ, ldc: d)
                    for i in 0..<count { Kernels.scale(blockDQ + i * d, d, by: factors[i]) }
                }
                if wantsCandidates {
                    for i in 0..<count {
                        let f = factors[i], src = blockQ + i * d, dst = scaledQueries + i * d
                        for j in 0..<d { dst[j] = src[j] * f }
                    }
                    BLAS.gemm(
                        transposeA: true, transposeB: false, m: n, n: d, k: count, a: scratch, lda: n,
                        b: scaledQueries, ldb: d, beta: first ? 0 : 1, c: accumulator, ldc: d)
                    first = false
                }
            }
        }
    }

    /// ``run(blocks:worker:_:)`` with the tiled products of CPixelKernels: `E` (row stride
    /// `pixel_dps_stride(n)`) holds `Q_b·Cᵀ − log Q` with each row's maximum from the same pass, then the
    /// exponentials as before, then `∂Q_b = diag(f)·(E·C)` and `∂C (+)= Eᵀ·(diag(f)·Q_b)`.
    func runTiled(blocks range: Range<Int>, worker: Int, _ out: Outputs) {
        guard let packed else { return }
        let stride = pixel_dps_stride(n)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: rows * stride)
        let factors = UnsafeMutablePointer<Float>.allocate(capacity: rows * (d + 18))
        defer {
            scratch.deallocate()
            factors.deallocate()
        }
        let scaledQueries = factors + rows, rowMax = scaledQueries + rows * d, maxScratch = rowMax + rows
        let shift = packed + pixel_dps_padded(n) * d
        let accumulator = worker == 0 ? out.dC : out.partial + (worker - 1) * n * d
        var first = true
        for b in range {
            let r0 = b * rows, count = min(rows, m - r0)
            let blockQ = q + r0 * d
            pixel_dps_logits(blockQ, count, d, packed, shift, n, scratch, stride, rowMax, maxScratch)
            var loss = 0.0
            for i in 0..<count {
                let x = scratch + i * stride
                let y = Int(targets[r0 + i])
                guard y >= 0 else {
                    x.update(repeating: 0, count: n)
                    factors[i] = 0
                    continue
                }
                let top = rowMax[i], target = x[y]
                let s = Kernels.expShifted(x, n, shift: top, into: x)
                loss += Double(logf(s) + top - target)
                x[y] -= s
                factors[i] = scale / s
            }
            out.loss[b] = loss
            guard gradients else { continue }
            if wantsQueries {
                let blockDQ = out.dQ + r0 * d
                pixel_dps_dq(scratch, stride, count, c, n, d, blockDQ)
                for i in 0..<count { Kernels.scale(blockDQ + i * d, d, by: factors[i]) }
            }
            if wantsCandidates {
                for i in 0..<count {
                    let f = factors[i], src = blockQ + i * d, dst = scaledQueries + i * d
                    for j in 0..<d { dst[j] = src[j] * f }
                }
                pixel_dps_dc(scratch, stride, count, scaledQueries, n, d, accumulator, first ? 0 : 1)
                first = false
            }
        }
    }
}
