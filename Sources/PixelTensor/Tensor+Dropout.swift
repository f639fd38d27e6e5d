/// Inverted dropout: each scalar is zeroed with probability `p`, survivors scaled by `1/(1-p)`.
/// The mask comes from `generator`, so a seed fixes it. Backward: the same mask.
public func dropout(_ x: Tensor, probability p: Float, generator: inout RandomGenerator) -> Tensor {
    precondition(p >= 0 && p < 1, "dropout: probability \(p) not in [0, 1)")
    if p == 0 { return x }
    let scale = 1 / (1 - p)
    var mask = Tensor(uninitializedShape: x.shape)
    mask.withUnsafeMutableBufferPointer { m in
        for i in 0..<m.count { m[i] = generator.nextUniform() < p ? 0 : scale }
    }
    return x * mask
}
