import PixelConfig
import PixelData
import Testing

@testable import PixelModels

@Suite("Early stopping and the resumable training state")
struct EarlyStoppingTests {
    func record(_ epoch: Int, _ ndcg: Double?) -> EpochRecord {
        EpochRecord(
            epoch: epoch, steps: 1, trainLoss: 0, recommendationLoss: 0, contrastiveLoss: 0, pairwiseLoss: 0,
            learningRate: 0.1, validation: ndcg.map { ["ndcg@10": $0] } ?? [:], seconds: 0, stepsPerSecond: 0)
    }

    @Test("stops after `patience` validations without a strictly better value; epochs not validated do not count")
    func patience() {
        var t = TrainingConfig()
        t.patience = 2
        t.useLRScheduler = false
        let stopping = EarlyStopping(t, validates: true)
        var state = TrainingState(training: t)
        let values: [Double?] = [0.1, 0.3, nil, 0.3, nil, 0.2]
        var improved: [Bool] = [], stopped: [Bool] = []
        for (k, v) in values.enumerated() {
            improved.append(state.record(record(k + 1, v), training: t, stopping: stopping))
            stopped.append(state.stoppedEarly)
        }
        #expect(improved == [true, true, false, false, false, false])  // 0.3 again is no improvement
        #expect(stopped == [false, false, false, false, false, true])
        #expect(state.bestEpoch == 2 && state.bestMetric == 0.3 && state.epoch == 6)
        // Without validation every epoch is the best and nothing stops.
        let blind = EarlyStopping(t, validates: false)
        var open = TrainingState(training: t)
        let first = open.record(record(1, nil), training: t, stopping: blind)
        #expect(first)
        #expect(open.bestEpoch == 1 && !open.stoppedEarly)
    }

    @Test("a resumed state replays reduce_on_plateau to the uninterrupted run's rate")
    func plateauReplay() {
        var t = TrainingConfig()
        t.learningRate = 0.1
        t.useLRScheduler = true
        t.lrSchedulerType = .reduceOnPlateau
        t.lrSchedulerPatience = 1
        t.lrSchedulerFactor = 0.5
        t.patience = 0
        let stopping = EarlyStopping(t, validates: true)
        var live = TrainingState(training: t)
        let records = [0.2, 0.1, 0.1, 0.1, 0.3].enumerated().map { record($0.offset + 1, $0.element) }
        for r in records { _ = live.record(r, training: t, stopping: stopping) }
        // PyTorch's rule: the second epoch without improvement (more than patience 1) halves the rate at
        // epoch 3 and restarts the count, so epoch 4 does not; epoch 5 improves.
        #expect(abs(live.plateauRate - 0.05) < 1e-9)
        let header = CheckpointHeader(
            hyperparameters: try! ModelHyperparameters(
                model: ModelConfig(), seed: 1, userCount: 1, itemCount: 1, visionWidth: 1, textWidth: 1,
                numericWidth: 1),
            epoch: live.epoch, globalStep: 5, learningRate: 0.05, metricName: "ndcg@10", bestMetric: live.bestMetric,
            bestEpoch: live.bestEpoch, history: live.history, finished: false, configYAML: "", userKeys: [],
            itemKeys: [], scalers: ScalerSet(scalers: []), seed: 1, optimizer: .adamw, runStarted: 0)
        let resumed = TrainingState(resuming: header, training: t, stopping: stopping)
        #expect(resumed.plateauRate == live.plateauRate && resumed.plateau == live.plateau)
        #expect(resumed.bestEpoch == 5 && resumed.globalStep == 5)
    }
}
