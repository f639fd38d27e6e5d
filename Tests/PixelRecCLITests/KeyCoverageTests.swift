import Foundation
import Testing

@testable import PixelConfig

/// Key coverage, by construction: one row per key of the config schema. Each row sets its key to a value other
/// than the baseline's and runs the whole pipeline (preprocess → split → encode → train → eval → recommend) as a
/// user would, in a fresh workspace on tiny generated data; the row passes only when something a user can see
/// changes — the data a stage writes, the files and where they land, the trained model's scores and
/// recommendation lists, the evaluation's metrics, or the command's refusal — or, for a key on the documented
/// no-effect list, when `config check` warns about it. A key without a row fails ``everyKeyHasARow()``.
///
/// What counts as a change is deliberately narrow: reports that echo the configuration (`split_info.json`,
/// `preprocess_report.json`, checkpoint headers, the `config` and `timing` parts of result JSON) are left out,
/// so a key that is parsed, echoed and otherwise ignored still fails. Some keys act only together with another
/// setting (`when:`, applied to the baseline too) or must move with another to stay valid (`with:`, the split
/// ratios that sum to 1).
@Suite("Config key coverage")
struct KeyCoverageTests {
    /// What a row expects.
    enum Check: Sendable {
        /// The pipeline runs to the end and its outcome (data, files, scores, metrics) differs from the
        /// baseline's.
        case outcome
        /// A command refuses the setting with one `error:` line containing this text (a file or model the
        /// workspace does not have, a value the rest of the config rules out): the key is read, and its
        /// working path is covered by another suite.
        case refused(String)
        /// A command's output holds this text with the key set and not without it (keys that only change
        /// what is reported or how fast: cache statistics, a skipped check).
        case message(String)
        /// The key is on the documented no-effect list: `config check` warns, naming the key.
        case warns
        /// `pixelrec serve` (after training) answers the probe's requests differently
        /// (``KeyCoveragePipeline/serve(_:)``).
        case serveOutcome
        /// `pixelrec serve` prints this text with the key set and not without it (`$FREE_PORT`: the free port
        /// the row's value names).
        case serveMessage(String)
    }

    struct Row: Sendable, CustomTestStringConvertible {
        let key: String
        let value: String
        let context: [String]
        let companions: [String]
        let check: Check
        var testDescription: String { "\(key)=\(value)" }
    }

    static func row(
        _ key: String, _ value: String, when context: [String] = [], with companions: [String] = [],
        _ check: Check = .outcome
    ) -> Row {
        Row(key: key, value: value, context: context, companions: companions, check: check)
    }

    static let rows: [Row] = modelRows + trainingRows + dataRows + splittingRows + outputRows + servingRows

    static let modelRows: [Row] = [
        row("model.model_class", "enhanced"),
        // Real encoders need files this workspace does not have: the refusal names what is missing.
        row("model.vision_model", "clip", .refused("models/encoders/clip")),
        row("model.language_model", "bert", .refused("models/encoders/bert")),
        row("model.vision_model_path", "encoders/mine", when: ["model.vision_model=clip"], .refused("encoders/mine")),
        row(
            "model.language_model_path", "encoders/mine", when: ["model.language_model=bert"],
            .refused("encoders/mine")),
        row("model.embedding_dim", "8"),
        row("model.freeze_vision", "false", .warns),
        row("model.freeze_language", "false", .warns),
        // Builtin text features have no transformer blocks: refused (trained tops are covered with MiniLM in
        // TrainableTopCommandTests).
        row(
            "model.trainable_encoder_layers", "1", when: ["model.freeze_language=false"],
            .refused("model.trainable_encoder_layers")),
        row("model.use_contrastive", "true"),
        row("model.contrastive_temperature", "0.5", when: ["model.use_contrastive=true"]),
        row("model.dropout_rate", "0.3", when: ["model.fusion_hidden_dims=[32]"]),
        row("model.num_attention_heads", "4", when: ["model.model_class=enhanced"]),
        row("model.attention_dropout", "0.3", when: ["model.model_class=enhanced"]),
        row("model.fusion_hidden_dims", "[32]"),
        row("model.fusion_activation", "tanh", when: ["model.fusion_hidden_dims=[32]"]),
        row("model.use_batch_norm", "true", when: ["model.fusion_hidden_dims=[32]"]),
        row("model.projection_hidden_dim", "32"),
        row("model.use_cross_modal_attention", "false", when: ["model.model_class=enhanced"]),
        row("model.cross_modal_attention_weight", "0.9", when: ["model.model_class=enhanced"]),
        row("model.final_activation", "sigmoid"),
        row("model.init_method", "kaiming_normal"),
        row("model.scoring", "pairwise"),
        row("model.item_id_dropout", "0.5"),
        row("model.content_knn_weight", "0.5"),
        row("model.item_tower", "id"),
        row("model.user_encoder", "id"),
        row("model.max_seq_len", "3"),
        row("model.seq_blocks", "1"),
        row("model.seq_heads", "2"),
        row("model.seq_dropout", "0.1"),
    ]

