import Foundation
import PixelConfig
import Testing

@testable import PixelData

@Suite("Training dataset")
struct TrainingDatasetTests {
    static let table = makeTable(users: 40, perUser: { 5 + $0 % 20 }, items: 60, seed: 9)

    @Test(arguments: NegativeSamplingStrategy.allCases)
    func negativesAreNeverKnownPositives(sampling: NegativeSamplingStrategy) throws {
        var options = DatasetOptions(negativeRatio: 3, sampling: sampling, batchSize: 64, seed: 5)
        options.shuffle = true
        let dataset = try TrainingDataset(train: Self.table, options: options)
        var positives = Set<[Int32]>()
        for row in 0..<Self.table.count { positives.insert([Self.table.users[row], Self.table.items[row]]) }
        var rows = 0, negatives = 0
        dataset.forEachBatch(epoch: 0) { batch in
            #expect(batch.count <= 64)
            for k in 0..<batch.count {
                rows += 1
                if batch.labels[k] == 0 {
                    negatives += 1
                    #expect(!positives.contains([batch.users[k], batch.items[k]]))
                } else {
                    #expect(positives.contains([batch.users[k], batch.items[k]]))
                }
            }
        }
        #expect(rows == Self.table.count * 4 && negatives == Self.table.count * 3)
        #expect(dataset.batchesPerEpoch == (rows + 63) / 64)
    }

    @Test func deterministicPerSeedAndEpoch() throws {
        let options = DatasetOptions(negativeRatio: 2, batchSize: 100, seed: 3)
        let a = try TrainingDataset(train: Self.table, options: options)
        let b = try TrainingDataset(train: Self.table, options: options)
        #expect(a.epochRows(0) == b.epochRows(0))
        #expect(a.epochRows(0) != a.epochRows(1))
    }

    @Test func popularitySamplingFavoursPopularItems() throws {
        // Item i0 appears in many users' histories except user u-last; it should dominate that user's negatives.
        var text = "item_id,user_id,timestamp\n"
        for u in 0..<50 { text += "i0,u\(u),1\n" }
        for i in 1..<40 { text += "i\(i),u\(i),2\n" }
        text += "i1,ux,3\n"
        let (table, _) = try InteractionTable.load(path: temporaryFile(text))
        let ux = try #require(table.userIds.index(of: "ux"))
        let dataset = try TrainingDataset(
            train: table, options: DatasetOptions(negativeRatio: 50, sampling: .popularity, seed: 1))
        let rows = dataset.epochRows(0)
        let negatives = (0..<rows.count).filter { rows.users[$0] == ux && rows.labels[$0] == 0 }.map { rows.items[$0] }
        let i0 = try #require(table.itemIds.index(of: "i0"))
        // weights ∝ count^0.75: i0 has 50^0.75 ≈ 18.8 of the mass vs 1 (or 2^0.75) for others → ≈ 0.33 share.
        let share = Double(negatives.filter { $0 == i0 }.count) / Double(negatives.count)
        #expect(share > 0.2)
    }

    @Test func userWithEveryItemIsAnError() throws {
        let (table, _) = try InteractionTable.load(
            path: temporaryFile("item_id,user_id,timestamp\ni1,u1,1\ni2,u1,2\ni1,u2,1\n"))
        #expect(throws: DataError.self) { try TrainingDataset(train: table, options: DatasetOptions(negativeRatio: 1)) }
        #expect(try TrainingDataset(train: table, options: DatasetOptions(negativeRatio: 0)).rowsPerEpoch == 3)
    }

    @Test func remapOntoTrainingIds() throws {
        let (train, _) = try InteractionTable.load(path: temporaryFile("item_id,user_id,timestamp\ni1,u1,1\ni2,u2,1\n"))
        let testPath = temporaryFile("item_id,user_id,timestamp\ni2,u1,5\ni9,u2,6\n")
        let (test, _) = try InteractionTable.load(path: testPath)
        #expect(
            throws: DataError.invalidValue(
                path: testPath, line: 3, column: 0, name: "item_id", value: "i9", expected: "a known item id")
        ) {
            try test.remapped(userIds: train.userIds, itemIds: train.itemIds)
        }
        let dropped = try test.remapped(userIds: train.userIds, itemIds: train.itemIds, unknown: .drop)
        #expect(dropped.count == 1 && dropped.users == [0] && dropped.items == [1])
        let added = try test.remapped(userIds: train.userIds, itemIds: train.itemIds, unknown: .add)
        #expect(added.items == [1, 2] && added.itemIds.count == 3)
    }

    @Test func numericFeaturesUseScalers() throws {
        let items = try ItemTable.load(path: temporaryFile("item_id,a,b\ni1,1,10\ni2,3,\ni3,5,30\n"))
        let ids = try IdMap(keys: ["i3", "i1", "i4"])
        let scalers = ScalerSet(scalers: [
            Scaler(column: "a", kind: .standardization, values: [1, 3, 5]),
            Scaler(column: "b", kind: .minMax, values: [10, .nan, 30]),
        ])
        let features = try NumericFeatures(items: items, itemIds: ids, scalers: scalers)
        // a: mean 3, std sqrt(8/3) = 1.632993; b: min 10, max 30.
        let expected: [Float] = [1.2247449, 1, -1.2247449, 0, 0, 0]
        for (got, want) in zip(features.values, expected) { #expect(abs(got - want) < 1e-5) }
        #expect(features.itemsWithoutInfo == 1)
        #expect(throws: DataError.self) {
            try NumericFeatures(items: items, itemIds: ids, scalers: scalers, requireAllItems: true)
        }
    }

    @Test func textAugmentationIsSeededAndBounded() throws {
        let augmenter = try TextAugmenter(
            options: TextAugmentOptions(deleteProbability: 0.3, swapProbability: 0.3, shuffleProbability: 0.5, seed: 2))
        let text = "one two three four five six seven eight"
        let a = augmenter.augment(text, epoch: 1, item: 7)
        #expect(a == augmenter.augment(text, epoch: 1, item: 7))
        let variants = Set((0..<20).map { augmenter.augment(text, epoch: $0, item: 7) })
        #expect(variants.count > 5)
        for variant in variants {
            let tokens = variant.split(separator: " ")
            #expect(!tokens.isEmpty && Set(tokens).isSubset(of: Set(text.split(separator: " "))))
        }
        let identity = try TextAugmenter(options: TextAugmentOptions(deleteProbability: 0, swapProbability: 0))
        #expect(identity.augment(text, epoch: 3, item: 1) == text)
        #expect(throws: DataError.self) { try TextAugmenter(options: TextAugmentOptions(deleteProbability: 1.5)) }
    }
}
