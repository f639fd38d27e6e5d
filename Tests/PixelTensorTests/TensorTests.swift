import Foundation
import PixelTensor
import Testing

@Suite("Tensor storage and values")
struct TensorTests {
    @Test("copies share storage until one is mutated")
    func copyOnWrite() {
        var a = Tensor([1, 2, 3])
        let b = a
        #expect(a.sharesStorage(with: b))
        a.withUnsafeMutableBufferPointer { $0[0] = 9 }
        #expect(!a.sharesStorage(with: b))
        #expect(b.scalars == [1, 2, 3])
        #expect(a.scalars == [9, 2, 3])
        let before = a
        _ = before
        var c = Tensor([4, 5])
        let identity = c.reshaped([2, 1])
        #expect(identity.sharesStorage(with: c))
        c.addInPlace(Tensor([1, 1]))
        #expect(identity.scalars == [4, 5])
    }

    @Test("broadcasting arithmetic matches explicit loops")
    func broadcasting() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect((a + Tensor([10, 20, 30])).scalars == [11, 22, 33, 14, 25, 36])
        let col = Tensor(shape: [2, 1], scalars: [2, 3])
        let row = Tensor(shape: [1, 3], scalars: [1, 10, 100])
        #expect((col * row).shape == [2, 3])
        #expect((col * row).scalars == [2, 20, 200, 3, 30, 300])
        #expect((a - 1).scalars == [0, 1, 2, 3, 4, 5])
        #expect(
            (Tensor(shape: [3, 1, 2], scalars: [1, 2, 3, 4, 5, 6]) / Tensor(shape: [2, 1], scalars: [1, 2])).shape == [
                3, 2, 2,
            ])
        #expect(broadcastShape([2, 3], [4, 3]) == nil)
        #expect(unbroadcast(Tensor(repeating: 1, shape: [4, 2, 3]), to: [2, 1]).scalars == [12, 12])
    }

    @Test("matmul equals a naive triple loop", arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmulValues(flags: (Bool, Bool)) {
        var g = RandomGenerator(seed: 4)
        for (m, n, k) in [(3, 4, 5), (3, 20, 5), (2, 33, 7), (5, 5, 32), (40, 30, 50)] {
            let a = Tensor.randomNormal(shape: flags.0 ? [k, m] : [m, k], generator: &g)
            let b = Tensor.randomNormal(shape: flags.1 ? [n, k] : [k, n], generator: &g)
            let c = matmul(a, b, transposeA: flags.0, transposeB: flags.1)
            let av = a.scalars, bv = b.scalars
            var expected = [Float](repeating: 0, count: m * n)
            for i in 0..<m {
                for j in 0..<n {
                    var s: Double = 0
                    for p in 0..<k {
                        let x = flags.0 ? av[p * m + i] : av[i * k + p]
                        let y = flags.1 ? bv[j * k + p] : bv[p * n + j]
                        s += Double(x) * Double(y)
                    }
                    expected[i * n + j] = Float(s)
                }
            }
            #expect(c.isApproximatelyEqual(to: Tensor(shape: [m, n], scalars: expected), rtol: 1e-4, atol: 1e-4))
        }
    }

    @Test("batched matmul equals per-batch products")
    func batchedValues() {
        var g = RandomGenerator(seed: 5)
        let a = Tensor.randomNormal(shape: [3, 4, 5], generator: &g)
        let b = Tensor.randomNormal(shape: [3, 5, 2], generator: &g)
        let w = Tensor.randomNormal(shape: [5, 6], generator: &g)
        let c = matmul(a, b), d = matmul(a, w)
        for i in 0..<3 {
            let ai = a.slice(axis: 0, i..<(i + 1)).reshaped([4, 5])
            #expect(
                c.slice(axis: 0, i..<(i + 1)).reshaped([4, 2]).isApproximatelyEqual(
                    to: matmul(ai, b.slice(axis: 0, i..<(i + 1)).reshaped([5, 2]))))
            #expect(d.slice(axis: 0, i..<(i + 1)).reshaped([4, 6]).isApproximatelyEqual(to: matmul(ai, w)))
        }
    }

    @Test func reductionsAndShapes() {
        let x = Tensor(shape: [2, 3], scalars: [1, 5, 3, 4, 2, 6])
        #expect(x.sum().scalar == 21)
        #expect(x.sum(axis: 0).scalars == [5, 7, 9])
        #expect(x.sum(axis: 1, keepDims: true).shape == [2, 1])
        #expect(x.mean(axis: 1).scalars == [3, 4])
        #expect(x.max(axis: 1).scalars == [5, 6])
        #expect(x.max(axis: 0).scalars == [4, 5, 6])
        #expect(x.transposed().scalars == [1, 4, 5, 2, 3, 6])
        let y = Tensor(shape: [2, 3, 2], scalars: (0..<12).map(Float.init))
        #expect(y.permuted([2, 0, 1]).scalars == [0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11])
        #expect(concat([x, x * 10], axis: 1).scalars == [1, 5, 3, 10, 50, 30, 4, 2, 6, 40, 20, 60])
        #expect(x.slice(axis: 1, 1..<3).scalars == [5, 3, 2, 6])
        #expect(x.indexSelect(axis: 1, indices: [2, 2, 0]).scalars == [3, 3, 1, 6, 6, 4])
        #expect(x.gather(axis: 1, index: IndexTensor(shape: [2, 1], indices: [1, 2])).scalars == [5, 6])
        #expect(stack([x, x], axis: 0).shape == [2, 2, 3])
        #expect(x.reshaped([3, -1]).shape == [3, 2])
    }

    @Test("softmax is stable for large logits")
    func stableSoftmax() {
        let y = softmax(Tensor([1000, 1001, 1002]))
        #expect(y.scalars.allSatisfy { $0.isFinite })
        #expect(abs(y.sumOfScalars() - 1) < 1e-6)
        let l = logSoftmax(Tensor([-1000, 0]))
        #expect(l.scalars[1] == 0 && l.scalars[0] == -1000)
    }

    @Test("dropout: seeded mask, rate and scale")
    func dropoutStatistics() {
        let x = Tensor(repeating: 1, shape: [10_000])
        var g1 = RandomGenerator(seed: 3), g2 = RandomGenerator(seed: 3)
        let a = dropout(x, probability: 0.3, generator: &g1), b = dropout(x, probability: 0.3, generator: &g2)
        #expect(a.scalars == b.scalars)
        let zeros = a.scalars.filter { $0 == 0 }.count
        // Binomial(10000, 0.3): σ ≈ 46; ±5σ.
        #expect(abs(zeros - 3000) < 230)
        #expect(a.scalars.allSatisfy { $0 == 0 || abs($0 - 1 / 0.7) < 1e-6 })
    }

    @Test("random generator is reproducible and roughly standard normal")
    func randomness() {
        var a = RandomGenerator(seed: 11), b = RandomGenerator(seed: 11)
        let x = Tensor.randomNormal(shape: [20_000], generator: &a)
        #expect(x.scalars == Tensor.randomNormal(shape: [20_000], generator: &b).scalars)
        let mean = x.sumOfScalars() / 20_000
        let variance = x.squaredNorm() / 20_000 - mean * mean
        #expect(abs(mean) < 0.04)  // σ/√n ≈ 0.007
        #expect(abs(variance - 1) < 0.05)
    }
}

