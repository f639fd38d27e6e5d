#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Binary element-wise ops with NumPy broadcasting. Each backward undoes broadcasting with `unbroadcast`.

extension Tensor {
    /// `a + b` with broadcasting. ∂a = g, ∂b = g (each unbroadcast).
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        var out = broadcastBinary(a, b) { $0 + $1 }
        if let nodes = Autograd.trackedInputs(a, b) {
            let sa = a.shape, sb = b.shape
            out.recordOp(inputs: nodes) { g in [.dense(unbroadcast(g, to: sa)), .dense(unbroadcast(g, to: sb))] }
        }
        return out
    }

    /// `a - b` with broadcasting. ∂a = g, ∂b = -g.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        var out = broadcastBinary(a, b) { $0 - $1 }
        if let nodes = Autograd.trackedInputs(a, b) {
            let sa = a.shape, sb = b.shape
            out.recordOp(inputs: nodes) { g in
                [.dense(unbroadcast(g, to: sa)), .dense(unbroadcast(g.map { -$0 }, to: sb))]
            }
        }
        return out
    }

    /// `a * b` with broadcasting. ∂a = g·b, ∂b = g·a.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        var out = broadcastBinary(a, b) { $0 * $1 }
        if let nodes = Autograd.trackedInputs(a, b) {
            let ad = a.detached(), bd = b.detached()
            let needA = nodes[0] != nil, needB = nodes[1] != nil
            out.recordOp(inputs: nodes) { g in
                [
                    needA ? .dense(unbroadcast(broadcastBinary(g, bd) { $0 * $1 }, to: ad.shape)) : nil,
                    needB ? .dense(unbroadcast(broadcastBinary(g, ad) { $0 * $1 }, to: bd.shape)) : nil,
                ]
            }
        }
        return out
    }

    /// `a / b` with broadcasting. ∂a = g/b, ∂b = -g·a/b².
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        var out = broadcastBinary(a, b) { $0 / $1 }
        if let nodes = Autograd.trackedInputs(a, b) {
            let ad = a.detached(), bd = b.detached(), y = out.detached()
            let needA = nodes[0] != nil, needB = nodes[1] != nil
            out.recordOp(inputs: nodes) { g in
                let gOverB = broadcastBinary(g, bd) { $0 / $1 }
                return [
                    needA ? .dense(unbroadcast(gOverB, to: ad.shape)) : nil,
                    needB ? .dense(unbroadcast(broadcastBinary(gOverB, y) { -$0 * $1 }, to: bd.shape)) : nil,
                ]
            }
        }
        return out
    }

    /// `a + s`.
    public static func + (a: Tensor, s: Float) -> Tensor { a.unary({ $0 + s }, derivative: { _, _ in 1 }) }
    /// `s + a`.
    public static func + (s: Float, a: Tensor) -> Tensor { a + s }
    /// `a - s`.
    public static func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
    /// `s - a`.
    public static func - (s: Float, a: Tensor) -> Tensor { a.unary({ s - $0 }, derivative: { _, _ in -1 }) }
    /// `a · s`.
    public static func * (a: Tensor, s: Float) -> Tensor { a.unary({ $0 * s }, derivative: { _, _ in s }) }
    /// `s · a`.
    public static func * (s: Float, a: Tensor) -> Tensor { a * s }
    /// `a / s`.
    public static func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }
    /// `-a`.
    public static prefix func - (a: Tensor) -> Tensor { a.unary({ -$0 }, derivative: { _, _ in -1 }) }

    /// `f(x)` per scalar, not recorded.
    @inlinable
    public func map(_ f: (Float) -> Float) -> Tensor {
        var out = Tensor(uninitializedShape: shape)
        let x = storage.pointer, n = count
        out.withUnsafeMutableBufferPointer { o in
            let y = o.baseAddress!
            for i in 0..<n { y[i] = f(x[i]) }
        }
        return out
    }

    /// A recorded element-wise op: forward `y = f(x)`, backward `∂x = g · f'(x, y)`.
    ///
    /// Ops in other modules can build on it; `derivative` receives `(x, y)`.
    @inline(__always)
    public func unary(_ f: (Float) -> Float, derivative: @escaping (Float, Float) -> Float) -> Tensor {
        var out = map(f)
        if let nodes = Autograd.trackedInputs(self) {
            let x = detached(), y = out.detached()
            out.recordOp(inputs: nodes) { g in
                var dx = Tensor(uninitializedShape: x.shape)
                let px = x.storage.pointer, py = y.storage.pointer, pg = g.storage.pointer
                dx.withUnsafeMutableBufferPointer { d in
                    let o = d.baseAddress!
                    for i in 0..<d.count { o[i] = pg[i] * derivative(px[i], py[i]) }
                }
                return [.dense(dx)]
            }
        }
        return out
    }
}

