import Foundation
import Testing

@testable import PixelConfig

/// `docs/SEED_CONFIG_KEYS.md` from the shared directory (`PIXELREC_SHARED`, default `../shared`).
let seedKeysDocument: String? = {
    let shared = ProcessInfo.processInfo.environment["PIXELREC_SHARED"] ?? packageRoot + "/../shared"
    return try? String(contentsOfFile: shared + "/docs/SEED_CONFIG_KEYS.md", encoding: .utf8)
}()

/// A config written for the Python framework loads unchanged (docs/SEED_CONFIG_KEYS.md).
@Suite("Seed framework compatibility")
struct SeedCompatibilityTests {
    /// Every key path of SEED_CONFIG_KEYS.md with the value of the published default file, written the way
    /// that file writes them (quoted strings, `null`, flow lists). The ratios are the published ones, which
    /// sum to 1.
    static let seedFile = """
        model:
          model_class: pretrained
          vision_model: dino
          language_model: sentence-bert
          embedding_dim: 64
          freeze_vision: true
          freeze_language: true
          use_contrastive: true
          contrastive_temperature: 0.07
          dropout_rate: 0.3
          num_attention_heads: 4
          attention_dropout: 0.1
          fusion_hidden_dims: [512, 256, 128]
          fusion_activation: relu
          use_batch_norm: true
          projection_hidden_dim: null
          use_cross_modal_attention: true
          cross_modal_attention_weight: 0.5
          final_activation: sigmoid
          init_method: xavier_uniform
        training:
          batch_size: 64
          epochs: 30
          learning_rate: 0.001
          weight_decay: 0.01
          patience: 10
          gradient_clip: 1.0
          num_workers: 8
          contrastive_weight: 0.1
          bce_weight: 1.0
          use_lr_scheduler: true
          lr_scheduler_type: reduce_on_plateau
          lr_scheduler_patience: 2
          lr_scheduler_factor: 0.5
          lr_scheduler_min_lr: 0.000001
          optimizer_type: adamw
          adam_beta1: 0.9
          adam_beta2: 0.999
          adam_eps: 0.00000001
        data:
          item_info_path: data/raw/item_info/item_info_sample.csv
          interactions_path: data/raw/interactions/interactions_sample.csv
          image_folder: data/raw/images
          processed_item_info_path: data/processed/item_info.csv
          processed_interactions_path: data/processed/interactions.csv
          scaler_path: data/processed/numerical_scaler.pkl
          processed_image_destination_folder: data/processed/images
          split_data_path: data/splits/split_tiny
          train_data_path: data/splits/split_tiny/train.csv
          val_data_path: data/splits/split_tiny/val.csv
          test_data_path: data/splits/split_tiny/test.csv
          cache_processed_images: true
          image_cache_config:
            strategy: 'hybrid'
            max_memory_items: 1000
            cache_directory: 'data/cache/image_tensors'
            precompute_at_startup: false
            preprocessing_batch_size: 50
          processed_features_cache_config:
            strategy: 'hybrid'
            max_memory_items: 5000
            cache_directory: 'data/cache/processed_features'
          offline_image_compression:
            enabled: true
            compress_if_kb_larger_than: 500
            target_quality: 85
            resize_if_pixels_larger_than: [2048, 2048]
            resize_target_longest_edge: 1024
          negative_sampling_ratio: 1.0
          numerical_features_cols:
            - view_number
            - comment_number
            - thumbup_number
            - share_number
            - coin_number
            - favorite_number
            - barrage_number
          numerical_normalization_method: standardization
          text_augmentation:
            enabled: true
            augmentation_type: random_delete
            delete_prob: 0.05
            swap_prob: 0.05
          offline_image_validation:
            check_corrupted: true
            min_width: 64
            min_height: 64
            allowed_extensions: ['.jpg', '.jpeg', '.png']
          offline_text_cleaning:
            remove_html: true
            normalize_unicode: true
            to_lowercase: true
          splitting:
            random_state: 42
            train_final_ratio: 0.40
            val_final_ratio: 0.15
            test_final_ratio: 0.45
            min_interactions_per_user: 5
            min_interactions_per_item: 5
            validate_no_leakage: true
        recommendation:
          top_k: 50
          diversity_weight: 0.3
          novelty_weight: 0.2
          filter_seen: true
          max_candidates: 1000
        checkpoint_dir: models/checkpoints
        results_dir: results

        """

