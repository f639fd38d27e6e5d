import PixelTensor

/// The shared protocol of optimizers: they own named parameters and apply one update per `step`.
///
/// Parameters without a gradient in `step` are left alone (and their state untouched). Embedding
/// tables whose gradient is ``SparseRows`` are updated lazily: only the touched rows (and their state)
/// change, see each optimizer.
public protocol Optimizer: AnyObject {
    /// The learning rate of the next step (schedulers set it).
    var learningRate: Float { get set }
    /// Threads an update may use (each writes only its own parameters' state, so the result does not
    /// depend on the count). Optimizers whose update is memory-bound may ignore it.
    var workers: Int { get set }
    /// Applies one update from `gradients`.
    func step(_ gradients: Gradients)
    /// The optimizer's state (moments, step counts, learning rate) by key, for checkpoints.
    func stateDict() -> [String: [Float]]
    /// Restores state saved by ``stateDict()``; keys absent from `state` reset nothing.
    func load(stateDict state: [String: [Float]]) throws
    /// A parameter group: `parameters` step with `scale × learningRate` (weight decay and the schedule
    /// included, as a PyTorch group whose `lr` is `scale` times the others'). Configuration, not state: not
    /// in ``stateDict()``. Scale 1 (every parameter's default) is the plain update, bit for bit.
    func setLearningRateScale(_ scale: Float, for parameters: [Parameter])
}

/// Per-parameter state vectors with names, shared by the optimizers' serialization.
struct SlotStore {
    var slots: [String: [Float]] = [:]

    static func restore(
        _ state: [String: [Float]], into store: inout SlotStore, known: (String) -> Int?
    ) throws {
        for (key, values) in state where key != "learning_rate" {
            guard let expected = known(key) else { throw OptimError.unknownStateKey(key) }
            guard values.count == expected else {
                throw OptimError.stateSizeMismatch(key: key, expected: expected, found: values.count)
            }
        }
        for (key, values) in state where key != "learning_rate" { store.slots[key] = values }
    }
}

/// Coalesced rows of a sparse gradient with a raw pointer loop helper.
@inline(__always)
func forEachRow(
    _ rows: SparseRows, _ body: (_ row: Int, _ grad: UnsafePointer<Float>, _ width: Int) -> Void
) {
    let c = rows.coalesced()
    let w = c.width
    c.values.withUnsafeBufferPointer { v in
        for (i, index) in c.indices.enumerated() { body(Int(index), v.baseAddress! + i * w, w) }
    }
}

/// Rescales `gradients` so their global L2 norm is at most `maxNorm` (PyTorch `clip_grad_norm_`).
/// - Returns: the norm before clipping.
@discardableResult
public func clipGradientNorm(_ gradients: inout Gradients, maxNorm: Float) -> Float {
    gradients.clipByGlobalNorm(maxNorm)
}
