import Foundation
import PixelConfig
import PixelCore
import PixelModels
import PixelOptim
import PixelTensor

/// `train-seq`: one training step of the sequence model (`user_encoder: sequence`, SASRec blocks over the
/// item tower's multimodal vectors) with the sampled softmax with log-Q correction, as `pixelrec train`
/// runs it: `sequenceLossAndGradients` with `.sampled` candidates (the batch's items plus 1024 uniform
/// negatives, each logit lowered by `log Q`, Q as ``SequenceTraining``'s) on `threads` data-parallel
/// shards, then Adam with its parameters spread over `threads` workers (the Trainer's sequence step).
/// The PyTorch peer (bench/train_seq_peer.py) reads the same batches from `--dump`'s file.
///
/// Shape: 100k items (ID embedding + Linear 768 → d vision + Linear 384 → d text, random frozen features;
/// 4-head token attention, LayerNorm, mean, fusion MLP [512, 256, 128] with batch norm → d), width d,
/// 256 windows × 50 slots, all full (every slot predicts the next item: 12,800 targets), 2 blocks, 1 head,
/// every dropout 0.2, no contrastive term. Items of a window are drawn i.i.d. by the log-normal
/// popularity of `pixelrec synth` (`p_i ∝ exp(0.9 z_i)`), which is also the popularity log Q is computed from.
///
///     PixelBench train-seq --dump PATH                               write the batches (JSON) and exit
///     PixelBench train-seq --dim 64 --threads 1 [--steps 10] [--warmup 3] [--shipped]
///
/// `--shipped`: the architecture of pixelrec's built-in defaults instead (no fusion MLP — one Linear after the
/// token attention —, no batch norm, no tower dropout, sequence dropout 0.5); the peer takes the same flag.
enum SequenceBench {
    static let commands = ["train-seq"]

    static let items = 100_000, windows = 256, length = 50, negatives = 1024, batchCount = 8
    static let visionWidth = 768, textWidth = 384

    /// The bench's deterministic data: item popularity and `batchCount` batches with their negatives.
    struct Data {
        var popularity: [Float]
        var batches: [SequenceBatch]
        var negatives: [[Int32]]

        init(seed: UInt64 = 11) {
            var rng = RandomGenerator(seed: seed)
            popularity = (0..<SequenceBench.items).map { _ in Float(exp(0.9 * Double(rng.nextNormal()))) }
            var cumulative = [Double](repeating: 0, count: popularity.count)
            var sum = 0.0
            for (i, p) in popularity.enumerated() {
                sum += Double(p)
                cumulative[i] = sum
            }
            func draw() -> Int32 {
                let u = Double(rng.nextUniform()) * sum
                var lo = 0, hi = cumulative.count - 1
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if cumulative[mid] <= u { lo = mid + 1 } else { hi = mid }
                }
                return Int32(lo)
            }
            let l = SequenceBench.length
            batches = []
            negatives = []
            for _ in 0..<SequenceBench.batchCount {
                var inputs: [Int32] = [], targets: [Int32] = []
                for _ in 0..<SequenceBench.windows {
                    let window = (0...l).map { _ in draw() }
                    inputs += window[0..<l]
                    targets += window[1...l]
                }
                batches.append(
                    SequenceBatch(
                        users: (0..<Int32(SequenceBench.windows)).map { $0 }, inputs: inputs, targets: targets,
                        length: l))
                negatives.append(
                    (0..<SequenceBench.negatives).map { _ in Int32(rng.nextInt(below: SequenceBench.items)) })
            }
        }

        /// `log Q(i)` as `SequenceTraining.candidates` computes it: `Q(i) = 1 − (1 − p_i)^T · (1 − 1/N)^S`, `p_i`
        /// the item's share of the interactions, `T` the batch's item slots (2 × targets), `S` the uniform draws.
        func logQ(slots: Int) -> [Float] {
            let total = popularity.reduce(0.0) { $0 + Double($1) }, n = Double(SequenceBench.items)
            let tokens = Double(2 * slots), uniformMiss = Double(SequenceBench.negatives) * log1p(-1 / n)
            return popularity.map { c in
                let p = Double(c) / total
                let miss = tokens * log1p(-min(p, 1 - 1e-12)) + uniformMiss
                return Float(log(max(1e-30, -expm1(miss))))
            }
        }

