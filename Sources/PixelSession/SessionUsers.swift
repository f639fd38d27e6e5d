import Foundation
import PixelConfig
import PixelData
import PixelEval
import PixelModels

/// The model's training users as a session knows them: the interactions they come from, what each has
/// seen, item popularity, their histories (sequence models), their vectors and their scorer — built once.
public struct SessionUsers: Sendable {
    /// The training interactions (`data.train_data_path`).
    public let train: InteractionTable
    /// The validation interactions (`data.val_data_path`) when the file exists.
    public let validation: InteractionTable?
    /// The user space of the training users alone (no cold users, no extra histories).
    public let space: RecommendInputs
    /// Per training user, the catalog items of its training and validation interactions.
    public let seen: SparseMatrix
    /// Training interactions per catalog item.
    public let popularity: ItemPopularity
    /// Sequence models: per training user, its interactions in time order (catalog indices); else `nil`.
    public let histories: [ArraySlice<Int32>]?
    /// `[users, embedding_dim]` user vectors, rows in ``space`` order.
    public let vectors: [Float]
    /// The scorer of every training user (blended with content kNN when configured).
    public let scorer: any Scorer

    /// Reads the configuration's interaction files and builds the training users' side.
    /// - Throws: the tables' errors, the model's shape errors.
    init(
        config: PixelRecConfig, model: LoadedModel, catalog: IdMap, content: ItemContent, itemVectors: [Float],
        contentEmbeddings: ContentEmbeddings?, log: ModelSession.Log
    ) throws {
        func load(_ path: String) throws -> InteractionTable {
            let (table, report) = try InteractionTable.load(path: path, options: InteractionLoadOptions())
            log.loaded(path, report)
            return table
        }
        train = try load(config.data.trainDataPath)
        let validationPath = config.data.valDataPath
        validation = FileManager.default.fileExists(atPath: validationPath) ? try load(validationPath) : nil
        space = try RecommendInputs.resolve(
            trainedUsers: model.trainedUsers, catalogCount: catalog.count, histories: [], named: [], file: nil,
            sample: nil, seed: 0, warn: { _ in })
        (seen, popularity) = RecommendInputs.seenAndPopularity(
            train: train, validation: validation, inputs: space, catalog: catalog)
        histories =
            model.hyperparameters.userEncoder == .id
            ? nil
            : try RecommendInputs.orderedHistories(
                train: train, validation: validation, inputs: space, catalog: catalog, given: [])
        let h = model.hyperparameters
        let modelItems = try model.modelItems(itemIds: catalog, content: content)
        let (vectors, coldUsers) = try MultimodalScoring.userVectors(
            model: model, userIds: space.userIds, profiles: space.coldProfiles, itemVectors: itemVectors,
            histories: histories)
        self.vectors = vectors
        let modelScorer = try model.scorer(
            userVectors: vectors, itemVectors: itemVectors, content: content, modelItems: modelItems,
            maxCandidates: config.recommendation.maxCandidates,
            description: MultimodalScoring.description(
                h, coldUsers: coldUsers, coldItems: modelItems.filter { $0 < 0 }.count))
        scorer = try ContentEmbeddings.blend(
            modelScorer, config: config, itemIds: catalog, profiles: seen, content: contentEmbeddings)
    }
}
