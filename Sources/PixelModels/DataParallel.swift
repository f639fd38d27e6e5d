import Dispatch
import Foundation
import PixelNN
import PixelTensor

/// Runs `count` independent jobs on up to `count` threads and returns their results in job order.
enum ShardWorkers {
    /// `body(k)` for `k` in `0 ..< count`, concurrently (the calling thread takes part).
    static func run<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        if count == 1 { return [body(0)] }
        let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer {
            _ = results.deinitialize()
            results.deallocate()
        }
        withoutActuallyEscaping(body) { body in
            // Each job writes its own slot; Dispatch wants Sendable closures.
            let job = UncheckedJob(body: body, results: results)
            DispatchQueue.concurrentPerform(iterations: count) { k in job.run(k) }
        }
        return results.map { result in
            guard let result else { preconditionFailure("ShardWorkers: a job did not run") }
            return result
        }
    }

    struct UncheckedJob<T>: @unchecked Sendable {
        let body: (Int) -> T
        let results: UnsafeMutableBufferPointer<T?>
        func run(_ k: Int) { results[k] = body(k) }
    }
}

/// Where a sharded step spends its time: CPU seconds of this thread (`CLOCK_THREAD_CPUTIME_ID`), so
/// the split is meaningful on a busy machine. Parallel phases sum every shard's time.
public final class StepProfile: @unchecked Sendable {
    /// Shards' item towers and pairwise heads (parallel).
    public var forward = 0.0
    /// Batch-level loss and its backward pass (serial).
    public var head = 0.0
    /// Shards' backward passes (parallel).
    public var backward = 0.0
    /// Summing shard gradients and batch statistics (serial).
    public var merge = 0.0
    /// Steps recorded.
    public var steps = 0

    public init() {}

    /// CPU seconds of the calling thread.
    public static func threadSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}

/// What one data-parallel shard's item tower produced for its rows (tracked by autograd).
struct ShardOutputs {
    var vectors: Tensor
    var vision: Tensor?
    var text: Tensor?
    var pairLogits: Tensor?
}

extension PretrainedMultimodalRecommender {
    /// Shards hold at least this many rows (batch normalization needs two; tiny shards only add overhead).
    static let minimumShardRows = 16

    /// The number of shards a step of `rows` rows is split into with `workers` workers.
    static func shardCount(rows: Int, workers: Int) -> Int {
        max(1, min(workers, rows / minimumShardRows))
    }

