import Foundation
import PixelConfig
import PixelData
import PixelEval
import PixelTensor
import Testing

@testable import PixelModels

/// `smallConfig` with a sequence user encoder (`max_seq_len` 4, 2 blocks, 2 heads) and, for the exact
/// comparisons, every dropout off.
func sequenceConfig(_ encoder: UserEncoder = .sequence, dropout: Bool = false, epochs: Int = 3) -> PixelRecConfig {
    var config = smallConfig(epochs: epochs)
    config.model.userEncoder = encoder
    config.model.maxSeqLen = 4
    config.model.seqBlocks = 2
    config.model.seqHeads = 2
    if !dropout {
        config.model.dropoutRate = 0
        config.model.attentionDropout = 0
        config.model.itemIdDropout = 0
        config.model.seqDropout = 0
    }
    return config
}

/// Mean over the slots with a target of `logsumexp_c(⟨h, v_c⟩ − logQ_c) − (⟨h, v_target⟩ − logQ_target)`,
/// in Double. `states` `[B·L, d]` row-major, `vectors` `[|C|, d]`, `targets` candidate positions (−1 = none).
func handCrossEntropy(states: [Float], vectors: [Float], logQ: [Double]?, targets: [Int], d: Int) -> Double {
    let candidates = vectors.count / d
    var total = 0.0, count = 0
    for (slot, target) in targets.enumerated() where target >= 0 {
        var logits = [Double](repeating: 0, count: candidates)
        for c in 0..<candidates {
            var s = 0.0
            for j in 0..<d { s += Double(states[slot * d + j]) * Double(vectors[c * d + j]) }
            logits[c] = s - (logQ?[c] ?? 0)
        }
        let m = logits.max()!
        let lse = m + log(logits.map { exp($0 - m) }.reduce(0, +))
        total += lse - logits[target]
        count += 1
    }
    return total / Double(count)
}

@Suite("Sequence user encoder: loss, user vectors, windows")
struct SequenceModelTests {
    /// Three windows of `L = 4` slots: full, left-padded by two, one input; −1 = empty / no target.
    /// (Items below 22: `memoryInputs`' training catalog has at least that many.)
    static func batch() -> SequenceBatch {
        SequenceBatch(
            users: [3, 0, 7],
            inputs: [5, 9, 2, 11, -1, -1, 4, 4, -1, -1, -1, 20],
            targets: [9, 2, 11, 6, -1, -1, 4, 17, -1, -1, -1, 1],
            length: 4)
    }

    /// The states of `batch` by a direct encoder call on the item vectors of `rows`, plus the ID row
    /// (`hybrid`), at the slots with a target: `[M·d]`, and the targets' positions in `rows`.
    static func handStates(
        model: PretrainedMultimodalRecommender, batch: SequenceBatch, vectors: Tensor, rows: [Int32]
    ) throws -> (states: [Float], targets: [Int]) {
        let d = model.hyperparameters.embeddingDim, l = batch.length
        let position = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
        let v = vectors.scalars
        var tokens = [Float](repeating: 0, count: batch.inputs.count * d)
        for (slot, item) in batch.inputs.enumerated() where item >= 0 {
            let p = try #require(position[item])
            for j in 0..<d { tokens[slot * d + j] = v[p * d + j] }
        }
        let encoder = try #require(model.sequence)
        let states = encoder(
            Tensor(shape: [batch.count, l, d], scalars: tokens), padding: batch.inputs.map { $0 < 0 }
        ).scalars
        let table = model.userTable
        var picked: [Float] = [], targets: [Int] = []
        for (slot, target) in batch.targets.enumerated() where target >= 0 {
            var h = Array(states[(slot * d)..<(slot * d + d)])
            if model.hyperparameters.userEncoder == .hybrid {
                let u = Int(batch.users[slot / l])
                for j in 0..<d { h[j] += table[u * d + j] }
            }
            picked += h
            targets.append(try #require(position[target]))
        }
        return (picked, targets)
    }

    @Test(
        ".catalog: the exact softmax over every item equals a hand computation",
        arguments: [UserEncoder.sequence, .hybrid])
    func catalogLoss(_ encoder: UserEncoder) throws {
        let (_, content, h, model) = try memoryModel(config: sequenceConfig(encoder), seed: 5)
        model.setTraining(true)
        try #require(h.itemCount >= 22)
        let batch = Self.batch()
        let settings = LossSettings(loss: .sampledSoftmax)
        let parts = model.sequenceLoss(batch, content: content, settings: settings, candidates: .catalog)
        let all = (0..<Int32(h.itemCount)).map { $0 }
        let vectors = model.itemVectors(content: content, rows: all, ids: all)
        let (states, targets) = try Self.handStates(model: model, batch: batch, vectors: vectors, rows: all)
        let expected = handCrossEntropy(
            states: states, vectors: vectors.scalars, logQ: nil, targets: targets, d: h.embeddingDim)
        // Float32 logits over 30 items and a mean of 7 terms vs Double: 1e-5 relative.
        #expect(
            abs(Double(parts.recommendation) - expected) <= 1e-5 * expected, "\(parts.recommendation) vs \(expected)")
        #expect(parts.total.scalar == parts.recommendation && parts.contrastive == 0)
    }

