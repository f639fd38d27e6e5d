/// Reads YAML nodes and `--set` arguments into a `PixelRecConfig` by walking `ConfigSchema`, then
/// checks every rule once on the final values (so `--set` can repair a file's value).
struct ConfigDecoder {
    private(set) var config = PixelRecConfig()
    private(set) var warnings: [String] = []
    /// Where each key was last set, with a counter giving the order of setting.
    private var origins: [String: (order: Int, location: SourceLocation)] = [:]
    private var settings = 0

    // MARK: Files

    /// Decodes a whole document; `nil` and null (an empty file) leave the defaults.
    mutating func decodeDocument(_ root: YAMLNode?, source: String) throws(ConfigError) {
        guard let root, !root.isNull else { return }
        let site = DecodeSite(source: source, usesMarks: true)
        guard case .mapping = root.kind else {
            throw .invalidDocument(
                site.location(of: root),
                problem: "the top level of a config must be a mapping of keys, got \(root.summary)")
        }
        try decodeMapping(root, prefix: "", site: site)
    }

    private mutating func decodeMapping(_ node: YAMLNode, prefix: String, site: DecodeSite) throws(ConfigError) {
        guard case let .mapping(entries) = node.kind else { return }
        for entry in entries {
            let name = entry.name
            let path = prefix.isEmpty ? name : prefix + "." + name
            if prefix.isEmpty && name.hasPrefix("x-") { continue }  // extension keys hold anchors to reuse
            if let field = ConfigSchema.field(path) {
                try field.decode(entry.value, site, &config)
                record(path, at: site.location(of: entry.value))
            } else if ConfigSchema.sectionPaths.contains(path) {
                switch entry.value.kind {
                case .mapping: try decodeMapping(entry.value, prefix: path, site: site)
                case _ where entry.value.isNull: break
                default:
                    throw .typeMismatch(
                        site.location(of: entry.value), key: path, expected: "a mapping of \(path) settings",
                        found: entry.value.summary)
                }
            } else if let reason = ConfigSchema.ignoredReason(path) {
                warnings.append("\(site.location(of: entry.key)): \(path) is ignored: \(reason)")
            } else {
                throw .unknownKey(
                    site.location(of: entry.key), key: path, suggestion: suggestion(for: name, in: prefix))
            }
        }
    }

    /// A sibling close in spelling, or the same name in another section (`model.batch_size` →
    /// `training.batch_size`); returned as a full path.
    private func suggestion(for name: String, in prefix: String) -> String? {
        let full = { (child: String) in prefix.isEmpty ? child : prefix + "." + child }
        if let close = EditDistance.closest(to: name, among: ConfigSchema.childNames(of: prefix)) { return full(close) }
        let elsewhere = ConfigSchema.fields.map(\.path).filter { $0.hasSuffix("." + name) || $0 == name }
        if elsewhere.count == 1 { return elsewhere[0] }
        return nil
    }

    // MARK: Overrides

    /// Applies one `key.path=value`; the value is read as YAML (`[256, 128]`, `null`, `'text'`), or taken
    /// as plain text when it is not valid YAML on its own (`@home/x`).
    mutating func applyOverride(_ argument: String) throws(ConfigError) {
        guard let equals = argument.firstIndex(of: "=") else { throw .malformedOverride(argument: argument) }
        let key = argument[..<equals].trimmingSpaces
        let valueText = argument[argument.index(after: equals)...].trimmingSpaces
        guard !key.isEmpty else { throw .malformedOverride(argument: argument) }
        let site = DecodeSite(source: "--set \(YAMLScalar.forMessage(argument, limit: nil))", usesMarks: false)
        let location = SourceLocation(source: site.source)

        if let field = ConfigSchema.field(key) {
            let node = Self.overrideNode(valueText)
            try field.decode(node, site, &config)
            record(key, at: location)
        } else if ConfigSchema.sectionPaths.contains(key) {
            let example = ConfigSchema.fields.first { $0.path.hasPrefix(key + ".") }?.path ?? key
            throw .invalidDocument(
                location,
                problem: "\(YAMLScalar.forMessage(key)) is a section; set its keys one at a time, e.g. \(example)=…")
        } else if let reason = ConfigSchema.ignoredReason(key) {
            warnings.append("\(location): \(YAMLScalar.forMessage(key)) is ignored: \(reason)")
        } else {
            let parts = key.split(separator: ".", omittingEmptySubsequences: false)
            let prefix = parts.dropLast().joined(separator: ".")
            let name = String(parts.last ?? "")
            let near = EditDistance.closest(to: key, among: ConfigSchema.fields.map(\.path))
            throw .unknownKey(location, key: key, suggestion: near ?? suggestion(for: name, in: prefix))
        }
    }

