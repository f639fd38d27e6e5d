import PixelEncoders
import PixelNN
import PixelTensor

/// The multimodal recommender (`model_class: pretrained`): a two-tower model whose item tower fuses
/// frozen content features with an item-ID embedding.
///
/// Item tower, per item (width `d = embedding_dim`): tokens
/// `[ID embedding, P_v(vision), P_t(text), P_n(numeric)]` (`[B, 4, d]`; no numeric token without
/// numeric columns; `item_tower: id` keeps the ID token alone, `content` drops it)
/// → `h = LayerNorm(x + MHA(x))` → mean over tokens → fusion MLP
/// (`fusion_hidden_dims`, activation, batch norm, dropout) → `Linear → d`: the item vector `v_i`.
/// User tower: the user-ID embedding `u`; a user without one (cold) is the mean of its history's item
/// vectors. Score `s(u, i) = ⟨u, v_i⟩`, so ranking a catalog is one matrix product (`scoring: dot`).
///
/// Item-ID dropout (`item_id_dropout` p): in training, each row's ID token is zeroed with probability
/// p; items absent from training always have a zero ID token, so cold items are scored from content.
///
/// `scoring: pairwise` adds the seed's pairwise head: tokens `[u, ID, P_v, P_t, P_n]` → MHA + LayerNorm
/// → mean → MLP → one logit, trained with BCE beside the dot loss, and used to re-rank the dot model's
/// top `max_candidates`.
public class PretrainedMultimodalRecommender: Layer {
    public let hyperparameters: ModelHyperparameters
    let randomness: ModelRandomness
    let users: Embedding
    let items: Embedding
    let vision: ProjectionHead
    let text: ProjectionHead
    let numeric: ProjectionHead?
    let attention: ModelAttention
    let norm: LayerNorm
    let fusion: FusionMLP
    let pairAttention: ModelAttention?
    let pairNorm: LayerNorm?
    let pairHead: FusionMLP?
    /// The sequence user encoder (`user_encoder: sequence | hybrid`).
    let sequence: SequenceEncoder?
    /// The text encoder's trainable top (``ModelHyperparameters/textTop``), run on
    /// ``ItemContent/textStates``; its weights come from the ONNX import (training) or a checkpoint.
    public let textTop: TrainableEncoderTop?
    public private(set) var isTraining = true

    /// A freshly initialized model (every weight a function of `hyperparameters.seed`).
    public required init(hyperparameters h: ModelHyperparameters) {
        hyperparameters = h
        let d = h.embeddingDim, seed = h.seed, initializer = h.initializer
        randomness = ModelRandomness(seed: mixSeed(seed, 1))
        users = Embedding(count: h.userCount, dimension: d, initializer: .normal(std: 0.1), seed: mixSeed(seed, 2))
        items = Embedding(count: h.itemCount, dimension: d, initializer: .normal(std: 0.1), seed: mixSeed(seed, 3))
        vision = ProjectionHead(
            input: h.visionWidth, output: d, hidden: h.projectionHiddenDim, activation: h.nnActivation,
            initializer: initializer, seed: mixSeed(seed, 4))
        text = ProjectionHead(
            input: h.textWidth, output: d, hidden: h.projectionHiddenDim, activation: h.nnActivation,
            initializer: initializer, seed: mixSeed(seed, 5))
        numeric =
            h.numericWidth > 0
            ? ProjectionHead(
                input: h.numericWidth, output: d, hidden: nil, activation: h.nnActivation, initializer: initializer,
                seed: mixSeed(seed, 6)) : nil
        attention = ModelAttention(
            width: d, heads: h.heads, dropout: h.attentionDropout, randomness: randomness, seed: mixSeed(seed, 7))
        norm = LayerNorm(dimension: d)
        fusion = FusionMLP(
            input: d, hidden: h.fusionHiddenDims, output: d, activation: h.nnActivation, batchNorm: h.batchNorm,
            dropout: h.dropout, initializer: initializer, randomness: randomness, seed: mixSeed(seed, 8))
        if h.isPairwise {
            pairAttention = ModelAttention(
                width: d, heads: h.heads, dropout: h.attentionDropout, randomness: randomness, seed: mixSeed(seed, 9))
            pairNorm = LayerNorm(dimension: d)
            pairHead = FusionMLP(
                input: d, hidden: [d], output: 1, activation: h.nnActivation, batchNorm: false, dropout: h.dropout,
                initializer: initializer, randomness: randomness, seed: mixSeed(seed, 10))
        } else {
            pairAttention = nil
            pairNorm = nil
            pairHead = nil
        }
        if let s = h.sequence {
            sequence = SequenceEncoder(
                length: s.maxLength, width: d, blocks: s.blocks, heads: s.heads, dropout: s.dropout,
                randomness: randomness,
                seed: mixSeed(seed, 13))
        } else {
            sequence = nil
        }
        // An architecture that breaks its rules (checkpoint validation rejects those first) builds no top:
        // the checkpoint's text_top tensors then have no parameter to load into, an error, not a crash.
        textTop = h.textTop.flatMap { try? TrainableEncoderTop(architecture: $0) }
    }

