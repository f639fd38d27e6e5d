import PixelConfig
import PixelCore
import PixelModels
import PixelOptim
import PixelTensor

/// `train-dp`: the data-parallel training step of `pixelrec train`'s model at the Pixel200K shape of the
/// train-e2e bench (200k users, 100k items, width 128, builtin-encoder widths 192/512, 7 numeric columns,
/// fusion MLP [512, 256, 128] with batch norm and dropout 0.1, 256 positives + 256 negatives, BCE,
/// AdamW), W = 1 and W = 2 workers measured back to back in alternating blocks (the best block of each
/// counts, so bursts of load from other processes drop out), plus where a W = 2 step spends its CPU time
/// and the speedup Amdahl's law allows from that split (AdamW spreads its per-parameter updates over the
/// workers; it counts as serial with the calling thread's CPU time of the call).
///
///     PixelBench train-dp [--blocks 6] [--steps 20]
enum DataParallelBench {
    static let commands = ["train-dp"]

    static func run(_ command: String, _ arguments: [String]) throws {
        TensorStorage.retainFreedMemory()
        BLAS.setThreadCount(1)
        let blocks = option("--blocks", 6), steps = option("--steps", 20)
        var config = ModelConfig()
        config.embeddingDim = 128
        config.numAttentionHeads = 4
        config.attentionDropout = 0
        config.dropoutRate = 0.1
        config.fusionHiddenDims = [512, 256, 128]
        config.useBatchNorm = true
        config.useContrastive = false
        let users = 200_000, items = 100_000, positives = 256
        let hyper = try ModelHyperparameters(
            model: config, seed: 7, userCount: users, itemCount: items, visionWidth: 192, textWidth: 512,
            numericWidth: 7)
        let model = PretrainedMultimodalRecommender.make(hyper)
        model.startEpoch(1)
        let optimizer = AdamW(namedParameters: model.namedParameters(), learningRate: 1e-3, weightDecay: 0.01)
        var generator = RandomGenerator(seed: 3)
        func features(_ width: Int) -> [Float] { (0..<(items * width)).map { _ in generator.nextNormal() } }
        let content = try ItemContent(
            count: items, vision: features(192), visionWidth: 192, text: features(512), textWidth: 512,
            numeric: features(7),
            numericWidth: 7)
        let batches = (0..<16).map { _ in
            TrainingExamples(
                users: (0..<positives).map { _ in Int32(generator.nextInt(below: users)) },
                positives: (0..<positives).map { _ in Int32(generator.nextInt(below: items)) },
                negatives: (0..<positives).map { _ in Int32(generator.nextInt(below: items)) }, ratio: 1)
        }
        let settings = LossSettings(loss: .bce)
        var next = 0
        let profile = StepProfile()
        var optimizerSeconds = 0.0, optimizerSteps = 0
        func step(_ workers: Int, profiled: Bool) {
            var (_, gradients) = model.lossAndGradients(
                batches[next % batches.count], content: content, settings: settings, workers: workers,
                profile: profiled ? profile : nil)
            next += 1
            let started = StepProfile.threadSeconds()
            optimizer.workers = workers
            gradients.clipByGlobalNorm(1)
            Autograd.withoutRecording { optimizer.step(gradients) }
            if profiled {
                optimizerSeconds += StepProfile.threadSeconds() - started
                optimizerSteps += 1
            }
        }
        for _ in 0..<5 { step(1, profiled: false); step(2, profiled: false) }
        var best = [1: Double.infinity, 2: Double.infinity]
        var cpu = [1: Double.infinity, 2: Double.infinity]
        for _ in 0..<blocks {
            for workers in [1, 2] {
                let wall = now(), process = processCPU()
                for _ in 0..<steps { step(workers, profiled: workers == 2) }
                best[workers] = min(best[workers]!, (now() - wall) / Double(steps))
                cpu[workers] = min(cpu[workers]!, (processCPU() - process) / Double(steps))
            }
        }
        let n = Double(max(profile.steps, 1))
        let parallel = (profile.forward + profile.backward) / n
        let serial = (profile.head + profile.merge) / n + optimizerSeconds / Double(max(optimizerSteps, 1))
        let amdahl = (serial + parallel) / (serial + parallel / 2)
        func ms(_ s: Double) -> String { String(format: "%.2f", 1000 * s) }
        print(
            "{\"bench\": \"train-dp\", \"w1_steps_per_s\": \(String(format: "%.2f", 1 / best[1]!)), "
                + "\"w2_steps_per_s\": \(String(format: "%.2f", 1 / best[2]!)), \"speedup\": \(String(format: "%.3f", best[1]! / best[2]!)), "
                + "\"w1_cpu_ms_per_step\": \(ms(cpu[1]!)), \"w2_cpu_ms_per_step\": \(ms(cpu[2]!)), "
                + "\"w2_forward_ms\": \(ms(profile.forward / n)), \"w2_head_ms\": \(ms(profile.head / n)), "
                + "\"w2_backward_ms\": \(ms(profile.backward / n)), \"w2_merge_ms\": \(ms(profile.merge / n)), "
                + "\"optimizer_ms\": \(ms(optimizerSeconds / Double(max(optimizerSteps, 1)))), \"amdahl_speedup\": \(String(format: "%.3f", amdahl))}"
        )
    }
}
