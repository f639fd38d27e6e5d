import PixelConfig
import PixelNN
import PixelTensor

/// One training step's examples: `B` positives `(users[b], positives[b])`, each with `ratio` sampled
/// negatives `negatives[b·ratio ..< (b+1)·ratio]`. Items are rows of the training ``ItemContent``
/// (equal to the model's item indices).
public struct TrainingExamples: Sendable, Equatable {
    public var users: [Int32]
    public var positives: [Int32]
    public var negatives: [Int32]
    public var ratio: Int

    public init(users: [Int32], positives: [Int32], negatives: [Int32], ratio: Int) {
        precondition(
            users.count == positives.count && negatives.count == positives.count * ratio, "TrainingExamples: sizes")
        self.users = users
        self.positives = positives
        self.negatives = negatives
        self.ratio = ratio
    }

    public var count: Int { users.count }
}

/// Weights and kind of the training objective.
public struct LossSettings: Sendable, Equatable {
    /// `bce`: `BCE(⟨u, v_i⟩, 1) + BCE(⟨u, v_j⟩, 0)` over positives and sampled negatives (the seed's);
    /// `bpr`: `−log σ(⟨u, v_i⟩ − ⟨u, v_j⟩)` per (positive, negative); `sampled_softmax`: each positive
    /// against every negative of the batch, `−log softmax` (shared negatives).
    public var loss: LossFunction
    /// Weight of the recommendation loss (`training.bce_weight`).
    public var recommendationWeight: Float
    /// Weight of the vision–text InfoNCE term (`training.contrastive_weight`; 0 or `use_contrastive: false` = off).
    public var contrastiveWeight: Float
    /// Weight of the content-alignment InfoNCE (`training.content_alignment_weight`; 0 = off).
    public var alignmentWeight: Float

    public init(
        loss: LossFunction, recommendationWeight: Float = 1, contrastiveWeight: Float = 0, alignmentWeight: Float = 0
    ) {
        self.loss = loss
        self.recommendationWeight = recommendationWeight
        self.contrastiveWeight = contrastiveWeight
        self.alignmentWeight = alignmentWeight
    }
}

/// A step's loss and its parts (for logs).
public struct LossParts {
    public var total: Tensor
    public var recommendation: Float
    public var contrastive: Float
    public var pairwise: Float
    public var alignment: Float = 0
}

extension PretrainedMultimodalRecommender {
    /// The model's ids of item rows: the row itself for trained items, −1 (no ID embedding) beyond.
    func trainedIds(_ rows: [Int32]) -> [Int32] {
        let n = Int32(hyperparameters.itemCount)
        return rows.map { $0 < n ? $0 : -1 }
    }

    /// The training objective on `examples` (call in training mode).
    ///
    /// Total = `w_rec · L_rec + w_c · InfoNCE_sym(P_v, P_t) [+ w_rec · BCE(pairwise)]`, InfoNCE over the
    /// distinct positive items of the batch with both an image and a text, at `contrastive_temperature`.
    public func loss(_ examples: TrainingExamples, content: ItemContent, settings: LossSettings) -> LossParts {
        let rows = examples.positives + examples.negatives
        let tokens = tokens(content: content, rows: rows, ids: trainedIds(rows))
        let vectors = fuse(tokens)
        return lossHead(
            examples, rows: rows, vectors: vectors, vision: tokens.vision, text: tokens.text, content: content,
            settings: settings, pairwise: { pairUsers in self.pairwiseLogits(users: pairUsers, tokens) })
    }

    /// The objective from the batch's item vectors `[B(1+r), d]` (positives then negatives) and
    /// vision/text tokens: the part of ``loss(_:content:settings:)`` after the item tower.
    /// `pairwise` maps the per-row user vectors `[B(1+r), d]` to pairwise logits (`nil` without a head).
    func lossHead(
        _ examples: TrainingExamples, rows: [Int32], vectors: Tensor, vision: Tensor?, text: Tensor?,
        content: ItemContent,
        settings: LossSettings, pairwise: (Tensor) -> Tensor?
    ) -> LossParts {
        let b = examples.count, r = examples.ratio
        let positives = vectors.slice(axis: 0, 0..<b)
        let negatives = vectors.slice(axis: 0, b..<(b + b * r))
        let users = userVectors(examples.users)
        // Each negative's user: positive b's user, repeated `ratio` times.
        let repeatIndex = (0..<Int32(b * r)).map { $0 / Int32(r) }
        let negativeUsers = users.indexSelect(axis: 0, indices: repeatIndex)
        let positiveScores = (users * positives).sum(axis: -1)
        let negativeScores = (negativeUsers * negatives).sum(axis: -1)
        let recommendation: Tensor
        switch settings.loss {
        case .bce:
            let logits = concat([positiveScores, negativeScores], axis: 0)
            let targets = Tensor((0..<(b + b * r)).map { $0 < b ? 1 : 0 })
            recommendation = Loss.binaryCrossEntropyWithLogits(logits, targets: targets)
        case .bpr:
            recommendation = Loss.bpr(
                positiveScores: positiveScores.indexSelect(axis: 0, indices: repeatIndex),
                negativeScores: negativeScores)
        case .sampledSoftmax:
            recommendation = Loss.sampledSoftmax(queries: users, positives: positives, negatives: negatives)
        }
        var total = recommendation * settings.recommendationWeight
        var contrastiveValue: Float = 0
        if usesContrastive(settings), let vision, let text {
            let picked = contrastiveRows(rows.prefix(b), content: content)
            if picked.count >= 2 {
                let c = Loss.infoNCE(
                    vision.indexSelect(axis: 0, indices: picked), text.indexSelect(axis: 0, indices: picked),
                    temperature: hyperparameters.contrastiveTemperature)
                contrastiveValue = c.scalar
                total = total + c * settings.contrastiveWeight
            }
        }
        var alignmentValue: Float = 0
        if let a = alignmentTerm(rows: rows.prefix(b), content: content, settings: settings) {
            alignmentValue = a.scalar
            total = total + a * settings.alignmentWeight
        }
        var pairwiseValue: Float = 0
        let pairUsers = concat([users, negativeUsers], axis: 0)
        if let logits = pairwise(pairUsers) {
            let targets = Tensor((0..<(b + b * r)).map { $0 < b ? 1 : 0 })
            let p = Loss.binaryCrossEntropyWithLogits(logits, targets: targets)
            pairwiseValue = p.scalar
            total = total + p * settings.recommendationWeight
        }
        return LossParts(
            total: total, recommendation: recommendation.scalar, contrastive: contrastiveValue, pairwise: pairwiseValue,
            alignment: alignmentValue)
    }

