import Foundation
import PixelTensor
import Testing

/// Random queries `[m, d]`, candidates `[n, d]` (leaves), targets (every `maskEvery`-th row −1 when
/// masked) and log Q in `[−12, −2]`.
private func problem(m: Int, n: Int, d: Int, masked: Bool, seed: UInt64) -> (
    queries: Tensor, candidates: Tensor, targets: [Int32], logQ: [Float]
) {
    var generator = RandomGenerator(seed: seed)
    let queries = Tensor.randomNormal(shape: [m, d], std: 0.6, generator: &generator).requiringGrad()
    let candidates = Tensor.randomNormal(shape: [n, d], std: 0.6, generator: &generator).requiringGrad()
    let targets = (0..<m).map { r in masked && r % 5 == 2 ? -1 : Int32(generator.nextInt(below: n)) }
    let logQ = (0..<n).map { _ in -2 - 10 * generator.nextUniform() }
    return (queries, candidates, targets, logQ)
}

/// `max |a − b| / max |b|`: the error relative to the largest entry (gradient entries near 0 have no
/// meaningful elementwise relative error).
private func normwiseError(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.count == b.count)
    let x = a.scalars, y = b.scalars
    var worst: Float = 0, top: Float = 0
    for i in 0..<x.count {
        worst = max(worst, abs(x[i] - y[i]))
        top = max(top, abs(y[i]))
    }
    return top == 0 ? worst : worst / top
}

/// The unfused composition `sequenceLoss` used before the fused op: the rows with a target, their logits
/// `Q·Cᵀ − log Q` materialized, then `softmaxCrossEntropy`; gradients by autograd through all three.
private func unfused(_ queries: Tensor, _ candidates: Tensor, targets: [Int32], logQ: [Float]?) -> (
    loss: Float, dQ: Tensor, dC: Tensor
) {
    let real = targets.indices.filter { targets[$0] >= 0 }.map { Int32($0) }
    var logits = matmul(queries.indexSelect(axis: 0, indices: real), candidates, transposeB: true)
    if let logQ { logits = logits - Tensor(shape: [1, logQ.count], scalars: logQ) }
    let loss = softmaxCrossEntropy(logits, targets: real.map { targets[Int($0)] })
    let g = loss.gradients()
    return (loss.scalar, g[queries]!, g[candidates]!)
}

@Suite("dotProductSoftmaxCrossEntropy: the blocked fused softmax over dot-product logits")
struct DotProductSoftmaxTests {
    /// 75 rows (blocks of 16 leave a partial last block), 133 candidates (a SIMD tail of 5), d 24.
    @Test(
        "equals the unfused matmul − log Q → softmaxCrossEntropy: loss and both gradients within 1e-5",
        arguments: [false, true], [false, true])
    func matchesUnfused(withLogQ: Bool, masked: Bool) throws {
        let p = problem(m: 75, n: 133, d: 24, masked: masked, seed: withLogQ ? 3 : 4)
        let logQ = withLogQ ? p.logQ : nil
        let reference = unfused(p.queries, p.candidates, targets: p.targets, logQ: logQ)
        for (threads, rows) in [(1, 16), (2, 16), (3, 16), (1, 256), (2, nil)] as [(Int, Int?)] {
            let loss = dotProductSoftmaxCrossEntropy(
                queries: p.queries, candidates: p.candidates, targets: p.targets, logQ: logQ, threads: threads,
                blockRows: rows)
            let g = loss.gradients()
            let dQ = try #require(g[p.queries]), dC = try #require(g[p.candidates])
            let label = "threads \(threads), block rows \(rows.map(String.init) ?? "auto")"
            // Float32 logits and sums in another order (blocked products, E·C then a row scale): 1e-5
            // relative on the loss, 1e-5 of the largest entry on the gradients.
            #expect(abs(loss.scalar - reference.loss) <= 1e-5 * abs(reference.loss), "\(label)")
            #expect(normwiseError(dQ, reference.dQ) <= 1e-5, "\(label): ∂Q \(normwiseError(dQ, reference.dQ))")
            #expect(normwiseError(dC, reference.dC) <= 1e-5, "\(label): ∂C \(normwiseError(dC, reference.dC))")
            if masked {
                // Rows without a target get exactly zero gradient.
                let q = dQ.scalars, d = 24
                for r in p.targets.indices where p.targets[r] < 0 {
                    #expect(q[(r * d)..<(r * d + d)].allSatisfy { $0 == 0 })
                }
            }
        }
    }

