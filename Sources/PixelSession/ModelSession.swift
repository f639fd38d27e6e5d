import Foundation
import PixelConfig
import PixelCore
import PixelData
import PixelEval
import PixelModels

/// A trained model, loaded: what `recommend`, `eval` and `serve` score with, built once from a
/// configuration and a checkpoint and never changed after.
///
/// Loading reads the checkpoint once and builds the model and its id maps (``LoadedModel``), the catalog's
/// content features, the item vectors (through the embeddings cache when one is given) and the unit-length
/// similarity embeddings; with ``Options/interactions`` also the training and validation interactions,
/// each training user's seen items, item popularity, (sequence models) time-ordered histories, the
/// training users' vectors and their scorer (``SessionUsers``). Every property is a value or an immutable
/// reference, so one session is shared by any number of threads.
public final class ModelSession: Sendable {
    /// What to load besides the model.
    public struct Options: Sendable {
        /// The checkpoint (`nil`: `<checkpoint_dir>/best.ckpt`).
        public var checkpoint: String?
        /// The item index space to score (`nil`: the model's training items, plus the new items of the item
        /// table with ``includeNewItems``).
        public var catalog: IdMap?
        /// Also rank the item table's items the model was not trained on, from content alone.
        public var includeNewItems: Bool
        /// Cache file of the item vectors (``ItemVectorCache``), read when current, else written.
        public var embeddingsCache: String?
        /// Read the configuration's training (and validation, when it exists) interactions: seen items,
        /// popularity, histories, the training users' scorer (``users``).
        public var interactions: Bool

        public init(
            checkpoint: String? = nil, catalog: IdMap? = nil, includeNewItems: Bool = false,
            embeddingsCache: String? = nil, interactions: Bool = true
        ) {
            self.checkpoint = checkpoint
            self.catalog = catalog
            self.includeNewItems = includeNewItems
            self.embeddingsCache = embeddingsCache
            self.interactions = interactions
        }
    }

    /// Where loading reports: notes, warnings, and each interactions file read with its load report.
    public struct Log: Sendable {
        public var note: @Sendable (String) -> Void
        public var warn: @Sendable (String) -> Void
        public var loaded: @Sendable (String, LoadReport) -> Void

        public init(
            note: @escaping @Sendable (String) -> Void = { _ in },
            warn: @escaping @Sendable (String) -> Void = { _ in },
            loaded: @escaping @Sendable (String, LoadReport) -> Void = { _, _ in }
        ) {
            self.note = note
            self.warn = warn
            self.loaded = loaded
        }

        /// Reports nothing.
        public static let silent = Log()
    }

    /// The configuration loaded with (feature stores, item table, `recommendation:` settings).
    public let config: PixelRecConfig
    /// The checkpoint file.
    public let checkpointPath: String
    /// The model and its id maps.
    public let model: LoadedModel
    /// The items scored, in scorer column order.
    public let catalog: IdMap
    /// Items of ``catalog`` added by ``Options/includeNewItems``.
    public let newItemCount: Int
    /// The item table (titles, numeric features).
    public let table: ItemTable
    /// Per catalog item, its `title` (`nil` without one).
    public let titles: [String?]
    /// Content rows of ``catalog``.
    public let content: ItemContent
    /// Per catalog item, the model's item index (−1: not trained on; content alone).
    public let modelItems: [Int32]
    /// `[catalog.count, embedding_dim]` item vectors.
    public let itemVectors: [Float]
    /// Where ``itemVectors`` came from, in words (computed, reused from the cache, cache rewritten).
    public let vectorSource: String
    /// Unit-length embeddings of MMR and intra-list diversity: content features, else the item vectors.
    public let similarityEmbeddings: EmbeddingCosine
    /// Content kNN embeddings, loaded with the interactions when `model.content_knn_weight > 0` (the blend
    /// reads them).
    public let contentEmbeddings: ContentEmbeddings?
    /// The training users with their interactions and scorer (``Options/interactions``), else `nil`.
    public let users: SessionUsers?

