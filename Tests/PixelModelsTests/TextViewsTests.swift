import PixelConfig
import PixelTensor
import Testing

@testable import PixelModels

@Suite("Text views (data.text_augmentation) in the item tower")
struct TextViewsTests {
    /// Views of item i, view v: every entry `100·i + v + 1` (distinct from every clean row).
    static func views(_ content: ItemContent, count v: Int) -> [Float] {
        (0..<content.count).flatMap { i in
            (0..<v).flatMap { view in [Float](repeating: Float(100 * i + view + 1), count: content.textWidth) }
        }
    }

    @Test("views are gathered by the drawn index; items without views read their clean row")
    func gather() throws {
        let (_, content, _, _) = try memoryModel(config: smallConfig(), seed: 1)
        var present = [Bool](repeating: true, count: content.count)
        present[2] = false
        let withViews = try content.withTextViews(Self.views(content, count: 3), views: 3, present: present)
        var draws = [2, 0, 1].makeIterator()
        let rows = withViews.textViewRows([4, 2, 7, 1]) { n in
            #expect(n == 3)
            return draws.next() ?? 0
        }.scalars
        let w = content.textWidth
        #expect(Array(rows[0..<w]) == [Float](repeating: 403, count: w))
        #expect(Array(rows[w..<(2 * w)]) == Array(content.text[(2 * w)..<(3 * w)]))  // no views: clean
        #expect(Array(rows[(2 * w)..<(3 * w)]) == [Float](repeating: 701, count: w))
        #expect(Array(rows[(3 * w)..<(4 * w)]) == [Float](repeating: 102, count: w))
    }

    @Test("bad shapes are refused with a typed error")
    func shapes() throws {
        let (_, content, _, _) = try memoryModel(config: smallConfig(), seed: 1)
        let flags = [Bool](repeating: true, count: content.count)
        #expect(throws: ModelError.self) { try content.withTextViews([1, 2, 3], views: 2, present: flags) }
        #expect(throws: ModelError.self) { try content.withTextViews([], views: 0, present: flags) }
        #expect(throws: ModelError.self) {
            try content.withTextViews(Self.views(content, count: 2), views: 2, present: [true])
        }
    }

    @Test("training reads the views (loss changes); evaluation reads the clean text (item vectors unchanged)")
    func trainingOnly() throws {
        var config = smallConfig()
        config.model.dropoutRate = 0
        config.model.attentionDropout = 0
        config.model.itemIdDropout = 0
        config.model.useBatchNorm = false
        let (_, content, _, model) = try memoryModel(config: config, seed: 1)
        let withViews = try content.withTextViews(
            Self.views(content, count: 2), views: 2, present: [Bool](repeating: true, count: content.count))
        let rows = (0..<Int32(content.count)).map { $0 }
        model.setTraining(false)
        let clean = Autograd.withoutRecording { model.itemVectors(content: content, rows: rows, ids: rows).scalars }
        let viewed = Autograd.withoutRecording { model.itemVectors(content: withViews, rows: rows, ids: rows).scalars }
        #expect(clean == viewed)
        model.setTraining(true)
        let examples = TrainingExamples(users: [0, 1], positives: [3, 5], negatives: [1, 2], ratio: 1)
        let settings = LossSettings(loss: .sampledSoftmax)
        let a = model.loss(examples, content: content, settings: settings).total.scalar
        let b = model.loss(examples, content: withViews, settings: settings).total.scalar
        #expect(a != b)
    }
}
