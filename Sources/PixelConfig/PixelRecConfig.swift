/// The whole configuration of pixelrec, as read from a YAML file (`configs/default_config.yaml` lists
/// every key with its default and meaning).
///
/// Load it with `ConfigLoader.load(path:overrides:)`; `PixelRecConfig()` holds the defaults.
public struct PixelRecConfig: Sendable, Equatable {
    /// `model:`
    public var model = ModelConfig()
    /// `training:`
    public var training = TrainingConfig()
    /// `data:`
    public var data = DataConfig()
    /// `recommendation:`
    public var recommendation = RecommendationConfig()
    /// `evaluation:`
    public var evaluation = EvaluationConfig()
    /// `serving:`
    public var serving = ServingConfig()
    /// `checkpoint_dir`: where `pixelrec train` writes model checkpoints.
    public var checkpointDir = "models/checkpoints"
    /// `results_dir`: where `pixelrec eval` writes metrics and reports.
    public var resultsDir = "results"

    /// The defaults.
    public init() {}

    /// Every key path the configuration has (`model.embedding_dim`, …), in file order.
    public static var keyPaths: [String] { ConfigSchema.fields.map(\.path) }
}
