import Foundation
import PixelNN
import PixelOptim
import PixelTensor
import Testing

/// Reference values from PyTorch 2.13 (CPU), written by `Fixtures/make_fixtures.py`.
enum Fixtures {
    static func load(_ name: String) throws -> [String: Any] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "json"))
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    static func tensor(_ any: Any?) throws -> Tensor {
        let d = try #require(any as? [String: Any])
        let shape = try #require(d["shape"] as? [Int])
        let data = try #require(d["data"] as? [Double])
        return Tensor(shape: shape, scalars: data.map(Float.init))
    }

    static func indices(_ any: Any?) throws -> IndexTensor {
        let d = try #require(any as? [String: Any])
        let shape = try #require(d["shape"] as? [Int])
        let data = try #require(d["data"] as? [Int])
        return IndexTensor(shape: shape, indices: data.map { Int32($0) })
    }
}

/// The equivalence criterion: `|ours - torch| ≤ 1e-5 · max(|torch|, 1e-2)` per element — 1e-5 relative,
/// with the denominator floored at 0.01 so values that are zero up to rounding are compared absolutely
/// (at 1e-7). Returns the largest observed `|ours - torch| / max(|torch|, 1e-2)`.
@discardableResult
func expectClose(
    _ ours: Tensor, _ reference: Tensor, _ what: String, tolerance: Float = 1e-5,
    sourceLocation: SourceLocation = #_sourceLocation
) -> Float {
    #expect(
        ours.shape == reference.shape, "\(what): shape \(ours.shape) vs \(reference.shape)",
        sourceLocation: sourceLocation)
    guard ours.shape == reference.shape else { return .infinity }
    var worst: Float = 0
    for (a, b) in zip(ours.scalars, reference.scalars) { worst = max(worst, abs(a - b) / max(abs(b), 1e-2)) }
    #expect(worst <= tolerance, "\(what): max relative error \(worst)", sourceLocation: sourceLocation)
    if ProcessInfo.processInfo.environment["PIXELTENSOR_REPORT_ERRORS"] != nil {
        print("max-relative-error \(what): \(worst)")
    }
    return worst
}

@Suite("PyTorch equivalence: layers and losses")
struct LayerEquivalenceTests {
    let cases: [String: Any]

    init() throws { cases = try Fixtures.load("layers") }

