/// A built-in default of pixelrec that departs from the Python framework's published value.
public struct DefaultDeparture: Sendable, Equatable {
    /// The key (`model.user_encoder`).
    public let key: String
    /// The framework's value, as a YAML scalar or flow sequence (`--set` syntax).
    public let framework: String
    /// Why pixelrec's default differs (what was measured).
    public let reason: String
}

extension PixelRecConfig {
    /// The defaults pixelrec changed from the Python framework's, and why. A key a configuration leaves
    /// unset takes pixelrec's value (the model validated in `docs/EVALUATION.md`, "Sequence user
    /// encoder"); a configuration that sets the framework's value gets it. `pixelrec config show` lists them.
    public static let departures: [DefaultDeparture] = [
        DefaultDeparture(
            key: "model.user_encoder", framework: "id",
            reason: "the framework has no sequence encoder; a causal self-attention encoder over the user's recent "
                + "items plus the user-ID embedding beats the ID-only user on ml100k (test NDCG@10 .110 vs .072)"),
        DefaultDeparture(
            key: "model.embedding_dim", framework: "128",
            reason: "SASRec's width; the validated sequence model uses 64"),
        DefaultDeparture(
            key: "model.fusion_hidden_dims", framework: "[512, 256, 128]",
            reason: "the validated model fuses with attention and one output layer; the deep MLP was not validated "
                + "with the sequence encoder"),
        DefaultDeparture(
            key: "model.dropout_rate", framework: "0.3",
            reason: "the sequence blocks are regularised by model.seq_dropout (0.5); fusion dropout is off in the "
                + "validated model"),
        DefaultDeparture(
            key: "model.attention_dropout", framework: "0.1", reason: "as model.dropout_rate"),
        DefaultDeparture(
            key: "model.use_batch_norm", framework: "true",
            reason: "off in the validated model (item vectors do not depend on the batch they are computed in)"),
        DefaultDeparture(
            key: "model.final_activation", framework: "sigmoid",
            reason: "the validated model is trained with a softmax, so its scores are logits: σ of them saturates "
                + "at 1 and printed lists would all show 1; none prints the score the list is ranked by"),
        DefaultDeparture(
            key: "model.use_contrastive", framework: "true",
            reason: "the image–text contrastive term is off in the validated model"),
        DefaultDeparture(
            key: "training.loss", framework: "bce",
            reason: "next-item softmax over the catalog (sampled with log-Q beyond full_softmax_max_items); the "
                + "framework's BCE defaults reached validation NDCG@10 .019 after 4 epochs on ml100k, below "
                + "popularity (.043)"),
        DefaultDeparture(
            key: "training.batch_size", framework: "64", reason: "128 windows of max_seq_len + 1 items per step"),
        DefaultDeparture(
            key: "training.epochs", framework: "30",
            reason: "a cap, not a budget: early stopping on validation ends runs (ml100k: 70–145 epochs of windows)"),
        DefaultDeparture(
            key: "training.weight_decay", framework: "0.01",
            reason: "SASRec's recipe (regularised by model.seq_dropout); the settings were validated as a whole "
                + "on ml100k, not key by key"),
        DefaultDeparture(
            key: "training.use_lr_scheduler", framework: "true",
            reason: "a constant rate with early stopping, SASRec's recipe, as validated on ml100k"),
        DefaultDeparture(
            key: "data.cache_processed_images", framework: "true",
            reason: "encoders are frozen, so encode decodes each image once and re-runs are incremental; the cache "
                + "(encoder-ready Float32 tensors, 602 KB per 224-px image on disk) only pays for encode --force or "
                + "another encoder with the same input"),
        DefaultDeparture(
            key: "data.text_augmentation.enabled", framework: "true",
            reason:
                "pixelrec's text encoder is frozen, so views are encoded once (pixelrec encode, n_views) and "
                + "training draws one per step; on ml100k 4 views tie the clean text (validation NDCG@10 .1215 vs "
                + ".1214, 3 seeds) at 4x the text encoding (docs/EVALUATION.md, Text augmentation)"),
        DefaultDeparture(
            key: "training.patience", framework: "10",
            reason: "validation NDCG@10 moves ±.005 from epoch to epoch; 20 validations ride out the noise"),
    ]

    /// The Python framework's defaults: pixelrec's with every ``departures`` entry set back.
    public static var framework: PixelRecConfig {
        do {
            return try ConfigLoader.load(
                yaml: "", sourceName: "framework defaults", overrides: departures.map { "\($0.key)=\($0.framework)" }
            ).config
        } catch {
            preconditionFailure("PixelRecConfig.departures: \(error)")
        }
    }
}