    /// The tiled products of CPixelKernels (candidates packed once, logits with a padded row stride), asked for
    /// explicitly so that every build tests them (`.automatic` takes them on AVX-512 builds only). 133
    /// candidates: padded to 160, a tail of 5 past the last full panel.
    @Test(
        "tiled products (d 16, 64, 128) equal the unfused matmul − log Q → softmaxCrossEntropy within 1e-5",
        arguments: [16, 64, 128], [false, true])
    func tiledMatchesUnfused(d: Int, masked: Bool) throws {
        let p = problem(m: 75, n: 133, d: d, masked: masked, seed: UInt64(d) + (masked ? 1 : 0))
        let reference = unfused(p.queries, p.candidates, targets: p.targets, logQ: p.logQ)
        for (threads, rows) in [(1, 16), (2, 16), (3, 16), (1, 256), (2, nil)] as [(Int, Int?)] {
            let loss = dotProductSoftmaxCrossEntropy(
                queries: p.queries, candidates: p.candidates, targets: p.targets, logQ: p.logQ, threads: threads,
                blockRows: rows, products: .tiled)
            let g = loss.gradients()
            let dQ = try #require(g[p.queries]), dC = try #require(g[p.candidates])
            let label = "d \(d), threads \(threads), block rows \(rows.map(String.init) ?? "auto")"
            // As above: Float32 sums in another order, 1e-5 relative on the loss and of the largest entry.
            #expect(abs(loss.scalar - reference.loss) <= 1e-5 * abs(reference.loss), "\(label)")
            #expect(normwiseError(dQ, reference.dQ) <= 1e-5, "\(label): ∂Q \(normwiseError(dQ, reference.dQ))")
            #expect(normwiseError(dC, reference.dC) <= 1e-5, "\(label): ∂C \(normwiseError(dC, reference.dC))")
        }
        // Without log Q and with a single candidate (one padded panel pair, 31 padded logits at −∞).
        let single = problem(m: 5, n: 1, d: d, masked: false, seed: 2)
        let loss = dotProductSoftmaxCrossEntropy(
            queries: single.queries, candidates: single.candidates, targets: single.targets, threads: 2,
            products: .tiled)
        let g = loss.gradients()
        #expect(loss.scalar == 0)
        #expect(try #require(g[single.queries]).scalars.allSatisfy { $0 == 0 })
        #expect(try #require(g[single.candidates]).scalars.allSatisfy { $0 == 0 })
        let noShift = unfused(p.queries, p.candidates, targets: p.targets, logQ: nil)
        let plain = dotProductSoftmaxCrossEntropy(
            queries: p.queries, candidates: p.candidates, targets: p.targets, products: .tiled)
        let gp = plain.gradients()
        #expect(abs(plain.scalar - noShift.loss) <= 1e-5 * abs(noShift.loss))
        #expect(normwiseError(try #require(gp[p.queries]), noShift.dQ) <= 1e-5)
        #expect(normwiseError(try #require(gp[p.candidates]), noShift.dC) <= 1e-5)
    }