        /// The number of distinct candidate rows of batch `k` (the softmax's width).
        func candidateCount(_ k: Int) -> Int {
            Set(batches[k].inputs + batches[k].targets + negatives[k]).subtracting([-1]).count
        }
    }

    static func run(_ command: String, _ arguments: [String]) throws {
        TensorStorage.retainFreedMemory()
        let data = Data()
        let slots = data.batches[0].targets.filter { $0 >= 0 }.count
        precondition(data.batches.allSatisfy { $0.targets.filter { $0 >= 0 }.count == slots }, "full windows")
        let logQ = data.logQ(slots: slots)
        if let path = stringOption("--dump") {
            try dump(data, logQ: logQ, to: path)
            return
        }
        let d = option("--dim", 64), threads = option("--threads", 1)
        let steps = option("--steps", 10), warmup = option("--warmup", 3)

        var config = ModelConfig()
        config.embeddingDim = d
        config.numAttentionHeads = 4
        config.attentionDropout = 0.2
        config.dropoutRate = 0.2
        config.fusionHiddenDims = [512, 256, 128]
        config.useBatchNorm = true
        config.useContrastive = false
        config.itemIdDropout = 0
        config.userEncoder = .sequence
        config.maxSeqLen = length
        config.seqBlocks = 2
        config.seqHeads = 1
        config.seqDropout = 0.2
        if CommandLine.arguments.contains("--shipped") {
            // pixelrec's shipped architecture (the built-in defaults): one output Linear after the token
            // attention, no batch norm, no tower dropout, sequence dropout 0.5.
            config.attentionDropout = 0
            config.dropoutRate = 0
            config.fusionHiddenDims = []
            config.useBatchNorm = false
            config.seqDropout = 0.5
        }
        let hyper = try ModelHyperparameters(
            model: config, seed: 7, userCount: windows, itemCount: items, visionWidth: visionWidth,
            textWidth: textWidth, numericWidth: 0)
        let model = PretrainedMultimodalRecommender.make(hyper)
        model.startEpoch(1)
        model.setTraining(true)
        var generator = RandomGenerator(seed: 3)
        func features(_ width: Int) -> [Float] { (0..<(items * width)).map { _ in generator.nextNormal() } }
        let content = try ItemContent(
            count: items, vision: features(visionWidth), visionWidth: visionWidth, text: features(textWidth),
            textWidth: textWidth, numeric: [], numericWidth: 0)
        let optimizer = Adam(namedParameters: model.namedParameters(), learningRate: 1e-3)
        optimizer.workers = threads
        let settings = LossSettings(loss: .sampledSoftmax)
        BLAS.setThreadCount(1)

        var times: [Double] = [], pass: [Double] = [], update: [Double] = []
        var last: Float = 0
        var cpu = 0.0
        for s in 0..<(warmup + steps) {
            let k = s % data.batches.count
            let candidates = SequenceCandidates.sampled(negatives: data.negatives[k]) { logQ[Int($0)] }
            let startCPU = processCPU()
            let t0 = now()
            // As Trainer: `threads` shards (or one replica on `threads` BLAS threads); Adam on `threads` workers.
            BLAS.setThreadCount(threads)
            let (parts, gradients) = model.sequenceLossAndGradients(
                data.batches[k], content: content, settings: settings, candidates: candidates, workers: threads)
            last = parts.total.scalar
            BLAS.setThreadCount(1)
            let t2 = now()
            Autograd.withoutRecording { optimizer.step(gradients) }
            let t3 = now()
            guard s >= warmup else { continue }
            cpu += processCPU() - startCPU
            times.append(t3 - t0)
            pass.append(t2 - t0)
            update.append(t3 - t2)
        }
        let widths = data.batches.indices.map { data.candidateCount($0) }
        func ms(_ s: Double) -> String { String(format: "%.1f", 1000 * s) }
        print(
            "{\"bench\": \"train-seq\", \"dim\": \(d), \"threads\": \(threads), \"steps\": \(steps), "
                + "\"median_ms\": \(ms(median(times))), \"min_ms\": \(ms(times.min() ?? 0)), "
                + "\"pass_ms\": \(ms(median(pass))), "
                + "\"optimizer_ms\": \(ms(median(update))), \"cpu_ms_per_step\": \(ms(cpu / Double(max(steps, 1)))), "
                + "\"targets\": \(slots), \"candidates\": \(widths.reduce(0, +) / widths.count), \"loss\": \(last)}")
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let s = values.sorted(), n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }

    static func stringOption(_ name: String) -> String? {
        let args = CommandLine.arguments
        guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
        return args[i + 1]
    }

    /// The batches as JSON for the peer: sizes, per batch `inputs`/`targets` (`[windows·length]`, −1 = none)
    /// and `negatives`, and `log_q` per item.
    static func dump(_ data: Data, logQ: [Float], to path: String) throws {
        func list<T>(_ values: [T]) -> String { "[" + values.map { "\($0)" }.joined(separator: ",") + "]" }
        var json =
            "{\"items\": \(items), \"windows\": \(windows), \"length\": \(length), \"vision_width\": \(visionWidth), "
            + "\"text_width\": \(textWidth), \"batches\": ["
        json += data.batches.indices.map { k in
            "{\"inputs\": \(list(data.batches[k].inputs)), \"targets\": \(list(data.batches[k].targets)), "
                + "\"negatives\": \(list(data.negatives[k]))}"
        }.joined(separator: ", ")
        json += "], \"log_q\": \(list(logQ))}\n"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
