/// The one table of every configuration key: YAML path, Swift property, description, rule.
///
/// The order here is the order of `yamlText()`; keys of one section stay together.
enum ConfigSchema {
    typealias F = ConfigField

    static let fields: [ConfigField] =
        model + training + data + recommendation + evaluation + serving + [
            F("checkpoint_dir", \.checkpointDir, "where `pixelrec train` writes model checkpoints", .nonEmpty),
            F("results_dir", \.resultsDir, "where `pixelrec eval` writes metrics and reports", .nonEmpty),
        ]

    private static let model: [ConfigField] = [
        F(
            "model.model_class", \.model.modelClass,
            "pretrained: frozen encoders + fusion MLP; enhanced: adds cross-modal attention"),
        F(
            "model.vision_model", \.model.visionModel,
            "image encoder family (builtin: colour/edge histograms, no weights)"),
        F("model.language_model", \.model.languageModel, "text encoder family (builtin: hashed TF-IDF, no weights)"),
        F(
            "model.vision_model_path", \.model.visionModelPath,
            "image encoder ONNX directory; null = models/encoders/<vision_model>"),
        F(
            "model.language_model_path", \.model.languageModelPath,
            "text encoder ONNX + tokenizer directory; null = models/encoders/<language_model>"),
        F("model.embedding_dim", \.model.embeddingDim, "size of the shared embedding space", .atLeast(1)),
        F("model.freeze_vision", \.model.freezeVision, "keep the image encoder's weights fixed"),
        F(
            "model.freeze_language", \.model.freezeLanguage,
            "keep the text encoder's weights fixed; false trains its top trainable_encoder_layers blocks"),
        F(
            "model.trainable_encoder_layers", \.model.trainableEncoderLayers,
            "top transformer blocks of the text encoder trained with freeze_language: false; 0 = frozen",
            .atLeast(0)),
        F("model.use_contrastive", \.model.useContrastive, "add the InfoNCE image-text alignment loss"),
        F(
            "model.contrastive_temperature", \.model.contrastiveTemperature, "temperature of the contrastive loss",
            .positive),
        F("model.dropout_rate", \.model.dropoutRate, "dropout after each fusion layer, in [0, 1)", .dropout),
        F(
            "model.num_attention_heads", \.model.numAttentionHeads,
            "cross-modal attention heads; must divide embedding_dim", .atLeast(1)),
        F("model.attention_dropout", \.model.attentionDropout, "dropout on attention weights, in [0, 1)", .dropout),
        F(
            "model.fusion_hidden_dims", \.model.fusionHiddenDims, "hidden layer widths of the fusion MLP",
            .entries(atLeast: 1)),
        F("model.fusion_activation", \.model.fusionActivation, "nonlinearity between fusion layers"),
        F("model.use_batch_norm", \.model.useBatchNorm, "batch normalization in the fusion MLP"),
        F(
            "model.projection_hidden_dim", \.model.projectionHiddenDim,
            "hidden width of encoder projection heads; null = one linear layer", .atLeastWhenSet(1)),
        F(
            "model.use_cross_modal_attention", \.model.useCrossModalAttention,
            "let image and text features attend to each other"),
        F(
            "model.cross_modal_attention_weight", \.model.crossModalAttentionWeight,
            "w in w*attended + (1-w)*original, in [0, 1]", .unitInterval),
        F("model.final_activation", \.model.finalActivation, "applied to the score; sigmoid gives a probability"),
        F("model.init_method", \.model.initMethod, "initialization of linear-layer weights"),
        F(
            "model.scoring", \.model.scoring,
            "dot: two towers, u.v (full ranking = one matrix product); pairwise: the fusion MLP re-ranks the top max_candidates"
        ),
        F(
            "model.item_id_dropout", \.model.itemIdDropout,
            "probability of hiding an item's ID embedding in training (cold items), in [0, 1)", .dropout),
        F(
            "model.content_knn_weight", \.model.contentKnnWeight,
            "w in z(model) + w*z(content_knn): blend content kNN into the model's scores (eval, recommend); 0 = off",
            .nonNegative),
        F(
            "model.item_tower", \.model.itemTower,
            "what item vectors are built from: id_content (ID embedding + image/text/numeric tokens), id, content"),
        F(
            "model.user_encoder", \.model.userEncoder,
            "id: user-ID embedding; sequence: causal self-attention over the history; hybrid: both, summed"),
        F(
            "model.max_seq_len", \.model.maxSeqLen, "newest interactions of a history the sequence encoder reads",
            .atLeast(1)),
        F("model.seq_blocks", \.model.seqBlocks, "self-attention blocks of the sequence encoder", .atLeast(1)),
        F(
            "model.seq_heads", \.model.seqHeads, "attention heads of the sequence encoder; must divide embedding_dim",
            .atLeast(1)),
        F(
            "model.seq_dropout", \.model.seqDropout,
            "dropout of the sequence encoder (inputs, attention, feed-forward), in [0, 1)", .dropout),
    ]

