import PixelTensor
import Testing

@Suite("Gradient checks: element-wise ops")
struct ElementwiseGradientTests {
    let check = GradientCheck()

    @Test("binary ops with random broadcasting shapes", arguments: 0..<10)
    func binary(seed: Int) {
        let (sa, sb) = randomBroadcastPair(seed: UInt64(seed))
        let a = randomParameter(sa, seed: UInt64(seed) + 100)
        let b = randomParameter(sb, seed: UInt64(seed) + 200)
        let d = randomParameter(sb, seed: UInt64(seed) + 300, margin: 0.5, positive: true)
        check.expectPasses([a, b]) { a.value + b.value }
        check.expectPasses([a, b]) { a.value - b.value }
        check.expectPasses([a, b]) { a.value * b.value }
        check.expectPasses([a, d]) { a.value / d.value }
        check.expectPasses([a, b]) { b.value.broadcast(to: broadcastShape(sa, sb)!) * a.value }
    }

    @Test("unary math and activations")
    func unary() {
        let x = randomParameter([3, 5], seed: 1, margin: 0.05)
        let p = randomParameter([3, 5], seed: 2, margin: 0.3, positive: true)
        let cases: [(String, Parameter, (Tensor) -> Tensor)] = [
            ("neg", x, { -$0 }), ("exp", x, exp), ("log", p, log), ("sqrt", p, sqrt),
            ("pow2", x, { pow($0, 2) }), ("pow3", x, { pow($0, 3) }), ("pow0.5", p, { pow($0, 0.5) }),
            ("tanh", x, tanh), ("sigmoid", x, sigmoid), ("relu", x, relu), ("gelu", x, gelu),
            ("leakyRelu", x, { leakyRelu($0, negativeSlope: 0.2) }), ("silu", x, silu), ("softplus", x, softplus),
            ("logSigmoid", x, logSigmoid), ("scalar affine", x, { 2 - ($0 * 3 + 1) / 4 }),
        ]
        for (name, parameter, f) in cases {
            let problems = check.mismatches([parameter]) { f(parameter.value) }
            #expect(problems.isEmpty, "\(name): \(problems.prefix(3))")
        }
    }
}

@Suite("Gradient checks: reductions, shapes, indexing")
struct StructuralGradientTests {
    let check = GradientCheck()
    let x = randomParameter([2, 3, 4], seed: 7)

    @Test func reductions() {
        check.expectPasses([x]) { x.value.sum() }
        check.expectPasses([x]) { x.value.mean() }
        check.expectPasses([x]) { x.value.sum(axes: [0, 2]) }
        check.expectPasses([x]) { x.value.sum(axis: 1, keepDims: true) }
        check.expectPasses([x]) { x.value.mean(axes: [-1]) }
        check.expectPasses([x]) { x.value.mean(axis: 0, keepDims: true) }
    }

    @Test func maxOverAxis() {
        // Distinct, well separated values so ±eps never changes the argmax.
        let values = (0..<24).map { Float(($0 * 7) % 24) * 0.1 - 1 }
        let m = Parameter(Tensor(shape: [2, 3, 4], scalars: values))
        check.expectPasses([m]) { m.value.max(axis: 1) }
        check.expectPasses([m]) { m.value.max(axis: -1, keepDims: true) }
    }

    @Test func shapes() {
        let y = randomParameter([2, 2, 4], seed: 8)
        check.expectPasses([x]) { x.value.reshaped([4, -1]) * 2 }
        check.expectPasses([x]) { x.value.permuted([2, 0, 1]) }
        check.expectPasses([x]) { x.value.transposed() }
        check.expectPasses([x]) { x.value.transposed(0, 2) }
        check.expectPasses([x, y]) { concat([x.value, y.value], axis: 1) }
        check.expectPasses([x, x]) { stack([x.value, x.value * 2], axis: 1) }
        check.expectPasses([x]) { x.value.slice(axis: 1, 1..<3) }
        check.expectPasses([x]) { x.value.slice(axis: -1, 0..<2) }
        check.expectPasses([x]) { x.value.expandingDims(at: 1) }
    }

    @Test func indexing() {
        check.expectPasses([x]) { x.value.indexSelect(axis: 1, indices: [2, 0, 2, 1]) }
        check.expectPasses([x]) { x.value.indexSelect(axis: 0, indices: [1, 1]) }
        let index = IndexTensor(shape: [2, 3, 2], indices: [0, 3, 1, 1, 2, 0, 3, 3, 0, 2, 1, 0])
        check.expectPasses([x]) { x.value.gather(axis: 2, index: index) }
        let table = randomParameter([6, 3], seed: 9)
        check.expectPasses([table]) { embedding(table.value, ids: IndexTensor(shape: [2, 2], indices: [4, 1, 4, 0])) }
    }
}

