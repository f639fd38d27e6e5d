import Foundation
import PixelConfig
import PixelData
import PixelTensor

/// What a sequence model trains on: each training user's items in time order, cut into windows of
/// `max_seq_len + 1` (``UserSequences/windows(length:onlyNewest:)``), shuffled per epoch and batched.
///
/// Every random choice of epoch `e` (window order, sampled negatives of step `s`) is a function of
/// `(seed, e, s)`, so a resumed run continues exactly.
struct SequenceTraining {
    let sequences: UserSequences
    let windows: [(user: Int32, start: Int, end: Int)]
    let length: Int
    let itemCount: Int
    /// `log Q(i)` per item for the sampled softmax (see ``candidates(epoch:step:batch:)``).
    let popularity: [Float]
    let totalInteractions: Int
    let loss: LossFunction
    let fullSoftmax: Bool
    let sampledNegatives: Int
    /// BCE/BPR: negatives per target (`data.negative_sampling_ratio`).
    let negativeRatio: Int
    /// BCE/BPR with `data.negative_sampling_strategy: popularity`: draws ∝ `count(item)^0.75` (as the
    /// (user, item) path's ``DatasetOptions/popularityExponent``); `nil` = uniform.
    let popularityNegatives: AliasTable?
    let seed: UInt64

    init(
        train: InteractionTable, itemCount: Int, length: Int, training t: TrainingConfig,
        sampling: Trainer.NegativeSampling = .init(ratio: 1, strategy: .uniform), seed: UInt64
    ) {
        sequences = UserSequences(userCount: train.userIds.count, tables: [train])
        windows = sequences.windows(length: length, onlyNewest: t.sequenceWindows == .last)
        self.length = length
        self.itemCount = itemCount
        var counts = [Float](repeating: 0, count: itemCount)
        for i in train.items { counts[Int(i)] += 1 }
        popularity = counts
        totalInteractions = train.count
        loss = t.loss
        fullSoftmax = t.loss == .sampledSoftmax && itemCount <= t.fullSoftmaxMaxItems
        sampledNegatives = t.sampledNegatives
        negativeRatio = max(1, sampling.ratio)
        let weights = counts.map { pow(Double($0), DatasetOptions().popularityExponent) }
        popularityNegatives =
            sampling.strategy == .popularity && weights.contains { $0 > 0 } ? AliasTable(weights: weights) : nil
        self.seed = seed
    }

    /// Window order of `epoch`.
    func order(epoch: Int) -> [Int] {
        var order = Array(0..<windows.count)
        var rng = RandomGenerator(seed: mixSeed(seed, UInt64(epoch) &* 31 &+ 7))
        for k in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(k, rng.nextInt(below: k + 1)) }
        return order
    }

    /// The windows `order[range]` as a batch.
    func batch(_ picked: ArraySlice<Int>) -> SequenceBatch {
        let l = length
        var users: [Int32] = [], inputs = [Int32](repeating: -1, count: picked.count * l)
        var targets = [Int32](repeating: -1, count: picked.count * l)
        let items = sequences.items
        for (k, w) in picked.enumerated() {
            let window = windows[w]
            users.append(window.user)
            let count = window.end - window.start - 1  // inputs (and targets) of this window
            let offset = l - count
            for t in 0..<count {
                inputs[k * l + offset + t] = items[window.start + t]
                targets[k * l + offset + t] = items[window.start + t + 1]
            }
        }
        return SequenceBatch(users: users, inputs: inputs, targets: targets, length: l)
    }

    /// The step's candidates: the whole catalog (exact softmax), or the batch's items plus
    /// `sampled_negatives` uniform draws, each with `log Q(i)`, `Q(i) = 1 − (1 − p_i)^T · (1 − 1/N)^S`
    /// the probability that item `i` is among them (`p_i` its share of training interactions, `T` the
    /// batch's item slots, `S` the uniform draws, `N` the catalog). BCE/BPR: `negativeRatio` negatives per
    /// slot with a target (slot-major), uniform or ∝ popularity (``popularityNegatives``).
    func candidates(epoch: Int, step: Int, batch: SequenceBatch) -> SequenceCandidates {
        if fullSoftmax && loss == .sampledSoftmax { return .catalog }
        let stream = mixSeed(seed, (UInt64(epoch) << 32) ^ UInt64(step) ^ 0x5E9)
        var rng = RandomGenerator(seed: stream)
        let slots = batch.targets.filter { $0 >= 0 }.count
        let count = loss == .sampledSoftmax ? sampledNegatives : slots * negativeRatio
        let negatives: [Int32]
        if loss != .sampledSoftmax, let popularityNegatives {
            var draws = SeededGenerator(seed: stream)
            negatives = (0..<count).map { _ in Int32(popularityNegatives.sample(&draws)) }
        } else {
            negatives = (0..<count).map { _ in Int32(rng.nextInt(below: itemCount)) }
        }
        let total = Double(max(1, totalInteractions)), n = Double(itemCount)
        let tokens = Double(2 * slots), draws = Double(count)
        let uniformMiss = draws * log1p(-1 / n)
        let popularity = popularity
        return .sampled(negatives: negatives) { i in
            let p = Double(popularity[Int(i)]) / total
            let miss = tokens * log1p(-min(p, 1 - 1e-12)) + uniformMiss
            return Float(log(max(1e-30, -expm1(miss))))
        }
    }

    /// Each training user's history for validation: all their training items.
    func histories(users: Int) -> [ArraySlice<Int32>] {
        (0..<users).map { sequences.sequence($0) }
    }
}
