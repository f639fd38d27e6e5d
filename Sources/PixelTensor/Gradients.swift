/// Gradients of one backward pass, keyed by the identity of each leaf (a ``Parameter`` or a tensor made
/// with ``Tensor/requiringGrad()``). Handed to an optimizer's `step`.
public struct Gradients: Sendable {
    @usableFromInline var store: [ObjectIdentifier: Grad] = [:]

    public init() {}

    /// The gradient of a parameter (`nil` when the loss does not depend on it).
    public subscript(parameter: Parameter) -> Grad? {
        get { store[ObjectIdentifier(parameter.leaf)] }
        set { store[ObjectIdentifier(parameter.leaf)] = newValue }
    }

    /// The dense gradient of a leaf tensor.
    public subscript(tensor: Tensor) -> Tensor? {
        guard let node = tensor.node else { return nil }
        return store[ObjectIdentifier(node)]?.dense
    }

    /// Takes the dense gradient of a leaf tensor out (it no longer counts in ``globalNorm()`` or
    /// ``count``); `nil` when it has none.
    public mutating func removeGradient(of tensor: Tensor) -> Tensor? {
        guard let node = tensor.node else { return nil }
        return store.removeValue(forKey: ObjectIdentifier(node))?.dense
    }

    /// Number of leaves with a gradient.
    public var count: Int { store.count }

    /// Adds `grad` to the leaf's gradient.
    mutating func accumulate(_ grad: Grad, for node: GradNode) {
        let key = ObjectIdentifier(node)
        if var old = store.removeValue(forKey: key) {
            old.add(grad)
            store[key] = old
        } else {
            store[key] = grad
        }
    }

    /// Adds every gradient of `other` (gradient accumulation over micro-batches).
    public mutating func formSum(with other: Gradients) {
        for (key, grad) in other.store {
            if var old = store.removeValue(forKey: key) {
                old.add(grad)
                store[key] = old
            } else {
                store[key] = grad
            }
        }
    }

    /// `sqrt(Σ g²)` over every gradient (sparse rows are coalesced first, as their dense form would be).
    /// The per-leaf sums are added in ascending order, so the result does not depend on the dictionary's
    /// (per-process, hash-seeded) order: every MPI rank computes the same bits.
    public func globalNorm() -> Float {
        let parts = store.values.map { grad -> Double in
            switch grad {
            case .dense(let d): return Double(d.squaredNorm())
            case .rows(let r): return Double(r.coalesced().values.squaredNorm())
            }
        }
        let total = parts.sorted().reduce(0, +)
        return Float(total.squareRoot())
    }

    /// Multiplies every gradient by `factor`.
    public mutating func scale(by factor: Float) {
        for key in Array(store.keys) {
            switch store.removeValue(forKey: key)! {
            case .dense(var d):
                d.scaleInPlace(by: factor)
                store[key] = .dense(d)
            case .rows(var r):
                r.values.scaleInPlace(by: factor)
                store[key] = .rows(r)
            }
        }
    }

    /// Rescales the gradients so their global norm is at most `maxNorm` (PyTorch `clip_grad_norm_`:
    /// factor `maxNorm / (norm + 1e-6)` when below 1).
    /// - Returns: the norm before clipping.
    @discardableResult
    public mutating func clipByGlobalNorm(_ maxNorm: Float) -> Float {
        let norm = globalNorm()
        let factor = maxNorm / (norm + 1e-6)
        if factor < 1 { scale(by: factor) }
        return norm
    }
}

extension Tensor {
    /// Reverse-mode gradients of this tensor with respect to every leaf it depends on.
    ///
    /// Walks the recorded graph in reverse topological order (the tape read backwards), summing the
    /// gradients of tensors used more than once. Each node's saved values are released after it runs.
    /// - Parameter seed: the gradient of `self`; defaults to ones (use a scalar loss).
    public func gradients(seed: Tensor? = nil) -> Gradients {
        var result = Gradients()
        guard let root = node else { return result }
        let seedGrad = seed ?? Tensor(repeating: 1, shape: shape)
        precondition(seedGrad.shape == shape, "gradients: seed shape \(seedGrad.shape) ≠ \(shape)")
        // Post-order depth-first search: every node after its inputs.
        var order: [GradNode] = []
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
        var stack: [(GradNode, Int)] = [(root, 0)]
        while let (current, next) = stack.last {
            if next < current.inputs.count {
                stack[stack.count - 1].1 = next + 1
                if let input = current.inputs[next], visited.insert(ObjectIdentifier(input)).inserted {
                    stack.append((input, 0))
                }
            } else {
                stack.removeLast()
                order.append(current)
            }
        }
        var pending: [ObjectIdentifier: Grad] = [ObjectIdentifier(root): .dense(seedGrad)]
        Autograd.withoutRecording {
            for current in order.reversed() {
                guard let grad = pending.removeValue(forKey: ObjectIdentifier(current)) else { continue }
                if current.isLeaf {
                    result.accumulate(grad, for: current)
                    continue
                }
                guard let backward = current.backward else {
                    preconditionFailure("gradients: this graph was already differentiated (its saved values are freed)")
                }
                let inputGrads = backward(grad.dense)
                current.backward = nil
                for (input, inputGrad) in zip(current.inputs, inputGrads) {
                    guard let input, let inputGrad else { continue }
                    let key = ObjectIdentifier(input)
                    if var old = pending.removeValue(forKey: key) {
                        old.add(inputGrad)
                        pending[key] = old
                    } else {
                        pending[key] = inputGrad
                    }
                }
            }
        }
        return result
    }
}
