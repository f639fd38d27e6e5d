import Foundation
import PixelData
import PixelEval
import PixelTensor

/// Builds `pixelrec eval` scorers from a trained checkpoint.
///
/// Item vectors are computed once for every item of the evaluation (items unknown to the model — cold
/// items — from content alone, with a zero ID token); user vectors are the ID embeddings of trained
/// users and, for users without one (cold users), the mean of the item vectors of their profile
/// (what the task says each user is known to have interacted with). Ranking is then one blocked matrix
/// product (``FactorizedScorer``). With `scoring: pairwise`, each user's top `maxCandidates` by the dot
/// product are re-scored by the pairwise head (the other items rank below them).
public enum MultimodalScoring {
    /// - Parameters:
    ///   - userIds / itemIds: the evaluation's index spaces.
    ///   - profiles: `users × items` history rows (cold users' vectors come from these).
    ///   - content: content rows for `itemIds`, in its order.
    ///   - itemVectors: precomputed ``itemVectors(checkpoint:path:itemIds:content:)`` (e.g. from an
    ///     ``ItemVectorCache``); computed when `nil`.
    ///   - histories: per user of `userIds`, its history as `itemIds` indices, oldest first (sequence
    ///     models read the newest `max_seq_len`; ID models average it for users without an ID); when `nil`,
    ///     the profile rows in index order.
    public static func scorer(
        checkpoint: Checkpoint, path: String, userIds: IdMap, itemIds: IdMap, profiles: SparseMatrix,
        content: ItemContent,
        maxCandidates: Int, itemVectors: [Float]? = nil, histories: [ArraySlice<Int32>]? = nil
    ) throws -> any Scorer {
        try scorer(
            model: LoadedModel(checkpoint: checkpoint, path: path), userIds: userIds, itemIds: itemIds,
            profiles: profiles, content: content, maxCandidates: maxCandidates, itemVectors: itemVectors,
            histories: histories)
    }

    /// ``scorer(checkpoint:path:userIds:itemIds:profiles:content:maxCandidates:itemVectors:histories:)`` with
    /// the model already built.
    public static func scorer(
        model: LoadedModel, userIds: IdMap, itemIds: IdMap, profiles: SparseMatrix, content: ItemContent,
        maxCandidates: Int, itemVectors: [Float]? = nil, histories: [ArraySlice<Int32>]? = nil
    ) throws -> any Scorer {
        let h = model.hyperparameters
        let modelItem = try model.modelItems(itemIds: itemIds, content: content)
        let d = h.embeddingDim
        let items = try itemVectors ?? model.itemVectors(itemIds: itemIds, content: content)
        guard items.count == itemIds.count * d else {
            throw ModelError.shapeMismatch(what: "item vectors", expected: itemIds.count * d, found: items.count)
        }
        let (users, coldUsers) = try userVectors(
            model: model, userIds: userIds, profiles: profiles, itemVectors: items, histories: histories)
        return try model.scorer(
            userVectors: users, itemVectors: items, content: content, modelItems: modelItem,
            maxCandidates: maxCandidates,
            description: description(h, coldUsers: coldUsers, coldItems: modelItem.filter { $0 < 0 }.count))
    }

    /// User vectors `[userIds.count, d]` through the model's one path
    /// (``LoadedModel/userVectors(itemVectors:histories:users:)``): ID models take the ID row, or the mean of
    /// the profile's item vectors for a user without one; sequence models read the ordered histories.
    /// - Returns: the vectors and how many users had no ID but a history (cold users).
    /// - Throws: ``ModelError/shapeMismatch(what:expected:found:)`` when `histories` is not one per user.
    public static func userVectors(
        model: LoadedModel, userIds: IdMap, profiles: SparseMatrix, itemVectors: [Float],
        histories: [ArraySlice<Int32>]?
    ) throws -> (vectors: [Float], coldUsers: Int) {
        let h = model.hyperparameters
        let ordered = histories ?? (0..<userIds.count).map { u in u < profiles.rowCount ? profiles.row(u) : [] }
        guard ordered.count == userIds.count else {
            throw ModelError.shapeMismatch(what: "user histories", expected: userIds.count, found: ordered.count)
        }
        let ids = (0..<userIds.count).map { model.trainedUsers.index(of: userIds.key(Int32($0))) ?? -1 }
        let coldUsers = ids.indices.filter { ids[$0] < 0 && (h.userEncoder != .id || !ordered[$0].isEmpty) }.count
        return (model.userVectors(itemVectors: itemVectors, histories: ordered, users: ids), coldUsers)
    }

