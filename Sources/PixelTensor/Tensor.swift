/// A dense, contiguous, row-major array of `Float` with value semantics and optional autograd tracking.
///
/// Copies share storage until one of them is mutated (copy on write). A tensor whose ``node`` is set takes
/// part in reverse-mode differentiation: every differentiable op applied to it records its backward rule
/// (see ``Autograd``), and ``gradients(seed:)`` on a scalar result returns the gradients of every leaf.
public struct Tensor: Sendable {
    /// Extent of each dimension; `[]` for a scalar.
    public internal(set) var shape: [Int]
    @usableFromInline internal var storage: TensorStorage
    /// The autograd node that produced this tensor (or the leaf it is), `nil` when not tracked.
    public internal(set) var node: GradNode?

    @usableFromInline
    internal init(storage: TensorStorage, shape: [Int], node: GradNode? = nil) {
        self.storage = storage
        self.shape = shape
        self.node = node
    }

    /// An uninitialized tensor (every scalar must be written before it is read).
    @inlinable
    public init(uninitializedShape shape: [Int]) {
        self.init(storage: TensorStorage(count: shape.reduce(1, *)), shape: shape)
    }

    /// A tensor of `shape` holding `scalars` in row-major order.
    /// - Precondition: `scalars.count == shape.reduce(1, *)`.
    @inlinable
    public init(shape: [Int], scalars: [Float]) {
        let count = shape.reduce(1, *)
        precondition(scalars.count == count, "Tensor: \(scalars.count) scalars for shape \(shape)")
        let storage = TensorStorage(count: count)
        scalars.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: count) }
        self.init(storage: storage, shape: shape)
    }

    /// A tensor of `shape` with every scalar equal to `value`.
    @inlinable
    public init(repeating value: Float, shape: [Int]) {
        self.init(storage: TensorStorage(count: shape.reduce(1, *), repeating: value), shape: shape)
    }

    /// A tensor of zeros.
    @inlinable
    public init(zeros shape: [Int]) { self.init(repeating: 0, shape: shape) }

    /// A rank-0 tensor.
    @inlinable
    public init(_ scalar: Float) { self.init(repeating: scalar, shape: []) }

    /// A rank-1 tensor of the given scalars.
    @inlinable
    public init(_ scalars: [Float]) { self.init(shape: [scalars.count], scalars: scalars) }

    /// Number of scalars.
    @inlinable public var count: Int { storage.count }
    /// Number of dimensions.
    @inlinable public var rank: Int { shape.count }
    /// All scalars in row-major order.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: storage.count)) }
    /// The first scalar (the value of a rank-0 or one-element tensor).
    @inlinable public var scalar: Float { storage.pointer[0] }
    /// Whether this tensor is tracked by autograd.
    @inlinable public var requiresGrad: Bool { node != nil }

    /// Calls `body` with the scalars.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Calls `body` with mutable scalars, first copying the storage when it is shared.
    ///
    /// This is an in-place update invisible to autograd (the tracking node is kept); optimizers use it.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.clone() }
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// The same values, not tracked by autograd.
    @inlinable
    public func detached() -> Tensor { Tensor(storage: storage, shape: shape) }

    /// The same values as a new autograd leaf: ``Gradients`` will hold its gradient.
    public func requiringGrad() -> Tensor { Tensor(storage: storage, shape: shape, node: GradNode(leafShape: shape)) }

    /// Whether both tensors share one storage buffer (a cheap identity test, for tests and diagnostics).
    @inlinable
    public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }

    /// Element-wise comparison within `atol + rtol * |expected|`.
    public func isApproximatelyEqual(to other: Tensor, rtol: Float = 1e-5, atol: Float = 1e-6) -> Bool {
        guard shape == other.shape else { return false }
        for i in 0..<count {
            let a = storage.pointer[i], b = other.storage.pointer[i]
            if !(abs(a - b) <= atol + rtol * abs(b)) { return false }
        }
        return true
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(count > 8 ? ", …" : "")])"
    }
}