    private static let training: [ConfigField] = [
        F("training.batch_size", \.training.batchSize, "training examples per step", .atLeast(1)),
        F("training.epochs", \.training.epochs, "passes over the training interactions", .atLeast(1)),
        F("training.learning_rate", \.training.learningRate, "optimizer step size", .positive),
        F(
            "training.encoder_lr", \.training.encoderLR,
            "step size of the trainable encoder top (model.trainable_encoder_layers); null = learning_rate × 0.1",
            .positiveWhenSet),
        F(
            "training.weight_decay", \.training.weightDecay, "weight decay (decoupled for adamw, L2 otherwise)",
            .nonNegative),
        F(
            "training.patience", \.training.patience,
            "evaluations without improvement before stopping; 0 = never stop early", .atLeast(0)),
        F(
            "training.gradient_clip", \.training.gradientClip, "maximum global gradient L2 norm; 0 = no clipping",
            .nonNegative),
        F("training.contrastive_weight", \.training.contrastiveWeight, "weight of the contrastive loss", .nonNegative),
        F(
            "training.content_alignment_weight", \.training.contentAlignmentWeight,
            "weight of the InfoNCE aligning each item's content-only vector with its ID vector (cold items); 0 = off",
            .nonNegative),
        F("training.bce_weight", \.training.bceWeight, "weight of the recommendation loss", .nonNegative),
        F("training.loss", \.training.loss, "recommendation loss"),
        F("training.use_lr_scheduler", \.training.useLRScheduler, "adjust the learning rate with lr_scheduler_type"),
        F("training.lr_scheduler_type", \.training.lrSchedulerType, "learning-rate schedule"),
        F(
            "training.lr_scheduler_patience", \.training.lrSchedulerPatience,
            "reduce_on_plateau: evaluations without improvement before a cut", .atLeast(0)),
        F(
            "training.lr_scheduler_factor", \.training.lrSchedulerFactor,
            "reduce_on_plateau: rate multiplier, in (0, 1)", .inRange(0, 1, lowerOpen: true, upperOpen: true)),
        F(
            "training.lr_scheduler_min_lr", \.training.lrSchedulerMinLR, "lowest learning rate any schedule reaches",
            .nonNegative),
        F("training.lr_scheduler_step_size", \.training.lrSchedulerStepSize, "step: epochs between cuts", .atLeast(1)),
        F(
            "training.lr_scheduler_gamma", \.training.lrSchedulerGamma, "step: rate multiplier, in (0, 1]",
            .inRange(0, 1, lowerOpen: true)),
        F(
            "training.warmup_epochs", \.training.warmupEpochs, "epochs of linear warm-up before the schedule",
            .atLeast(0)),
        F("training.optimizer_type", \.training.optimizerType, "optimizer"),
        F(
            "training.adam_beta1", \.training.adamBeta1, "Adam first-moment decay, in [0, 1)",
            .inRange(0, 1, upperOpen: true)),
        F(
            "training.adam_beta2", \.training.adamBeta2, "Adam second-moment decay, in [0, 1)",
            .inRange(0, 1, upperOpen: true)),
        F("training.adam_eps", \.training.adamEps, "Adam epsilon", .positive),
        F("training.momentum", \.training.momentum, "SGD momentum, in [0, 1)", .inRange(0, 1, upperOpen: true)),
        F("training.nesterov", \.training.nesterov, "Nesterov momentum for SGD"),
        F("training.seed", \.training.seed, "seed of every random choice in training", .atLeast(0)),
        F(
            "training.threads", \.training.threads,
            "data-parallel workers (each step's batch split over them, single-threaded BLAS each); 0 = one per core; deterministic per count",
            .atLeast(0)),
        F("training.eval_every", \.training.evalEvery, "validate every this many epochs", .atLeast(1)),
        F(
            "training.early_stopping_metric", \.training.earlyStoppingMetric,
            "validation measure selecting the best epoch: val_loss or <metric>@<k> (hit_rate, precision, recall, ndcg, mrr, map)"
        ),
        F(
            "training.max_steps_per_epoch", \.training.maxStepsPerEpoch,
            "stop each epoch after this many steps; 0 = all batches", .atLeast(0)),
        F(
            "training.validation_task", \.training.validationTask,
            "what validation measures: auto = cold_user for a user split, cold_item for an item split, else retrieval"),
        F(
            "training.sequence_windows", \.training.sequenceWindows,
            "sequence models: all = every interaction in windows of max_seq_len + 1; last = the newest window per user"),
        F(
            "training.full_softmax_max_items", \.training.fullSoftmaxMaxItems,
            "sequence models with sampled_softmax: exact softmax over catalogs up to this size; 0 = always sample",
            .atLeast(0)),
        F(
            "training.sampled_negatives", \.training.sampledNegatives,
            "sequence models: uniform negatives added to each step's candidates when the softmax is sampled",
            .atLeast(1)),
    ]

