import PixelTensor
import Testing

/// Central finite differences against reverse-mode gradients.
///
/// The checked function `f` reads its inputs from `Parameter`s (so inputs and layer weights are
/// perturbed the same way). The scalar objective is `L = Σ f(·) ⊙ R` with a fixed random `R`, so every
/// output element contributes with a different weight. `L` is accumulated in Double; each scalar is
/// perturbed by `±eps` in Float. Pass when `|analytic - numeric| ≤ atol + rtol·max(|analytic|, |numeric|)`
/// for every element. Default tolerances (`eps` 1e-2, `rtol` 1e-2, `atol` 2e-3) cover Float32 rounding
/// of `L / eps`; ops that need other values state them at the call site.
struct GradientCheck {
    var eps: Float = 1e-2
    var rtol: Float = 1e-2
    var atol: Float = 2e-3

    /// Returns a description of every mismatch (empty when the check passes).
    func mismatches(_ parameters: [Parameter], seed: UInt64 = 99, _ f: () -> Tensor) -> [String] {
        let y0 = Autograd.withoutRecording { f() }
        var generator = RandomGenerator(seed: seed)
        let weights = Tensor.randomNormal(shape: y0.shape, generator: &generator)
        let w = weights.scalars
        func objective() -> Double {
            let y = Autograd.withoutRecording { f() }.scalars
            var s: Double = 0
            for i in 0..<y.count { s += Double(y[i]) * Double(w[i]) }
            return s
        }
        let loss = (f() * weights).sum()
        let grads = loss.gradients()
        var problems: [String] = []
        for (k, parameter) in parameters.enumerated() {
            let analytic = grads[parameter]?.dense.scalars ?? [Float](repeating: 0, count: parameter.value.count)
            if analytic.count != parameter.value.count {
                problems.append("input \(k): gradient has \(analytic.count) values for \(parameter.value.count)")
                continue
            }
            for i in 0..<parameter.value.count {
                let original = parameter.value.scalars[i]
                parameter.update { $0[i] = original + eps }
                let plus = objective()
                parameter.update { $0[i] = original - eps }
                let minus = objective()
                parameter.update { $0[i] = original }
                let numeric = Float((plus - minus) / Double(2 * eps))
                let a = analytic[i]
                if !(abs(a - numeric) <= atol + rtol * max(abs(a), abs(numeric))) {
                    problems.append("input \(k)[\(i)]: analytic \(a), numeric \(numeric)")
                }
            }
        }
        return problems
    }

    /// Expects the check to pass, reporting at most a few mismatches.
    func expectPasses(
        _ parameters: [Parameter], seed: UInt64 = 99, sourceLocation: SourceLocation = #_sourceLocation,
        _ f: () -> Tensor
    ) {
        let problems = mismatches(parameters, seed: seed, f)
        #expect(
            problems.isEmpty, "\(problems.count) gradient mismatches: \(problems.prefix(5))",
            sourceLocation: sourceLocation)
    }
}

/// A parameter of random normal values (optionally kept away from 0 by `margin`, for kinks and logs).
func randomParameter(_ shape: [Int], seed: UInt64, scale: Float = 1, margin: Float = 0, positive: Bool = false)
    -> Parameter
{
    var generator = RandomGenerator(seed: seed)
    let t = Tensor.randomNormal(shape: shape, std: scale, generator: &generator).map { v in
        let m = abs(v) + margin
        return positive ? m : (v < 0 ? -m : m)
    }
    return Parameter(t)
}

/// A random pair of shapes that broadcast: dims of the second are set to 1 or dropped at random.
func randomBroadcastPair(seed: UInt64) -> ([Int], [Int]) {
    var g = RandomGenerator(seed: seed)
    let rank = 1 + g.nextInt(below: 4)
    let a = (0..<rank).map { _ in 1 + g.nextInt(below: 4) }
    var b = a
    for i in 0..<rank where g.nextInt(below: 3) == 0 { b[i] = 1 }
    let drop = g.nextInt(below: rank)
    b.removeFirst(drop)
    return g.nextInt(below: 2) == 0 ? (a, b) : (b, a)
}
