import PixelNN
import PixelOptim
import PixelTensor
import Testing

@Suite("Optimizers: sparse updates, state, schedules")
struct OptimizerTests {
    @Test("lazy AdamW on rows touched every step equals dense AdamW")
    func sparseEqualsDenseWhenAllRowsTouched() {
        var g = RandomGenerator(seed: 1)
        let start = Tensor.randomNormal(shape: [4, 3], generator: &g)
        let sparse = Parameter(start), dense = Parameter(start)
        let so = AdamW(namedParameters: [("t", sparse)], learningRate: 0.05, weightDecay: 0.1)
        let dop = AdamW(namedParameters: [("t", dense)], learningRate: 0.05, weightDecay: 0.1)
        for _ in 0..<3 {
            let rows = Tensor.randomNormal(shape: [5, 3], generator: &g)
            let ids: [Int32] = [3, 0, 1, 2, 0]
            let r = SparseRows(indices: ids, values: rows, rowCount: 4)
            var gs = Gradients(), gd = Gradients()
            gs[sparse] = .rows(r)
            gd[dense] = .dense(r.densified())
            so.step(gs)
            dop.step(gd)
        }
        #expect(sparse.value.isApproximatelyEqual(to: dense.value, rtol: 1e-6, atol: 1e-7))
    }

    /// A parameter group (the trainable encoder top at `training.encoder_lr`): in one optimizer with
    /// `scale`, a parameter takes exactly the steps of an optimizer of its own at `scale × learningRate`
    /// (float products `(η·s)` formed the same way, so bit-identical), and the others are untouched by the
    /// group. PyTorch equivalent: `AdamW([{"params": other}, {"params": top, "lr": lr * scale}], lr=lr)`.
    @Test("a learning-rate group steps exactly like an optimizer of its own at the scaled rate (AdamW, Adam, SGD)")
    func learningRateGroups() {
        let makers: [([(String, Parameter)], Float) -> Optimizer] = [
            { AdamW(namedParameters: $0, learningRate: $1, weightDecay: 0.1) },
            { Adam(namedParameters: $0, learningRate: $1, weightDecay: 0.1) },
            { SGD(namedParameters: $0, learningRate: $1, momentum: 0.9, nesterov: true) },
        ]
        for make in makers {
            let a = Tensor(shape: [2, 2], scalars: [1, -2, 3, 0.5]), b = Tensor(shape: [3], scalars: [0.2, -1, 4])
            let top = Parameter(a), other = Parameter(b)
            let grouped = make([("other", other), ("top", top)], 0.05)
            grouped.setLearningRateScale(0.1, for: [top])
            let topAlone = Parameter(a), otherAlone = Parameter(b)
            let separateTop = make([("top", topAlone)], 0.05 * 0.1)
            let separateOther = make([("other", otherAlone)], 0.05)
            for s in 0..<4 {
                var g = RandomGenerator(seed: UInt64(10 + s))
                let gt = Tensor.randomNormal(shape: [2, 2], generator: &g),
                    go = Tensor.randomNormal(shape: [3], generator: &g)
                var both = Gradients(), one = Gradients(), two = Gradients()
                both[top] = .dense(gt)
                both[other] = .dense(go)
                one[topAlone] = .dense(gt)
                two[otherAlone] = .dense(go)
                grouped.step(both)
                separateTop.step(one)
                separateOther.step(two)
            }
            #expect(top.value.scalars == topAlone.value.scalars)
            #expect(other.value.scalars == otherAlone.value.scalars)
            #expect(top.value.scalars != a.scalars)
        }
    }

