/// The `model:` section: encoders, fusion network and scoring.
public struct ModelConfig: Sendable, Equatable {
    /// `model_class`: `pretrained` (frozen encoders + fusion MLP) or `enhanced` (adds cross-modal attention).
    public var modelClass: ModelClass = .pretrained
    /// `vision_model`: the image encoder family.
    public var visionModel: VisionModel = .clip
    /// `language_model`: the text encoder family.
    public var languageModel: LanguageModel = .sentenceBERT
    /// `vision_model_path`: directory of the image encoder's ONNX export; `nil` = `models/encoders/<vision_model>`.
    public var visionModelPath: String? = nil
    /// `language_model_path`: directory of the text encoder's ONNX export and tokenizer files;
    /// `nil` = `models/encoders/<language_model>`.
    public var languageModelPath: String? = nil
    /// `embedding_dim`: size `d` of the shared user/item/content embedding space.
    public var embeddingDim = 64
    /// `freeze_vision`: keep the image encoder's weights fixed.
    public var freezeVision = true
    /// `freeze_language`: keep the text encoder's weights fixed. `false` with `trainable_encoder_layers ≥ 1`
    /// makes the text encoder's top blocks trainable.
    public var freezeLanguage = true
    /// `trainable_encoder_layers`: the top `N` transformer blocks of the text encoder that are imported into
    /// the autograd engine and trained (with `freeze_language: false`); the blocks below stay frozen and their
    /// hidden states at the cut are cached per item by `pixelrec encode`. 0 = the whole encoder is frozen.
    /// Vision tops are not supported yet.
    public var trainableEncoderLayers = 0
    /// `use_contrastive`: add the InfoNCE image–text alignment loss.
    public var useContrastive = false
    /// `contrastive_temperature`: `τ` in `exp(sim/τ)` of the contrastive loss.
    public var contrastiveTemperature = 0.07
    /// `dropout_rate`: dropout after each fusion layer, `0 ≤ p < 1`.
    public var dropoutRate = 0.0
    /// `num_attention_heads`: heads of the cross-modal attention; must divide `embedding_dim`.
    public var numAttentionHeads = 4
    /// `attention_dropout`: dropout on attention weights.
    public var attentionDropout = 0.0
    /// `fusion_hidden_dims`: widths of the fusion MLP's hidden layers.
    public var fusionHiddenDims: [Int] = []
    /// `fusion_activation`: nonlinearity between fusion layers.
    public var fusionActivation: Activation = .relu
    /// `use_batch_norm`: batch normalization in the fusion MLP.
    public var useBatchNorm = false
    /// `projection_hidden_dim`: hidden width of the encoder projection heads; `nil` = a single linear layer.
    public var projectionHiddenDim: Int? = nil
    /// `use_cross_modal_attention`: let image and text features attend to each other.
    public var useCrossModalAttention = true
    /// `cross_modal_attention_weight`: mix `w·attended + (1−w)·original`, `0 ≤ w ≤ 1`.
    public var crossModalAttentionWeight = 0.5
    /// `final_activation`: applied to the score (`sigmoid` gives a probability).
    public var finalActivation: FinalActivation = .none
    /// `init_method`: weight initialization of linear layers.
    public var initMethod: InitMethod = .xavierUniform
    /// `scoring`: `dot` = two towers, `score = u·v`, so ranking the whole catalog is one matrix product;
    /// `pairwise` = the Python framework's form (the fusion MLP scores each (user, item) pair), used to
    /// re-rank the top `recommendation.max_candidates` of the dot-product ranking.
    public var scoring: Scoring = .dot
    /// `item_id_dropout`: probability of hiding an item's ID embedding during training, so the model
    /// learns to score from content alone (cold items).
    public var itemIdDropout = 0.0
    /// `content_knn_weight` `w`: the multimodal model's scores blended with content kNN's, per user
    /// `z(model) + w·z(content_knn)` (each row standardized over the catalog), where `eval` and
    /// `recommend` score; 0 = the model alone. Content kNN reads the unit image ⊕ text embeddings of
    /// the feature stores, so it keeps the pretrained geometry the learned item tower loses on cold items.
    public var contentKnnWeight = 0.0
    /// `item_tower`: `id_content` (ID embedding and content tokens), `id` or `content` alone.
    public var itemTower: ItemTower = .idContent
    /// `user_encoder`: `id` (user-ID embedding), `sequence` (causal self-attention over the history)
    /// or `hybrid` (both, summed).
    public var userEncoder: UserEncoder = .hybrid
    /// `max_seq_len`: interactions of a history the sequence encoder reads (the newest).
    public var maxSeqLen = 50
    /// `seq_blocks`: self-attention blocks of the sequence encoder.
    public var seqBlocks = 2
    /// `seq_heads`: attention heads of the sequence encoder; must divide `embedding_dim`.
    public var seqHeads = 1
    /// `seq_dropout`: dropout on the sequence encoder's inputs, attention weights and feed-forward layers.
    public var seqDropout = 0.5

    public init() {}

    /// The image encoder directory: `visionModelPath`, or `models/encoders/<vision_model>`.
    public var resolvedVisionModelPath: String { visionModelPath ?? "models/encoders/\(visionModel.rawValue)" }
    /// The text encoder directory: `languageModelPath`, or `models/encoders/<language_model>`.
    public var resolvedLanguageModelPath: String { languageModelPath ?? "models/encoders/\(languageModel.rawValue)" }
}