@Suite("Gradient checks: matmul")
struct MatmulGradientTests {
    let check = GradientCheck(eps: 1e-2, rtol: 1e-2, atol: 3e-3)

    @Test(
        "2-D products with every transpose combination",
        arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matrices(flags: (Bool, Bool)) {
        let (ta, tb) = flags
        let a = randomParameter(ta ? [4, 3] : [3, 4], seed: 11)
        let b = randomParameter(tb ? [5, 4] : [4, 5], seed: 12)
        check.expectPasses([a, b]) { matmul(a.value, b.value, transposeA: ta, transposeB: tb) }
    }

    @Test("products large enough for sgemm")
    func blasPath() {
        let a = randomParameter([17, 33], seed: 13, scale: 0.3)
        let b = randomParameter([19, 33], seed: 14, scale: 0.3)
        check.expectPasses([a, b]) { matmul(a.value, b.value, transposeB: true) }
    }

    @Test("batched products: both batched, shared right, shared left, transposed")
    func batched() {
        let a = randomParameter([2, 3, 3, 4], seed: 15)
        let b = randomParameter([2, 3, 4, 2], seed: 16)
        let w = randomParameter([4, 5], seed: 17)
        let l = randomParameter([3, 4], seed: 18)
        let at = randomParameter([2, 4, 3], seed: 19)
        check.expectPasses([a, b]) { matmul(a.value, b.value) }
        check.expectPasses([a, b]) { matmul(b.value, a.value, transposeA: true, transposeB: true) }
        check.expectPasses([a, w]) { matmul(a.value, w.value) }
        check.expectPasses([l, b]) { matmul(l.value, b.value) }
        let x = randomParameter([2, 3, 4], seed: 23), bias = randomParameter([5], seed: 24)
        let weight = randomParameter([5, 4], seed: 25)
        check.expectPasses([x, weight, bias]) { linear(x.value, weight: weight.value, bias: bias.value) }
        check.expectPasses([x, weight]) { linear(x.value, weight: weight.value, bias: nil) }
        check.expectPasses([at, w]) { matmul(at.value, w.value, transposeA: true) }
        // Attention-shaped small products (the register-blocked path: 17 columns = one SIMD16 block + tail).
        let q = randomParameter([2, 3, 17], seed: 20), v = randomParameter([2, 3, 17], seed: 21)
        let s = randomParameter([2, 3, 3], seed: 22)
        check.expectPasses([q, v]) { matmul(q.value, v.value, transposeB: true) }
        check.expectPasses([s, v]) { matmul(s.value, v.value) }
        check.expectPasses([s, v]) { matmul(s.value, v.value, transposeA: true) }
    }
}

@Suite("Gradient checks: fused NN ops")
struct FusedGradientTests {
    let check = GradientCheck()

    @Test func softmaxFamily() {
        let x = randomParameter([3, 6], seed: 21)
        check.expectPasses([x]) { softmax(x.value) }
        check.expectPasses([x]) { softmax(x.value, axis: 0) }
        check.expectPasses([x]) { logSoftmax(x.value) }
        check.expectPasses([x]) { logSoftmax(x.value, axis: 0) }
    }

    @Test func normalization() {
        let x = randomParameter([4, 6], seed: 22, scale: 2)
        let w = randomParameter([6], seed: 23)
        let b = randomParameter([6], seed: 24)
        check.expectPasses([x, w, b]) { layerNorm(x.value, weight: w.value, bias: b.value) }
        check.expectPasses([x]) { layerNorm(x.value, weight: nil, bias: nil) }
        check.expectPasses([x, w, b]) {
            var rm = Tensor(zeros: [6]), rv = Tensor(repeating: 1, shape: [6])
            return batchNorm(
                x.value, weight: w.value, bias: b.value, runningMean: &rm, runningVariance: &rv, training: true)
        }
        check.expectPasses([x, w, b]) {
            var rm = Tensor(repeating: 0.3, shape: [6]), rv = Tensor(repeating: 2, shape: [6])
            return batchNorm(
                x.value, weight: w.value, bias: b.value, runningMean: &rm, runningVariance: &rv, training: false)
        }
        check.expectPasses([x]) { l2Normalize(x.value) }
        let y = randomParameter([1, 6], seed: 25)
        check.expectPasses([x, y]) { cosineSimilarity(x.value, y.value) }
    }

    @Test func dropoutUsesItsMask() {
        let x = randomParameter([5, 8], seed: 26)
        check.expectPasses([x]) {
            var generator = RandomGenerator(seed: 3)
            return dropout(x.value, probability: 0.4, generator: &generator)
        }
    }
}
