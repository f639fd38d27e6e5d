import Foundation
import PixelConfig
import PixelNN
import PixelTensor

/// One training step of a sequence model: `B` windows of `L` slots, right-aligned (padded on the
/// left). Slot `t` of window `b` reads `inputs[b·L + t]` (an item row, −1 = empty) and is trained to
/// predict `targets[b·L + t]` (−1 = no target), the item that followed it.
public struct SequenceBatch: Sendable, Equatable {
    /// The model's user index of each window (the ID part of `hybrid`).
    public var users: [Int32]
    public var inputs: [Int32]
    public var targets: [Int32]
    public var length: Int

    public init(users: [Int32], inputs: [Int32], targets: [Int32], length: Int) {
        precondition(inputs.count == users.count * length && targets.count == inputs.count, "SequenceBatch: sizes")
        self.users = users
        self.inputs = inputs
        self.targets = targets
        self.length = length
    }

    public var count: Int { users.count }
}

/// The candidates a sequence step scores each slot against.
public enum SequenceCandidates {
    /// Every trained item: the exact softmax.
    case catalog
    /// The step's own items (inputs and targets) and these extra rows, with each candidate's logit
    /// lowered by `log Q` (its probability of being a candidate), so the sampled softmax estimates the
    /// full one (Bengio & Senécal 2008; mixed negatives as Yang et al. 2020).
    case sampled(negatives: [Int32], logQ: (Int32) -> Float)
}

/// Where a sequence step's slots and candidates sit: the candidate rows `C` and, per slot, the position
/// of its input and target in `C`.
struct SequenceStepRows {
    /// Candidate rows `C` (item rows of the content and the model's item ids).
    var rows: [Int32]
    /// `log Q` per candidate (`sampled_softmax` over sampled candidates), else `nil`.
    var logQ: [Float]?
    /// BCE/BPR: per slot with a target, the positions in `C` of its `r` negatives (slot-major: slot `k`'s at
    /// `k·r ..< (k+1)·r`; the sampled negatives in order, cycled); empty for the softmax.
    var negativeSlots: [Int32]
    /// Per slot (`B·L`), the position of its input in `C` (0 for an empty slot).
    var inputSlots: [Int32]
    /// The slots with a target, ascending.
    var real: [Int32]
    /// Per slot with a target, the position of its target in `C`.
    var targetSlots: [Int32]
}

extension PretrainedMultimodalRecommender {
    /// The candidate rows of a sequence step and the slots' positions among them.
    func sequenceStepRows(_ batch: SequenceBatch, settings: LossSettings, candidates: SequenceCandidates)
        -> SequenceStepRows
    {
        let n = hyperparameters.itemCount
        let real = batch.targets.indices.filter { batch.targets[$0] >= 0 }.map { Int32($0) }
        var rows: [Int32]
        var slot = [Int32](repeating: -1, count: n)
        var logQ: [Float]? = nil
        var negatives: [Int32] = []
        switch candidates {
        case .catalog:
            rows = (0..<Int32(n)).map { $0 }
            for i in 0..<n { slot[i] = Int32(i) }
        case let .sampled(extra, q):
            negatives = extra
            rows = []
            for i in batch.inputs + batch.targets + extra where i >= 0 && slot[Int(i)] < 0 {
                slot[Int(i)] = Int32(rows.count)
                rows.append(i)
            }
            if settings.loss == .sampledSoftmax { logQ = rows.map(q) }
        }
        // r negatives per slot with a target (r = the sampler's draws per slot, at least 1).
        let perSlot = max(1, negatives.count / max(1, real.count))
        let negativeSlots =
            settings.loss == .sampledSoftmax
            ? [] : (0..<(real.count * perSlot)).map { k in slot[Int(negatives[k % max(1, negatives.count)])] }
        return SequenceStepRows(
            rows: rows, logQ: logQ, negativeSlots: negativeSlots,
            inputSlots: batch.inputs.map { $0 >= 0 ? slot[Int($0)] : 0 }, real: real,
            targetSlots: real.map { slot[Int(batch.targets[Int($0)])] })
    }