    static let trainingRows: [Row] = [
        row("training.batch_size", "32"),
        row("training.epochs", "3"),
        row("training.learning_rate", "0.01"),
        row("training.encoder_lr", "0.01", .warns),
        row("training.weight_decay", "0.1"),
        row("training.patience", "1", when: ["training.epochs=6"]),
        row("training.gradient_clip", "0.01"),
        row("training.contrastive_weight", "1.0", when: ["model.use_contrastive=true"]),
        row("training.content_alignment_weight", "1.0"),
        row("training.bce_weight", "0.5"),
        row("training.loss", "bpr"),
        row("training.use_lr_scheduler", "true", when: ["training.lr_scheduler_type=cosine"]),
        row("training.lr_scheduler_type", "cosine", when: ["training.use_lr_scheduler=true"]),
        row(
            "training.lr_scheduler_patience", "1",
            when: ["training.use_lr_scheduler=true", "training.epochs=6", "training.lr_scheduler_patience=3"]),
        row(
            "training.lr_scheduler_factor", "0.1",
            when: ["training.use_lr_scheduler=true", "training.epochs=6", "training.lr_scheduler_patience=1"]),
        row(
            "training.lr_scheduler_min_lr", "0.0005",
            when: [
                "training.use_lr_scheduler=true", "training.lr_scheduler_type=step",
                "training.lr_scheduler_step_size=1",
            ]),
        row(
            "training.lr_scheduler_step_size", "1",
            when: ["training.use_lr_scheduler=true", "training.lr_scheduler_type=step"]),
        row(
            "training.lr_scheduler_gamma", "0.5",
            when: [
                "training.use_lr_scheduler=true", "training.lr_scheduler_type=step",
                "training.lr_scheduler_step_size=1",
            ]),
        row("training.warmup_epochs", "1"),
        row("training.optimizer_type", "adam", when: ["training.weight_decay=0.1"]),
        row("training.adam_beta1", "0.5"),
        row("training.adam_beta2", "0.9"),
        row("training.adam_eps", "0.001"),
        row("training.momentum", "0.5", when: ["training.optimizer_type=sgd"]),
        row("training.nesterov", "true", when: ["training.optimizer_type=sgd"]),
        row("training.seed", "8"),
        row("training.threads", "2"),
        row("training.eval_every", "2", when: ["training.epochs=3"]),
        row("training.early_stopping_metric", "val_loss"),
        row("training.max_steps_per_epoch", "1"),
        // A random split has no cold users to validate on: refused (cold-user validation runs in
        // CommandTests on a user split).
        row("training.validation_task", "cold_user", .refused("cold_user")),
        row("training.sequence_windows", "last"),
        row("training.full_softmax_max_items", "10"),
        row("training.sampled_negatives", "4", when: ["training.full_softmax_max_items=0"]),
    ]