    @Test(".sampled: the batch's items + negatives with log-Q; all items with log Q = 0 is the exact softmax")
    func sampledLoss() throws {
        let (_, content, h, model) = try memoryModel(config: sequenceConfig(), seed: 5)
        model.setTraining(true)
        try #require(h.itemCount >= 22)
        let batch = Self.batch()
        let settings = LossSettings(loss: .sampledSoftmax)
        let negatives: [Int32] = [0, 9, 19, 0, 13]
        let logQ: (Int32) -> Float = { -1 - Float($0 % 5) * 0.3 }
        let parts = model.sequenceLoss(
            batch, content: content, settings: settings, candidates: .sampled(negatives: negatives, logQ: logQ))
        // C: distinct items of inputs, targets, negatives, in first-seen order.
        var rows: [Int32] = []
        for i in batch.inputs + batch.targets + negatives where i >= 0 && !rows.contains(i) { rows.append(i) }
        let vectors = model.itemVectors(content: content, rows: rows, ids: rows)
        let (states, targets) = try Self.handStates(model: model, batch: batch, vectors: vectors, rows: rows)
        let expected = handCrossEntropy(
            states: states, vectors: vectors.scalars, logQ: rows.map { Double(logQ($0)) }, targets: targets,
            d: h.embeddingDim)
        #expect(
            abs(Double(parts.recommendation) - expected) <= 1e-5 * expected, "\(parts.recommendation) vs \(expected)")
        // Every item a candidate, log Q ≡ 0: the exact softmax (BatchNorm sees the same rows in another
        // order, so the float32 sums differ in the last bits).
        let everything = (0..<Int32(h.itemCount)).reversed().map { $0 }
        let sampledAll = model.sequenceLoss(
            batch, content: content, settings: settings, candidates: .sampled(negatives: everything, logQ: { _ in 0 }))
        let exact = model.sequenceLoss(batch, content: content, settings: settings, candidates: .catalog)
        #expect(abs(sampledAll.recommendation - exact.recommendation) <= 1e-5 * exact.recommendation)
    }

    @Test("bce and bpr: the target against negative k of slot k, by hand")
    func pairwiseLosses() throws {
        try Self.checkPairwise(negatives: [3, 8, 8, 21, 0, 14, 12], ratio: 1)  // one per slot with a target
    }

    @Test("bce and bpr with negative_sampling_ratio 3: slot k against negatives 3k, 3k+1, 3k+2, by hand")
    func pairwiseLossesWithRatio() throws {
        let slots = Self.batch().targets.filter { $0 >= 0 }.count
        try Self.checkPairwise(negatives: (0..<(slots * 3)).map { Int32(($0 * 7 + 3) % 22) }, ratio: 3)
    }

    /// BCE and BPR of a sequence step against `ratio` negatives per slot with a target (slot-major) equal the
    /// hand computation in Double (1e-5 rel): BCE `mean(softplus(−s⁺) ∪ softplus(s⁻))`, BPR `mean softplus(s⁻ − s⁺)`.
    static func checkPairwise(negatives: [Int32], ratio r: Int) throws {
        let (_, content, h, model) = try memoryModel(config: sequenceConfig(), seed: 5)
        model.setTraining(true)
        try #require(h.itemCount >= 22)
        let batch = Self.batch()
        for loss in [LossFunction.bce, .bpr] {
            let parts = model.sequenceLoss(
                batch, content: content, settings: LossSettings(loss: loss),
                candidates: .sampled(negatives: negatives, logQ: { _ in 0 }))
            var rows: [Int32] = []
            for i in batch.inputs + batch.targets + negatives where i >= 0 && !rows.contains(i) { rows.append(i) }
            let vectors = model.itemVectors(content: content, rows: rows, ids: rows)
            let (states, targets) = try Self.handStates(model: model, batch: batch, vectors: vectors, rows: rows)
            let d = h.embeddingDim, v = vectors.scalars
            func score(_ k: Int, _ c: Int) -> Double {
                (0..<d).reduce(0.0) { $0 + Double(states[k * d + $1]) * Double(v[c * d + $1]) }
            }
            func softplus(_ x: Double) -> Double { max(x, 0) + log1p(exp(-abs(x))) }
            var expected = 0.0
            for k in targets.indices {
                let p = score(k, targets[k])
                if loss == .bce { expected += softplus(-p) }
                for j in 0..<r {
                    let n = score(k, rows.firstIndex(of: negatives[k * r + j])!)
                    expected += loss == .bpr ? softplus(n - p) : softplus(n)
                }
            }
            expected /= Double(loss == .bpr ? r * targets.count : (1 + r) * targets.count)
            #expect(
                abs(Double(parts.recommendation) - expected) <= 1e-5 * expected,
                "\(loss) r \(r): \(parts.recommendation) vs \(expected)")
        }
    }

    @Test(
        "userVectors: the last slot of a direct encoder call, histories shorter and longer than max_seq_len",
        arguments: [UserEncoder.sequence, .hybrid])
    func userVectorsMatchEncoder(_ encoder: UserEncoder) throws {
        let (_, content, h, model) = try memoryModel(config: sequenceConfig(encoder, dropout: true), seed: 5)
        model.setTraining(true)  // userVectors must switch to evaluation itself (and back)
        let d = h.embeddingDim, l = 4
        let ids = (0..<Int32(h.itemCount)).map { $0 }
        let items = model.allItemVectors(content: content, ids: ids)
        let histories: [[Int32]] = [[7], [3, 12], [1, 2, 3, 4], [9, 8, 7, 6, 5, 4, 3], [], [25, 25, 0]]
        let users: [Int32] = [0, 5, -1, 2, 4, 1]
        let ours = model.userVectors(itemVectors: items, histories: histories.map { $0[...] }, users: users, chunk: 4)
        #expect(model.isTraining)
        model.setTraining(false)
        // Direct: right-aligned newest L items, padded slots filled with garbage (they must not matter).
        var tokens = [Float](repeating: 1e3, count: histories.count * l * d)
        var padding = [Bool](repeating: true, count: histories.count * l)
        for (k, history) in histories.enumerated() {
            let tail = history.suffix(l)
            for (t, i) in tail.enumerated() {
                let slot = k * l + l - tail.count + t
                padding[slot] = false
                for j in 0..<d { tokens[slot * d + j] = items[Int(i) * d + j] }
            }
        }
        // The same chunks as userVectors (4 + 2 histories), so the products have the same shapes: bit-equal.
        let sequence = try #require(model.sequence)
        var states: [Float] = []
        for range in [0..<4, 4..<histories.count] {
            let chunk = Tensor(
                shape: [range.count, l, d],
                scalars: Array(tokens[(range.lowerBound * l * d)..<(range.upperBound * l * d)]))
            let mask = Array(padding[(range.lowerBound * l)..<(range.upperBound * l)])
            states += Autograd.withoutRecording { sequence(chunk, padding: mask) }.scalars
        }
        let table = model.userTable
        var expected = [Float](repeating: 0, count: histories.count * d)
        for (k, history) in histories.enumerated() {
            if !history.isEmpty {
                for j in 0..<d { expected[k * d + j] = states[(k * l + l - 1) * d + j] }
            }
            if encoder == .hybrid, users[k] >= 0 {
                for j in 0..<d { expected[k * d + j] += table[Int(users[k]) * d + j] }
            }
        }
        #expect(ours == expected)
        // One chunk of 6 rounds differently in the last bits (other product shapes), nothing more.
        let oneChunk = model.userVectors(itemVectors: items, histories: histories.map { $0[...] }, users: users)
        let scale = expected.map(abs).max() ?? 0
        #expect(zip(oneChunk, expected).allSatisfy { abs($0 - $1) <= 1e-5 * scale })
        // Only the newest max_seq_len items count.
        let long = model.userVectors(itemVectors: items, histories: [histories[3][...]], users: [-1])
        let tail = model.userVectors(itemVectors: items, histories: [histories[3].suffix(l)], users: [-1])
        #expect(long == tail)
    }

    @Test("training batches: windows right-aligned, slot t's target is the item after it")
    func trainingBatches() throws {
        var train = InteractionTable()
        // User 0: items 0…6 (ts 0…6), user 1: 10, 11 (ts reversed in file order), user 2: one item.
        train.users = [0, 0, 0, 0, 0, 0, 0, 1, 1, 2]
        train.items = [0, 1, 2, 3, 4, 5, 6, 11, 10, 7]
        train.timestamps = [0, 1, 2, 3, 4, 5, 6, 9, 8, 0]
        train.userIds = try IdMap(keys: ["a", "b", "c"])
        train.itemIds = try IdMap(keys: (0..<12).map { "i\($0)" })
        let plan = SequenceTraining(train: train, itemCount: 12, length: 4, training: TrainingConfig(), seed: 1)
        #expect(plan.windows.map(\.user) == [0, 0, 1])
        let batch = plan.batch([0, 1, 2])
        #expect(batch.users == [0, 0, 1])
        #expect(batch.inputs == [2, 3, 4, 5, -1, -1, 0, 1, -1, -1, -1, 10])
        #expect(batch.targets == [3, 4, 5, 6, -1, -1, 1, 2, -1, -1, -1, 11])
        #expect(plan.order(epoch: 3) == plan.order(epoch: 3) && plan.order(epoch: 3).sorted() == [0, 1, 2])
    }

    @Test("sequence val_loss: the exact next-item cross-entropy over the catalog, by hand in Double")
    func sequenceValidationLoss() throws {
        let (inputs, content, h, model) = try memoryModel(config: sequenceConfig(), seed: 5)
        let validation = try #require(inputs.validation)
        let data = try EvaluationData(train: inputs.train, validation: nil, test: validation)
        let users = inputs.train.userIds.count
        let sequences = UserSequences(userCount: users, tables: [inputs.train])
        let histories = (0..<users).map { sequences.sequence($0) }
        let ids = (0..<Int32(h.itemCount)).map { $0 }
        let loss = Trainer.sequenceValidationLoss(
            model: model, content: content, itemIds: ids, data: data,
            users: ((0..<Int32(users)).map { $0 }, histories), workers: 1)
        model.setTraining(false)
        let items = model.allItemVectors(content: content, ids: ids, workers: 1)
        let vectors = model.userVectors(itemVectors: items, histories: histories, users: (0..<Int32(users)).map { $0 })
        let d = h.embeddingDim, n = h.itemCount
        var total = 0.0, count = 0
        for u in 0..<users {
            let logits = (0..<n).map { j in
                (0..<d).reduce(0.0) { $0 + Double(vectors[u * d + $1]) * Double(items[j * d + $1]) }
            }
            let top = logits.max() ?? 0
            let logZ = top + log(logits.reduce(0.0) { $0 + exp($1 - top) })
            for i in data.test.row(u) where Int(i) < n {
                total += logZ - logits[Int(i)]
                count += 1
            }
        }
        try #require(count > 0)
        let expected = total / Double(count)
        #expect(abs(loss - expected) <= 1e-5 * expected, "\(loss) vs \(expected)")
    }

    @Test("bce/bpr candidates: negative_sampling_ratio draws per slot; popularity draws ∝ count^0.75")
    func pairwiseCandidates() throws {
        var train = InteractionTable()
        // Item 0 in 90 of 100 rows, items 1…10 once each (user k: item 0 nine times, then item k).
        for user in 0..<10 {
            for t in 0..<9 {
                train.users.append(Int32(user))
                train.items.append(0)
                train.timestamps.append(Int64(t))
            }
            train.users.append(Int32(user))
            train.items.append(Int32(user + 1))
            train.timestamps.append(9)
        }
        train.userIds = try IdMap(keys: (0..<10).map { "u\($0)" })
        train.itemIds = try IdMap(keys: (0..<40).map { "i\($0)" })
        var training = TrainingConfig()
        training.loss = .bce
        let batch = SequenceTraining(train: train, itemCount: 40, length: 4, training: training, seed: 1).batch([0, 1])
        let slots = batch.targets.filter { $0 >= 0 }.count
        func draws(_ strategy: NegativeSamplingStrategy, ratio: Int) -> [Int32] {
            let plan = SequenceTraining(
                train: train, itemCount: 40, length: 4, training: training,
                sampling: .init(ratio: ratio, strategy: strategy), seed: 1)
            var all: [Int32] = []
            for step in 0..<200 {
                guard case let .sampled(negatives, _) = plan.candidates(epoch: 0, step: step, batch: batch) else {
                    return []
                }
                #expect(negatives.count == slots * ratio)
                all += negatives
            }
            return all
        }
        // P(item 0) = 90^0.75 / (90^0.75 + 10) = 0.745 by popularity, 1/40 uniformly.
        let popular = draws(.popularity, ratio: 3), uniform = draws(.uniform, ratio: 1)
        let share = { (x: [Int32]) in Double(x.filter { $0 == 0 }.count) / Double(max(1, x.count)) }
        #expect(abs(share(popular) - 0.745) < 0.03, "\(share(popular))")
        #expect(share(uniform) < 0.06, "\(share(uniform))")
        #expect(popular.allSatisfy { $0 <= 10 })  // never an item without interactions
    }
}