    private static let data: [ConfigField] = [
        F("data.item_info_path", \.data.itemInfoPath, "raw item table (CSV)", .nonEmpty),
        F("data.interactions_path", \.data.interactionsPath, "raw interaction table (CSV)", .nonEmpty),
        F("data.image_folder", \.data.imageFolder, "raw item images, named by item ID", .nonEmpty),
        F("data.processed_item_info_path", \.data.processedItemInfoPath, "item table written by preprocess", .nonEmpty),
        F(
            "data.processed_interactions_path", \.data.processedInteractionsPath,
            "interaction table written by preprocess", .nonEmpty),
        F(
            "data.processed_image_destination_folder", \.data.processedImageDestinationFolder,
            "images written by preprocess; null = images/ in the processed directory"),
        F(
            "data.processed_dir", \.data.processedDir,
            "directory of every preprocessing output; null = that of processed_item_info_path"),
        F("data.feature_store_path", \.data.featureStorePath, "precomputed encoder features of every item", .nonEmpty),
        F("data.split_data_path", \.data.splitDataPath, "directory of the split", .nonEmpty),
        F("data.train_data_path", \.data.trainDataPath, "training interactions", .nonEmpty),
        F("data.val_data_path", \.data.valDataPath, "validation interactions", .nonEmpty),
        F("data.test_data_path", \.data.testDataPath, "test interactions", .nonEmpty),
        F(
            "data.cache_processed_images", \.data.cacheProcessedImages,
            "keep preprocessed image tensors in the image cache"),
        F("data.image_cache_config.strategy", \.data.imageCache.strategy, "where cached image tensors live"),
        F(
            "data.image_cache_config.max_memory_items", \.data.imageCache.maxMemoryItems,
            "tensors kept in memory (LRU)", .atLeast(0)),
        F(
            "data.image_cache_config.cache_directory", \.data.imageCache.cacheDirectory,
            "on-disk tensors for disk and hybrid", .nonEmpty),
        F(
            "data.image_cache_config.precompute_at_startup", \.data.imageCache.precomputeAtStartup,
            "encode fills the cache with every item's image before it starts encoding"),
        F(
            "data.image_cache_config.preprocessing_batch_size", \.data.imageCache.preprocessingBatchSize,
            "images decoded per batch (split over the threads) when precompute_at_startup fills the cache", .atLeast(1)),
        F(
            "data.offline_image_compression.enabled", \.data.offlineImageCompression.enabled,
            "re-encode large images during preprocess"),
        F(
            "data.offline_image_compression.compress_if_kb_larger_than",
            \.data.offlineImageCompression.compressIfKBLargerThan, "re-encode files larger than this many KiB",
            .atLeast(0)),
        F(
            "data.offline_image_compression.target_quality", \.data.offlineImageCompression.targetQuality,
            "JPEG quality of re-encoded images, 1-100", .inRange(1, 100)),
        F(
            "data.offline_image_compression.resize_if_pixels_larger_than",
            \.data.offlineImageCompression.resizeIfPixelsLargerThan, "[width, height] above which images are resized",
            .entries(atLeast: 1, count: 2)),
        F(
            "data.offline_image_compression.resize_target_longest_edge",
            \.data.offlineImageCompression.resizeTargetLongestEdge, "longest edge after resizing", .atLeast(1)),
        F("data.negative_sampling_ratio", \.data.negativeSamplingRatio, "sampled negatives per positive", .positive),
        F("data.negative_sampling_strategy", \.data.negativeSamplingStrategy, "how negatives are drawn"),
        F(
            "data.numerical_features_cols", \.data.numericalFeaturesCols, "numeric item columns fed to the model",
            .nonEmptyEntries),
        F(
            "data.numerical_normalization_method", \.data.numericalNormalizationMethod,
            "normalization of numeric features (fit on training items)"),
        F(
            "data.text_augmentation.enabled", \.data.textAugmentation.enabled,
            "train on edited copies of item text (encoded once by pixelrec encode); eval/recommend read the clean text"),
        F("data.text_augmentation.augmentation_type", \.data.textAugmentation.augmentationType, "kind of edit"),
        F(
            "data.text_augmentation.delete_prob", \.data.textAugmentation.deleteProb,
            "random_delete: probability per word, in [0, 1]", .unitInterval),
        F(
            "data.text_augmentation.swap_prob", \.data.textAugmentation.swapProb,
            "random_swap: probability per word, in [0, 1]", .unitInterval),
        F(
            "data.text_augmentation.n_views", \.data.textAugmentation.nViews,
            "edited copies of each item text encoded by pixelrec encode; training draws one per item and step",
            .inRange(1, 64)),
        F(
            "data.offline_image_validation.check_corrupted", \.data.offlineImageValidation.checkCorrupted,
            "decode every image, drop those that fail"),
        F(
            "data.offline_image_validation.min_width", \.data.offlineImageValidation.minWidth, "drop narrower images",
            .atLeast(1)),
        F(
            "data.offline_image_validation.min_height", \.data.offlineImageValidation.minHeight, "drop shorter images",
            .atLeast(1)),
        F(
            "data.offline_image_validation.allowed_extensions", \.data.offlineImageValidation.allowedExtensions,
            "image file extensions kept (case-insensitive)", .nonEmptyEntries),
        F(
            "data.offline_text_cleaning.remove_html", \.data.offlineTextCleaning.removeHTML,
            "strip HTML tags and entities"),
        F(
            "data.offline_text_cleaning.normalize_unicode", \.data.offlineTextCleaning.normalizeUnicode,
            "NFKC-normalize text"),
        F("data.offline_text_cleaning.to_lowercase", \.data.offlineTextCleaning.toLowercase, "lowercase text"),
        F("data.splitting.strategy", \.data.splitting.strategy, "how interactions are divided"),
        F("data.splitting.random_state", \.data.splitting.randomState, "seed of the split", .atLeast(0)),
        F(
            "data.splitting.sample_n", \.data.splitting.sampleN,
            "keep a random sample of this many sample_units before splitting; 0 = all", .atLeast(0)),
        F(
            "data.splitting.sample_unit", \.data.splitting.sampleUnit,
            "what sample_n counts: interactions (the Python framework's --sample_n) or users"),
        F(
            "data.splitting.temporal_scope", \.data.splitting.temporalScope,
            "temporal: cut each user's history or one global timeline"),
        F(
            "data.splitting.train_final_ratio", \.data.splitting.trainFinalRatio,
            "share of interactions for training; the three ratios sum to 1", .unitInterval),
        F("data.splitting.val_final_ratio", \.data.splitting.valFinalRatio, "share for validation", .unitInterval),
        F("data.splitting.test_final_ratio", \.data.splitting.testFinalRatio, "share for test", .unitInterval),
        F(
            "data.splitting.min_interactions_per_user", \.data.splitting.minInteractionsPerUser,
            "k-core filter: drop users with fewer interactions", .atLeast(0)),
        F(
            "data.splitting.min_interactions_per_item", \.data.splitting.minInteractionsPerItem,
            "k-core filter: drop items with fewer interactions", .atLeast(0)),
        F(
            "data.splitting.holdout_min_interactions", \.data.splitting.holdoutMinInteractions,
            "user/item: only users/items with at least this many interactions are held out; 0 = all", .atLeast(0)),
        F(
            "data.splitting.validate_no_leakage", \.data.splitting.validateNoLeakage,
            "check the written split for leakage"),
    ]

