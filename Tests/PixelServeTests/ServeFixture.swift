import Foundation
import PixelConfig
import PixelRecCLI
import PixelServe
import PixelSession

/// A model trained on generated data (synth → split → train, through the CLI in process) and its session.
final class ServeFixture: Sendable {
    let directory: String
    let config: String
    let session: ModelSession
    /// Another checkpoint of the same data (another seed): what reload tests swap in.
    let otherCheckpoint: String

    static let shared = Result { try ServeFixture() }

    init() throws {
        directory = NSTemporaryDirectory() + "pixelserve-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.check(
            Self.tool([
                "synth", "--users", "60", "--items", "40", "--interactions", "1200", "--image-size", "24", "--seed",
                "3", "--out", directory + "/raw", "-q",
            ]))
        config = directory + "/config.yaml"
        try """
        model:
          vision_model: builtin
          language_model: builtin
          embedding_dim: 16
          fusion_hidden_dims: [32]
          num_attention_heads: 2
        training:
          epochs: 1
          batch_size: 128
          threads: 1
          seed: 7
        data:
          item_info_path: \(directory)/raw/item_info.csv
          interactions_path: \(directory)/raw/interactions.csv
          image_folder: \(directory)/raw/images
          processed_item_info_path: \(directory)/processed/item_info.csv
          feature_store_path: \(directory)/features
          split_data_path: \(directory)/split
          train_data_path: \(directory)/split/train.csv
          val_data_path: \(directory)/split/val.csv
          test_data_path: \(directory)/split/test.csv
          splitting:
            strategy: leave_one_out
        recommendation:
          top_k: 5
          max_candidates: 20
        serving:
          max_k: 30
          max_body_bytes: 2048
          max_history: 50
        checkpoint_dir: \(directory)/checkpoints
        results_dir: \(directory)/results

        """.write(toFile: config, atomically: true, encoding: .utf8)
        try Self.check(Self.tool(["split", "--config", config, "--output", directory + "/split", "-q"]))
        try Self.check(Self.tool(["train", "--config", config, "-q"]))
        try Self.check(
            Self.tool([
                "train", "--config", config, "-q", "--seed", "8", "--set", "checkpoint_dir=\(directory)/other",
            ]))
        otherCheckpoint = directory + "/other/best.ckpt"
        session = try ModelSession(config: try ConfigLoader.load(path: config).config)
    }

    /// Runs `pixelrec` in process.
    static func tool(_ arguments: [String]) -> (status: Int32, output: String, error: String) {
        let (console, captured) = Console.capturing()
        let status = PixelRecTool.run(arguments, console: console)
        let (output, error) = captured()
        return (status, output, error)
    }

    static func check(_ run: (status: Int32, output: String, error: String)) throws {
        guard run.status == 0 else { throw FixtureFailure(description: run.error) }
    }

    /// `pixelrec recommend` with `arguments` into a JSON file: per listed user, its items and scores.
    func recommend(_ arguments: [String]) throws -> [String: [(item: String, score: Double)]] {
        let output = directory + "/recs-\(UUID().uuidString).json"
        try Self.check(Self.tool(["recommend", "--config", config, "-q", "-o", output] + arguments))
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output))) as? [String: Any]
        var lists: [String: [(item: String, score: Double)]] = [:]
        for user in json?["users"] as? [[String: Any]] ?? [] {
            lists[user["user_id"] as? String ?? ""] = (user["items"] as? [[String: Any]] ?? []).map {
                ($0["item_id"] as? String ?? "", $0["score"] as? Double ?? .nan)
            }
        }
        return lists
    }

    /// The server options of the fixture's `serving:` section.
    var options: ServeOptions {
        get throws { ServeOptions(try ConfigLoader.load(path: config).config.serving, cores: 1) }
    }
}

struct FixtureFailure: Error, CustomStringConvertible {
    let description: String
}
