import Foundation
import PixelTensor
import Testing

/// `multiHeadAttention(..., causal: true)`: the mask rule against a Double-precision naive reference, and
/// central finite differences of the fused backward (``GradientCheck``, Float32: the engine has no Float64
/// path). Tolerances as the other attention checks: `eps` 1e-2, `rtol` 2e-2, `atol` 3e-3 (Float32
/// rounding of `L / eps` over a softmax).
@Suite("Causal multi-head attention")
struct CausalAttentionTests {
    /// `[B, T, E]` attention computed naively in Double: query `r` of batch `b` sees key `j` iff
    /// `(!causal || j ≤ r)` and (`j` not padded, or `causal && j == r`).
    static func naive(
        _ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int, padding: [Bool]?, causal: Bool
    ) -> [Double] {
        let b = q.shape[0], t = q.shape[1], e = q.shape[2], tk = k.shape[1], d = e / heads
        let qs = q.scalars.map(Double.init), ks = k.scalars.map(Double.init), vs = v.scalars.map(Double.init)
        var out = [Double](repeating: 0, count: b * t * e)
        for i in 0..<b {
            for h in 0..<heads {
                for r in 0..<t {
                    var scores = [Double](repeating: -.infinity, count: tk)
                    for j in 0..<tk {
                        if causal && j > r { continue }
                        if let padding, padding[i * tk + j], !(causal && j == r) { continue }
                        var s = 0.0
                        let qo = (i * t + r) * e + h * d, ko = (i * tk + j) * e + h * d
                        for c in 0..<d { s += qs[qo + c] * ks[ko + c] }
                        scores[j] = s / Double(d).squareRoot()
                    }
                    let m = scores.max()!
                    let w: [Double] = scores.map { Foundation.exp($0 - m) }
                    let total = w.reduce(0, +)
                    for j in 0..<tk where w[j] > 0 {
                        let weight = w[j] / total
                        let o = (i * t + r) * e + h * d, src = (i * tk + j) * e + h * d
                        for c in 0..<d { out[o + c] += weight * vs[src + c] }
                    }
                }
            }
        }
        return out
    }

    /// Row 0 full, row 1 left-padded by two, row 2 a single item in the last slot.
    static let leftPadded: [Bool] = [
        false, false, false, false, false,
        true, true, false, false, false,
        true, true, true, true, false,
    ]

    @Test("forward equals the naive masked softmax (causal, causal + left padding, padding alone)", arguments: [1, 2])
    func forwardRule(heads: Int) {
        let q = randomParameter([3, 5, 4], seed: 60).value, k = randomParameter([3, 5, 4], seed: 61).value
        let v = randomParameter([3, 5, 4], seed: 62).value
        for (padding, causal) in [(nil, true), (Self.leftPadded, true), (Self.leftPadded.map { _ in false }, true)]
            as [([Bool]?, Bool)]
        {
            var generator = RandomGenerator(seed: 1)
            let ours = multiHeadAttention(
                query: q, key: k, value: v, heads: heads, keyPaddingMask: padding, causal: causal,
                generator: &generator
            ).scalars
            let reference = Self.naive(q, k, v, heads: heads, padding: padding, causal: causal)
            let worst = zip(ours, reference).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(worst <= 1e-5, "heads \(heads), padding \(padding != nil): max |Δ| \(worst)")
        }
        // Non-causal padding (rows 0 and 1 only: a fully padded row would be NaN, as in PyTorch).
        let mask = Array(Self.leftPadded.prefix(10))
        let q2 = q.slice(axis: 0, 0..<2), k2 = k.slice(axis: 0, 0..<2), v2 = v.slice(axis: 0, 0..<2)
        var generator = RandomGenerator(seed: 1)
        let ours = multiHeadAttention(
            query: q2, key: k2, value: v2, heads: heads, keyPaddingMask: mask, generator: &generator
        ).scalars
        let reference = Self.naive(q2, k2, v2, heads: heads, padding: mask, causal: false)
        #expect((zip(ours, reference).map { abs(Double($0) - $1) }.max() ?? 0) <= 1e-5)
    }

    @Test("causal: outputs at slot r do not depend on keys or values after r")
    func noLookAhead() {
        let q = randomParameter([2, 6, 4], seed: 70).value, k = randomParameter([2, 6, 4], seed: 71).value
        let v = randomParameter([2, 6, 4], seed: 72).value
        var generator = RandomGenerator(seed: 1)
        let base = multiHeadAttention(query: q, key: k, value: v, heads: 2, causal: true, generator: &generator)
        // Change only the last three time steps of keys and values.
        func perturbed(_ x: Tensor) -> Tensor {
            var s = x.scalars
            for b in 0..<2 { for t in 3..<6 { for c in 0..<4 { s[(b * 6 + t) * 4 + c] += 5 } } }
            return Tensor(shape: x.shape, scalars: s)
        }
        let changed = multiHeadAttention(
            query: q, key: perturbed(k), value: perturbed(v), heads: 2, causal: true, generator: &generator)
        for b in 0..<2 {
            for t in 0..<6 {
                let row = (b * 6 + t) * 4
                let same = base.scalars[row..<(row + 4)] == changed.scalars[row..<(row + 4)]
                #expect(same == (t < 3), "batch \(b) slot \(t)")
            }
        }
    }

    @Test("finite differences: causal self-attention", arguments: [1, 2])
    func gradientsCausal(heads: Int) {
        let q = randomParameter([2, 4, 4], seed: UInt64(80 + heads)), k = randomParameter([2, 4, 4], seed: 83)
        let v = randomParameter([2, 4, 4], seed: 84)
        GradientCheck(rtol: 2e-2, atol: 3e-3).expectPasses([q, k, v]) {
            var generator = RandomGenerator(seed: 5)
            return multiHeadAttention(
                query: q.value, key: k.value, value: v.value, heads: heads, causal: true, generator: &generator)
        }
    }

    @Test("finite differences: causal + left-padding key mask (padded queries see themselves)", arguments: [1, 2])
    func gradientsCausalPadded(heads: Int) {
        let q = randomParameter([3, 5, 4], seed: UInt64(90 + heads)), k = randomParameter([3, 5, 4], seed: 93)
        let v = randomParameter([3, 5, 4], seed: 94)
        GradientCheck(rtol: 2e-2, atol: 3e-3).expectPasses([q, k, v]) {
            var generator = RandomGenerator(seed: 5)
            return multiHeadAttention(
                query: q.value, key: k.value, value: v.value, heads: heads, keyPaddingMask: Self.leftPadded,
                causal: true, generator: &generator)
        }
    }

    @Test("finite differences: causal + padding + attention dropout (one mask in forward and backward)")
    func gradientsCausalDropout() {
        let q = randomParameter([3, 5, 4], seed: 95), k = randomParameter([3, 5, 4], seed: 96)
        let v = randomParameter([3, 5, 4], seed: 97)
        GradientCheck(rtol: 2e-2, atol: 3e-3).expectPasses([q, k, v]) {
            var generator = RandomGenerator(seed: 7)
            return multiHeadAttention(
                query: q.value, key: k.value, value: v.value, heads: 2, keyPaddingMask: Self.leftPadded,
                causal: true, dropout: 0.3, generator: &generator)
        }
    }
}
