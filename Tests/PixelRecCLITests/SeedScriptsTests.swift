import Foundation
import Testing

@testable import PixelRecCLI

/// The Python framework's documented command lines (its scripts replaced by pixelrec subcommands, flags as
/// written: snake_case, its relative paths, its config names), run as a subprocess from a workspace laid out
/// as the framework's (`configs/`, `data/`, `models/`, `results/`) on tiny generated data. Each must work, or
/// print exactly one `error:` line that is not a parsing failure of the command line itself.
@Suite("The Python framework's command lines", .serialized)
struct SeedScriptsTests {
    /// `(command line, what must happen)`: `nil` = exit 0; a string = exit ≠ 0 with one error line containing it.
    static let lines: [(String, String?)] = [
        ("preprocess --config configs/default_config.yaml", nil),
        ("split --config configs/default_config.yaml --sample_n 100000", nil),
        ("split --config configs/default_config.yaml --sample_n 1000000", nil),
        ("split --config configs/default_config.yaml", nil),
        ("train --config configs/default_config.yaml", nil),
        ("train --config configs/default_config.yaml --device cuda", nil),
        (
            "train --config configs/default_config.yaml --use_wandb --wandb_project MyProject --wandb_entity username",
            nil
        ),
        ("train --config configs/default_config.yaml --resume models/checkpoints/checkpoint.pth", "checkpoint.pth"),
        ("train --config configs/enhanced_config.yaml", nil),
        // DINO weights are not in this workspace (`extract-encoders` exports them): one line saying so.
        ("train --config configs/dino_config.yaml", "dino"),
        ("train --config configs/large_scale_config.yaml --use_wandb --wandb_project LargeScale", nil),
        (
            "eval --config configs/default_config.yaml --test_data data/splits/split_1/test.csv "
                + "--train_data data/splits/split_1/train.csv --eval_task retrieval --recommender_type multimodal "
                + "--output results/evaluation_results.json", nil
        ),
        (
            "eval --config configs/default_config.yaml --test_data data/splits/split_1/test.csv "
                + "--train_data data/splits/split_1/train.csv --eval_task retrieval --recommender_type popularity "
                + "--output results/baseline_results.json", nil
        ),
        ("eval --config configs/default_config.yaml --eval_task retrieval --recommender_type item_knn", nil),
        ("recommend --config configs/default_config.yaml --users u1 u2 u3 --output results/recommendations.json", nil),
        // The framework's example ids: not users of this data set.
        ("recommend --config configs/default_config.yaml --users user_1 user_2 user_3", "user_1"),
        (
            "recommend --config configs/default_config.yaml --sample_users 100 --use_diversity "
                + "--embeddings_cache results/embeddings_cache.pkl", nil
        ),
        ("recommend --config configs/default_config.yaml --user_file path/to/users.txt", "path/to/users.txt"),
        (
            "recommend --config configs/default_config.yaml --sample_users 10000 "
                + "--embeddings_cache results/embeddings_cache.pkl", nil
        ),
    ]

    /// The framework's layout, with its relative paths; builtin encoders and one epoch keep it fast.
    static func config(_ extra: String = "") -> String {
        """
        model:
          vision_model: builtin
          language_model: builtin
          embedding_dim: 16
          num_attention_heads: 2
          max_seq_len: 8
        \(extra)training:
          epochs: 1
          threads: 1
          seed: 7
        data:
          item_info_path: data/raw/item_info.csv
          interactions_path: data/raw/interactions.csv
          image_folder: data/raw/images
          processed_item_info_path: data/processed/item_info.csv
          processed_interactions_path: data/processed/interactions.csv
          processed_image_destination_folder: data/processed/images
          feature_store_path: data/processed/features
          split_data_path: data/splits/split_1
          train_data_path: data/splits/split_1/train.csv
          val_data_path: data/splits/split_1/val.csv
          test_data_path: data/splits/split_1/test.csv
          offline_image_validation:
            min_width: 16
            min_height: 16
          splitting:
            strategy: stratified
            min_interactions_per_user: 3
            min_interactions_per_item: 1
        checkpoint_dir: models/checkpoints
        results_dir: results

        """
    }

    @Test("each documented command line works as written, or prints one clear error line")
    func commandLines() throws {
        let binary = try #require(ExecutableTests.binary, "build pixelrec first")
        let workspace = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let synth = runTool([
            "synth", "--users", "60", "--items", "40", "--interactions", "1200", "--image-size", "24", "--seed", "3",
            "--out", workspace + "/data/raw", "-q",
        ])
        #expect(synth.status == 0, "\(synth.error)")
        try FileManager.default.createDirectory(atPath: workspace + "/configs", withIntermediateDirectories: true)
        try Self.config().write(toFile: workspace + "/configs/default_config.yaml", atomically: true, encoding: .utf8)
        try Self.config("  model_class: enhanced\n  use_cross_modal_attention: true\n").write(
            toFile: workspace + "/configs/enhanced_config.yaml", atomically: true, encoding: .utf8)
        try (Self.config().replacingOccurrences(of: "  vision_model: builtin\n", with: "  vision_model: dino\n")).write(
            toFile: workspace + "/configs/dino_config.yaml", atomically: true, encoding: .utf8)
        try (Self.config().replacingOccurrences(of: "  epochs: 1\n", with: "  epochs: 1\n  batch_size: 1024\n")).write(
            toFile: workspace + "/configs/large_scale_config.yaml", atomically: true, encoding: .utf8)
        for (line, failure) in Self.lines {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = line.split(separator: " ").map(String.init) + ["-q"]
            process.currentDirectoryURL = URL(fileURLWithPath: workspace)
            let output = Pipe(), error = Pipe()
            process.standardOutput = output
            process.standardError = error
            try process.run()
            _ = output.fileHandleForReading.readDataToEndOfFile()
            let stderr = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let errors = stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            if let failure {
                #expect(process.terminationStatus == 1, "\(line): \(stderr)")
                #expect(errors.count == 1 && errors[0].contains(failure), "\(line): \(stderr)")
            } else {
                #expect(process.terminationStatus == 0 && errors.isEmpty, "\(line): \(stderr)")
            }
            #expect(!stderr.contains("unknown option"), "\(line): \(stderr)")
        }
        // What the lines wrote where the framework writes it.
        for file in [
            "data/splits/split_1/test.csv", "models/checkpoints/best.ckpt", "results/evaluation_results.json",
            "results/baseline_results.json", "results/recommendations.json", "results/embeddings_cache.pkl",
        ] {
            #expect(FileManager.default.fileExists(atPath: workspace + "/" + file), "\(file)")
        }
    }
}
