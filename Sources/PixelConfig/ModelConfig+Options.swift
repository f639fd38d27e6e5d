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

/// `model.user_encoder`: how a user becomes a vector.
public enum UserEncoder: String, Sendable, CaseIterable, ConfigEnum {
    /// A free user-ID embedding (matrix-factorization style); users unseen in training are the mean of
    /// their history's item vectors.
    case id
    /// Causal self-attention over the user's last `max_seq_len` items (SASRec-style, tokens are the
    /// item tower's vectors): the state at the last position. A history is enough, no user ID needed.
    case sequence
    /// The sum of the user-ID embedding (zero for users unseen in training) and the sequence state.
    case hybrid
}

/// `training.sequence_windows`: which parts of each training sequence a sequence model learns from.
public enum SequenceWindows: String, Sendable, CaseIterable, ConfigEnum {
    /// Every interaction, in non-overlapping windows of `max_seq_len + 1` taken back from the newest.
    case all
    /// The newest `max_seq_len + 1` interactions of each user only (SASRec's original sampling).
    case last
}

/// `training.validation_task`: what validation during training measures.
public enum ValidationTask: String, Sendable, CaseIterable, ConfigEnum {
    /// From the split: `cold_user` when no validation user has training interactions (a user split),
    /// `cold_item` when no validation item does (an item split), else `retrieval`.
    case auto
    /// Rank the catalog for each training user; relevant = their validation items.
    case retrieval
    /// Users absent from training, scored from their first held-out interactions (as `eval --task cold_user`).
    case coldUser = "cold_user"
    /// Items absent from training, ranked among themselves from content (as `eval --task cold_item`).
    case coldItem = "cold_item"
}

/// `model.item_tower`: what an item vector is built from.
public enum ItemTower: String, Sendable, CaseIterable, ConfigEnum {
    /// The item-ID embedding and the content tokens (image, text, numeric), fused.
    case idContent = "id_content"
    /// The item-ID embedding alone (a classical ID model; items unseen in training get no vector).
    case id
    /// The content tokens alone: every item, seen in training or not, is scored from its content.
    case content
}
