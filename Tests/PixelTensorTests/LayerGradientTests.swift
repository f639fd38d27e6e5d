import Foundation
import PixelNN
import PixelTensor
import Testing

@Suite("Gradient checks: layers and losses")
struct LayerGradientTests {
    let check = GradientCheck()

    @Test func linear() {
        let layer = Linear(inputSize: 5, outputSize: 3, seed: 1)
        let x = randomParameter([2, 4, 5], seed: 2)
        check.expectPasses([x] + layer.parameters) { layer(x.value) }
    }

    @Test func embeddingLayer() {
        let layer = Embedding(count: 7, dimension: 3, seed: 3)
        check.expectPasses(layer.parameters) { layer(IndexTensor(shape: [3], indices: [6, 2, 6])) }
    }

    @Test func layerNormLayer() {
        let layer = LayerNorm(dimension: 6)
        layer.weight.value = randomParameter([6], seed: 4).value
        let x = randomParameter([3, 6], seed: 5)
        check.expectPasses([x] + layer.parameters) { layer(x.value) }
    }

    @Test func batchNormLayer() {
        let layer = BatchNorm1d(features: 4)
        let x = randomParameter([5, 4], seed: 6)
        check.expectPasses([x] + layer.parameters) { layer(x.value) }
        layer.setTraining(false)
        check.expectPasses([x] + layer.parameters) { layer(x.value) }
    }

    @Test func dropoutLayer() {
        let x = randomParameter([4, 4], seed: 7)
        check.expectPasses([x]) { Dropout(probability: 0.5, seed: 8)(x.value) }
        let eval = Dropout(probability: 0.5, seed: 8)
        eval.setTraining(false)
        check.expectPasses([x]) { eval(x.value) }
    }

    @Test func mlp() {
        let layer = MLP(inputSize: 4, hiddenSizes: [6, 3], activation: .gelu, batchNorm: true, seed: 9)
        let x = randomParameter([5, 4], seed: 10)
        // Batch norm after batch norm is strongly curved: a smaller step and 2% keep truncation error in bounds.
        GradientCheck(eps: 4e-3, rtol: 2e-2, atol: 3e-3).expectPasses([x] + layer.parameters) { layer(x.value) }
    }

    @Test func selfAttentionWithPaddingMask() {
        let layer = MultiHeadAttention(embedDim: 4, heads: 2, seed: 11)
        let x = randomParameter([2, 3, 4], seed: 12)
        let mask = [false, false, true, false, true, false]
        GradientCheck(rtol: 2e-2, atol: 3e-3).expectPasses([x] + layer.parameters) {
            layer(x.value, keyPaddingMask: mask)
        }
    }

    @Test("attention with dropout on the weights uses one mask in forward and backward")
    func attentionDropout() {
        let q = randomParameter([2, 3, 4], seed: 40), k = randomParameter([2, 5, 4], seed: 41)
        let v = randomParameter([2, 5, 4], seed: 42)
        GradientCheck(rtol: 2e-2, atol: 3e-3).expectPasses([q, k, v]) {
            var generator = RandomGenerator(seed: 5)
            return multiHeadAttention(
                query: q.value, key: k.value, value: v.value, heads: 2,
                keyPaddingMask: [
                    false, true, false, false, false, false, false, false, true, false,
                ], dropout: 0.3, generator: &generator)
        }
    }

    @Test func crossAttention() {
        let layer = MultiHeadAttention(embedDim: 4, heads: 2, seed: 13)
        let q = randomParameter([2, 2, 4], seed: 14)
        let m = randomParameter([2, 3, 4], seed: 15)
        GradientCheck(rtol: 2e-2, atol: 3e-3).expectPasses([q, m] + layer.parameters) {
            layer.attend(query: q.value, key: m.value, value: m.value)
        }
    }