    private static func overrideNode(_ text: String) -> YAMLNode {
        let start = YAMLMark(line: 0, column: 0)
        if text.isEmpty { return YAMLNode(kind: .scalar("", .plain), mark: start) }
        if let parsed = try? YAMLParser.parse(Array(text.utf8), source: "--set") {
            return parsed
        }
        return YAMLNode(kind: .scalar(text, .plain), mark: start)
    }

    private mutating func record(_ path: String, at location: SourceLocation) {
        settings += 1
        origins[path] = (settings, location)
    }

    // MARK: Validation

    /// Checks every key's rule, then the rules between keys; errors point at where the value was set.
    /// Values pixelrec cannot honour yet are accepted with a warning (``inertValues``).
    mutating func validate() throws(ConfigError) {
        for (path, holds, reason) in Self.inertValues where holds(config) {
            warnings.append("\(origin(of: [path])): \(path) has no effect in pixelrec: \(reason)")
        }
        for (keys, idle, reason) in Self.dependentKeys where idle(config) {
            for (path, changed) in keys where origins[path] != nil && changed(config) {
                warnings.append("\(origin(of: [path])): \(path) has no effect: \(reason)")
            }
        }
        for field in ConfigSchema.fields {
            if let (requirement, found) = field.violation(config) {
                throw .outOfRange(origin(of: [field.path]), key: field.path, requirement: requirement, found: found)
            }
        }
        let splitting = config.data.splitting
        let ratios = [splitting.trainFinalRatio, splitting.valFinalRatio, splitting.testFinalRatio]
        let sum = ratios.reduce(0, +)
        if abs(sum - 1) > 1e-6 {
            let keys = ["train_final_ratio", "val_final_ratio", "test_final_ratio"].map { "data.splitting." + $0 }
            throw .outOfRange(
                origin(of: keys), key: lastSet(of: keys),
                requirement: "train_final_ratio + val_final_ratio + test_final_ratio must be 1 (±1e-6)",
                found: ratios.map(\.yamlText).joined(separator: " + ") + " = " + sum.yamlText)
        }
        let model = config.model
        if model.useCrossModalAttention && model.embeddingDim % model.numAttentionHeads != 0 {
            let keys = ["model.num_attention_heads", "model.embedding_dim"]
            throw .outOfRange(
                origin(of: keys), key: "model.num_attention_heads",
                requirement:
                    "must divide model.embedding_dim (\(model.embeddingDim)) when cross-modal attention is used",
                found: String(model.numAttentionHeads))
        }
        if model.userEncoder != .id && model.embeddingDim % model.seqHeads != 0 {
            let keys = ["model.seq_heads", "model.embedding_dim", "model.user_encoder"]
            throw .outOfRange(
                origin(of: keys), key: "model.seq_heads",
                requirement:
                    "must divide model.embedding_dim (\(model.embeddingDim)) when model.user_encoder is sequence or hybrid",
                found: String(model.seqHeads))
        }
        if model.trainableEncoderLayers > 0 && !model.freezeLanguage && model.languageModel == .builtin {
            let keys = ["model.trainable_encoder_layers", "model.language_model", "model.freeze_language"]
            throw .outOfRange(
                origin(of: keys), key: "model.trainable_encoder_layers",
                requirement:
                    "must be 0 with model.language_model: builtin (hashed TF-IDF has no transformer blocks to train)",
                found: String(model.trainableEncoderLayers))
        }
        let recommendation = config.recommendation
        if recommendation.maxCandidates < recommendation.topK {
            let keys = ["recommendation.max_candidates", "recommendation.top_k"]
            throw .outOfRange(
                origin(of: keys), key: "recommendation.max_candidates",
                requirement: "must be at least recommendation.top_k (\(recommendation.topK))",
                found: String(recommendation.maxCandidates))
        }
    }

    /// The location of whichever of `keys` was set last (defaults are always valid, so one was set).
    /// Settings a config may hold that pixelrec accepts but cannot act on yet: (key, whether the config
    /// holds the inert value, why and what to use instead).
    static let inertValues: [(String, @Sendable (PixelRecConfig) -> Bool, String)] = [
        (
            "model.freeze_vision", { !$0.model.freezeVision },
            "false is not supported yet: vision tops are not supported yet (model.trainable_encoder_layers "
                + "trains text encoder tops only); the image encoder stays frozen (its features are computed once by "
                + "`pixelrec encode`); the trained item tower adapts them (model.item_tower)"
        ),
        (
            "model.freeze_language", { !$0.model.freezeLanguage && $0.model.trainableEncoderLayers == 0 },
            "false needs model.trainable_encoder_layers >= 1 (the text encoder's top blocks that train); with 0 "
                + "the text encoder stays frozen (its features are computed once by `pixelrec encode`)"
        ),
    ]

