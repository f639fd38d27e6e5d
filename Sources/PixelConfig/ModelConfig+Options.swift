/// `model.model_class`
public enum ModelClass: String, Sendable, CaseIterable, ConfigEnum {
    /// Frozen pretrained encoders, projections and a fusion MLP.
    case pretrained
    /// `pretrained` plus cross-modal attention between image and text features.
    case enhanced
}

/// `model.vision_model`: the image encoder family.
public enum VisionModel: String, Sendable, CaseIterable, ConfigEnum {
    case clip, dino, resnet, convnext
    /// EfficientNet-Lite0-style CNN exports (global-pooled features).
    case efficientnet
    /// No weights: a colour-histogram and edge encoder computed from the pixels.
    case builtin
}

/// `model.language_model`: the text encoder family.
public enum LanguageModel: String, Sendable, CaseIterable, ConfigEnum {
    case sentenceBERT = "sentence-bert"
    case mpnet, bert, roberta
    /// No weights: hashed TF-IDF of word unigrams and bigrams.
    case builtin
}

/// `model.fusion_activation`
public enum Activation: String, Sendable, CaseIterable, ConfigEnum {
    case relu, gelu, tanh
    case leakyReLU = "leaky_relu"
    case silu
}

/// `model.final_activation`: applied to the model's score.
public enum FinalActivation: String, Sendable, CaseIterable, ConfigEnum {
    /// `σ(s)`, a probability (pairs with the BCE loss).
    case sigmoid
    /// The raw score.
    case none
}

/// `model.init_method`: initialization of linear-layer weights (biases start at 0).
public enum InitMethod: String, Sendable, CaseIterable, ConfigEnum {
    case xavierUniform = "xavier_uniform"
    case xavierNormal = "xavier_normal"
    case kaimingUniform = "kaiming_uniform"
    case kaimingNormal = "kaiming_normal"
}

/// `model.scoring`: how a user and an item become a score.
public enum Scoring: String, Sendable, CaseIterable, ConfigEnum {
    /// Two towers: `score = u · v`.
    case dot
    /// The fusion MLP scores each concatenated (user, item) pair.
    case pairwise
}
