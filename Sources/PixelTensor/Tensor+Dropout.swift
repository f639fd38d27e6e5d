/// Inverted dropout: each scalar is zeroed with probability `p`, survivors scaled by `1/(1-p)`.
/// The mask comes from `generator` (`p` resolved to 2⁻²⁴), so a seed fixes it. Backward: the same mask.
public func dropout(_ x: Tensor, probability p: Float, generator: inout RandomGenerator) -> Tensor {
    precondition(p >= 0 && p < 1, "dropout: probability \(p) not in [0, 1)")
    if p == 0 { return x }
    let scale = 1 / (1 - p)
    var mask = Tensor(uninitializedShape: x.shape)
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
    return x * mask
}