    /// Keys that only act together with another setting: (each key with whether the config moves it off its
    /// default, whether the config leaves the group idle, why). A config that sets one of them to a value of its
    /// own while the group is idle gets a warning at the key; writing the default (as `config show` does) is
    /// silent.
    static let dependentKeys:
        [([(String, @Sendable (PixelRecConfig) -> Bool)], @Sendable (PixelRecConfig) -> Bool, String)] = {
            let training = TrainingConfig()
            let model = ModelConfig()
            let data = DataConfig()
            return [
                (
                    [
                        ("training.lr_scheduler_type", { $0.training.lrSchedulerType != training.lrSchedulerType }),
                        (
                            "training.lr_scheduler_patience",
                            { $0.training.lrSchedulerPatience != training.lrSchedulerPatience }
                        ),
                        (
                            "training.lr_scheduler_factor",
                            { $0.training.lrSchedulerFactor != training.lrSchedulerFactor }
                        ),
                        ("training.lr_scheduler_min_lr", { $0.training.lrSchedulerMinLR != training.lrSchedulerMinLR }),
                        (
                            "training.lr_scheduler_step_size",
                            { $0.training.lrSchedulerStepSize != training.lrSchedulerStepSize }
                        ),
                        ("training.lr_scheduler_gamma", { $0.training.lrSchedulerGamma != training.lrSchedulerGamma }),
                    ],
                    { !$0.training.useLRScheduler },
                    "training.use_lr_scheduler is false (the default; set it to true to schedule the rate)"
                ),
                (
                    [
                        ("model.max_seq_len", { $0.model.maxSeqLen != model.maxSeqLen }),
                        ("model.seq_blocks", { $0.model.seqBlocks != model.seqBlocks }),
                        ("model.seq_heads", { $0.model.seqHeads != model.seqHeads }),
                        ("model.seq_dropout", { $0.model.seqDropout != model.seqDropout }),
                        ("training.sequence_windows", { $0.training.sequenceWindows != training.sequenceWindows }),
                        (
                            "training.full_softmax_max_items",
                            { $0.training.fullSoftmaxMaxItems != training.fullSoftmaxMaxItems }
                        ),
                        ("training.sampled_negatives", { $0.training.sampledNegatives != training.sampledNegatives }),
                    ],
                    { $0.model.userEncoder == .id },
                    "model.user_encoder is id (set it to sequence or hybrid for a sequence user encoder)"
                ),
                (
                    [
                        (
                            "data.negative_sampling_ratio",
                            { $0.data.negativeSamplingRatio != data.negativeSamplingRatio }
                        ),
                        (
                            "data.negative_sampling_strategy",
                            { $0.data.negativeSamplingStrategy != data.negativeSamplingStrategy }
                        ),
                    ],
                    { $0.model.userEncoder != .id && $0.training.loss == .sampledSoftmax },
                    "a sequence model (model.user_encoder: sequence or hybrid) with training.loss: sampled_softmax "
                        + "scores each target against the whole catalog or training.sampled_negatives uniform draws "
                        + "with log-Q correction; the negative_sampling_* keys act with loss bce or bpr, or with "
                        + "model.user_encoder: id"
                ),
                (
                    [
                        (
                            "model.trainable_encoder_layers",
                            { $0.model.trainableEncoderLayers != model.trainableEncoderLayers }
                        ),
                        ("training.encoder_lr", { $0.training.encoderLR != training.encoderLR }),
                    ],
                    { $0.model.freezeLanguage || $0.model.trainableEncoderLayers == 0 },
                    "the text encoder is frozen (model.trainable_encoder_layers >= 1 together with "
                        + "model.freeze_language: false train its top blocks)"
                ),
            ]
        }()

    private func origin(of keys: [String]) -> SourceLocation {
        keys.compactMap { origins[$0] }.max { $0.order < $1.order }?.location ?? SourceLocation(source: "defaults")
    }

    private func lastSet(of keys: [String]) -> String {
        keys.compactMap { key in origins[key].map { (key, $0.order) } }.max { $0.1 < $1.1 }?.0 ?? keys[0]
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let isSpace = { (c: Character) in c == " " || c == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
