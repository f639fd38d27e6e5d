import PixelTensor

/// A neural-network layer: owns named parameters (trainable) and buffers (state saved in checkpoints but
/// not trained, e.g. batch-norm running statistics), and switches between training and evaluation.
///
/// Layers are classes: optimizers update their ``Parameter``s in place, and containers name children
/// with dotted paths (`mlp.layers.0.weight`), as PyTorch's `state_dict`.
public protocol Layer: AnyObject {
    /// Trainable parameters with dotted names, in a stable order.
    func namedParameters() -> [(String, Parameter)]
    /// Non-trainable state with dotted names.
    func namedBuffers() -> [(String, Parameter)]
    /// Switches training behaviour (dropout, batch statistics) on or off, recursively.
    func setTraining(_ training: Bool)
}

extension Layer {
    public func namedBuffers() -> [(String, Parameter)] { [] }
    public func setTraining(_ training: Bool) {}

    /// Trainable parameters in the order of ``namedParameters()``.
    public var parameters: [Parameter] { namedParameters().map(\.1) }

    /// Every parameter and buffer value by name (a checkpoint's content).
    public func stateDict() -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (name, p) in namedParameters() + namedBuffers() { out[name] = p.value.detached() }
        return out
    }

    /// Replaces every parameter and buffer value from `state`.
    /// - Throws: ``NNError`` naming the first missing or mis-shaped entry (nothing is changed then).
    public func load(stateDict state: [String: Tensor]) throws {
        let all = namedParameters() + namedBuffers()
        for (name, p) in all {
            guard let value = state[name] else { throw NNError.missingParameter(name: name) }
            guard value.shape == p.shape else {
                throw NNError.shapeMismatch(name: name, expected: p.shape, found: value.shape)
            }
        }
        for (name, p) in all { p.value = state[name]!.detached() }
    }
}

/// Prefixes child names: `prefixed("fc", [("weight", w)])` → `[("fc.weight", w)]`.
@inlinable
public func prefixed(_ prefix: String, _ named: [(String, Parameter)]) -> [(String, Parameter)] {
    named.map { ("\(prefix).\($0.0)", $0.1) }
}