    @Test("the published seed file, written to disk, loads with warnings only for keys meaningless here")
    func seedFileLoads() throws {
        let path = try temporaryDirectory() + "/seed_config.yaml"
        try Self.seedFile.write(toFile: path, atomically: true, encoding: .utf8)
        let loaded = try ConfigLoader.load(path: path)
        #expect(
            loaded.warnings == [
                "\(path):28:3: training.num_workers is ignored: pixelrec sets parallelism with training.threads",
                "\(path):46:3: data.scaler_path is ignored: pixelrec does not read or write Python pickle scalers",
                "\(path):59:3: data.processed_features_cache_config is ignored: pixelrec has no processed-feature cache",
            ])
        let config = loaded.config
        #expect(config.model.visionModel == .dino)
        #expect(config.model.embeddingDim == 64)
        #expect(config.model.projectionHiddenDim == nil)
        #expect(config.training.lrSchedulerMinLR == 1e-6)
        #expect(config.training.adamEps == 1e-8)
        #expect(config.data.imageCache.strategy == .hybrid)
        #expect(config.data.imageCache.maxMemoryItems == 1000)
        #expect(config.data.splitting.trainFinalRatio == 0.40)
        #expect(config.data.splitting.testFinalRatio == 0.45)
        #expect(config.data.offlineImageValidation.allowedExtensions == [".jpg", ".jpeg", ".png"])
        #expect(config.data.numericalFeaturesCols.last == "barrage_number")
        #expect(config.recommendation.maxCandidates == 1000)
    }

    @Test("freeze_vision / freeze_language: false load with a warning naming file:line, key and what happens instead")
    func unfrozenEncodersWarn() throws {
        let loaded = try ConfigLoader.load(
            yaml: "model:\n  freeze_vision: false\n  freeze_language: true\n", sourceName: "f.yaml",
            overrides: ["model.freeze_language=false"])
        #expect(!loaded.config.model.freezeVision && !loaded.config.model.freezeLanguage)
        #expect(loaded.warnings.count == 2)
        #expect(
            loaded.warnings.first?.hasPrefix("f.yaml:2:18: model.freeze_vision has no effect in pixelrec: ") == true)
        #expect(
            loaded.warnings.last?.hasPrefix("--set model.freeze_language=false: model.freeze_language has no effect")
                == true)
        #expect(loaded.warnings.allSatisfy { $0.contains("stays frozen") })
        // The frozen values (the defaults) are silent.
        #expect(try ConfigLoader.load(yaml: "model:\n  freeze_vision: true\n", sourceName: "g.yaml").warnings.isEmpty)
    }

    @Test("a key that only acts with another setting warns when set while that setting leaves it idle")
    func dependentKeysWarn() throws {
        let idle = try ConfigLoader.load(
            yaml: "model:\n  user_encoder: id\n  max_seq_len: 20\ntraining:\n  lr_scheduler_type: cosine\n",
            sourceName: "d.yaml")
        #expect(
            idle.warnings == [
                "d.yaml:5:22: training.lr_scheduler_type has no effect: training.use_lr_scheduler is false (the default; set it to true to schedule the rate)",
                "d.yaml:3:16: model.max_seq_len has no effect: model.user_encoder is id (set it to sequence or hybrid for a sequence user encoder)",
            ])
        // Active groups, and idle keys written at their defaults (as `config show` prints them), are silent.
        let active = try ConfigLoader.load(
            yaml: "model:\n  max_seq_len: 20\ntraining:\n  use_lr_scheduler: true\n  lr_scheduler_type: cosine\n",
            sourceName: "e.yaml")
        #expect(active.warnings.isEmpty, "\(active.warnings)")
        let written = try ConfigLoader.load(
            yaml: "model:\n  user_encoder: id\n  max_seq_len: 50\n", sourceName: "f.yaml")
        #expect(written.warnings.isEmpty, "\(written.warnings)")
    }

    /// Every key the seed file has must be a key here or an ignored one: none may be silently dropped.
    @Test("every seed key path is known")
    func everySeedKeyKnown() throws {
        let seedKeys = Self.keyPaths(
            of: try #require(try YAMLParser.parse(Array(Self.seedFile.utf8), source: "seed.yaml")))
        #expect(seedKeys.count == 90)  // the rows of SEED_CONFIG_KEYS.md
        for key in seedKeys {
            #expect(ConfigSchema.field(key) != nil || ConfigSchema.ignoredReason(key) != nil, "\(key)")
        }
    }

    /// The test's seed file must hold exactly the key paths of `docs/SEED_CONFIG_KEYS.md` (when ../shared
    /// is present), so the file above cannot silently miss a row.
    @Test(
        "the seed file above covers every row of SEED_CONFIG_KEYS.md",
        .enabled(
            if: seedKeysDocument != nil, "SEED_CONFIG_KEYS.md not found: set PIXELREC_SHARED or check out ../shared"))
    func coversDocument() throws {
        let document = try #require(seedKeysDocument)
        let documented = document.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `") else { return nil }
            return line.dropFirst(3).split(separator: "`").first.map(String.init)
        }
        let written = Self.keyPaths(
            of: try #require(try YAMLParser.parse(Array(Self.seedFile.utf8), source: "seed.yaml")))
        #expect(documented.count == 90)
        #expect(Set(documented) == Set(written))
    }

    @Test("PyYAML spellings of booleans and numbers read as PyYAML reads them")
    func pyyamlSpellings() throws {
        let yaml =
            "model:\n  freeze_vision: yes\n  use_batch_norm: Off\ntraining:\n  epochs: 1_000\n  learning_rate: 1.5e-3\n  seed: 0x2A\n"
        let config = try ConfigLoader.load(yaml: yaml, sourceName: "t.yaml").config
        #expect(config.model.freezeVision == true)
        #expect(config.model.useBatchNorm == false)
        #expect(config.training.epochs == 1000)
        #expect(config.training.learningRate == 0.0015)
        #expect(config.training.seed == 42)
    }

    /// Leaf key paths of a YAML mapping tree.
    private static func keyPaths(of node: YAMLNode, prefix: String = "") -> [String] {
        guard case let .mapping(entries) = node.kind else { return [prefix] }
        return entries.flatMap { entry in
            keyPaths(of: entry.value, prefix: prefix.isEmpty ? entry.name : prefix + "." + entry.name)
        }
    }
}
