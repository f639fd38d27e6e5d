import Foundation
import PixelCore

/// The per-epoch logs of a run: `metrics.jsonl` (one JSON object per epoch) and `metrics.csv`, each
/// rewritten atomically from the whole history after every epoch, so they always agree with the last
/// checkpoint (also after a kill and `--resume`).
public enum TrainingLog {
    /// Validation metric names appearing in `history`, sorted.
    static func metricNames(_ history: [EpochRecord]) -> [String] {
        Set(history.flatMap { $0.validation.keys }).sorted()
    }

    public static func jsonl(_ history: [EpochRecord]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try history.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }.joined()
    }

    public static func csv(_ history: [EpochRecord]) -> String {
        let names = metricNames(history)
        var out =
            ([
                "epoch", "steps", "train_loss", "recommendation_loss", "contrastive_loss", "pairwise_loss",
                "learning_rate",
            ]
            + names.map { "val_" + $0 } + ["seconds", "steps_per_second"]).joined(separator: ",") + "\n"
        for r in history {
            let fields: [String] =
                [
                    "\(r.epoch)", "\(r.steps)", "\(r.trainLoss)", "\(r.recommendationLoss)", "\(r.contrastiveLoss)",
                    "\(r.pairwiseLoss)", "\(r.learningRate)",
                ] + names.map { r.validation[$0].map { "\($0)" } ?? "" } + ["\(r.seconds)", "\(r.stepsPerSecond)"]
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }

    /// Writes `metrics.jsonl` and `metrics.csv` into `directory`.
    public static func write(_ history: [EpochRecord], directory: String) throws {
        try AtomicFile.write(try jsonl(history), to: directory + "/metrics.jsonl")
        try AtomicFile.write(csv(history), to: directory + "/metrics.csv")
    }
}