    /// The next-item objective of a sequence model at every slot with a target (call in training mode).
    ///
    /// Item vectors `v` come from the item tower for the step's candidate set `C`; slot states
    /// `h_t` = the sequence encoder over the inputs' vectors (plus the user-ID embedding for
    /// `hybrid`). `sampled_softmax`: `−log softmax_C(⟨h_t, v_c⟩ − log Q_c)[target]` (log Q = 0 over the
    /// whole catalog); `bce`/`bpr`: the target against `r` negatives per slot (`data.negative_sampling_ratio`,
    /// the first `M·r` sampled negatives for `M` slots with a target; BCE over the `M + M·r` logits, BPR
    /// `mean softplus(s⁻ − s⁺)` over the `M·r` pairs). Plus the vision–text InfoNCE over the targets.
    /// The softmax's row blocks run on the current BLAS thread count (see
    /// ``sequenceLossAndGradients(_:content:settings:candidates:workers:)`` for a data-parallel step).
    public func sequenceLoss(
        _ batch: SequenceBatch, content: ItemContent, settings: LossSettings, candidates: SequenceCandidates
    ) -> LossParts {
        guard let sequence else { preconditionFailure("sequenceLoss: the model has no sequence encoder") }
        let l = batch.length, d = hyperparameters.embeddingDim
        let plan = sequenceStepRows(batch, settings: settings, candidates: candidates)
        let t = tokens(content: content, rows: plan.rows, ids: plan.rows)
        let vectors = fuse(t)  // [|C|, d]
        let x = vectors.indexSelect(axis: 0, indices: plan.inputSlots).reshaped([batch.count, l, d])
        let states = sequence(x, padding: batch.inputs.map { $0 < 0 })
        let h = states.reshaped([batch.count * l, d]).indexSelect(axis: 0, indices: plan.real)  // [M, d]
        return sequenceHead(
            batch, plan, vectors: vectors, states: h, vision: t.vision, text: t.text, content: content,
            settings: settings, threads: BLAS.threadCount)
    }

    /// The loss of a sequence step from the candidates' vectors `[|C|, d]`, the states of the slots with a
    /// target `[M, d]` (the ID embedding is added here for `hybrid`) and the candidates' vision and text
    /// tokens (InfoNCE); `threads` row-block workers of the softmax.
    func sequenceHead(
        _ batch: SequenceBatch, _ plan: SequenceStepRows, vectors: Tensor, states: Tensor, vision: Tensor,
        text: Tensor, content: ItemContent, settings: LossSettings, threads: Int
    ) -> LossParts {
        let l = batch.length
        var h = states
        if hyperparameters.userEncoder == .hybrid {
            h = h + userVectors(plan.real.map { batch.users[Int($0) / l] })
        }
        let targetSlots = plan.targetSlots
        let recommendation: Tensor
        switch settings.loss {
        case .sampledSoftmax:
            // Logits h·vᵀ − log Q [M, |C|] block by block, never stored.
            recommendation = dotProductSoftmaxCrossEntropy(
                queries: h, candidates: vectors, targets: targetSlots, logQ: plan.logQ, threads: threads)
        case .bce, .bpr:
            let m = plan.real.count
            let r = max(1, plan.negativeSlots.count / max(1, m))
            // Each negative's slot: slot-major, r per slot.
            let repeated = (0..<Int32(m * r)).map { $0 / Int32(r) }
            let positive = (h * vectors.indexSelect(axis: 0, indices: targetSlots)).sum(axis: -1)
            let negativeStates = r == 1 ? h : h.indexSelect(axis: 0, indices: repeated)
            let negative = (negativeStates * vectors.indexSelect(axis: 0, indices: plan.negativeSlots)).sum(axis: -1)
            if settings.loss == .bpr {
                recommendation = Loss.bpr(
                    positiveScores: r == 1 ? positive : positive.indexSelect(axis: 0, indices: repeated),
                    negativeScores: negative)
            } else {
                recommendation = Loss.binaryCrossEntropyWithLogits(
                    concat([positive, negative], axis: 0), targets: Tensor((0..<(m + m * r)).map { $0 < m ? 1 : 0 }))
            }
        }
        var total = recommendation * settings.recommendationWeight
        var contrastiveValue: Float = 0
        if usesContrastive(settings) {
            let targetRows = plan.real.map { batch.targets[Int($0)] }
            let picked = contrastiveRows(targetRows[...], content: content).map { targetSlots[Int($0)] }
            if picked.count >= 2 {
                let c = Loss.infoNCE(
                    vision.indexSelect(axis: 0, indices: picked), text.indexSelect(axis: 0, indices: picked),
                    temperature: hyperparameters.contrastiveTemperature)
                contrastiveValue = c.scalar
                total = total + c * settings.contrastiveWeight
            }
        }
        var alignmentValue: Float = 0
        let targetItems = plan.real.map { batch.targets[Int($0)] }
        if let a = alignmentTerm(rows: targetItems[...], content: content, settings: settings) {
            alignmentValue = a.scalar
            total = total + a * settings.alignmentWeight
        }
        return LossParts(
            total: total, recommendation: recommendation.scalar, contrastive: contrastiveValue, pairwise: 0,
            alignment: alignmentValue)
    }