    private static let recommendation: [ConfigField] = [
        F("recommendation.top_k", \.recommendation.topK, "items per list", .atLeast(1)),
        F(
            "recommendation.diversity_weight", \.recommendation.diversityWeight,
            "use_diversity: MMR diversity weight w (relevance weight λ = 1 − w), in [0, 1]", .unitInterval),
        F(
            "recommendation.novelty_weight", \.recommendation.noveltyWeight,
            "use_diversity: share ν of normalised novelty -log2(pop/N)/log2(N) in the relevance, in [0, 1]",
            .unitInterval),
        F("recommendation.filter_seen", \.recommendation.filterSeen, "leave out items seen in training"),
        F(
            "recommendation.max_candidates", \.recommendation.maxCandidates,
            "best-scored items re-ranked (at least top_k)", .atLeast(1)),
        F(
            "recommendation.novelty_filter_percent", \.recommendation.noveltyFilterPercent,
            "leave out the most popular this many percent of items, in [0, 100)", .inRange(0, 100, upperOpen: true)),
        F(
            "recommendation.use_diversity", \.recommendation.useDiversity,
            "re-rank candidates for diversity and novelty"),
        F(
            "recommendation.include_new_items", \.recommendation.includeNewItems,
            "also rank item-table items without training interactions (from content alone)"),
    ]