    @Test("OpenBLAS and tiled products agree within 1e-5 (d 64, 2 threads)")
    func productsAgree() throws {
        let p = problem(m: 90, n: 301, d: 64, masked: true, seed: 31)
        func run(_ products: DotProductSoftmaxProducts) throws -> (Float, Tensor, Tensor) {
            let loss = dotProductSoftmaxCrossEntropy(
                queries: p.queries, candidates: p.candidates, targets: p.targets, logQ: p.logQ, threads: 2,
                blockRows: 32, products: products)
            let g = loss.gradients()
            return (loss.scalar, try #require(g[p.queries]), try #require(g[p.candidates]))
        }
        let blas = try run(.blas), tiled = try run(.tiled)
        #expect(abs(blas.0 - tiled.0) <= 1e-5 * abs(blas.0))
        #expect(normwiseError(tiled.1, blas.1) <= 1e-5, "∂Q \(normwiseError(tiled.1, blas.1))")
        #expect(normwiseError(tiled.2, blas.2) <= 1e-5, "∂C \(normwiseError(tiled.2, blas.2))")
    }

    /// Both kinds of products at d 32.
    @Test(
        "a thread count always gives the same bits; the loss and ∂Q do not depend on it",
        arguments: [DotProductSoftmaxProducts.blas, .tiled])
    func deterministic(products: DotProductSoftmaxProducts) throws {
        let d = 32
        let p = problem(m: 300, n: 517, d: d, masked: true, seed: 9)
        func run(_ threads: Int) throws -> (Float, [Float], [Float]) {
            let loss = dotProductSoftmaxCrossEntropy(
                queries: p.queries, candidates: p.candidates, targets: p.targets, logQ: p.logQ, threads: threads,
                blockRows: 32, products: products)
            let g = loss.gradients()
            return (loss.scalar, try #require(g[p.queries]).scalars, try #require(g[p.candidates]).scalars)
        }
        let one = try run(1)
        for threads in [1, 2, 3, 4] {
            let a = try run(threads), b = try run(threads)
            #expect(a.0 == b.0 && a.1 == b.1 && a.2 == b.2, "threads \(threads): two runs differ")
            #expect(a.0 == one.0 && a.1 == one.1, "threads \(threads): loss or ∂Q differ from one thread")
            #expect(
                normwiseError(Tensor(shape: [517, d], scalars: a.2), Tensor(shape: [517, d], scalars: one.2))
                    <= 1e-6)
        }
    }

    @Test("central finite differences of the op itself (Float32, as every layer's check)")
    func finiteDifferences() {
        var generator = RandomGenerator(seed: 21)
        let q = Parameter(Tensor.randomNormal(shape: [6, 5], generator: &generator))
        let c = Parameter(Tensor.randomNormal(shape: [37, 5], generator: &generator))  // 2·16 + a tail of 5
        let logQ = (0..<37).map { _ in -1 - 3 * generator.nextUniform() }
        let targets: [Int32] = [36, 0, -1, 17, 17, 5]
        GradientCheck().expectPasses([q, c]) {
            dotProductSoftmaxCrossEntropy(
                queries: q.value, candidates: c.value, targets: targets, logQ: logQ, threads: 2, blockRows: 4)
        }
    }

    /// The loss in Double (`log Σ e^{x} − x_y` per row with a target, mean), differentiated by central
    /// differences with step 1e-4: the op's gradients agree within 1e-4 of the largest entry.
    @Test("gradients against central differences of a Double implementation")
    func doubleFiniteDifferences() throws {
        let p = problem(m: 9, n: 21, d: 4, masked: true, seed: 17)
        let loss = dotProductSoftmaxCrossEntropy(
            queries: p.queries, candidates: p.candidates, targets: p.targets, logQ: p.logQ, threads: 2, blockRows: 4)
        let g = loss.gradients()
        let dQ = try #require(g[p.queries]), dC = try #require(g[p.candidates])
        var qs = p.queries.scalars.map(Double.init), cs = p.candidates.scalars.map(Double.init)
        let d = 4, n = 21
        func objective() -> Double {
            var total = 0.0, rows = 0
            for (r, y) in p.targets.enumerated() where y >= 0 {
                let x = (0..<n).map { j in
                    (0..<d).reduce(0.0) { $0 + qs[r * d + $1] * cs[j * d + $1] } - Double(p.logQ[j])
                }
                let top = x.max()!
                total += top + log(x.reduce(0.0) { $0 + exp($1 - top) }) - x[Int(y)]
                rows += 1
            }
            return total / Double(rows)
        }
        #expect(abs(Double(loss.scalar) - objective()) <= 1e-6 * objective())
        // Central differences of every query (`queries: true`) or candidate scalar.
        func numeric(queries: Bool) -> [Float] {
            (0..<(queries ? qs.count : cs.count)).map { i in
                let original = queries ? qs[i] : cs[i]
                func set(_ v: Double) { if queries { qs[i] = v } else { cs[i] = v } }
                set(original + 1e-4)
                let plus = objective()
                set(original - 1e-4)
                let minus = objective()
                set(original)
                return Float((plus - minus) / 2e-4)
            }
        }
        let numericQ = Tensor(shape: dQ.shape, scalars: numeric(queries: true))
        let numericC = Tensor(shape: dC.shape, scalars: numeric(queries: false))
        #expect(normwiseError(dQ, numericQ) <= 1e-4, "∂Q \(normwiseError(dQ, numericQ))")
        #expect(normwiseError(dC, numericC) <= 1e-4, "∂C \(normwiseError(dC, numericC))")
    }

    @Test("output gradient scales both gradients; unrecorded and untracked inputs give the same loss")
    func recording() throws {
        let p = problem(m: 40, n: 50, d: 8, masked: false, seed: 5)
        func run(_ q: Tensor, _ c: Tensor) -> Tensor {
            dotProductSoftmaxCrossEntropy(queries: q, candidates: c, targets: p.targets, logQ: p.logQ, blockRows: 16)
        }
        let loss = run(p.queries, p.candidates)
        let g1 = loss.gradients(), g3 = (run(p.queries, p.candidates) * 3).gradients()
        #expect(normwiseError(try #require(g3[p.queries]), try #require(g1[p.queries]) * 3) <= 1e-7)
        #expect(normwiseError(try #require(g3[p.candidates]), try #require(g1[p.candidates]) * 3) <= 1e-7)
        let plain = Autograd.withoutRecording { run(p.queries, p.candidates) }
        #expect(plain.scalar == loss.scalar && !plain.requiresGrad)
        // Only the candidates tracked: ∂C alone, the same bits.
        let onlyC = run(p.queries.detached(), p.candidates)
        let gc = onlyC.gradients()
        #expect(onlyC.scalar == loss.scalar)
        #expect(try #require(gc[p.candidates]).scalars == (try #require(g1[p.candidates])).scalars)
    }

    @Test("no row with a target: loss 0 and zero gradients; no rows at all")
    func empty() throws {
        let p = problem(m: 3, n: 7, d: 4, masked: false, seed: 6)
        let loss = dotProductSoftmaxCrossEntropy(
            queries: p.queries, candidates: p.candidates, targets: [-1, -1, -1], logQ: p.logQ, threads: 2)
        let g = loss.gradients()
        #expect(loss.scalar == 0)
        #expect(try #require(g[p.queries]).scalars.allSatisfy { $0 == 0 })
        #expect(try #require(g[p.candidates]).scalars.allSatisfy { $0 == 0 })
        let none = Tensor(zeros: [0, 4]).requiringGrad()
        let zero = dotProductSoftmaxCrossEntropy(queries: none, candidates: p.candidates, targets: [])
        #expect(zero.scalar == 0)
        #expect(try #require(zero.gradients()[p.candidates]).scalars.allSatisfy { $0 == 0 })
    }
}