    static let dataRows: [Row] = [
        row("data.item_info_path", "raw/elsewhere.csv", .refused("raw/elsewhere.csv")),
        row("data.interactions_path", "raw/elsewhere.csv", .refused("raw/elsewhere.csv")),
        row("data.image_folder", "raw/other_images"),
        row("data.processed_item_info_path", "processed/items.csv"),
        row("data.processed_interactions_path", "processed/events.csv"),
        row("data.processed_image_destination_folder", "pictures"),
        row(
            "data.processed_dir", "prepared",
            when: [
                "data.processed_item_info_path=data/processed/item_info.csv",
                "data.processed_interactions_path=data/processed/interactions.csv",
            ]),
        row("data.feature_store_path", "features"),
        row(
            "data.split_data_path", "splits/other",
            with: [
                "data.train_data_path=splits/other/train.csv", "data.val_data_path=splits/other/val.csv",
                "data.test_data_path=splits/other/test.csv",
            ]),
        row("data.train_data_path", "splits/s/val.csv"),
        row("data.val_data_path", "splits/s/test.csv"),
        row("data.test_data_path", "splits/s/val.csv"),
        row("data.cache_processed_images", "true"),
        row("data.image_cache_config.strategy", "memory", when: ["data.cache_processed_images=true"]),
        row(
            "data.image_cache_config.max_memory_items", "2",
            when: ["data.cache_processed_images=true", "data.image_cache_config.strategy=memory"],
            .message("evicted from memory")),
        row("data.image_cache_config.cache_directory", "tensors", when: ["data.cache_processed_images=true"]),
        row(
            "data.image_cache_config.precompute_at_startup", "true", when: ["data.cache_processed_images=true"],
            .message("precomputed at startup")),
        row(
            "data.image_cache_config.preprocessing_batch_size", "7",
            when: ["data.cache_processed_images=true", "data.image_cache_config.precompute_at_startup=true"],
            .message("batches of 7")),
        row(
            "data.offline_image_compression.enabled", "false",
            when: ["data.offline_image_compression.compress_if_kb_larger_than=0"]),
        row("data.offline_image_compression.compress_if_kb_larger_than", "0"),
        row(
            "data.offline_image_compression.target_quality", "20",
            when: ["data.offline_image_compression.compress_if_kb_larger_than=0"]),
        row(
            "data.offline_image_compression.resize_if_pixels_larger_than", "[16, 16]",
            when: ["data.offline_image_compression.resize_target_longest_edge=12"]),
        row(
            "data.offline_image_compression.resize_target_longest_edge", "12",
            when: ["data.offline_image_compression.resize_if_pixels_larger_than=[16, 16]"]),
        row("data.negative_sampling_ratio", "3", when: ["training.loss=bce"]),
        row("data.negative_sampling_strategy", "popularity", when: ["training.loss=bce"]),
        row("data.numerical_features_cols", "[view_number]"),
        row("data.numerical_normalization_method", "min_max"),
        row("data.text_augmentation.enabled", "true"),
        row("data.text_augmentation.augmentation_type", "shuffle", when: ["data.text_augmentation.enabled=true"]),
        row("data.text_augmentation.delete_prob", "0.5", when: ["data.text_augmentation.enabled=true"]),
        row(
            "data.text_augmentation.swap_prob", "0.5",
            when: ["data.text_augmentation.enabled=true", "data.text_augmentation.augmentation_type=random_swap"]),
        row("data.text_augmentation.n_views", "2", when: ["data.text_augmentation.enabled=true"]),
        row("data.offline_image_validation.check_corrupted", "false"),
        row("data.offline_image_validation.min_width", "20"),
        row("data.offline_image_validation.min_height", "20"),
        row("data.offline_image_validation.allowed_extensions", "[\".jpg\"]"),
        row("data.offline_text_cleaning.remove_html", "false"),
        row("data.offline_text_cleaning.normalize_unicode", "false"),
        row("data.offline_text_cleaning.to_lowercase", "false"),
    ]