    private static let serving: [ConfigField] = [
        F("serving.host", \.serving.host, "pixelrec serve: address to listen on (loopback by default)", .nonEmpty),
        F("serving.port", \.serving.port, "pixelrec serve: TCP port (0 = any free port)", .inRange(0, 65535)),
        F(
            "serving.threads", \.serving.threads, "pixelrec serve: event-loop threads (0 = one per core)",
            .inRange(0, 1024)),
        F(
            "serving.max_body_bytes", \.serving.maxBodyBytes,
            "pixelrec serve: largest request body accepted (413 above)",
            .atLeast(1)),
        F(
            "serving.max_k", \.serving.maxK, "pixelrec serve: longest list a request may ask for (400 above)",
            .atLeast(1)),
        F(
            "serving.max_history", \.serving.maxHistory, "pixelrec serve: most items a request history may name",
            .atLeast(1)),
        F(
            "serving.idle_timeout_seconds", \.serving.idleTimeoutSeconds,
            "pixelrec serve: close a connection silent this long (idle or slow clients)", .positive),
        F("serving.admin", \.serving.admin, "pixelrec serve: serve POST /admin/reload (loopback hosts only)"),
    ]

    private static let evaluation: [ConfigField] = [
        F("evaluation.task", \.evaluation.task, "evaluation protocol"),
        F(
            "evaluation.k_values", \.evaluation.kValues, "list lengths at which metrics are reported",
            .entries(atLeast: 1, nonEmpty: true)),
        F(
            "evaluation.negatives", \.evaluation.negatives,
            "0 = full ranking; n > 0 = sampled: each positive against n negatives", .atLeast(0)),
        F(
            "evaluation.recommender_type", \.evaluation.recommenderType,
            "the model evaluated (the others are baselines)"),
        F(
            "evaluation.knn_neighbors", \.evaluation.knnNeighbors, "item_knn/user_knn/content_knn: neighbours kept",
            .atLeast(1)),
        F(
            "evaluation.knn_shrinkage", \.evaluation.knnShrinkage, "item_knn/user_knn: h in a.b / (|a||b| + h)",
            .nonNegative),
        F("evaluation.save_per_user", \.evaluation.savePerUser, "also write per-user metrics"),
    ]