    /// Checks that `content` fits this model's text input: cached states for the top when it has one
    /// (same cut and width), none otherwise.
    /// - Throws: ``ModelError/invalidSetting(key:reason:)`` naming `model.trainable_encoder_layers`.
    public func checkTextInput(_ content: ItemContent) throws {
        switch (textTop, content.textStates) {
        case (nil, nil): return
        case let (top?, states?):
            guard states.cache.identity.cut == top.cut, states.cache.width == top.width,
                states.cacheRows.count == content.count
            else {
                throw ModelError.invalidSetting(
                    key: "model.trainable_encoder_layers",
                    reason:
                        "the text top reads \(top.cut) (width \(top.width)), the cached states are at "
                        + "\(states.cache.identity.cut) (width \(states.cache.width)) for \(states.cacheRows.count) "
                        + "of \(content.count) items; run pixelrec encode")
            }
        case (_?, nil):
            throw ModelError.invalidSetting(
                key: "model.trainable_encoder_layers",
                reason: "the model has a trainable text top but no cached hidden states were given; run pixelrec encode"
            )
        case (nil, _?):
            throw ModelError.invalidSetting(
                key: "model.trainable_encoder_layers",
                reason: "cached hidden states were given to a model without a trainable text top")
        }
    }

    /// Builds the class named by `hyperparameters.modelClass` (`pretrained` or `enhanced`).
    public static func make(_ hyperparameters: ModelHyperparameters) -> PretrainedMultimodalRecommender {
        hyperparameters.isEnhanced
            ? EnhancedMultimodalRecommender(hyperparameters: hyperparameters)
            : PretrainedMultimodalRecommender(hyperparameters: hyperparameters)
    }

    /// Restarts the model's dropout stream for `epoch` (see ``ModelRandomness``).
    public func startEpoch(_ epoch: Int) { randomness.reset(epoch: epoch) }

    /// Content tokens of a batch of items before fusion.
    struct ItemTokens {
        /// `[B, d]` each.
        var id: Tensor
        var vision: Tensor
        var text: Tensor
        var numeric: Tensor?
    }

    /// - Parameters:
    ///   - rows: rows of `content`.
    ///   - ids: the model's item index of each row, or −1 for an item without an ID embedding.
    func tokens(content: ItemContent, rows: [Int32], ids: [Int32]) -> ItemTokens {
        let b = rows.count
        var mask = [Float](repeating: 0, count: b)
        var lookup = [Int32](repeating: 0, count: b)
        let p = hyperparameters.itemIdDropout
        let stream = randomness.active
        for r in 0..<b where ids[r] >= 0 {
            lookup[r] = ids[r]
            mask[r] = isTraining && p > 0 && stream.generator.nextUniform() < p ? 0 : 1
        }
        var id = items(IndexTensor(lookup))
        if mask.contains(where: { $0 == 0 }) { id = id * Tensor(shape: [b, 1], scalars: mask) }
        // `item_tower: id` reads no content (the vision/text slots are never fused nor aligned).
        if hyperparameters.itemTower == .id { return ItemTokens(id: id, vision: id, text: id, numeric: nil) }
        let textInput: Tensor
        if let textTop {
            // checkTextInput ran at every entry (training run, scorer): a missing cache here is a bug.
            guard let states = content.textStates else { preconditionFailure("a text top without cached states") }
            textInput = states.textRows(rows, top: textTop)
        } else if isTraining && content.textViewCount > 0 {
            // Text augmentation: in training, one edited view per row (drawn from the model's stream).
            textInput = content.textViewRows(rows) { n in Int(stream.generator.next() % UInt64(n)) }
        } else {
            textInput = content.textRows(rows)
        }
        return ItemTokens(
            id: id, vision: vision(content.visionRows(rows)), text: text(textInput),
            numeric: numeric.map { $0(content.numericRows(rows)) })
    }

    /// Cross-modal mixing of the vision and text tokens; the identity here, overridden by the
    /// enhanced model.
    func crossModal(_ tokens: ItemTokens) -> ItemTokens { tokens }

    /// Fuses item tokens into item vectors `[B, d]`.
    func fuse(_ t: ItemTokens) -> Tensor {
        let mixed = crossModal(t)
        let content = [mixed.vision, mixed.text] + (mixed.numeric.map { [$0] } ?? [])
        let parts: [Tensor]
        switch hyperparameters.itemTower ?? .idContent {
        case .idContent: parts = [mixed.id] + content
        case .id: parts = [mixed.id]
        case .content: parts = content
        }
        let x = stack(parts, axis: 1)
        let h = norm(x + attention.attend(x, x))
        return fusion(h.mean(axis: 1))
    }

    /// Item vectors `[rows.count, d]` (tracked by autograd when in training).
    public func itemVectors(content: ItemContent, rows: [Int32], ids: [Int32]) -> Tensor {
        fuse(tokens(content: content, rows: rows, ids: ids))
    }