    /// User vectors of histories (evaluation mode, no autograd), row-major `[histories.count, d]`.
    ///
    /// - Parameters:
    ///   - itemVectors: row-major `[items, d]` item vectors (``allItemVectors(content:ids:chunk:workers:)``).
    ///   - histories: per user, rows of `itemVectors` oldest first (only the newest `max_seq_len` are read).
    ///   - users: per user, the model's user index for `hybrid` (−1 = no ID: the sequence part alone);
    ///     ignored by `sequence`.
    ///   - id: `user_encoder: id`: the ID embedding, else the mean of the history's item vectors.
    public func userVectors(itemVectors: [Float], histories: [ArraySlice<Int32>], users: [Int32], chunk: Int = 256)
        -> [Float]
    {
        precondition(users.count == histories.count, "userVectors: one user index per history")
        let d = hyperparameters.embeddingDim
        var out = [Float](repeating: 0, count: histories.count * d)
        guard let sequence else {
            let table = userTable
            for (k, history) in histories.enumerated() {
                if users[k] >= 0 {
                    for j in 0..<d { out[k * d + j] = table[Int(users[k]) * d + j] }
                } else if !history.isEmpty {
                    let scale = 1 / Float(history.count)
                    for i in history { for j in 0..<d { out[k * d + j] += itemVectors[Int(i) * d + j] * scale } }
                }
            }
            return out
        }
        let wasTraining = isTraining
        setTraining(false)
        defer { setTraining(wasTraining) }
        let l = sequence.length
        let table = hyperparameters.userEncoder == .hybrid ? userTable : []
        var start = 0
        while start < histories.count {
            let end = min(histories.count, start + chunk), b = end - start
            var tokens = [Float](repeating: 0, count: b * l * d)
            var padding = [Bool](repeating: true, count: b * l)
            for k in 0..<b {
                let history = histories[start + k].suffix(l)
                let offset = l - history.count
                for (t, i) in history.enumerated() {
                    padding[k * l + offset + t] = false
                    let src = Int(i) * d, dst = (k * l + offset + t) * d
                    for j in 0..<d { tokens[dst + j] = itemVectors[src + j] }
                }
            }
            let states = Autograd.withoutRecording {
                ModelRandomness.$override.withValue(ModelRandomness(seed: 0)) {
                    sequence(Tensor(shape: [b, l, d], scalars: tokens), padding: padding)
                }
            }.scalars
            for k in 0..<b {
                let empty = histories[start + k].isEmpty
                let src = (k * l + l - 1) * d, dst = (start + k) * d
                if !empty { for j in 0..<d { out[dst + j] = states[src + j] } }
                if !table.isEmpty, users[start + k] >= 0 {
                    let u = Int(users[start + k]) * d
                    for j in 0..<d { out[dst + j] += table[u + j] }
                }
            }
            start = end
        }
        return out
    }
}