@Suite("Validation of untrusted values")
struct ValidationTests {
    @Test func shapes() throws {
        #expect(throws: TensorError.scalarCountMismatch(shape: [2, 2], count: 3)) {
            try Tensor(validatingShape: [2, 2], scalars: [1, 2, 3])
        }
        #expect(try Tensor(validatingShape: [3], scalars: [1, 2, 3]).shape == [3])
    }

    @Test func indices() throws {
        #expect(throws: TensorError.indexOutOfRange(index: 5, bound: 5, position: 2)) {
            try IndexTensor([0, 4, 5, -1]).validate(below: 5)
        }
        #expect(throws: TensorError.indexOutOfRange(index: -1, bound: 9, position: 0)) {
            try IndexTensor([-1]).validate(below: 9)
        }
        try IndexTensor([0, 4]).validate(below: 5)
        #expect(IndexTensor(int64: [7, 8]).indices == [7, 8])
    }
}

@Suite("Empty tensors")
struct EmptyTensorTests {
    @Test func emptyShapes() {
        let e = Tensor([])
        #expect(e.count == 0 && e.shape == [0])
        let m = Tensor(shape: [0, 3], scalars: [])
        #expect(matmul(m, Tensor(zeros: [3, 2])).shape == [0, 2])
        #expect(m.sum().scalar == 0)
        #expect(concat([m, Tensor(repeating: 1, shape: [1, 3])], axis: 0).scalars == [1, 1, 1])
    }
}

@Suite("Fused softmax cross-entropy")
struct SoftmaxCrossEntropyTests {
    /// Against a Float64 hand computation on wide rows with large and tiny logits: loss within 1e-6
    /// relative, gradients `(softmax − onehot)/M` within 1e-6 absolute (probabilities ≤ 1).
    @Test func matchesDoubleReference() {
        var generator = RandomGenerator(seed: 7)
        let m = 5, n = 1683
        let x = Parameter(Tensor.randomNormal(shape: [m, n], generator: &generator) * 6)
        let targets: [Int32] = [0, 1682, 17, 900, 16]
        let loss = softmaxCrossEntropy(x.value, targets: targets)
        let grad = loss.gradients()[x]!.dense.scalars
        let s = x.value.scalars
        var expected = 0.0
        var worst = 0.0
        for r in 0..<m {
            let row = (0..<n).map { Double(s[r * n + $0]) }
            let top = row.max()!
            let z = row.map { Foundation.exp($0 - top) }.reduce(0, +)
            expected += Foundation.log(z) + top - row[Int(targets[r])]
            for j in 0..<n {
                let p = Foundation.exp(row[j] - top) / z - (j == Int(targets[r]) ? 1 : 0)
                worst = max(worst, abs(p / Double(m) - Double(grad[r * n + j])))
            }
        }
        expected /= Double(m)
        #expect(abs(Double(loss.scalar) - expected) <= 1e-6 * abs(expected))
        #expect(worst <= 1e-6)
    }
}