    /// Loads the session of `config`.
    /// - Throws: `PixelError.io` when the checkpoint is absent; the checkpoint's, the feature stores' and the
    ///   tables' errors.
    /// - Parameter config: `nil` loads the configuration the checkpoint was trained with (its feature stores
    ///   and item table), from the checkpoint's header.
    public init(config: PixelRecConfig?, options: Options = Options(), log: Log = .silent) throws {
        let path = options.checkpoint ?? (config ?? PixelRecConfig()).checkpointDir + "/best.ckpt"
        guard FileManager.default.fileExists(atPath: path) else {
            throw PixelError.io(path: path, reason: "no checkpoint (run pixelrec train, or pass --checkpoint)")
        }
        let checkpoint = try Checkpoint.read(from: path)
        let config = try config ?? ConfigLoader.load(yaml: checkpoint.header.configYAML, sourceName: path).config
        self.config = config
        checkpointPath = path
        let model = try LoadedModel(checkpoint: checkpoint, path: path)
        self.model = model
        let h = model.hyperparameters
        table = try ModelInputs.itemTable(config)
        var catalog = options.catalog ?? model.trainedItems
        if options.catalog == nil && options.includeNewItems {
            newItemCount = try RecommendInputs.addNewItems(to: &catalog, table: table, config: config)
            log.note("\(newItemCount) new items (no training interactions) ranked from their content alone")
        } else {
            newItemCount = 0
        }
        self.catalog = catalog
        titles = Self.titles(table: table, catalog: catalog)
        let content = try ModelInputs.content(
            config, table: table, itemIds: catalog, scalers: model.header.scalers, textTop: h.textTop)
        self.content = content
        modelItems = try model.modelItems(itemIds: catalog, content: content)
        let (itemVectors, vectorSource) = try ItemVectors.resolve(
            model: model, catalog: catalog, content: content, cachePath: options.embeddingsCache, warn: log.warn)
        self.itemVectors = itemVectors
        self.vectorSource = vectorSource
        similarityEmbeddings = try ItemVectors.similarityEmbeddings(
            content: content, itemVectors: itemVectors, dimension: h.embeddingDim)
        let contentEmbeddings =
            options.interactions && config.model.contentKnnWeight > 0
            ? try ContentEmbeddings.load(config, itemIds: catalog) : nil
        self.contentEmbeddings = contentEmbeddings
        users =
            options.interactions
            ? try SessionUsers(
                config: config, model: model, catalog: catalog, content: content, itemVectors: itemVectors,
                contentEmbeddings: contentEmbeddings, log: log) : nil
    }

    /// Whether the model reads histories (`user_encoder: sequence | hybrid`).
    public var isSequenceModel: Bool { model.hyperparameters.userEncoder != .id }

    /// The scorer over the users of `userIds` (rows of `profiles` and `histories`, see
    /// ``MultimodalScoring/scorer(model:userIds:itemIds:profiles:content:maxCandidates:itemVectors:histories:)``)
    /// against ``catalog``, without the content kNN blend.
    public func modelScorer(userIds: IdMap, profiles: SparseMatrix, histories: [ArraySlice<Int32>]?) throws
        -> any Scorer
    {
        try MultimodalScoring.scorer(
            model: model, userIds: userIds, itemIds: catalog, profiles: profiles, content: content,
            maxCandidates: config.recommendation.maxCandidates, itemVectors: itemVectors, histories: histories)
    }

    /// `scorer` blended with content kNN over `seen` when `model.content_knn_weight > 0`, else `scorer`.
    public func blended(_ scorer: any Scorer, seen: SparseMatrix) throws -> any Scorer {
        try ContentEmbeddings.blend(
            scorer, config: config, itemIds: catalog, profiles: seen, content: contentEmbeddings)
    }

    /// The `title` column of the item table, per catalog item (`nil` without one).
    public static func titles(table: ItemTable, catalog: IdMap) -> [String?] {
        var titles = [String?](repeating: nil, count: catalog.count)
        guard table.header.contains("title"), let column = try? table.column("title") else { return titles }
        for (row, id) in table.ids.enumerated() {
            if let i = catalog.index(of: id), !column[row].isEmpty { titles[Int(i)] = column[row] }
        }
        return titles
    }
}
