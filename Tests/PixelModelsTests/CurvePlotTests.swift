import Foundation
import PixelImage
import Testing

@testable import PixelModels

@Suite("Training curves")
struct CurvePlotTests {
    func record(_ epoch: Int, loss: Double, contrastive: Double = 0, validation: [String: Double] = [:]) -> EpochRecord
    {
        EpochRecord(
            epoch: epoch, steps: 1, trainLoss: loss, recommendationLoss: loss, contrastiveLoss: contrastive,
            pairwiseLoss: 0, learningRate: 0.001, validation: validation, seconds: 1, stepsPerSecond: 1)
    }

    /// Hand-computed: steps of 1, 2 or 5 × 10^k giving about 4 intervals, ticks at whole multiples.
    @Test("nice ticks and labels")
    func ticks() {
        let a = ChartAxis.ticks(4.07, 5.53)
        #expect(a.step == 0.5 && a.values == [4.5, 5.0, 5.5])
        let b = ChartAxis.ticks(0.15, 0.35)
        #expect(abs(b.step - 0.05) < 1e-12 && b.values.count == 5)
        #expect(ChartAxis.label(b.values[1], step: b.step) == "0.20")
        let epochs = ChartAxis.ticks(1, 25, count: 6, integer: true)
        #expect(epochs.step == 5 && epochs.values == [5, 10, 15, 20, 25])
        #expect(ChartAxis.ticks(1, 2, count: 6, integer: true).step == 1)
        #expect(ChartAxis.label(0.00002, step: 0.00001) == "2.0e-05")
    }

    @Test("one panel per quantity, the best epoch marked in validation panels")
    func trainingPanels() throws {
        let history = (1...12).map { e in
            record(
                e, loss: 5 - Double(e) * 0.1, contrastive: 2 - Double(e) * 0.05,
                validation: ["ndcg@10": 0.1 + Double(e) * 0.01, "hit_rate@10": 0.2 + Double(e) * 0.01])
        }
        let plot = CurvePlot.training(history, bestEpoch: 9)
        #expect(
            plot.panels.map(\.title) == [
                "training loss", "contrastive loss (image-text InfoNCE)", "validation hit_rate@10",
                "validation ndcg@10",
            ])
        #expect(plot.panels.map(\.mark) == [nil, nil, 9, 9])
        let image = try plot.render()
        #expect(image.width == plot.width && image.height == 4 * plot.panelHeight)
        // The dashed best-epoch line is grey ink at the epoch's x inside the last panel.
        let plotW = plot.width - 104 - 24
        let x = 104 + Int((Double(9 - 1) / Double(12 - 1) * Double(plotW)).rounded())
        let y0 = 3 * plot.panelHeight
        let grey = (y0 + 40..<(y0 + plot.panelHeight - 48)).filter { y in
            let o = (y * image.width + x) * 3
            return image.pixels[o] == 110 && image.pixels[o + 1] == 110
        }
        #expect(grey.count > 40, "\(grey.count) grey pixels on the best-epoch line")
        // Without contrastive loss and validation: only the training-loss panel.
        let plain = CurvePlot.training(history.map { record($0.epoch, loss: $0.trainLoss) })
        #expect(plain.panels.count == 1)
    }
}
