import Foundation
import PixelConfig
import PixelData
import PixelEval
import PixelModels
import PixelSession

/// Registers the trained multimodal model with `pixelrec eval` (`--recommender-type multimodal`).
enum MultimodalRegistration {
    /// Idempotent; called before every command runs.
    static func register() {
        ScorerRegistry.register(RecommenderType.multimodal.rawValue) { request in
            let given = try request.configPath.map {
                try ConfigLoader.load(path: $0, overrides: request.configOverrides).config
            }
            let path = request.checkpoint ?? ((given ?? PixelRecConfig()).checkpointDir + "/best.ckpt")
            guard FileManager.default.fileExists(atPath: path) else {
                throw EvalError.unavailableRecommender(
                    name: request.name, reason: "no checkpoint at \(path) (run pixelrec train, or pass --checkpoint)")
            }
            let checkpoint = try Checkpoint.read(from: path)
            // Feature stores and item table: the evaluation's configuration, else the training one.
            let config = try given ?? ConfigLoader.load(yaml: checkpoint.header.configYAML, sourceName: path).config
            let table = try ModelInputs.itemTable(config)
            let content = try ModelInputs.content(
                config, table: table, itemIds: request.data.itemIds, scalers: checkpoint.header.scalers,
                textTop: checkpoint.header.hyperparameters.textTop)
            return try MultimodalScoring.scorer(
                checkpoint: checkpoint, path: path, userIds: request.data.userIds, itemIds: request.data.itemIds,
                profiles: request.profiles, content: content, maxCandidates: config.recommendation.maxCandidates,
                histories: checkpoint.header.hyperparameters.userEncoder == .id
                    ? nil
                    : request.data.histories(
                        task: request.task, coldHistory: request.coldHistory, users: 0..<request.data.userCount))
        }
    }
}