    @Test("Adam spread over 2 workers updates every parameter exactly as 1 worker does")
    func parallelAdamEqualsSerial() {
        var g = RandomGenerator(seed: 2)
        let shapes = [[6, 3], [5], [4, 4], [7, 2], [3]]
        let starts = shapes.map { Tensor.randomNormal(shape: $0, generator: &g) }
        let serial = starts.map { Parameter($0) }, parallel = starts.map { Parameter($0) }
        let a = AdamW(
            namedParameters: serial.enumerated().map { ("p\($0.offset)", $0.element) }, learningRate: 0.05,
            weightDecay: 0.1)
        let b = AdamW(
            namedParameters: parallel.enumerated().map { ("p\($0.offset)", $0.element) }, learningRate: 0.05,
            weightDecay: 0.1)
        b.workers = 2
        for step in 0..<4 {
            var ga = Gradients(), gb = Gradients()
            for (k, shape) in shapes.enumerated() where (k + step) % 4 != 0 {  // some parameters skip a step
                let grad: Grad =
                    k == 0
                    ? .rows(
                        SparseRows(
                            indices: [5, 1, 5], values: .randomNormal(shape: [3, 3], generator: &g), rowCount: 6))
                    : .dense(.randomNormal(shape: shape, generator: &g))
                ga[serial[k]] = grad
                gb[parallel[k]] = grad
            }
            a.step(ga)
            b.step(gb)
        }
        for (x, y) in zip(serial, parallel) { #expect(x.value.scalars == y.value.scalars) }
        #expect(a.stateDict() == b.stateDict())
    }

    @Test("untouched rows are left alone by lazy Adam and SGD")
    func untouchedRows() {
        for make in [
            { (p: Parameter) -> Optimizer in AdamW(namedParameters: [("t", p)], weightDecay: 0.5) },
            { (p: Parameter) -> Optimizer in
                SGD(namedParameters: [("t", p)], learningRate: 0.1, momentum: 0.9, weightDecay: 0.1)
            },
        ] {
            let table = Parameter(Tensor(repeating: 1, shape: [3, 2]))
            let optimizer = make(table)
            var grads = Gradients()
            grads[table] = .rows(
                SparseRows(indices: [1], values: Tensor(shape: [1, 2], scalars: [1, 1]), rowCount: 3))
            optimizer.step(grads)
            let v = table.value.scalars
            #expect(v[0] == 1 && v[1] == 1 && v[4] == 1 && v[5] == 1)
            #expect(v[2] < 1 && v[3] < 1)
        }
    }

    func trainSteps(_ optimizer: Optimizer, _ parameter: Parameter, steps: Range<Int>) {
        for s in steps {
            var g = RandomGenerator(seed: UInt64(s))
            var grads = Gradients()
            grads[parameter] = .dense(Tensor.randomNormal(shape: parameter.shape, generator: &g))
            optimizer.step(grads)
        }
    }

    @Test("optimizer state round-trips: resume equals an uninterrupted run")
    func resume() throws {
        let makers: [(Parameter) -> Optimizer] = [
            { AdamW(namedParameters: [("w", $0)], learningRate: 0.01) },
            { Adam(namedParameters: [("w", $0)], learningRate: 0.01, weightDecay: 0.1) },
            { SGD(namedParameters: [("w", $0)], learningRate: 0.1, momentum: 0.9, nesterov: true) },
        ]
        for make in makers {
            let start = Tensor(shape: [2, 2], scalars: [1, -2, 3, 0.5])
            let straight = Parameter(start)
            let o1 = make(straight)
            trainSteps(o1, straight, steps: 0..<5)
            let resumed = Parameter(start)
            let o2 = make(resumed)
            trainSteps(o2, resumed, steps: 0..<2)
            let saved = o2.stateDict()
            let o3 = make(resumed)
            try o3.load(stateDict: saved)
            trainSteps(o3, resumed, steps: 2..<5)
            #expect(resumed.value.scalars == straight.value.scalars)
        }
    }

    @Test("bad optimizer state is rejected with the key named")
    func badState() {
        let p = Parameter(Tensor([1, 2]))
        let o = AdamW(namedParameters: [("w", p)])
        #expect(throws: OptimError.stateSizeMismatch(key: "w.exp_avg", expected: 2, found: 1)) {
            try o.load(stateDict: ["w.exp_avg": [0], "w.exp_avg_sq": [0, 0], "w.step": [1]])
        }
        #expect(throws: OptimError.unknownStateKey("v.exp_avg")) { try o.load(stateDict: ["v.exp_avg": [0, 0]]) }
    }

    @Test("cosine schedule with warmup")
    func cosine() {
        let s = CosineSchedule(base: 1, warmupSteps: 10, totalSteps: 110, minimum: 0.1)
        #expect(s.learningRate(atStep: 0) == 0)
        #expect(abs(s.learningRate(atStep: 5) - 0.5) < 1e-6)
        #expect(abs(s.learningRate(atStep: 10) - 1) < 1e-6)
        #expect(abs(s.learningRate(atStep: 60) - 0.55) < 1e-6)  // half way: 0.1 + 0.9·½
        #expect(abs(s.learningRate(atStep: 110) - 0.1) < 1e-6)
        #expect(abs(s.learningRate(atStep: 500) - 0.1) < 1e-6)
    }

