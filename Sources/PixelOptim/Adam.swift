import CPixelKernels
import Dispatch
import PixelTensor

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Adam (PyTorch `Adam`, L2 weight decay added to the gradient) and, with `decoupledWeightDecay`,
/// AdamW (`θ ← θ(1 - ηλ)` before the update). Per parameter, at step `t`:
/// `m ← β₁m + (1-β₁)g`, `v ← β₂v + (1-β₂)g²`, `θ ← θ - (η / (1-β₁ᵗ)) · m / (√v / √(1-β₂ᵗ) + ε)`.
///
/// Sparse rows (embedding gradients) get *lazy* Adam: the same update applied to the touched rows only
/// (duplicates summed first); untouched rows keep their moments undecayed and, for AdamW, are not
/// decayed either. `t` counts the parameter's steps. This is PyTorch `SparseAdam`'s semantics, except
/// that `ε` is added to the bias-corrected `√v̂` as in dense Adam, so a table touched every step follows
/// dense Adam exactly.
public class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    public let decoupledWeightDecay: Bool
    let named: [(String, Parameter)]
    var moments: [ObjectIdentifier: (m: Tensor, v: Tensor)] = [:]
    var steps: [ObjectIdentifier: Int] = [:]
    /// Learning-rate multipliers of parameter groups (absent = 1).
    var scales: [ObjectIdentifier: Float] = [:]

    public init(
        namedParameters: [(String, Parameter)], learningRate: Float = 1e-3, beta1: Float = 0.9,
        beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false
    ) {
        named = namedParameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    /// Threads the parameters' updates are spread over (each parameter is updated by one thread with
    /// the same arithmetic, so the result does not depend on this).
    public var workers = 1

    public func setLearningRateScale(_ scale: Float, for parameters: [Parameter]) {
        for p in parameters { scales[ObjectIdentifier(p)] = scale }
    }

    /// One parameter's update of a step.
    struct Job {
        let parameter: Parameter
        let grad: Grad
        var m: Tensor
        var v: Tensor
        let t: Int
        /// Its group's learning-rate multiplier.
        let scale: Float
    }

    public func step(_ gradients: Gradients) {
        var jobs: [Job] = []
        for (_, parameter) in named {
            guard let grad = gradients[parameter] else { continue }
            let id = ObjectIdentifier(parameter)
            let t = (steps[id] ?? 0) + 1
            steps[id] = t
            let (m, v) =
                moments.removeValue(forKey: id) ?? (Tensor(zeros: parameter.shape), Tensor(zeros: parameter.shape))
            jobs.append(Job(parameter: parameter, grad: grad, m: m, v: v, t: t, scale: scales[id] ?? 1))
        }
        jobs.withUnsafeMutableBufferPointer { buffer in
            if workers > 1 && buffer.count > 1 {
                // Largest first, pulled by the workers in turn: each job writes only its own slot.
                let order = buffer.indices.sorted {
                    buffer[$0].parameter.shape.reduce(1, *) > buffer[$1].parameter.shape.reduce(1, *)
                }
                let shared = UncheckedJobs(optimizer: self, buffer: buffer)
                DispatchQueue.concurrentPerform(iterations: order.count) { k in
                    shared.optimizer.apply(&shared.buffer[order[k]])
                }
            } else {
                for k in buffer.indices { apply(&buffer[k]) }
            }
        }
        for job in jobs { moments[ObjectIdentifier(job.parameter)] = (job.m, job.v) }
    }

    /// The jobs and the optimizer, handed to the worker threads (each job is touched by one thread).
    struct UncheckedJobs: @unchecked Sendable {
        let optimizer: Adam
        let buffer: UnsafeMutableBufferPointer<Job>
    }

    /// The Adam update of one parameter.
    func apply(_ job: inout Job) {
        let parameter = job.parameter, grad = job.grad
        let bc1 = 1 - powf(beta1, Float(job.t)), bc2 = 1 - powf(beta2, Float(job.t))
        // × 1 is exact: a parameter outside any group steps exactly as before groups existed.
        let lr = learningRate * job.scale
        let stepSize = lr / bc1, bc2Sqrt = bc2.squareRoot()
        let (b1, b2, eps, wd, decoupled) = (beta1, beta2, epsilon, weightDecay, decoupledWeightDecay)
        let width = parameter.shape.count > 1 ? parameter.shape.dropFirst().reduce(1, *) : parameter.shape.reduce(1, *)
        parameter.update { p in
            job.m.withUnsafeMutableBufferPointer { mp in
                job.v.withUnsafeMutableBufferPointer { vp in
                    let pp = p.baseAddress!, mm = mp.baseAddress!, vv = vp.baseAddress!
                    let decay: Float = decoupled ? 1 - lr * wd : 1, l2: Float = decoupled ? 0 : wd
                    let rule = AdamRule(
                        decay: decay, l2: l2, beta1: b1, beta2: b2, stepSize: stepSize, bc2Sqrt: bc2Sqrt, epsilon: eps)
                    func apply(_ offset: Int, _ g: UnsafePointer<Float>, _ n: Int) {
                        rule.apply(p: pp + offset, m: mm + offset, v: vv + offset, g: g, count: n)
                    }
                    switch grad {
                    case .dense(let g): g.withUnsafeBufferPointer { apply(0, $0.baseAddress!, $0.count) }
                    case .rows(let rows): forEachRow(rows) { r, g, w in apply(r * width, g, w) }
                    }
                }
            }
        }
    }

    public func stateDict() -> [String: [Float]] {
        var out: [String: [Float]] = ["learning_rate": [learningRate]]
        for (name, p) in named {
            let id = ObjectIdentifier(p)
            guard let (m, v) = moments[id], let t = steps[id] else { continue }
            out["\(name).exp_avg"] = m.scalars
            out["\(name).exp_avg_sq"] = v.scalars
            out["\(name).step"] = [Float(t)]  // exact up to 2^24 steps
        }
        return out
    }

    public func load(stateDict state: [String: [Float]]) throws {
        for key in state.keys where key != "learning_rate" {
            guard
                named.contains(where: {
                    key == "\($0.0).exp_avg" || key == "\($0.0).exp_avg_sq" || key == "\($0.0).step"
                })
            else {
                throw OptimError.unknownStateKey(key)
            }
        }
        var restored: [(ObjectIdentifier, Tensor, Tensor, Int)] = []
        for (name, p) in named {
            guard let m = state["\(name).exp_avg"], let v = state["\(name).exp_avg_sq"], let t = state["\(name).step"]
            else { continue }
            let n = p.shape.reduce(1, *)
            for (suffix, values, expected) in [("exp_avg", m, n), ("exp_avg_sq", v, n), ("step", t, 1)]
            where values.count != expected {
                throw OptimError.stateSizeMismatch(key: "\(name).\(suffix)", expected: expected, found: values.count)
            }
            restored.append(
                (ObjectIdentifier(p), Tensor(shape: p.shape, scalars: m), Tensor(shape: p.shape, scalars: v), Int(t[0]))
            )
        }
        for (id, m, v, t) in restored {
            moments[id] = (m, v)
            steps[id] = t
        }
        if let lr = state["learning_rate"]?.first { learningRate = lr }
    }
}

