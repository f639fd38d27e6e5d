/// A trainable tensor with a stable identity: layers own parameters, ``Gradients`` is keyed by them and
/// optimizers update them in place.
///
/// Reading ``value`` from several tasks at once is safe (the tensor is a copy-on-write value); updates
/// (an optimizer step, `value = …`) must not run concurrently with other uses — a training loop owns its
/// parameters.
public final class Parameter: @unchecked Sendable {
    /// The autograd leaf every use of ``value`` is traced back to.
    public let leaf: GradNode
    private var stored: Tensor

    /// A parameter holding `value`.
    public init(_ value: Tensor) {
        leaf = GradNode(leafShape: value.shape)
        stored = Tensor(storage: value.storage, shape: value.shape, node: leaf)
    }

    /// The current value, tracked by autograd as this parameter's leaf.
    ///
    /// Setting it keeps the identity; the new value must have the same shape.
    public var value: Tensor {
        get { stored }
        set {
            precondition(newValue.shape == stored.shape, "Parameter: shape \(newValue.shape) ≠ \(stored.shape)")
            stored = Tensor(storage: newValue.storage, shape: newValue.shape, node: leaf)
        }
    }

    /// Shape of the value.
    public var shape: [Int] { stored.shape }

    /// Updates the value in place (copying first only if a graph still holds the old value).
    public func update<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try stored.withUnsafeMutableBufferPointer(body)
    }
}
