import PixelCluster
import PixelNN
import PixelTensor

extension PretrainedMultimodalRecommender {
    /// One sequence-model training step's loss and gradients, split over `workers` data-parallel shards.
    ///
    /// With one shard (one worker, fewer than 32 candidates, a single window, or evaluation mode) this is
    /// ``sequenceLoss(_:content:settings:candidates:)`` then `gradients()`, its softmax and products on
    /// the current BLAS threads (bit-identical to the single-replica step). With `W > 1` shards, OpenBLAS
    /// runs single-threaded (restored after) and:
    /// 1. the item tower runs on `W` contiguous ranges of the candidates `C` concurrently, each shard with
    ///    its own random stream (seeded from the model's, so deterministic for a given `W`) and its own
    ///    batch-norm statistics (running statistics: the mean of the shards' updates, ``BatchStatistics``);
    /// 2. the sequence encoder runs on `W` contiguous ranges of the windows concurrently (windows do not
    ///    interact), reading all of `C`'s vectors, each shard continuing its random stream;
    /// 3. the loss (softmax rows on `W` workers, or BCE/BPR, and InfoNCE) runs once on the gathered
    ///    vectors and states, so it is the same function of them as unsharded;
    /// 4. its gradients go back through the encoder shards, then — the candidates' gradient summed over
    ///    the loss and the encoder shards in shard order — through the item-tower shards, concurrently;
    ///    parameter gradients are summed in a fixed order (loss, encoder shards, tower shards).
    ///
    /// Without batch norm and dropout the result equals the single-replica step up to float summation
    /// order; with them, per-shard batch statistics and other dropout masks make it a (deterministic)
    /// different sample — as ``lossAndGradients(_:content:settings:workers:profile:)``.
    public func sequenceLossAndGradients(
        _ batch: SequenceBatch, content: ItemContent, settings: LossSettings, candidates: SequenceCandidates,
        workers: Int
    ) -> (parts: LossParts, gradients: Gradients) {
        do {
            return try sequenceLossAndGradients(
                batch, content: content, settings: settings, candidates: candidates, placement: .local(workers))
        } catch {
            // One process exchanges nothing, so nothing throws.
            preconditionFailure("sequenceLossAndGradients: \(error)")
        }
    }