    @Test func losses() {
        let logits = randomParameter([6], seed: 16)
        let targets = Parameter(Tensor([1, 0, 1, 1, 0, 0]))
        check.expectPasses([logits, targets]) {
            Loss.binaryCrossEntropyWithLogits(logits.value, targets: targets.value)
        }
        let pos = randomParameter([5], seed: 17), neg = randomParameter([5], seed: 18)
        check.expectPasses([pos, neg]) { Loss.bpr(positiveScores: pos.value, negativeScores: neg.value) }
        check.expectPasses([pos, neg]) { Loss.meanSquaredError(pos.value, target: neg.value) }
        let ce = randomParameter([3, 4], seed: 19)
        check.expectPasses([ce]) { Loss.crossEntropy(ce.value, targets: [3, 0, 1]) }
        check.expectPasses([ce]) { softmaxCrossEntropy(ce.value, targets: [3, 0, 1]) }
        // Rows wider than one SIMD16 block plus a tail (37 = 2·16 + 5).
        let wide = randomParameter([3, 37], seed: 23)
        check.expectPasses([wide]) { softmaxCrossEntropy(wide.value, targets: [36, 0, 17]) }
        let a = randomParameter([4, 3], seed: 20), b = randomParameter([4, 3], seed: 21)
        check.expectPasses([a, b]) { Loss.infoNCE(a.value, b.value, temperature: 0.5) }
        check.expectPasses([a, b]) { Loss.infoNCE(a.value, b.value, temperature: 0.5, symmetric: false) }
        let n = randomParameter([5, 3], seed: 22)
        check.expectPasses([a, b, n]) {
            Loss.sampledSoftmax(
                queries: a.value, positives: b.value, negatives: n.value, temperature: 0.7,
                positiveLogQ: Tensor([-1, -2, -3, -1]), negativeLogQ: Tensor([-2, -2, -1, -3, -2]))
        }
    }
}

@Suite("Autograd semantics")
struct AutogradTests {
    @Test("x*x accumulates both uses: ∂(Σ x²) = 2x")
    func squareAccumulates() {
        let x = Tensor([1, -2, 3]).requiringGrad()
        let grads = (x * x).sum().gradients()
        #expect(grads[x]?.scalars == [2, -4, 6])
        let twice = (x + x + x * 3).sum().gradients()  // 1 + 1 + 3
        #expect(twice[x]?.scalars == [5, 5, 5])
    }

    @Test("two-branch graph: L = Σ (x·w + tanh(x)·x)")
    func twoBranches() {
        let x = randomParameter([3, 4], seed: 30)
        let w = randomParameter([4], seed: 31)
        GradientCheck().expectPasses([x, w]) { (x.value * w.value + tanh(x.value) * x.value).sum(axis: 1) }
        // Closed form: ∂x = w + tanh(x) + x(1 - tanh²(x)).
        let grads = (x.value * w.value + tanh(x.value) * x.value).sum().gradients()
        let xs = x.value.scalars, ws = w.value.scalars
        let expected = xs.indices.map { i -> Float in
            let t = Float(Foundation.tanh(Double(xs[i])))
            return ws[i % 4] + t + xs[i] * (1 - t * t)
        }
        let got = grads[x]?.dense.scalars ?? []
        #expect(got.count == expected.count)
        for (g, e) in zip(got, expected) { #expect(abs(g - e) <= 1e-5 * max(1, abs(e))) }
    }

    @Test("fused reluDropout equals dropout(relu(x)) bit for bit: output, gradient, generator state")
    func fusedReluDropout() {
        var g0 = RandomGenerator(seed: 44)
        let x = Tensor.randomNormal(shape: [37, 19], generator: &g0).requiringGrad()  // odd count: the last draw's tail
        let seed = Tensor.randomNormal(shape: [37, 19], generator: &g0)
        var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9)
        let fused = reluDropout(x, probability: 0.3, generator: &a)
        let reference = dropout(relu(x), probability: 0.3, generator: &b)
        #expect(fused.scalars.map(\.bitPattern) == reference.scalars.map(\.bitPattern))
        #expect(a.next() == b.next())
        let gf = fused.gradients(seed: seed)[x]?.scalars ?? []
        let gr = reference.gradients(seed: seed)[x]?.scalars ?? []
        #expect(!gf.isEmpty && gf.map(\.bitPattern) == gr.map(\.bitPattern))
        // Hand check of the rule on a few entries: ∂x = x > 0 ? g·mask : 0, mask ∈ {0, 1/0.7}.
        let xs = x.scalars, ss = seed.scalars, ys = fused.scalars
        for i in 0..<xs.count {
            if xs[i] <= 0 {
                #expect(ys[i] == 0 && gf[i] == 0)
            } else if ys[i] == 0 {
                #expect(gf[i] == 0)
            } else {
                #expect(gf[i] == ss[i] * (1 / Float(0.7)))
            }
        }
    }