    /// Hand-computed rates of a 4-step-per-epoch run with 1 epoch (4 steps) of linear warm-up.
    @Test("learning-rate schedule: warm-up, then constant, step decay or the plateau rate")
    func scheduleWithWarmup() {
        let warmup = LinearWarmup(steps: 4)
        #expect([0, 1, 2, 3, 4, 9].map { warmup.factor(atStep: $0) } == [0.25, 0.5, 0.75, 1, 1, 1])
        #expect(LinearWarmup(steps: 0).factor(atStep: 0) == 1)
        let constant = LearningRateSchedule(base: 0.2, stepsPerEpoch: 4, warmup: warmup, decay: .constant)
        // Epoch 1 step 1 is run step 1: 0.2 · 2/4; epoch 2 step 0 is run step 4: past the warm-up.
        #expect(abs(constant.rate(epoch: 1, stepInEpoch: 1, plateauRate: 9) - 0.1) < 1e-7)
        #expect(constant.rate(epoch: 2, stepInEpoch: 0, plateauRate: 9) == 0.2)
        // Step decay by 0.5 every 2 epochs, counted after the warm-up epoch, floored at 0.03.
        let step = LearningRateSchedule(
            base: 0.2, stepsPerEpoch: 4, warmup: warmup,
            decay: .step(StepSchedule(base: 0.2, stepSize: 2, gamma: 0.5), minimum: 0.03, warmupEpochs: 1))
        #expect(abs(step.rate(epoch: 1, stepInEpoch: 0, plateauRate: 9) - 0.05) < 1e-7)  // 0.2 · 1/4
        #expect(step.rate(epoch: 3, stepInEpoch: 0, plateauRate: 9) == 0.2)  // e' = 1
        #expect(step.rate(epoch: 4, stepInEpoch: 2, plateauRate: 9) == 0.1)  // e' = 2
        #expect(step.rate(epoch: 12, stepInEpoch: 0, plateauRate: 9) == 0.03)  // 0.2 · 0.5⁵ < floor
        let plateau = LearningRateSchedule(base: 0.2, stepsPerEpoch: 4, warmup: warmup, decay: .plateau)
        #expect(abs(plateau.rate(epoch: 1, stepInEpoch: 3, plateauRate: 0.08) - 0.08) < 1e-7)
        #expect(abs(plateau.rate(epoch: 1, stepInEpoch: 0, plateauRate: 0.08) - 0.02) < 1e-7)
    }
}

