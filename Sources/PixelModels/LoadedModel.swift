import Foundation
import PixelData
import PixelEval
import PixelTensor

/// A checkpoint's model built once, with its id maps, for scoring from any thread.
///
/// The model is rebuilt from the checkpoint's tensors once (``init(checkpoint:path:)``); every scorer,
/// item-vector and user-vector call then reads it. Calls that run the model (``itemVectors(itemIds:content:)``,
/// ``userVectors(itemVectors:histories:users:)``) take a lock, because an evaluation-mode pass still sets
/// the model's mode flags; the scorers it returns only read shared state, as the evaluator's workers do.
public final class LoadedModel: Sendable {
    /// Where the checkpoint was read from (for messages).
    public let path: String
    /// The checkpoint's header (hyperparameters, scalers, id maps, configuration YAML, checksum).
    public let header: CheckpointHeader
    /// The model's training users, in its user index order.
    public let trainedUsers: IdMap
    /// The model's training items, in its item index order.
    public let trainedItems: IdMap
    private let model: SharedModel
    private let lock = NSLock()

    /// Builds the model of `checkpoint`.
    /// - Throws: ``ModelError/invalidCheckpoint(path:reason:)`` when its tensors do not fit its
    ///   hyperparameters, ``PixelData`` errors for malformed id maps.
    public init(checkpoint: Checkpoint, path: String) throws {
        self.path = path
        header = checkpoint.header
        (trainedUsers, trainedItems) = try checkpoint.idMaps()
        model = SharedModel(try checkpoint.model(path: path))
    }

    public var hyperparameters: ModelHyperparameters { header.hyperparameters }

    /// Per item of `itemIds`, the model's item index (−1 for items it was not trained on), after checking
    /// that `content` has the trained feature widths.
    /// - Throws: ``ModelError/invalidCheckpoint(path:reason:)`` naming the widths that differ.
    public func modelItems(itemIds: IdMap, content: ItemContent) throws -> [Int32] {
        let h = hyperparameters
        guard content.visionWidth == h.visionWidth, content.textWidth == h.textWidth,
            content.numericWidth == h.numericWidth
        else {
            throw ModelError.invalidCheckpoint(
                path: path,
                reason:
                    "feature widths vision/text/numeric \(content.visionWidth)/\(content.textWidth)/\(content.numericWidth) "
                    + "differ from the trained \(h.visionWidth)/\(h.textWidth)/\(h.numericWidth) (other encoders or numeric columns?)"
            )
        }
        try model.withModel { try $0.checkTextInput(content) }
        return itemIds.keys.map { trainedItems.index(of: $0) ?? -1 }
    }

    /// Item vectors of every item of `itemIds` (`[itemIds.count, embedding_dim]`): the item tower over
    /// `content` (rows in `itemIds` order), with the item's ID embedding when it was trained.
    /// - Throws: ``ModelError`` for content of other widths than trained.
    public func itemVectors(itemIds: IdMap, content: ItemContent) throws -> [Float] {
        let ids = try modelItems(itemIds: itemIds, content: content)
        return run { $0.allItemVectors(content: content, ids: ids) }
    }

    /// User vectors `[histories.count, d]` through the model's one path: ID models take the ID row (`users[k]
    /// ≥ 0`), or the mean of the history's item vectors; sequence models read the history, oldest first.
    public func userVectors(itemVectors: [Float], histories: [ArraySlice<Int32>], users: [Int32]) -> [Float] {
        run { $0.userVectors(itemVectors: itemVectors, histories: histories, users: users) }
    }

    /// Runs `body` on the model, one caller at a time.
    private func run<R>(_ body: (PretrainedMultimodalRecommender) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try model.withModel(body)
    }

    /// The scorer of `userVectors` (`[users, d]`, rows in the scorer's user order) against `itemVectors`
    /// (rows of `content`'s items): a blocked dot product, re-scored by the pairwise head with
    /// `scoring: pairwise` (each user's top `maxCandidates`).
    public func scorer(
        userVectors: [Float], itemVectors: [Float], content: ItemContent, modelItems: [Int32], maxCandidates: Int,
        description: String
    ) throws -> any Scorer {
        let d = hyperparameters.embeddingDim
        let base = try FactorizedScorer(
            userVectors: userVectors, itemVectors: itemVectors, dimension: d, description: description)
        guard hyperparameters.isPairwise else { return base }
        return PairwiseRerankScorer(
            base: base, model: model, content: content, modelItem: modelItems, userVectors: userVectors,
            candidates: max(1, maxCandidates))
    }
}