    @Test("recording is off without tracked inputs and inside withoutRecording")
    func noGrad() {
        let x = Tensor([1, 2]).requiringGrad()
        #expect((Tensor([1, 2]) * 2).node == nil)
        #expect((x * 2).node != nil)
        let y = Autograd.withoutRecording { x * 2 }
        #expect(y.node == nil)
        #expect(Autograd.withoutRecording { Autograd.isRecording } == false)
        #expect(Autograd.isRecording)
    }

    @Test("gradients through a detached branch stop")
    func detached() {
        let x = Tensor([1, 2]).requiringGrad()
        let grads = (x * x.detached()).sum().gradients()
        #expect(grads[x]?.scalars == [1, 2])
    }

    @Test("embedding weight leaves get sparse rows; interior tables get dense gradients")
    func sparseEmbedding() throws {
        let table = Parameter(Tensor(shape: [4, 2], scalars: [0, 1, 2, 3, 4, 5, 6, 7]))
        let ids = IndexTensor([3, 1, 3])
        let grads = (embedding(table.value, ids: ids) * Tensor([1, 2])).sum().gradients()
        guard case .rows(let rows)? = grads[table] else {
            Issue.record("expected sparse rows")
            return
        }
        #expect(rows.indices == [3, 1, 3])
        let c = rows.coalesced()
        #expect(c.indices == [1, 3])
        #expect(c.values.scalars == [1, 2, 2, 4])
        #expect(rows.densified().scalars == [0, 0, 1, 2, 0, 0, 2, 4])
        let leaf = table.value.requiringGrad()
        let g2 = (embedding(leaf * 1, ids: ids)).sum().gradients()
        #expect(g2[leaf]?.scalars == [0, 0, 1, 1, 0, 0, 2, 2])
    }

    @Test("clipping by global norm matches the formula")
    func clipping() {
        let a = Parameter(Tensor([3, 0])), b = Parameter(Tensor([0, 4]))
        var grads = (a.value * a.value * 0.5 + b.value * b.value * 0.5).sum().gradients()  // grads = values
        let norm = grads.clipByGlobalNorm(1)
        #expect(abs(norm - 5) < 1e-6)
        #expect(abs(grads.globalNorm() - 1) < 1e-5)
        let clipped: Float = grads[a]?.dense.scalars[0] ?? 0
        let expected: Float = 3 / (5 + 1e-6)
        #expect(abs(clipped - expected) < 1e-6)
    }
}

@Suite("Gradient checks: transformer encoder block")
struct TransformerBlockGradientTests {
    static func block(_ normalization: TransformerEncoderBlock.Normalization) -> TransformerEncoderBlock {
        func linear(_ i: Int, _ o: Int, _ seed: UInt64) -> Linear {
            Linear(
                weight: randomParameter([o, i], seed: seed, scale: 0.5).value,
                bias: randomParameter([o], seed: seed + 1, scale: 0.1).value)
        }
        func norm(_ seed: UInt64) -> LayerNorm {
            LayerNorm(
                weight: randomParameter([4], seed: seed, scale: 0.2).value + 1,
                bias: randomParameter([4], seed: seed + 1, scale: 0.1).value,
                epsilon: 1e-12)
        }
        let attention = MultiHeadAttention(
            query: linear(4, 4, 20), key: linear(4, 4, 22), value: linear(4, 4, 24), output: linear(4, 4, 26), heads: 2,
            seed: 0)
        return TransformerEncoderBlock(
            attention: attention, attentionNorm: norm(28), intermediate: linear(4, 6, 30), output: linear(6, 4, 32),
            outputNorm: norm(34), activation: .gelu, normalization: normalization)
    }

    // Two LayerNorms, attention and GELU in one function are more curved than any single op: the layer-norm
    // step (4e-3) and the attention tolerances (rtol 2e-2, atol 3e-3) of the checks above.
    @Test("post-LN and pre-LN blocks with a key padding mask: inputs and every parameter", arguments: ["post", "pre"])
    func block(normalization: String) throws {
        let layer = Self.block(try #require(TransformerEncoderBlock.Normalization(rawValue: normalization)))
        let x = randomParameter([2, 3, 4], seed: 36)
        let mask = [false, false, true, false, true, false]
        GradientCheck(eps: 4e-3, rtol: 2e-2, atol: 3e-3).expectPasses([x] + layer.parameters) {
            layer(x.value, keyPaddingMask: mask)
        }
    }
}