    /// The scorer's description: `multimodal(<class>, <scoring>, [users …, ]d=…, cold users …, content-only
    /// items …)`.
    public static func description(_ h: ModelHyperparameters, coldUsers: Int, coldItems: Int) -> String {
        "multimodal(\(h.modelClass.rawValue), \(h.scoring.rawValue), "
            + (h.userEncoder == .id ? "" : "users \(h.userEncoder.rawValue)(\(h.sequence?.maxLength ?? 0)), ")
            + "d=\(h.embeddingDim), cold users \(coldUsers), content-only items \(coldItems))"
    }

    /// Item vectors of every item of `itemIds` (`[itemIds.count, embedding_dim]`): the model's item
    /// tower over `content` (rows in `itemIds` order), with the item's ID embedding when it was trained.
    /// - Throws: ``ModelError`` for an unusable checkpoint or content of other widths than trained.
    public static func itemVectors(checkpoint: Checkpoint, path: String, itemIds: IdMap, content: ItemContent) throws
        -> [Float]
    {
        try LoadedModel(checkpoint: checkpoint, path: path).itemVectors(itemIds: itemIds, content: content)
    }
}

/// A model shared by the evaluator's worker threads for evaluation-mode forward passes.
///
/// In evaluation mode a forward pass only reads the model (no dropout draws, batch norm on its running
/// statistics, nothing recorded), so threads run it concurrently; each call binds its own random stream
/// (``ModelRandomness/override``) because the layers take the stream `inout` even when they draw nothing.
final class SharedModel: @unchecked Sendable {
    private let model: PretrainedMultimodalRecommender

    /// - Precondition: `model` is in evaluation mode and is not trained while shared.
    init(_ model: PretrainedMultimodalRecommender) {
        precondition(!model.isTraining, "SharedModel: the model must be in evaluation mode")
        self.model = model
    }

    func withModel<R>(_ body: (PretrainedMultimodalRecommender) throws -> R) rethrows -> R {
        try ModelRandomness.$override.withValue(ModelRandomness(seed: 0)) { try body(model) }
    }
}

/// Dot-product retrieval of the top `candidates` items per user (partial top-k selection), re-scored by
/// the pairwise head; the evaluator's workers score their users concurrently.
struct PairwiseRerankScorer: Scorer {
    let base: FactorizedScorer
    let model: SharedModel
    let content: ItemContent
    let modelItem: [Int32]
    let userVectors: [Float]
    let candidates: Int

    var itemCount: Int { base.itemCount }
    var description: String { base.description + " + pairwise re-ranking of top \(candidates)" }

    func score(users: UnsafeBufferPointer<Int32>, into scores: UnsafeMutableBufferPointer<Float>) {
        base.score(users: users, into: scores)
        let n = itemCount, d = base.dimension, c = min(candidates, n)
        var top = [Int32](repeating: 0, count: c), values = [Float](repeating: 0, count: c)
        var vectors = [Float](repeating: 0, count: c * d)
        for (r, user) in users.enumerated() {
            let row = scores.baseAddress! + r * n
            // Higher dot score first, ties by lower index; non-finite scores never enter.
            let found = top.withUnsafeMutableBufferPointer { t in
                values.withUnsafeMutableBufferPointer { v in
                    TopK.select(row, count: n, k: c, indices: t.baseAddress!, values: v.baseAddress!)
                }
            }
            let picked = Array(top.prefix(found))
            guard found > 0 else {
                for i in 0..<n { row[i] = -.infinity }
                continue
            }
            for k in 0..<found { for j in 0..<d { vectors[k * d + j] = userVectors[Int(user) * d + j] } }
            let ids = picked.map { modelItem[Int($0)] }
            let logits =
                model.withModel {
                    $0.pairwiseScores(
                        userVectors: Array(vectors.prefix(found * d)), content: content, rows: picked, ids: ids)
                } ?? []
            for i in 0..<n { row[i] = -.infinity }
            for (k, item) in picked.enumerated() where k < logits.count { row[Int(item)] = logits[k] }
        }
    }
}