    /// One training step's loss and gradients, the batch split over `workers` data-parallel shards.
    ///
    /// With one shard this is ``loss(_:content:settings:)`` then `gradients()` (bit-identical to the
    /// single-replica step). With `W > 1` shards the rows (positives, then negatives) are cut into `W`
    /// contiguous ranges; each shard runs the per-row part — item tower (tokens, attention, fusion MLP)
    /// and the pairwise head — concurrently with the same parameters, its own random stream (seeded
    /// from the model's stream, so deterministic for a given `W`) and its own batch-norm statistics.
    /// The batch-level part — dot scores, loss, in-batch negatives of sampled softmax, InfoNCE — runs
    /// once on the gathered shard outputs (so every loss is the same function of the item vectors as
    /// unsharded), its gradient with respect to each shard's outputs is sent back through that shard's
    /// graph concurrently, and the parameter gradients are summed in shard order. Running statistics
    /// are the mean of the shards' updates (see ``BatchStatistics``).
    ///
    /// Without batch norm and dropout the result equals the single-replica step up to float summation
    /// order; with them, per-shard batch statistics and other dropout masks make it a (deterministic)
    /// different sample.
    public func lossAndGradients(
        _ examples: TrainingExamples, content: ItemContent, settings: LossSettings, workers: Int,
        profile: StepProfile? = nil
    ) -> (parts: LossParts, gradients: Gradients) {
        let b = examples.count, r = examples.ratio
        let rows = examples.positives + examples.negatives
        let shards = Self.shardCount(rows: rows.count, workers: workers)
        guard shards > 1, isTraining else {
            let parts = loss(examples, content: content, settings: settings)
            return (parts, parts.total.gradients())
        }
        let ids = trainedIds(rows)
        let contrastive = usesContrastive(settings)
        let pairwise = hyperparameters.isPairwise
        // Per row, the user of its positive (the pairwise head scores every row with its user).
        let rowUsers =
            pairwise ? (0..<rows.count).map { $0 < b ? examples.users[$0] : examples.users[($0 - b) / r] } : []
        let ranges = (0..<shards).map { s in (s * rows.count / shards)..<((s + 1) * rows.count / shards) }
        let streams = (0..<shards).map { _ in
            ModelRandomness(generator: RandomGenerator(seed: randomness.generator.next()))
        }
        let collectors = (0..<shards).map { _ in BatchStatistics() }
        var clock = StepProfile.threadSeconds()
        func lap() -> Double {
            let now = StepProfile.threadSeconds()
            defer { clock = now }
            return now - clock
        }
        let shardSeconds = UnsafeMutableBufferPointer<Double>.allocate(capacity: 2 * shards)
        shardSeconds.initialize(repeating: 0)
        defer { shardSeconds.deallocate() }
        let outputs = ShardWorkers.run(shards) { s in
            let started = StepProfile.threadSeconds()
            defer { shardSeconds[s] = StepProfile.threadSeconds() - started }
            return ModelRandomness.$override.withValue(streams[s]) {
                BatchNorm1d.$statisticsCollector.withValue(collectors[s]) {
                    let range = ranges[s]
                    let shardRows = Array(rows[range])
                    let t = tokens(content: content, rows: shardRows, ids: Array(ids[range]))
                    let vectors = fuse(t)
                    let logits = pairwise ? pairwiseLogits(users: userVectors(Array(rowUsers[range])), t) : nil
                    return ShardOutputs(
                        vectors: vectors, vision: contrastive ? t.vision : nil, text: contrastive ? t.text : nil,
                        pairLogits: logits)
                }
            }
        }
        _ = lap()
        BatchStatistics.applyAveraged(collectors)
        // The batch-level part on leaves standing for the shards' outputs.
        func leaves(_ pick: (ShardOutputs) -> Tensor?) -> [Tensor]? {
            let picked = outputs.compactMap(pick)
            return picked.count == shards ? picked.map { $0.detached().requiringGrad() } : nil
        }
        let vectorLeaves = outputs.map { $0.vectors.detached().requiringGrad() }
        let visionLeaves = leaves(\.vision), textLeaves = leaves(\.text), pairLeaves = leaves(\.pairLogits)
        let parts = lossHead(
            examples, rows: rows, vectors: concat(vectorLeaves, axis: 0),
            vision: visionLeaves.map { concat($0, axis: 0) },
            text: textLeaves.map { concat($0, axis: 0) }, content: content, settings: settings,
            pairwise: { _ in pairLeaves.map { concat($0, axis: 0) } })
        var gradients = parts.total.gradients()
        // Per shard, the outputs that received a gradient, with it (logits as a column).
        var seeds: [[(output: Tensor, gradient: Tensor)]] = Array(repeating: [], count: shards)
        for s in 0..<shards {
            let pairs: [(Tensor?, Tensor?)] = [
                (outputs[s].vectors, vectorLeaves[s]), (outputs[s].vision, visionLeaves?[s]),
                (outputs[s].text, textLeaves?[s]),
                (outputs[s].pairLogits.map { $0.reshaped([-1, 1]) }, pairLeaves?[s]),
            ]
            for case let (output?, leaf?) in pairs {
                guard let g = gradients.removeGradient(of: leaf) else { continue }
                seeds[s].append((output, g.reshaped(output.shape)))
            }
        }
        let headSeconds = lap()
        let shardGradients = ShardWorkers.run(shards) { s -> Gradients in
            let started = StepProfile.threadSeconds()
            defer { shardSeconds[shards + s] = StepProfile.threadSeconds() - started }
            let parts = seeds[s]
            guard !parts.isEmpty else { return Gradients() }
            if parts.count == 1 { return parts[0].output.gradients(seed: parts[0].gradient) }
            let root = concat(parts.map(\.output), axis: 1)
            let seed = concat(parts.map(\.gradient), axis: 1)
            return root.gradients(seed: seed)
        }
        _ = lap()
        for g in shardGradients { gradients.formSum(with: g) }
        if let profile {
            profile.forward += shardSeconds[0..<shards].reduce(0, +)
            profile.backward += shardSeconds[shards..<(2 * shards)].reduce(0, +)
            profile.head += headSeconds
            profile.merge += lap()
            profile.steps += 1
        }
        return (parts, gradients)
    }
}
