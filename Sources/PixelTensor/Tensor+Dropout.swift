/// Inverted dropout: each scalar is zeroed with probability `p`, survivors scaled by `1/(1-p)`.
/// The mask comes from `generator` (`p` resolved to 2⁻²⁴), so a seed fixes it. Backward: the same mask.
public func dropout(_ x: Tensor, probability p: Float, generator: inout RandomGenerator) -> Tensor {
    precondition(p >= 0 && p < 1, "dropout: probability \(p) not in [0, 1)")
    if p == 0 { return x }
    return x * dropoutMask(shape: x.shape, probability: p, generator: &generator)
}

/// `dropout(relu(x))` in one pass, with the same mask (the same draws from `generator`) and the same
/// values: `y = (x > 0 ? x : 0) · mask`. Backward: `∂x = x > 0 ? g · mask : 0`, as the two ops' backward
/// passes give. Saves a tensor and a pass each way in fusion MLPs.
public func reluDropout(_ x: Tensor, probability p: Float, generator: inout RandomGenerator) -> Tensor {
    precondition(p >= 0 && p < 1, "dropout: probability \(p) not in [0, 1)")
    if p == 0 { return relu(x) }
    let mask = dropoutMask(shape: x.shape, probability: p, generator: &generator)
    var out = Tensor(uninitializedShape: x.shape)
    let px = x.storage.pointer, pm = mask.storage.pointer
    out.withUnsafeMutableBufferPointer { o in
        let y = o.baseAddress!
        for i in 0..<o.count { y[i] = (px[i] > 0 ? px[i] : 0) * pm[i] }
    }
    if let nodes = Autograd.trackedInputs(x) {
        let xd = x.detached()
        out.recordOp(inputs: nodes) { g in
            var dx = Tensor(uninitializedShape: xd.shape)
            let px = xd.storage.pointer, pm = mask.storage.pointer, pg = g.storage.pointer
            dx.withUnsafeMutableBufferPointer { d in
                let o = d.baseAddress!
                for i in 0..<d.count { o[i] = px[i] > 0 ? pg[i] * pm[i] : 0 }
            }
            return [.dense(dx)]
        }
    }
    return out
}

/// The scale mask of inverted dropout: `0` with probability `p`, else `1/(1-p)`.
func dropoutMask(shape: [Int], probability p: Float, generator: inout RandomGenerator) -> Tensor {
    let scale = 1 / (1 - p)
    var mask = Tensor(uninitializedShape: shape)
    // Two 24-bit uniforms per 64-bit draw (the generator is the cost here, not the compare).
    let threshold = UInt64((Double(p) * 16_777_216).rounded())
    mask.withUnsafeMutableBufferPointer { m in
        var i = 0
        while i < m.count {
            let bits = generator.next()
            m[i] = (bits >> 40) < threshold ? 0 : scale
            if i + 1 < m.count { m[i + 1] = ((bits >> 16) & 0xFF_FFFF) < threshold ? 0 : scale }
            i += 2
        }
    }
    return mask
}