    /// ``sequenceLossAndGradients(_:content:settings:candidates:workers:)`` with the shards placed by
    /// `placement`. On several MPI ranks, rank `r` runs tower shard `r` and encoder shard `r` (with
    /// shard `r`'s random stream, as thread `r` would) and four all-gathers carry what the threads of
    /// one process share: the towers' outputs and batch-norm statistics (every rank then has `C`'s
    /// vectors), the encoder states (every rank runs the same loss), each encoder shard's parameter
    /// gradients with its `∂L/∂v` over `C` (`[|C|, d]`), and the towers' parameter gradients. Every
    /// rank sums them in the fixed order of one process (loss, encoder shards, tower shards), so the
    /// step's bits equal `--threads W`'s.
    /// - Throws: ``ClusterError`` when a rank failed or an exchange is malformed.
    func sequenceLossAndGradients(
        _ batch: SequenceBatch, content: ItemContent, settings: LossSettings, candidates: SequenceCandidates,
        placement: ShardPlacement
    ) throws(ClusterError) -> (parts: LossParts, gradients: Gradients) {
        guard let sequence else { preconditionFailure("sequenceLossAndGradients: the model has no sequence encoder") }
        let plan = sequenceStepRows(batch, settings: settings, candidates: candidates)
        let shards = placement.usable(
            min(Self.shardCount(rows: plan.rows.count, workers: placement.totalWorkers), batch.count))
        guard shards > 1, isTraining else {
            let parts = sequenceLoss(batch, content: content, settings: settings, candidates: candidates)
            return (parts, parts.total.gradients())
        }
        let saved = BLAS.threadCount
        if saved != 1 { BLAS.setThreadCount(1) }
        defer { if saved != 1 { BLAS.setThreadCount(saved) } }
        let l = batch.length, d = hyperparameters.embeddingDim, n = plan.rows.count
        let contrastive = usesContrastive(settings)
        let streams = (0..<shards).map { _ in
            ModelRandomness(generator: RandomGenerator(seed: randomness.generator.next()))
        }
        let collectors = (0..<shards).map { _ in BatchStatistics() }
        let candidateRanges = (0..<shards).map { s in (s * n / shards)..<((s + 1) * n / shards) }
        let (towers, towerSummaries) = try placement.runKeepingGraphs(
            shards, label: "sequence tower outputs", summary: { $0.summary }, encode: { $0.encode(&$1) },
            decode: ShardSummary.decode
        ) { s in
            let outputs = ModelRandomness.$override.withValue(streams[s]) {
                BatchNorm1d.$statisticsCollector.withValue(collectors[s]) {
                    let rows = Array(plan.rows[candidateRanges[s]])
                    let t = tokens(content: content, rows: rows, ids: rows)
                    return ShardOutputs(
                        vectors: fuse(t), vision: contrastive ? t.vision : nil, text: contrastive ? t.text : nil,
                        pairLogits: nil)
                }
            }
            return (outputs: outputs, summary: ShardSummary(outputs, statistics: collectors[s]))
        }
        try Self.applyStatistics(towerSummaries, collectors: collectors, placement: placement)
        let vectorLeaves = towerSummaries.map { $0.vectors.requiringGrad() }
        let allVectors = concat(towerSummaries.map(\.vectors), axis: 0)  // [|C|, d], untracked
        // Encoder shards: windows `b0 ..< b1`, slots `b0·L ..< b1·L`; each reads C's vectors through its own leaf.
        let windowRanges = (0..<shards).map { s in (s * batch.count / shards)..<((s + 1) * batch.count / shards) }
        let realStarts = windowRanges.map { w in plan.real.partitioningIndex { Int($0) >= w.lowerBound * l } }
        let (encoders, stateSummaries) = try placement.runKeepingGraphs(
            shards, label: "sequence encoder states", summary: { $0.states.detached() }, encode: { $1.tensor($0) },
            decode: { (r: inout ByteReader) throws(ClusterError) in try r.tensor() }
        ) { s -> (input: Tensor, states: Tensor) in
            ModelRandomness.$override.withValue(streams[s]) {
                let w = windowRanges[s], slots = (w.lowerBound * l)..<(w.upperBound * l)
                let input = allVectors.requiringGrad()
                let x = input.indexSelect(axis: 0, indices: Array(plan.inputSlots[slots])).reshaped([w.count, l, d])
                let states = sequence(x, padding: batch.inputs[slots].map { $0 < 0 })
                let end = s + 1 < shards ? realStarts[s + 1] : plan.real.count
                let local = plan.real[realStarts[s]..<end].map { $0 - Int32(slots.lowerBound) }
                return (input, states.reshaped([w.count * l, d]).indexSelect(axis: 0, indices: local))
            }
        }
        // The loss on leaves standing for the shards' outputs.
        let stateLeaves = stateSummaries.map { $0.requiringGrad() }
        func leaves(_ pick: (ShardSummary) -> Tensor?) -> [Tensor]? {
            let picked = towerSummaries.compactMap(pick)
            return picked.count == shards ? picked.map { $0.requiringGrad() } : nil
        }
        let visionLeaves = leaves(\.vision), textLeaves = leaves(\.text)
        let vectors = concat(vectorLeaves, axis: 0)
        let parts = sequenceHead(
            batch, plan, vectors: vectors, states: concat(stateLeaves, axis: 0),
            vision: visionLeaves.map { concat($0, axis: 0) } ?? vectors,
            text: textLeaves.map { concat($0, axis: 0) } ?? vectors, content: content, settings: settings,
            threads: shards)
        var gradients = parts.total.gradients()
        let stateSeeds = stateLeaves.map { gradients.removeGradient(of: $0) }
        let parameters = placement.cluster.isDistributed ? namedParameters() : []
        // Each encoder shard's parameter gradients, and its ∂v over C apart.
        let encoderGradients = try placement.run(
            shards, label: "sequence encoder gradients",
            encode: { (result: (parameters: Gradients, input: Tensor?), w: inout ByteWriter) in
                GradientPayload.encode(result.parameters, parameters: parameters, into: &w)
                w.optionalTensor(result.input)
            },
            decode: { (r: inout ByteReader) throws(ClusterError) -> (parameters: Gradients, input: Tensor?) in
                let g = try GradientPayload.decode(&r, parameters: parameters)
                let input = try r.optionalTensor()
                guard input.map({ $0.shape == [n, d] }) ?? true else { throw r.fail("∂v of the wrong shape") }
                return (g, input)
            }
        ) { s -> (parameters: Gradients, input: Tensor?) in
            guard let seed = stateSeeds[s], let encoder = encoders[s] else { return (Gradients(), nil) }
            var g = encoder.states.gradients(seed: seed)
            let input = g.removeGradient(of: encoder.input)
            return (g, input)
        }
        // ∂v over C: the loss's (per tower shard) plus every encoder shard's, in shard order.
        var candidateGradient = Tensor(zeros: [n, d])
        candidateGradient.withUnsafeMutableBufferPointer { g in
            for (s, leaf) in vectorLeaves.enumerated() {
                guard let part = gradients.removeGradient(of: leaf) else { continue }
                part.withUnsafeBufferPointer { p in
                    let base = candidateRanges[s].lowerBound * d
                    for i in 0..<p.count { g[base + i] += p[i] }
                }
            }
            for s in 0..<shards {
                guard let part = encoderGradients[s].input else { continue }
                part.withUnsafeBufferPointer { p in for i in 0..<p.count { g[i] += p[i] } }
            }
        }
        var seeds: [[(output: Tensor, gradient: Tensor)]] = Array(repeating: [], count: shards)
        for s in 0..<shards {
            let range = candidateRanges[s]
            let sideGradients = [visionLeaves?[s], textLeaves?[s]].map { leaf in
                leaf.flatMap { gradients.removeGradient(of: $0) }
            }
            guard let tower = towers[s]?.outputs else { continue }
            seeds[s].append((tower.vectors, candidateGradient.slice(axis: 0, range).detached()))
            for case let (output?, g?) in zip([tower.vision, tower.text], sideGradients) {
                seeds[s].append((output, g))
            }
        }
        let towerGradients = try placement.run(
            shards, label: "sequence tower gradients",
            encode: { GradientPayload.encode($0, parameters: parameters, into: &$1) },
            decode: { (r: inout ByteReader) throws(ClusterError) in
                try GradientPayload.decode(&r, parameters: parameters)
            }
        ) { s -> Gradients in
            let parts = seeds[s]
            if parts.isEmpty { return Gradients() }
            if parts.count == 1 { return parts[0].output.gradients(seed: parts[0].gradient) }
            return concat(parts.map(\.output), axis: 1).gradients(seed: concat(parts.map(\.gradient), axis: 1))
        }
        for g in encoderGradients { gradients.formSum(with: g.parameters) }
        for g in towerGradients { gradients.formSum(with: g) }
        return (parts, gradients)
    }
}

extension Array {
    /// The first index whose element satisfies `belongs` (`count` if none), for an array partitioned so
    /// that every element satisfying it follows every one that does not.
    fileprivate func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if belongs(self[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
