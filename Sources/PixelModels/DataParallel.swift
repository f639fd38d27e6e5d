import Dispatch
import Foundation
import PixelCluster
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
        do {
            return try lossAndGradients(
                examples, content: content, settings: settings, placement: .local(workers), profile: profile)
        } catch {
            // One process exchanges nothing, so nothing throws.
            preconditionFailure("lossAndGradients: \(error)")
        }
    }

    /// ``lossAndGradients(_:content:settings:workers:profile:)`` with the shards placed by `placement`:
    /// on several MPI ranks, rank `r` runs the forward and backward passes of its shards only; the
    /// shards' outputs and batch-norm statistics are all-gathered (every rank then runs the same
    /// batch-level loss on the same values), and so are the shards' parameter gradients (dense, or
    /// the sparse embedding rows as row ids plus values), which every rank sums in shard order:
    /// `g = g_head + g_0 + g_1 + … + g_{W−1}`, the order of the threads of one process, so the step's
    /// bits equal `--threads W`'s.
    /// - Throws: ``ClusterError`` when a rank failed or an exchange is malformed.
    func lossAndGradients(
        _ examples: TrainingExamples, content: ItemContent, settings: LossSettings, placement: ShardPlacement,
        profile: StepProfile? = nil
    ) throws(ClusterError) -> (parts: LossParts, gradients: Gradients) {
        let b = examples.count, r = examples.ratio
        let rows = examples.positives + examples.negatives
        let shards = placement.usable(Self.shardCount(rows: rows.count, workers: placement.totalWorkers))
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
        let (outputs, summaries) = try placement.runKeepingGraphs(
            shards, label: "shard outputs", summary: { $0.summary }, encode: { $0.encode(&$1) },
            decode: ShardSummary.decode
        ) { s in
            let started = StepProfile.threadSeconds()
            defer { shardSeconds[s] = StepProfile.threadSeconds() - started }
            let outputs = ModelRandomness.$override.withValue(streams[s]) {
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
            return (outputs: outputs, summary: ShardSummary(outputs, statistics: collectors[s]))
        }
        _ = lap()
        try Self.applyStatistics(summaries, collectors: collectors, placement: placement)
        // The batch-level part on leaves standing for the shards' outputs.
        func leaves(_ pick: (ShardSummary) -> Tensor?) -> [Tensor]? {
            let picked = summaries.compactMap(pick)
            return picked.count == shards ? picked.map { $0.requiringGrad() } : nil
        }
        let vectorLeaves = summaries.map { $0.vectors.requiringGrad() }
        let visionLeaves = leaves(\.vision), textLeaves = leaves(\.text), pairLeaves = leaves(\.pairLogits)
        let parts = lossHead(
            examples, rows: rows, vectors: concat(vectorLeaves, axis: 0),
            vision: visionLeaves.map { concat($0, axis: 0) },
            text: textLeaves.map { concat($0, axis: 0) }, content: content, settings: settings,
            pairwise: { _ in pairLeaves.map { concat($0, axis: 0) } })
        var gradients = parts.total.gradients()
        // Per shard, the outputs that received a gradient, with it (logits as a column); this rank's only.
        var seeds: [[(output: Tensor, gradient: Tensor)]] = Array(repeating: [], count: shards)
        for s in 0..<shards {
            let leavesOfShard: [Tensor?] = [vectorLeaves[s], visionLeaves?[s], textLeaves?[s], pairLeaves?[s]]
            let gradientsOfShard = leavesOfShard.map { leaf in leaf.flatMap { gradients.removeGradient(of: $0) } }
            guard let own = outputs[s]?.outputs else { continue }
            let ownOutputs: [Tensor?] = [
                own.vectors, own.vision, own.text, own.pairLogits.map { $0.reshaped([-1, 1]) },
            ]
            for case let (output?, g?) in zip(ownOutputs, gradientsOfShard) {
                seeds[s].append((output, g.reshaped(output.shape)))
            }
        }
        let headSeconds = lap()
        let parameters = placement.cluster.isDistributed ? namedParameters() : []
        let shardGradients = try placement.run(
            shards, label: "shard gradients",
            encode: { GradientPayload.encode($0, parameters: parameters, into: &$1) },
            decode: { (r: inout ByteReader) throws(ClusterError) in
                try GradientPayload.decode(&r, parameters: parameters)
            }
        ) { s -> Gradients in
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

    /// Sets the batch-norm running statistics to the mean of every shard's update, in shard order: the
    /// collectors themselves on one process; on several ranks, this rank's layers with every shard's
    /// exchanged values (its own included, so all ranks average the same bits).
    static func applyStatistics(
        _ summaries: [ShardSummary], collectors: [BatchStatistics], placement: ShardPlacement
    ) throws(ClusterError) {
        guard placement.cluster.isDistributed else { return BatchStatistics.applyAveraged(collectors) }
        let template = collectors[placement.shards(of: placement.cluster.rank, count: collectors.count).lowerBound]
        var all: [BatchStatistics] = []
        for (s, summary) in summaries.enumerated() {
            guard let shard = template.replacingValues(summary.statistics) else {
                let owner = (0..<placement.cluster.size).first {
                    placement.shards(of: $0, count: summaries.count).contains(s)
                }
                throw .malformedPayload(rank: owner ?? 0, reason: "batch-norm statistics that do not fit the model")
            }
            all.append(shard)
        }
        BatchStatistics.applyAveraged(all)
    }
}
