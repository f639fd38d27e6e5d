import Foundation
import PixelCore

/// Everything a run reports, in one place: the progress bar of each epoch, the per-step time split, one
/// console line per epoch, `metrics.jsonl` / `metrics.csv` (and TensorBoard events) after every epoch,
/// `training_curves.png` at the end, and the phase times of the whole run.
struct TrainingObserver {
    let directory: String
    let tensorboard: String?
    let progressStyle: ProgressStyle
    let log: (String) -> Void
    /// Where the run's time went (see ``Trainer/Summary/phases``).
    var phases = PhaseTimes()

    /// Per-step parts of an epoch's steps (wall and process CPU seconds; four clock reads per step are
    /// negligible): batch assembly, forward and backward, clipping, the optimizer.
    struct StepClock {
        private(set) var batch = (0.0, 0.0), pass = (0.0, 0.0), clip = (0.0, 0.0), update = (0.0, 0.0)
        private var mark = (PhaseTimes.wallSeconds(), PhaseTimes.cpuSeconds())
        let started = (PhaseTimes.wallSeconds(), PhaseTimes.cpuSeconds())

        enum Part { case batch, pass, clip, update }

        /// Charges the time since the previous lap to `part`.
        mutating func lap(_ part: Part) {
            let now = (PhaseTimes.wallSeconds(), PhaseTimes.cpuSeconds())
            let spent = (now.0 - mark.0, now.1 - mark.1)
            switch part {
            case .batch: batch = (batch.0 + spent.0, batch.1 + spent.1)
            case .pass: pass = (pass.0 + spent.0, pass.1 + spent.1)
            case .clip: clip = (clip.0 + spent.0, clip.1 + spent.1)
            case .update: update = (update.0 + spent.0, update.1 + spent.1)
            }
            mark = now
        }
    }

    init(directory: String, options: Trainer.Options) {
        self.directory = directory
        tensorboard = options.tensorboard
        progressStyle = options.progress
        log = options.log
    }

    /// The progress bar of one epoch.
    func progress(epoch: Int, of epochs: Int, steps: Int) -> PixelCore.Progress {
        PixelCore.Progress("epoch \(epoch)/\(epochs)", total: steps, unit: "steps", style: progressStyle)
    }

    /// Adds an epoch's step times to the phases.
    mutating func stepsFinished(_ clock: StepClock) {
        phases.add(
            "steps", wall: PhaseTimes.wallSeconds() - clock.started.0, cpu: PhaseTimes.cpuSeconds() - clock.started.1)
        phases.add("steps/batches", wall: clock.batch.0, cpu: clock.batch.1)
        phases.add("steps/forward+backward", wall: clock.pass.0, cpu: clock.pass.1)
        phases.add("steps/clipping", wall: clock.clip.0, cpu: clock.clip.1)
        phases.add("steps/optimizer", wall: clock.update.0, cpu: clock.update.1)
    }

    /// Writes the logs of `history` (whose last record just finished) and prints its line.
    mutating func epochFinished(
        _ history: [EpochRecord], improved: Bool, metricName: String, runStarted: Double
    ) throws {
        guard let record = history.last else { return }
        try phases.measure("logs") {
            try TrainingLog.write(history, directory: directory)
            if let tensorboard {
                try TensorBoardWriter.write(history: history, runStarted: runStarted, directory: tensorboard)
            }
        }
        let shown = record.validation.keys.sorted().filter {
            ["ndcg@10", "hit_rate@10", "val_loss", metricName].contains($0)
        }
        .map { "\($0) \(String(format: "%.4f", record.validation[$0]!))" }.joined(separator: "  ")
        let validated = record.validation[metricName] != nil
        log(
            "epoch \(record.epoch): loss \(String(format: "%.4f", record.trainLoss))  \(shown)  "
                + "lr \(String(format: "%.2e", record.learningRate))  "
                + "\(String(format: "%.1f", record.stepsPerSecond)) steps/s  \(String(format: "%.1f", record.seconds)) s"
                + (improved && validated ? "  (best)" : ""))
    }

    /// Reports an early stop.
    func stoppedEarly(_ stopping: EarlyStopping, bestEpoch: Int) {
        log(
            "early stop: no \(stopping.metricName) improvement in \(stopping.patience) evaluations "
                + "(best epoch \(bestEpoch))")
    }

    /// Draws the curves of the run, marking the best epoch (0: none).
    mutating func runFinished(_ history: [EpochRecord], bestEpoch: Int) throws {
        guard !history.isEmpty else { return }
        try phases.measure("curves") {
            try CurvePlot.training(history, bestEpoch: bestEpoch > 0 ? bestEpoch : nil)
                .write(to: directory + "/training_curves.png")
        }
    }
}