    func fixture(_ name: String) throws -> [String: Any] { try #require(cases[name] as? [String: Any]) }

    @Test func linear() throws {
        let f = try fixture("linear")
        let layer = Linear(inputSize: 6, outputSize: 5, seed: 0)
        try layer.load(stateDict: ["weight": Fixtures.tensor(f["weight"]), "bias": Fixtures.tensor(f["bias"])])
        expectClose(layer(try Fixtures.tensor(f["x"])), try Fixtures.tensor(f["y"]), "linear")
    }

    @Test func embedding() throws {
        let f = try fixture("embedding")
        let layer = Embedding(count: 10, dimension: 4, seed: 0)
        try layer.load(stateDict: ["weight": Fixtures.tensor(f["weight"])])
        expectClose(layer(try Fixtures.indices(f["ids"])), try Fixtures.tensor(f["y"]), "embedding")
    }

    @Test func layerNorm() throws {
        let f = try fixture("layer_norm")
        let layer = LayerNorm(dimension: 8)
        try layer.load(stateDict: ["weight": Fixtures.tensor(f["weight"]), "bias": Fixtures.tensor(f["bias"])])
        expectClose(layer(try Fixtures.tensor(f["x"])), try Fixtures.tensor(f["y"]), "layer norm")
    }

    @Test func batchNorm() throws {
        let f = try fixture("batch_norm")
        let layer = BatchNorm1d(features: 5)
        layer.weight.value = try Fixtures.tensor(f["weight"])
        layer.bias.value = try Fixtures.tensor(f["bias"])
        expectClose(layer(try Fixtures.tensor(f["x"])), try Fixtures.tensor(f["y_train"]), "batch norm (train)")
        expectClose(layer.runningMean.value, try Fixtures.tensor(f["running_mean"]), "running mean")
        expectClose(layer.runningVariance.value, try Fixtures.tensor(f["running_var"]), "running variance")
        layer.setTraining(false)
        expectClose(layer(try Fixtures.tensor(f["x_eval"])), try Fixtures.tensor(f["y_eval"]), "batch norm (eval)")
    }

    @Test func mlp() throws {
        let f = try fixture("mlp")
        let layer = MLP(inputSize: 7, hiddenSizes: [6, 3], activation: .relu, batchNorm: true, seed: 0)
        var state = layer.stateDict()
        for i in 0..<2 {
            state["layers.\(i).linear.weight"] = try Fixtures.tensor(f["l\(i).weight"])
            state["layers.\(i).linear.bias"] = try Fixtures.tensor(f["l\(i).bias"])
        }
        try layer.load(stateDict: state)
        expectClose(layer(try Fixtures.tensor(f["x"])), try Fixtures.tensor(f["y"]), "mlp")
    }

    @Test func attention() throws {
        let f = try fixture("attention")
        let layer = MultiHeadAttention(embedDim: 8, heads: 2, seed: 0)
        var state: [String: Tensor] = [:]
        for (name, _) in layer.namedParameters() { state[name] = try Fixtures.tensor(f[name]) }
        try layer.load(stateDict: state)
        let mask = try Fixtures.indices(f["mask"]).indices.map { $0 != 0 }
        expectClose(
            layer(try Fixtures.tensor(f["x"]), keyPaddingMask: mask), try Fixtures.tensor(f["y_self"]), "self-attention"
        )
        let memory = try Fixtures.tensor(f["memory"])
        expectClose(
            layer.attend(query: try Fixtures.tensor(f["query"]), key: memory, value: memory),
            try Fixtures.tensor(f["y_cross"]), "cross-attention")
    }

    @Test func activations() throws {
        let f = try fixture("activations")
        let x = try Fixtures.tensor(f["x"])
        let ops: [(String, (Tensor) -> Tensor)] = [
            ("gelu", gelu), ("silu", silu), ("sigmoid", sigmoid), ("tanh", tanh), ("softplus", softplus),
            ("logsigmoid", logSigmoid), ("leaky_relu", { leakyRelu($0) }), ("relu", relu),
        ]
        for (name, op) in ops { expectClose(op(x), try Fixtures.tensor(f[name]), name) }
        let s = try fixture("softmax")
        let y = try Fixtures.tensor(s["x"])
        expectClose(softmax(y), try Fixtures.tensor(s["softmax"]), "softmax")
        expectClose(logSoftmax(y), try Fixtures.tensor(s["log_softmax"]), "log softmax")
        expectClose(softmax(y, axis: 0), try Fixtures.tensor(s["softmax0"]), "softmax axis 0")
        expectClose(l2Normalize(y), try Fixtures.tensor(s["normalize"]), "normalize")
    }

    @Test func losses() throws {
        let f = try fixture("losses")
        func t(_ k: String) throws -> Tensor { try Fixtures.tensor(f[k]) }
        expectClose(Loss.binaryCrossEntropyWithLogits(try t("logits"), targets: try t("targets")), try t("bce"), "bce")
        expectClose(Loss.bpr(positiveScores: try t("pos"), negativeScores: try t("neg")), try t("bpr"), "bpr")
        expectClose(Loss.infoNCE(try t("a"), try t("b"), temperature: 0.1), try t("infonce"), "infoNCE")
        expectClose(
            Loss.sampledSoftmax(
                queries: try t("q"), positives: try t("p"), negatives: try t("n"), temperature: 0.5,
                positiveLogQ: try t("logq_p"), negativeLogQ: try t("logq_n")),
            try t("sampled_softmax"), "sampled softmax")
        let targets = try Fixtures.indices(f["ce_targets"]).indices
        expectClose(Loss.crossEntropy(try t("ce_logits"), targets: targets), try t("ce"), "cross-entropy")
        expectClose(
            softmaxCrossEntropy(try t("ce_logits"), targets: targets), try t("ce"), "fused softmax cross-entropy")
        expectClose(Loss.meanSquaredError(try t("pred"), target: try t("tgt")), try t("mse"), "mse")
    }
}

@Suite("PyTorch equivalence: optimizers and schedulers")
struct OptimizerEquivalenceTests {
    let cases: [String: Any]

