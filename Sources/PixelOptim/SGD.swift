import PixelTensor

/// Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay (PyTorch `SGD`):
/// `g ← g + λθ`; `b ← μb + (1 - τ)g` (`b = g` at the first step); `g ← g + μb` (Nesterov) or `g ← b`;
/// `θ ← θ - η g`. Sparse rows: the same rule on touched rows only (lazy momentum).
public final class SGD: Optimizer {
    public var learningRate: Float
    /// Accepted for the protocol; SGD's update is one pass over memory and runs on one thread.
    public var workers = 1
    public let momentum: Float
    public let dampening: Float
    public let nesterov: Bool
    public let weightDecay: Float
    let named: [(String, Parameter)]
    var store = SlotStore()
    /// Learning-rate multipliers of parameter groups (absent = 1).
    var scales: [ObjectIdentifier: Float] = [:]

    public init(
        namedParameters: [(String, Parameter)], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
        nesterov: Bool = false, weightDecay: Float = 0
    ) {
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov needs momentum and no dampening")
        named = namedParameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public func step(_ gradients: Gradients) {
        for (name, parameter) in named {
            guard let grad = gradients[parameter] else { continue }
            let key = "\(name).momentum_buffer"
            let width =
                parameter.shape.count > 1 ? parameter.shape.dropFirst().reduce(1, *) : parameter.shape.reduce(1, *)
            var buffer = store.slots.removeValue(forKey: key)
            let fresh = buffer == nil
            if momentum != 0 && fresh { buffer = [Float](repeating: 0, count: parameter.shape.reduce(1, *)) }
            let learningRate = self.learningRate * (scales[ObjectIdentifier(parameter)] ?? 1)
            parameter.update { p in
                buffer.withUnsafeMutableBufferPointerIfPresent { b in
                    func apply(_ offset: Int, _ g: UnsafePointer<Float>, _ n: Int, first: Bool) {
                        for j in 0..<n {
                            var d = g[j] + weightDecay * p[offset + j]
                            if let b {
                                let m = first ? d : momentum * b[offset + j] + (1 - dampening) * d
                                b[offset + j] = m
                                d = nesterov ? d + momentum * m : m
                            }
                            p[offset + j] -= learningRate * d
                        }
                    }
                    switch grad {
                    case .dense(let g): g.withUnsafeBufferPointer { apply(0, $0.baseAddress!, $0.count, first: fresh) }
                    case .rows(let rows): forEachRow(rows) { r, g, w in apply(r * width, g, w, first: fresh) }
                    }
                }
            }
            if let buffer { store.slots[key] = buffer }
        }
    }

    public func setLearningRateScale(_ scale: Float, for parameters: [Parameter]) {
        for p in parameters { scales[ObjectIdentifier(p)] = scale }
    }

    public func stateDict() -> [String: [Float]] {
        store.slots.merging(["learning_rate": [learningRate]]) { a, _ in a }
    }

    public func load(stateDict state: [String: [Float]]) throws {
        let sizes = Dictionary(uniqueKeysWithValues: named.map { ("\($0.0).momentum_buffer", $0.1.shape.reduce(1, *)) })
        try SlotStore.restore(state, into: &store) { sizes[$0] }
        if let lr = state["learning_rate"]?.first { learningRate = lr }
    }
}

extension Optional where Wrapped == [Float] {
    /// Calls `body` with a mutable pointer to the array, or `nil` when absent.
    mutating func withUnsafeMutableBufferPointerIfPresent<R>(_ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
        if self == nil { return body(nil) }
        return self!.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }
}