    /// User-ID embeddings `[users.count, d]`.
    public func userVectors(_ userIndices: [Int32]) -> Tensor { users(IndexTensor(userIndices)) }

    /// Pairwise logits `[B]` of `(user, item)` rows (only with `scoring: pairwise`).
    func pairwiseLogits(users userTokens: Tensor, _ t: ItemTokens) -> Tensor? {
        guard let pairAttention, let pairNorm, let pairHead else { return nil }
        let x = stack([userTokens, t.id, t.vision, t.text] + (t.numeric.map { [$0] } ?? []), axis: 1)
        let h = pairNorm(x + pairAttention.attend(x, x))
        return pairHead(h.mean(axis: 1)).reshaped([-1])
    }

    /// Pairwise logits for `(user vector, item)` pairs, for re-ranking (evaluation mode expected);
    /// `userVectors` is row-major `[rows.count, d]`. `nil` without a pairwise head.
    public func pairwiseScores(userVectors: [Float], content: ItemContent, rows: [Int32], ids: [Int32]) -> [Float]? {
        Autograd.withoutRecording {
            let t = tokens(content: content, rows: rows, ids: ids)
            let u = Tensor(shape: [rows.count, hyperparameters.embeddingDim], scalars: userVectors)
            return pairwiseLogits(users: u, t)?.scalars
        }
    }

    public func namedParameters() -> [(String, Parameter)] {
        var out =
            prefixed("user_embedding", users.namedParameters()) + prefixed("item_embedding", items.namedParameters())
        out +=
            prefixed("vision_projection", vision.namedParameters())
            + prefixed("text_projection", text.namedParameters())
        if let numeric { out += prefixed("numeric_projection", numeric.namedParameters()) }
        out += prefixed("attention", attention.namedParameters()) + prefixed("attention_norm", norm.namedParameters())
        out += prefixed("fusion", fusion.namedParameters())
        if let pairAttention, let pairNorm, let pairHead {
            out +=
                prefixed("pairwise.attention", pairAttention.namedParameters())
                + prefixed("pairwise.norm", pairNorm.namedParameters())
                + prefixed("pairwise.head", pairHead.namedParameters())
        }
        if let sequence { out += prefixed("sequence", sequence.namedParameters()) }
        if let textTop { out += prefixed("text_top", textTop.namedParameters()) }
        return out
    }

    public func namedBuffers() -> [(String, Parameter)] {
        prefixed("fusion", fusion.namedBuffers())
            + (pairHead.map { prefixed("pairwise.head", $0.namedBuffers()) } ?? [])
    }

    public func setTraining(_ training: Bool) {
        isTraining = training
        attention.setTraining(training)
        fusion.setTraining(training)
        pairAttention?.setTraining(training)
        pairHead?.setTraining(training)
        sequence?.setTraining(training)
        textTop?.setTraining(training)
    }
}

/// `model_class: enhanced`: the pretrained model plus cross-modal attention before the token fusion —
/// the vision token attends to the text token and the text token to the vision token, each mixed in as
/// `w·attended + (1 − w)·original` with `w = cross_modal_attention_weight`.
public final class EnhancedMultimodalRecommender: PretrainedMultimodalRecommender {
    let visionToText: ModelAttention
    let textToVision: ModelAttention

    public required init(hyperparameters h: ModelHyperparameters) {
        visionToText = ModelAttention(
            width: h.embeddingDim, heads: h.heads, dropout: h.attentionDropout, randomness: ModelRandomness(seed: 0),
            seed: mixSeed(h.seed, 11))
        textToVision = ModelAttention(
            width: h.embeddingDim, heads: h.heads, dropout: h.attentionDropout, randomness: ModelRandomness(seed: 0),
            seed: mixSeed(h.seed, 12))
        super.init(hyperparameters: h)
        visionToText.randomness = randomness
        textToVision.randomness = randomness
    }

    override func crossModal(_ t: ItemTokens) -> ItemTokens {
        guard hyperparameters.useCrossModalAttention else { return t }
        let w = hyperparameters.crossModalAttentionWeight
        let v = t.vision.expandingDims(at: 1), x = t.text.expandingDims(at: 1)
        let attendedVision = visionToText.attend(v, x).reshaped([-1, hyperparameters.embeddingDim])
        let attendedText = textToVision.attend(x, v).reshaped([-1, hyperparameters.embeddingDim])
        var out = t
        out.vision = attendedVision * w + t.vision * (1 - w)
        out.text = attendedText * w + t.text * (1 - w)
        return out
    }

    public override func namedParameters() -> [(String, Parameter)] {
        super.namedParameters() + prefixed("cross_modal.vision_to_text", visionToText.namedParameters())
            + prefixed("cross_modal.text_to_vision", textToVision.namedParameters())
    }

    public override func setTraining(_ training: Bool) {
        super.setTraining(training)
        visionToText.setTraining(training)
        textToVision.setTraining(training)
    }
}
