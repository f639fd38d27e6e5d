import PixelConfig
import PixelEncoders
import PixelNN

/// Everything that fixes a model's architecture, saved in checkpoints so a model can be rebuilt
/// without the configuration that trained it. The settings' enums are stored by their YAML spelling
/// (`"modelClass": "pretrained"`), as checkpoints have always stored them.
public struct ModelHyperparameters: Codable, Sendable, Equatable {
    public var modelClass: ModelClass
    public var scoring: Scoring
    public var userCount: Int
    public var itemCount: Int
    public var visionWidth: Int
    public var textWidth: Int
    public var numericWidth: Int
    public var embeddingDim: Int
    public var heads: Int
    public var attentionDropout: Float
    public var dropout: Float
    public var fusionHiddenDims: [Int]
    public var activation: PixelConfig.Activation
    public var batchNorm: Bool
    public var projectionHiddenDim: Int?
    public var useCrossModalAttention: Bool
    public var crossModalAttentionWeight: Float
    public var initMethod: InitMethod
    public var itemIdDropout: Float
    public var useContrastive: Bool
    public var contrastiveTemperature: Float
    public var finalActivation: FinalActivation
    public var seed: UInt64
    /// The sequence user encoder's architecture; `nil` for `user_encoder: id` (and in checkpoints
    /// written before sequence encoders existed).
    public var sequence: SequenceHyperparameters?
    /// What item vectors are built from; `nil` (checkpoints before the setting existed) = `id_content`.
    public var itemTower: ItemTower?
    /// The trainable top of the text encoder (`model.trainable_encoder_layers`): its blocks run on each
    /// item's cached hidden states to give the text input (width `textWidth` = the top's width); `nil` =
    /// the frozen text-store rows (and in checkpoints written before trainable tops existed). Not set from
    /// the configuration alone: the trainer sets it from the imported top.
    public var textTop: TrainableEncoderTop.Architecture?

    /// The architecture of `config.model` for the given index spaces and feature widths.
    /// - Throws: ``ModelError/invalidSetting(key:reason:)`` for settings the layers cannot take.
    public init(
        model: ModelConfig, seed: UInt64, userCount: Int, itemCount: Int, visionWidth: Int, textWidth: Int,
        numericWidth: Int
    ) throws {
        guard model.embeddingDim > 0 else {
            throw ModelError.invalidSetting(key: "model.embedding_dim", reason: "must be positive")
        }
        guard model.numAttentionHeads > 0, model.embeddingDim % model.numAttentionHeads == 0 else {
            throw ModelError.invalidSetting(
                key: "model.num_attention_heads",
                reason: "\(model.numAttentionHeads) does not divide embedding_dim \(model.embeddingDim)")
        }
        guard (0..<1).contains(model.dropoutRate), (0..<1).contains(model.attentionDropout),
            (0..<1).contains(model.itemIdDropout)
        else {
            throw ModelError.invalidSetting(
                key: "model.dropout_rate", reason: "dropout probabilities must be in [0, 1)")
        }
        guard model.fusionHiddenDims.allSatisfy({ $0 > 0 }) else {
            throw ModelError.invalidSetting(key: "model.fusion_hidden_dims", reason: "widths must be positive")
        }
        guard userCount > 0, itemCount > 0 else { throw ModelError.noData("no users or items in the training data") }
        modelClass = model.modelClass
        scoring = model.scoring
        self.userCount = userCount
        self.itemCount = itemCount
        self.visionWidth = visionWidth
        self.textWidth = textWidth
        self.numericWidth = numericWidth
        embeddingDim = model.embeddingDim
        heads = model.numAttentionHeads
        attentionDropout = Float(model.attentionDropout)
        dropout = Float(model.dropoutRate)
        fusionHiddenDims = model.fusionHiddenDims
        activation = model.fusionActivation
        batchNorm = model.useBatchNorm
        projectionHiddenDim = model.projectionHiddenDim
        useCrossModalAttention = model.useCrossModalAttention
        crossModalAttentionWeight = Float(model.crossModalAttentionWeight)
        initMethod = model.initMethod
        itemIdDropout = Float(model.itemIdDropout)
        useContrastive = model.useContrastive
        contrastiveTemperature = Float(model.contrastiveTemperature)
        finalActivation = model.finalActivation
        self.seed = seed
        itemTower = model.itemTower == .idContent ? nil : model.itemTower
        textTop = nil
        if model.userEncoder != .id {
            guard model.maxSeqLen > 0, model.maxSeqLen <= 4096 else {
                throw ModelError.invalidSetting(key: "model.max_seq_len", reason: "must be in 1...4096")
            }
            guard model.seqBlocks > 0, model.seqBlocks <= 64 else {
                throw ModelError.invalidSetting(key: "model.seq_blocks", reason: "must be in 1...64")
            }
            guard model.seqHeads > 0, model.embeddingDim % model.seqHeads == 0 else {
                throw ModelError.invalidSetting(
                    key: "model.seq_heads",
                    reason: "\(model.seqHeads) does not divide embedding_dim \(model.embeddingDim)")
            }
            guard (0..<1).contains(model.seqDropout) else {
                throw ModelError.invalidSetting(key: "model.seq_dropout", reason: "must be in [0, 1)")
            }
            sequence = SequenceHyperparameters(
                userEncoder: model.userEncoder, maxLength: model.maxSeqLen, blocks: model.seqBlocks,
                heads: model.seqHeads,
                dropout: Float(model.seqDropout))
        } else {
            sequence = nil
        }
    }

    /// How users become vectors.
    public var userEncoder: UserEncoder { sequence?.userEncoder ?? .id }

    var nnActivation: PixelNN.Activation {
        switch activation {
        case .relu: return .relu
        case .gelu: return .gelu
        case .tanh: return .tanh
        case .leakyReLU: return .leakyRelu(negativeSlope: 0.01)
        case .silu: return .silu
        }
    }

    var initializer: Initializer {
        switch initMethod {
        case .xavierUniform: return .xavierUniform()
        case .xavierNormal: return .xavierNormal()
        case .kaimingUniform: return .kaimingUniform()
        case .kaimingNormal: return .kaimingNormal
        }
    }

    var isPairwise: Bool { scoring == .pairwise }
    var isEnhanced: Bool { modelClass == .enhanced }
}

/// The sequence user encoder's settings (`model.user_encoder`, `max_seq_len`, `seq_blocks`,
/// `seq_heads`, `seq_dropout`).
public struct SequenceHyperparameters: Codable, Sendable, Equatable {
    /// `sequence` or `hybrid`.
    public var userEncoder: UserEncoder
    public var maxLength: Int
    public var blocks: Int
    public var heads: Int
    public var dropout: Float
}