@Suite("Layers: parameters, checkpoints, training")
struct LayerTests {
    @Test("named parameters and state dict round trip")
    func stateDict() throws {
        let mlp = MLP(inputSize: 3, hiddenSizes: [4, 2], batchNorm: true, dropout: 0.1, seed: 1)
        #expect(
            mlp.namedParameters().map(\.0) == [
                "layers.0.linear.weight", "layers.0.linear.bias", "layers.0.norm.weight", "layers.0.norm.bias",
                "layers.1.linear.weight", "layers.1.linear.bias", "layers.1.norm.weight", "layers.1.norm.bias",
            ])
        #expect(mlp.namedBuffers().map(\.0).contains("layers.1.norm.running_var"))
        let other = MLP(inputSize: 3, hiddenSizes: [4, 2], batchNorm: true, dropout: 0.1, seed: 2)
        try other.load(stateDict: mlp.stateDict())
        for ((_, a), (_, b)) in zip(mlp.namedParameters(), other.namedParameters()) {
            #expect(a.value.scalars == b.value.scalars)
        }
        var broken = mlp.stateDict()
        broken["layers.0.linear.weight"] = Tensor(zeros: [2, 2])
        #expect(throws: NNError.shapeMismatch(name: "layers.0.linear.weight", expected: [4, 3], found: [2, 2])) {
            try other.load(stateDict: broken)
        }
        broken["layers.0.linear.weight"] = nil
        #expect(throws: NNError.missingParameter(name: "layers.0.linear.weight")) { try other.load(stateDict: broken) }
    }

    @Test("same seed, same initial weights; xavier bound holds")
    func seededInit() {
        let a = Linear(inputSize: 50, outputSize: 30, initializer: .xavierUniform(), seed: 7)
        let b = Linear(inputSize: 50, outputSize: 30, initializer: .xavierUniform(), seed: 7)
        #expect(a.weight.value.scalars == b.weight.value.scalars)
        let bound = (6 / Float(80)).squareRoot()
        #expect(a.weight.value.scalars.allSatisfy { abs($0) <= bound })
        #expect(Activation(name: "leaky_relu") == .leakyRelu(negativeSlope: 0.01))
        #expect(Activation(name: "nope") == nil)
    }

    @Test("a small model trains: logistic regression loss falls with AdamW and clipping")
    func trains() {
        var g = RandomGenerator(seed: 9)
        let x = Tensor.randomNormal(shape: [64, 4], generator: &g)
        let truth = Tensor([1.5, -2, 0.5, 1])
        let labels = (matmul(x, truth.reshaped([4, 1])).reshaped([64])).map { $0 > 0 ? 1 : 0 }
        let model = MLP(inputSize: 4, hiddenSizes: [8], activation: .tanh, seed: 3)
        let head = Linear(inputSize: 8, outputSize: 1, seed: 4)
        let optimizer = AdamW(
            namedParameters: prefixed("mlp", model.namedParameters()) + prefixed("head", head.namedParameters()),
            learningRate: 0.05)
        var first: Float = 0, last: Float = 0
        for step in 0..<150 {
            let loss = Loss.binaryCrossEntropyWithLogits(head(model(x)).reshaped([64]), targets: labels)
            if step == 0 { first = loss.scalar }
            last = loss.scalar
            var grads = loss.gradients()
            clipGradientNorm(&grads, maxNorm: 5)
            optimizer.step(grads)
        }
        #expect(last < first * 0.3, "loss \(first) → \(last)")
    }

    @Test("concurrent tasks build independent graphs; no-grad is task-local")
    func concurrency() async {
        let w = Parameter(Tensor([1, 2, 3]))
        let expected = (w.value * w.value * 2).sum().gradients()[w]?.dense.scalars
        await withTaskGroup(of: (Bool, [Float]?).self) { group in
            for i in 0..<8 {
                group.addTask {
                    if i % 2 == 0 {
                        let y = Autograd.withoutRecording { w.value * 3 }
                        return (y.node == nil, nil)
                    }
                    return (Autograd.isRecording, (w.value * w.value * 2).sum().gradients()[w]?.dense.scalars)
                }
            }
            for await (ok, grads) in group {
                #expect(ok)
                if let grads { #expect(grads == expected) }
            }
        }
    }
}

@Suite("Gradient accumulation and plateau in max mode")
struct AccumulationTests {
    @Test("summing micro-batch gradients equals the full-batch gradient of the summed loss")
    func microBatches() {
        let w = Parameter(Tensor([0.5, -1, 2]))
        let table = Parameter(Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]))
        func loss(_ x: Tensor, _ ids: [Int32]) -> Tensor {
            (x * w.value).sum() + embedding(table.value, ids: IndexTensor(ids)).sum() * 2
        }
        let x1 = Tensor([1, 2, 3]), x2 = Tensor([-1, 0, 4])
        var accumulated = loss(x1, [0, 2]).gradients()
        accumulated.formSum(with: loss(x2, [2]).gradients())
        let full = (loss(x1, [0, 2]) + loss(x2, [2])).gradients()
        #expect(accumulated[w]?.dense.scalars == full[w]?.dense.scalars)
        #expect(accumulated[table]?.dense.scalars == full[table]?.dense.scalars)
        #expect(full[table]?.dense.scalars == [2, 2, 0, 0, 4, 4])
    }

    @Test("ReduceOnPlateau in max mode waits `patience` epochs, then cools down")
    func plateauMax() {
        var p = ReduceOnPlateau(mode: .max, factor: 0.5, patience: 1, cooldown: 1)
        var lr: Float = 1
        var seen: [Float] = []
        for metric: Float in [0.1, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2] {
            lr = p.step(metric: metric, learningRate: lr)
            seen.append(lr)
        }
        // Bad epochs: 1 at the 3rd, 2 (> patience) at the 4th → halve; cooldown swallows the 5th;
        // bad again at the 6th (1) and 7th (2) → halve.
        #expect(seen == [1, 1, 1, 0.5, 0.5, 0.5, 0.25])
    }
}