    static let splittingRows: [Row] = [
        row("data.splitting.strategy", "temporal"),
        row("data.splitting.random_state", "5"),
        row("data.splitting.sample_n", "600"),
        row("data.splitting.sample_unit", "users", when: ["data.splitting.sample_n=40"]),
        // One global time cut leaves no test user with training interactions here: retrieval refuses.
        row(
            "data.splitting.temporal_scope", "global", when: ["data.splitting.strategy=temporal"],
            .refused("no test user also has training interactions")),
        // The three ratios must sum to 1, so each moves with one other.
        row(
            "data.splitting.train_final_ratio", "0.7", with: ["data.splitting.val_final_ratio=0.1"]),
        row("data.splitting.val_final_ratio", "0.3", with: ["data.splitting.test_final_ratio=0.1"]),
        row("data.splitting.test_final_ratio", "0.3", with: ["data.splitting.train_final_ratio=0.5"]),
        row("data.splitting.min_interactions_per_user", "20"),
        row("data.splitting.min_interactions_per_item", "32"),
        row("data.splitting.holdout_min_interactions", "25", when: ["data.splitting.strategy=item"]),
        row("data.splitting.validate_no_leakage", "false", .message("skipped")),
    ]

    static let outputRows: [Row] = [
        row("recommendation.top_k", "3"),
        row("recommendation.diversity_weight", "0.9", when: ["recommendation.use_diversity=true"]),
        row("recommendation.novelty_weight", "0.9", when: ["recommendation.use_diversity=true"]),
        row("recommendation.filter_seen", "false"),
        row(
            "recommendation.max_candidates", "8",
            when: ["recommendation.use_diversity=true", "recommendation.top_k=5"]),
        row("recommendation.novelty_filter_percent", "20"),
        row("recommendation.use_diversity", "true"),
        // An item split leaves the held-out items without training interactions: new to the model.
        row("recommendation.include_new_items", "true", when: ["data.splitting.strategy=item"]),
        row("evaluation.task", "next_item"),
        row("evaluation.k_values", "[3]"),
        row("evaluation.negatives", "10"),
        row("evaluation.recommender_type", "popularity"),
        row("evaluation.knn_neighbors", "3", when: ["evaluation.recommender_type=item_knn"]),
        row("evaluation.knn_shrinkage", "1", when: ["evaluation.recommender_type=item_knn"]),
        row("evaluation.save_per_user", "true"),
        row("checkpoint_dir", "weights"),
        row("results_dir", "reports"),
    ]

    static let servingRows: [Row] = [
        row("serving.host", "0.0.0.0", .serveMessage("listening on http://0.0.0.0:")),
        row("serving.port", "$FREE_PORT", .serveMessage("listening on http://127.0.0.1:$FREE_PORT ")),
        row("serving.threads", "1", .serveMessage("(1 event-loop thread)")),
        row("serving.max_body_bytes", "1000", .serveOutcome),
        row("serving.max_k", "10", .serveOutcome),
        row("serving.max_history", "2", .serveOutcome),
        row("serving.idle_timeout_seconds", "1", .serveOutcome),
        row("serving.admin", "true", .serveOutcome),
    ]