/// One Adam update over `count` scalars:
/// `θ ← θ·decay`, `g ← g + l2·θ`, `m ← m + (g - m)(1-β₁)`, `v ← β₂v + (1-β₂)g²`,
/// `θ ← θ - stepSize · m / (√v / √(1-β₂ᵗ) + ε)`.
///
/// The loop is `pixel_adam_update` (CPixelKernels, C): 16 lanes with a vector square root (`vsqrtps`),
/// which Swift's `squareRoot()` only gives with `-fno-math-errno`, an unsafe flag. Every operation is
/// correctly rounded IEEE arithmetic in the order above without contraction, so each element's result is
/// the same in any lane or in the tail, and the same as the former Swift loop.
struct AdamRule {
    let decay: Float, l2: Float, beta1: Float, beta2: Float, stepSize: Float, bc2Sqrt: Float, epsilon: Float

    @inline(__always)
    func apply(
        p: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
        g: UnsafePointer<Float>, count n: Int
    ) {
        pixel_adam_update(p, m, v, g, n, decay, l2, beta1, beta2, stepSize, bc2Sqrt, epsilon)
    }
}

/// AdamW: Adam with decoupled weight decay (PyTorch `AdamW`, default `weightDecay` 0.01).
public final class AdamW: Adam {
    public init(
        namedParameters: [(String, Parameter)], learningRate: Float = 1e-3, beta1: Float = 0.9,
        beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01
    ) {
        super.init(
            namedParameters: namedParameters, learningRate: learningRate, beta1: beta1, beta2: beta2,
            epsilon: epsilon, weightDecay: weightDecay, decoupledWeightDecay: true)
    }
}