// MARK: Unary math and activations

/// `eˣ`.
public func exp(_ x: Tensor) -> Tensor { x.unary({ expf($0) }, derivative: { _, y in y }) }
/// Natural logarithm.
public func log(_ x: Tensor) -> Tensor { x.unary({ logf($0) }, derivative: { x, _ in 1 / x }) }
/// Square root.
public func sqrt(_ x: Tensor) -> Tensor { x.unary({ $0.squareRoot() }, derivative: { _, y in 0.5 / y }) }
/// `xᵖ` for a scalar exponent. ∂x = p·xᵖ⁻¹.
public func pow(_ x: Tensor, _ p: Float) -> Tensor {
    if p == 2 { return x.unary({ $0 * $0 }, derivative: { x, _ in 2 * x }) }
    return x.unary({ powf($0, p) }, derivative: { x, _ in p * powf(x, p - 1) })
}
/// Hyperbolic tangent. ∂ = 1 - y².
public func tanh(_ x: Tensor) -> Tensor { x.unary({ tanhf($0) }, derivative: { _, y in 1 - y * y }) }

/// Numerically stable logistic sigmoid `1 / (1 + e⁻ˣ)`. ∂ = y(1 - y).
public func sigmoid(_ x: Tensor) -> Tensor { x.unary(stableSigmoid, derivative: { _, y in y * (1 - y) }) }

@inline(__always)
func stableSigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + expf(-x)) }
    let e = expf(x)
    return e / (1 + e)
}

/// `max(x, 0)`. ∂ = 1 where x > 0. (Written out rather than through `unary`: it is the hottest
/// activation, and its backward should not call a closure per element.)
public func relu(_ x: Tensor) -> Tensor {
    var out = x.map { $0 > 0 ? $0 : 0 }
    if let nodes = Autograd.trackedInputs(x) {
        let y = out.detached()
        out.recordOp(inputs: nodes) { g in
            var dx = Tensor(uninitializedShape: y.shape)
            let py = y.storage.pointer, pg = g.storage.pointer
            dx.withUnsafeMutableBufferPointer { d in
                let o = d.baseAddress!
                for i in 0..<d.count { o[i] = py[i] > 0 ? pg[i] : 0 }
            }
            return [.dense(dx)]
        }
    }
    return out
}

/// `x` where positive, `slope·x` elsewhere.
public func leakyRelu(_ x: Tensor, negativeSlope: Float = 0.01) -> Tensor {
    x.unary({ $0 > 0 ? $0 : negativeSlope * $0 }, derivative: { x, _ in x > 0 ? 1 : negativeSlope })
}

/// GELU, exact erf form: `y = ½x(1 + erf(x/√2))`, computed as `½x·erfc(-x/√2)` (accurate in the
/// negative tail); ∂ = `½erfc(-x/√2) + x·φ(x)`.
public func gelu(_ x: Tensor) -> Tensor {
    x.unary(
        { 0.5 * $0 * erfcf(-$0 * 0.70710678118654752) },
        derivative: { x, _ in
            0.5 * erfcf(-x * 0.70710678118654752) + x * expf(-0.5 * x * x) * 0.39894228040143268
        })
}

/// SiLU (swish): `x·σ(x)`; ∂ = `σ(x)(1 + x(1 - σ(x)))`.
public func silu(_ x: Tensor) -> Tensor {
    x.unary(
        { $0 * stableSigmoid($0) },
        derivative: { x, _ in
            let s = stableSigmoid(x)
            return s * (1 + x * (1 - s))
        })
}

/// Softplus `log(1 + eˣ)`, computed as `max(x, 0) + log1p(e^{-|x|})`; ∂ = σ(x).
public func softplus(_ x: Tensor) -> Tensor {
    x.unary({ max($0, 0) + log1pf(expf(-abs($0))) }, derivative: { x, _ in stableSigmoid(x) })
}

/// `log σ(x) = -softplus(-x)`, stable; ∂ = 1 - σ(x).
public func logSigmoid(_ x: Tensor) -> Tensor {
    x.unary({ min($0, 0) - log1pf(expf(-abs($0))) }, derivative: { x, _ in 1 - stableSigmoid(x) })
}