    @Test("every key of the schema has exactly one row, and no row names a key the schema lacks")
    func everyKeyHasARow() {
        let keys = ConfigSchema.fields.map(\.path)
        let rowKeys = Self.rows.map(\.key)
        let missing = Set(keys).subtracting(rowKeys).sorted()
        let unknown = Set(rowKeys).subtracting(keys).sorted()
        let repeated = Dictionary(grouping: rowKeys, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        #expect(missing.isEmpty, "keys without a row: \(missing)")
        #expect(unknown.isEmpty, "rows for keys the schema does not have: \(unknown)")
        #expect(repeated.isEmpty, "keys with more than one row: \(repeated)")
    }

    @Test("each key of the Python framework pixelrec ignores warns with its reason and is listed in the README")
    func ignoredKeysWarn() async throws {
        let binary = try #require(ExecutableTests.binary, "build pixelrec first")
        let pipeline = try await KeyCoveragePipeline.shared(binary: binary)
        let readme = try String(contentsOfFile: packageRoot + "/README.md", encoding: .utf8)
        for (path, reason) in ConfigSchema.ignoredKeys {
            let key = path.hasSuffix(".*") ? String(path.dropLast(2)) + ".enabled" : path
            let warning = try pipeline.warning(for: key + "=1")
            #expect(warning?.contains("is ignored: " + reason) == true, "\(key): \(warning ?? "no warning")")
            #expect(readme.contains(path.hasSuffix(".*") ? String(path.dropLast(2)) : path), "README lacks \(path)")
        }
    }

    @Test("the key changes what the pipeline produces, or is documented and warned about", arguments: rows)
    func key(_ row: Row) async throws {
        let binary = try #require(ExecutableTests.binary, "build pixelrec first")
        let pipeline = try await KeyCoveragePipeline.shared(binary: binary)
        switch row.check {
        case .warns:
            let warning = try pipeline.warning(for: row.key + "=" + row.value)
            #expect(
                warning?.contains(row.key) == true && warning?.contains("no effect") == true,
                "\(row.key)=\(row.value): `config check` gave no 'has no effect' warning: \(warning ?? "none")")
            let readme = try String(contentsOfFile: packageRoot + "/README.md", encoding: .utf8)
            #expect(readme.contains(row.key), "\(row.key) warns but README.md does not list it")
        case .refused(let text):
            let changed = try pipeline.run(row.context + row.companions + [row.key + "=" + row.value])
            #expect(
                changed.outcome.failure?.contains(text) == true,
                "\(row.key)=\(row.value): expected a refusal naming \"\(text)\", got \(changed.outcome.failure ?? "success")"
            )
        case .serveOutcome, .serveMessage:
            let port = row.value == "$FREE_PORT" ? String(KeyCoveragePipeline.freePort()) : nil
            let value = port ?? row.value
            let baseline = try await pipeline.baselineServe()
            let changed = try pipeline.serve([row.key + "=" + value])
            #expect(changed.outcome.failure == nil, "\(row.key)=\(value): \(changed.outcome.failure ?? "")")
            if case let .serveMessage(template) = row.check {
                let text = template.replacingOccurrences(of: "$FREE_PORT", with: port ?? "")
                #expect(
                    changed.messages.contains(text) && !baseline.messages.contains(text),
                    "\(row.key)=\(value): expected \"\(text)\" only with the key; with: \(changed.messages.suffix(600))"
                )
            } else {
                let differences = baseline.outcome.differences(from: changed.outcome)
                KeyCoveragePipeline.log("\(row.key)=\(value): \(differences.joined(separator: "; "))")
                #expect(!differences.isEmpty, "\(row.key)=\(value): serve answered the probe as without it")
            }
        case .outcome, .message:
            let baseline = try await pipeline.baseline(row.context)
            let changed = try pipeline.run(row.context + row.companions + [row.key + "=" + row.value])
            if case let .message(text) = row.check {
                #expect(
                    changed.messages.contains(text) && !baseline.messages.contains(text),
                    "\(row.key)=\(row.value): expected \"\(text)\" only with the key; with: \(changed.messages)")
            } else {
                #expect(
                    changed.outcome.failure == nil,
                    "\(row.key)=\(row.value) (with \(row.context)): the pipeline failed: \(changed.outcome.failure ?? "")"
                )
                let differences = baseline.outcome.differences(from: changed.outcome)
                KeyCoveragePipeline.log("\(row.key)=\(row.value): \(differences.prefix(6).joined(separator: "; "))")
                #expect(
                    !differences.isEmpty,
                    "\(row.key)=\(row.value) (with \(row.context)) changed nothing a user can see; ended \(changed.outcome.failure ?? "ok")"
                )
            }
        }
    }
}
