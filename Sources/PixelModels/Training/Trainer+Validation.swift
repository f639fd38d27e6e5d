import Foundation
import PixelConfig
import PixelData
import PixelEval
import PixelTensor

extension Trainer {
    /// Full-ranking validation metrics (`ndcg@k`, `hit_rate@k`, `recall@k`, …) of the model's vectors.
    /// - Parameter users: each user's model row (`-1` = untrained) and history (catalog rows, oldest first)
    ///   when user vectors come from histories (sequence models, cold users); `nil` = the user table.
    static func validate(
        model: PretrainedMultimodalRecommender, content: ItemContent, itemIds: [Int32], setup: TaskSetup, ks: [Int],
        workers: Int, users given: (ids: [Int32], histories: [ArraySlice<Int32>])? = nil
    ) throws -> [String: Double] {
        let items = model.allItemVectors(content: content, ids: itemIds, workers: workers)
        let users =
            given.map { model.userVectors(itemVectors: items, histories: $0.histories, users: $0.ids) }
            ?? model.userTable
        let scorer = try FactorizedScorer(
            userVectors: users, itemVectors: items, dimension: model.hyperparameters.embeddingDim,
            description: "multimodal")
        let outcome = try RankingEvaluator.evaluate(
            scorer: scorer, queries: setup.queries, options: EvaluationOptions(ks: ks, workers: max(1, workers)))
        var out: [String: Double] = [:]
        for (kIndex, k) in ks.enumerated() {
            for metric in RankingMetric.allCases {
                out[metric.label(k: k)] = outcome.summary(metric, kIndex: kIndex).mean
            }
        }
        return out
    }

    /// Mean loss on validation pairs of trained users and items, each with `ratio` negatives drawn
    /// uniformly with a fixed seed (the same every epoch), in evaluation mode.
    static func validationLoss(
        model: PretrainedMultimodalRecommender, content: ItemContent, data: EvaluationData, settings: LossSettings,
        ratio: Int, seed: UInt64
    ) -> Double {
        let wasTraining = model.isTraining
        model.setTraining(false)
        defer { model.setTraining(wasTraining) }
        var rng = RandomGenerator(seed: mixSeed(seed, 0xBA1))
        var users: [Int32] = [], positives: [Int32] = [], negatives: [Int32] = []
        let n = model.hyperparameters.itemCount
        for u in 0..<data.trainUserCount {
            for i in data.test.row(u) where Int(i) < n {
                users.append(Int32(u))
                positives.append(i)
                for _ in 0..<ratio { negatives.append(Int32(rng.nextInt(below: n))) }
            }
        }
        guard !users.isEmpty else { return .nan }
        var total = 0.0
        var batches = 0
        var start = 0
        while start < users.count {
            let end = min(users.count, start + 1024)
            let examples = TrainingExamples(
                users: Array(users[start..<end]), positives: Array(positives[start..<end]),
                negatives: Array(negatives[(start * ratio)..<(end * ratio)]), ratio: ratio)
            let noContrastive = LossSettings(loss: settings.loss, recommendationWeight: 1, contrastiveWeight: 0)
            total += Double(
                Autograd.withoutRecording {
                    model.loss(examples, content: content, settings: noContrastive).recommendation
                })
            batches += 1
            start = end
        }
        return total / Double(batches)
    }
}

extension Trainer {
    /// Validation loss of a sequence model: the next-item objective evaluated exactly,
    /// `mean over (u, i) of −log softmax_catalog(⟨h_u, v⟩)[i]`, with `h_u` the user vector from the
    /// history (``PretrainedMultimodalRecommender/userVectors(itemVectors:histories:users:chunk:)``) and `i`
    /// each of the user's validation items in the catalog, in evaluation mode (the same whatever
    /// `training.loss`; NaN without validation items).
    static func sequenceValidationLoss(
        model: PretrainedMultimodalRecommender, content: ItemContent, itemIds: [Int32], data: EvaluationData,
        users: (ids: [Int32], histories: [ArraySlice<Int32>]), workers: Int
    ) -> Double {
        let wasTraining = model.isTraining
        model.setTraining(false)
        defer { model.setTraining(wasTraining) }
        let items = model.allItemVectors(content: content, ids: itemIds, workers: workers)
        let userVectors = model.userVectors(itemVectors: items, histories: users.histories, users: users.ids)
        let d = model.hyperparameters.embeddingDim, n = itemIds.count
        let m = min(users.ids.count, data.userCount)
        let v = Tensor(shape: [n, d], scalars: items)
        var total = 0.0, count = 0
        var start = 0
        while start < m {
            let end = min(m, start + 256)
            let u = Tensor(shape: [end - start, d], scalars: Array(userVectors[(start * d)..<(end * d)]))
            let logits = matmul(u, v, transposeB: true).scalars  // [c, n]
            for row in start..<end {
                let targets = data.test.row(row).filter { Int($0) < n }
                guard !targets.isEmpty else { continue }
                let base = (row - start) * n
                var top = -Double.infinity
                for j in 0..<n { top = max(top, Double(logits[base + j])) }
                var sum = 0.0
                for j in 0..<n { sum += exp(Double(logits[base + j]) - top) }
                let logZ = top + log(sum)
                for i in targets {
                    total += logZ - Double(logits[base + Int(i)])
                    count += 1
                }
            }
            start = end
        }
        return count > 0 ? total / Double(count) : .nan
    }
}

extension EarlyStoppingMetric {
    /// The cut-off of a ranking metric.
    var rankingK: Int? {
        if case let .ranking(_, k) = self { return k }
        return nil
    }
}