    init() throws { cases = try Fixtures.load("optimizers") }

    func run(_ name: String, _ make: ([(String, Parameter)]) -> Optimizer) throws {
        let f = try #require(cases[name] as? [String: Any])
        let p = Parameter(try Fixtures.tensor(f["p0"]))
        let optimizer = make([("p", p)])
        let grads = try #require(f["grads"] as? [Any]), after = try #require(f["after"] as? [Any])
        for (k, (g, expected)) in zip(grads, after).enumerated() {
            var gradients = Gradients()
            gradients[p] = .dense(try Fixtures.tensor(g))
            optimizer.step(gradients)
            expectClose(p.value, try Fixtures.tensor(expected), "\(name) step \(k + 1)")
        }
    }

    @Test func sgdNesterov() throws {
        try run("sgd_nesterov") {
            SGD(namedParameters: $0, learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01)
        }
    }

    @Test func sgdMomentumDampening() throws {
        try run("sgd_momentum_dampening") {
            SGD(namedParameters: $0, learningRate: 0.05, momentum: 0.8, dampening: 0.1)
        }
    }

    @Test func adam() throws {
        try run("adam") {
            Adam(namedParameters: $0, learningRate: 0.01, beta1: 0.8, beta2: 0.95, epsilon: 1e-6, weightDecay: 0.01)
        }
    }

    @Test func adamW() throws {
        try run("adamw") { AdamW(namedParameters: $0, learningRate: 0.01, weightDecay: 0.1) }
    }

    @Test("lazy Adam on sparse rows follows torch.optim.SparseAdam")
    func sparseAdam() throws {
        let f = try #require(cases["sparse_adam"] as? [String: Any])
        let table = Parameter(try Fixtures.tensor(f["p0"]))
        let optimizer = Adam(namedParameters: [("table", table)], learningRate: 0.01)
        for (k, s) in try #require(f["steps"] as? [[String: Any]]).enumerated() {
            let ids = try #require(s["ids"] as? [Int]).map { Int32($0) }
            var gradients = Gradients()
            gradients[table] = .rows(SparseRows(indices: ids, values: try Fixtures.tensor(s["rows"]), rowCount: 6))
            optimizer.step(gradients)
            expectClose(table.value, try Fixtures.tensor(s["after"]), "sparse Adam step \(k + 1)")
        }
    }

    @Test func stepSchedule() throws {
        let s = try Fixtures.load("schedulers")
        let expected = try #require((s["step_lr"] as? [String: Any])?["lrs"] as? [Double])
        let schedule = StepSchedule(base: 1, stepSize: 3, gamma: 0.5)
        #expect(expected.indices.map { schedule.learningRate(atEpoch: $0) } == expected.map(Float.init))
    }

    @Test func reduceOnPlateau() throws {
        let s = try Fixtures.load("schedulers")
        let p = try #require(s["plateau"] as? [String: Any])
        let metrics = try #require(p["metrics"] as? [Double]), expected = try #require(p["lrs"] as? [Double])
        var plateau = ReduceOnPlateau(mode: .min, factor: 0.5, patience: 2, threshold: 1e-3, cooldown: 1, minimum: 0.1)
        var lr: Float = 1
        var got: [Float] = []
        for m in metrics {
            lr = plateau.step(metric: Float(m), learningRate: lr)
            got.append(lr)
        }
        for (a, b) in zip(got, expected) { #expect(abs(a - Float(b)) <= 1e-6 * max(1, Float(b))) }
    }
}