    /// The comment above each section header in `yamlText()`.
    static let sectionSummaries: [String: String] = [
        "model": "Encoders, fusion network and scoring.",
        "training": "Optimization, schedule, early stopping, reproducibility.",
        "data": "Data locations, preprocessing, negative sampling and splitting.",
        "data.image_cache_config": "Cache of preprocessed image tensors.",
        "data.offline_image_compression": "Shrinking large images during preprocess.",
        "data.text_augmentation": "Random text edits during training.",
        "data.offline_image_validation": "Which images preprocess keeps.",
        "data.offline_text_cleaning": "How preprocess cleans item text.",
        "data.splitting": "How split divides interactions into train/validation/test.",
        "recommendation": "How recommend builds each user's list.",
        "evaluation": "What eval measures (metric definitions: docs/METRICS.md).",
        "serving": "How serve answers over HTTP (docs/SERVING.md).",
    ]

    /// Keys of the Python framework with no meaning in pixelrec: accepted with a warning. A key ending in
    /// `.*` covers its whole section.
    static let ignoredKeys: [(path: String, reason: String)] = [
        ("training.num_workers", "pixelrec sets parallelism with training.threads"),
        ("data.scaler_path", "pixelrec does not read or write Python pickle scalers"),
        ("data.processed_features_cache_config.*", "pixelrec has no processed-feature cache"),
    ]

    private static let fieldsByPath: [String: Int] = Dictionary(
        fields.enumerated().map { ($0.element.path, $0.offset) }, uniquingKeysWith: { first, _ in first })

    /// Every section path (`data`, `data.splitting`, …).
    static let sectionPaths: Set<String> = {
        var sections: Set<String> = []
        for field in fields {
            let parts = field.sections
            for end in parts.indices { sections.insert(parts[...end].joined(separator: ".")) }
        }
        return sections
    }()

    static func field(_ path: String) -> ConfigField? {
        fieldsByPath[path].map { fields[$0] }
    }

    /// The reason an ignored seed key has no meaning here, or `nil` when `path` is not one.
    static func ignoredReason(_ path: String) -> String? {
        for (ignored, reason) in ignoredKeys {
            if ignored.hasSuffix(".*") {
                let section = String(ignored.dropLast(2))
                if path == section || path.hasPrefix(section + ".") { return reason }
            } else if path == ignored {
                return reason
            }
        }
        return nil
    }

    /// Names that may appear directly inside the section `prefix` ("" = top level).
    static func childNames(of prefix: String) -> [String] {
        var names: [String] = []
        var seen: Set<String> = []
        let candidates =
            fields.map(\.path) + ignoredKeys.map { $0.path.hasSuffix(".*") ? String($0.path.dropLast(2)) : $0.path }
        for path in candidates {
            let rest: Substring
            if prefix.isEmpty {
                rest = Substring(path)
            } else if path.hasPrefix(prefix + ".") {
                rest = path.dropFirst(prefix.count + 1)
            } else {
                continue
            }
            let name = String(rest.split(separator: ".").first ?? rest)
            if seen.insert(name).inserted { names.append(name) }
        }
        return names
    }
}