    /// The content-alignment term (CLCRec-style): over the distinct trained items among `positives` (at
    /// most `limit`), `c_i` = the item vector with the ID token zeroed (content alone, as a cold item is
    /// scored) and `v_i` = the item vector with its ID token (never dropped here),
    /// `InfoNCE_sym(c, v)` at `contrastive_temperature` on cosine similarities: each item's content-only
    /// vector must pick out its own ID-based vector among the batch's. `nil` when off, for towers without
    /// both parts, or with fewer than two items.
    func alignmentTerm(
        rows positives: ArraySlice<Int32>, content: ItemContent, settings: LossSettings, limit: Int = 512
    )
        -> Tensor?
    {
        guard settings.alignmentWeight > 0, (hyperparameters.itemTower ?? .idContent) == .idContent else { return nil }
        let n = Int32(hyperparameters.itemCount)
        var seen = Set<Int32>()
        var picked: [Int32] = []
        for row in positives where row < n && seen.insert(row).inserted {
            picked.append(row)
            if picked.count == limit { break }
        }
        guard picked.count >= 2 else { return nil }
        let id = items(IndexTensor(picked))
        let full = ItemTokens(
            id: id, vision: vision(content.visionRows(picked)), text: text(content.textRows(picked)),
            numeric: numeric.map { $0(content.numericRows(picked)) })
        var contentOnly = full
        contentOnly.id = Tensor(zeros: id.shape)
        return Loss.infoNCE(fuse(contentOnly), fuse(full), temperature: hyperparameters.contrastiveTemperature)
    }

    /// Whether the objective has the vision–text InfoNCE term.
    func usesContrastive(_ settings: LossSettings) -> Bool {
        hyperparameters.useContrastive && settings.contrastiveWeight > 0 && hyperparameters.itemTower != .id
    }

    /// Positions among `positives` of the distinct items with both an image and a text: the pairs of the
    /// InfoNCE term (CLIP-style: the batch is the set of pairs; negatives would add quadratic cost for
    /// little signal).
    func contrastiveRows(_ positives: ArraySlice<Int32>, content: ItemContent) -> [Int32] {
        var seen = Set<Int32>()
        var picked: [Int32] = []
        for (k, row) in positives.enumerated() where content.hasBothModalities[Int(row)] && seen.insert(row).inserted {
            picked.append(Int32(k))
        }
        return picked
    }

    /// Item vectors of every row of `content` (evaluation mode, in chunks), row-major `[count, d]`.
    /// - Parameters:
    ///   - ids: per row, the model's item index or −1 (cold: content only).
    ///   - workers: threads the chunks are spread over (evaluation-mode passes only read the model; the
    ///     result does not depend on this).
    public func allItemVectors(content: ItemContent, ids: [Int32], chunk: Int = 1024, workers: Int = 1) -> [Float] {
        let wasTraining = isTraining
        setTraining(false)
        defer { setTraining(wasTraining) }
        let d = hyperparameters.embeddingDim
        var out = [Float](repeating: 0, count: content.count * d)
        let chunks = (content.count + chunk - 1) / chunk
        out.withUnsafeMutableBufferPointer { o in
            let target = UncheckedRows(base: o.baseAddress)
            func run(_ k: Int) {
                let start = k * chunk, end = min(content.count, start + chunk)
                let rows = (Int32(start)..<Int32(end)).map { $0 }
                let v = Autograd.withoutRecording {
                    itemVectors(content: content, rows: rows, ids: Array(ids[start..<end]))
                }
                v.withUnsafeBufferPointer { p in
                    if let base = target.base, let source = p.baseAddress {
                        (base + start * d).update(from: source, count: (end - start) * d)
                    }
                }
            }
            if workers > 1 && chunks > 1 {
                // Each job binds its own random stream: the layers take it inout even when drawing nothing.
                _ = ShardWorkers.run(chunks) { k in
                    ModelRandomness.$override.withValue(ModelRandomness(seed: 0)) { run(k) }
                }
            } else {
                for k in 0..<chunks { run(k) }
            }
        }
        return out
    }

    /// The user-ID embedding table, row-major `[userCount, d]`.
    public var userTable: [Float] { users.weight.value.scalars }
}

/// Rows of an output buffer written by several threads, each to its own rows.
struct UncheckedRows: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>?
}
