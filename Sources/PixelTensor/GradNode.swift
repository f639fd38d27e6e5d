/// One entry of the autograd tape: the op's input nodes and its backward rule.
///
/// A leaf node (a parameter or a tensor made with ``Tensor/requiringGrad()``) has no inputs and receives
/// its gradient in ``Gradients``. An interior node's `backward` maps the gradient of its output to the
/// gradients of its inputs; it holds the op's saved values and is released once it has run.
/// Nodes are only mutated by the backward pass of the graph that owns them; a graph must not be
/// differentiated from two threads at once (each training step builds its own graph).
public final class GradNode: @unchecked Sendable {
    /// Nodes of the op's inputs, `nil` for inputs that are not tracked.
    public let inputs: [GradNode?]
    /// Output gradient → one gradient (or `nil`) per input.
    @usableFromInline var backward: ((Tensor) -> [Grad?])?
    /// Whether this node is a leaf.
    public let isLeaf: Bool
    /// Shape of the tensor the node stands for.
    public let shape: [Int]

    /// A leaf of the given shape.
    public init(leafShape: [Int]) {
        inputs = []
        backward = nil
        isLeaf = true
        shape = leafShape
    }

    /// An interior node.
    public init(inputs: [GradNode?], shape: [Int], backward: @escaping (Tensor) -> [Grad?]) {
        self.inputs = inputs
        self.backward = backward
        isLeaf = false
        self.shape = shape
    }
}

/// The switch and the recording entry point of reverse-mode differentiation.
///
/// Recording is on by default; ``withoutRecording(_:)`` turns it off for the current task or thread
/// (the flag is a task-local value, so concurrent tasks do not interfere).
public enum Autograd {
    /// Whether differentiable ops record backward rules.
    @TaskLocal public static var isRecording: Bool = true

    /// Runs `body` with recording off (evaluation, optimizer updates, the backward pass itself).
    @inlinable
    public static func withoutRecording<R>(_ body: () throws -> R) rethrows -> R {
        try $isRecording.withValue(false) { try body() }
    }

    /// The input nodes to record an op with, or `nil` when nothing needs recording
    /// (recording is off, or no input is tracked).
    @inlinable
    public static func trackedInputs(_ tensors: Tensor...) -> [GradNode?]? {
        var any = false
        for t in tensors where t.node != nil { any = true; break }
        guard any, isRecording else { return nil }
        return tensors.map(\.node)
    }

    /// The input nodes for an array of tensors (see ``trackedInputs(_:)``).
    @inlinable
    public static func trackedInputs(array tensors: [Tensor]) -> [GradNode?]? {
        guard tensors.contains(where: { $0.node != nil }), isRecording else { return nil }
        return tensors.map(\.node)
    }
}

extension Tensor {
    /// Attaches a new tape entry to this (freshly computed) tensor.
    ///
    /// Ops defined outside PixelTensor use this with ``Autograd/trackedInputs(_:)``:
    /// ```swift
    /// var y = forward(x)
    /// if let nodes = Autograd.trackedInputs(x) { y.recordOp(inputs: nodes) { g in [.dense(g * 2)] } }
    /// ```
    public mutating func recordOp(inputs: [GradNode?], backward: @escaping (Tensor) -> [Grad?]) {
        node = GradNode(inputs: inputs, shape: shape, backward: backward)
    }
}
