import Foundation
import Testing

@testable import PixelEval

@Suite("Evaluation tasks from train/validation/test tables")
struct TaskSetupTests {
    static func data() throws -> EvaluationData {
        let train = try table(
            "item_id,user_id,timestamp\ni1,u1,1\ni2,u1,2\ni3,u1,3\ni1,u2,1\ni4,u2,2\ni2,u3,1\ni3,u3,2\n")
        let validation = try table("item_id,user_id,timestamp\ni4,u1,4\ni2,u2,3\ni9,u7,1\n")
        let test = try table(
            "item_id,user_id,timestamp\ni5,u1,5\ni3,u2,4\ni1,u7,9\ni2,u7,3\ni3,u7,5\ni4,u7,7\ni8,u3,5\n")
        return try EvaluationData(train: train, validation: validation, test: test)
    }

    @Test("index space: training ids first, then validation, then test")
    func indexSpace() throws {
        let d = try Self.data()
        #expect(d.trainUserCount == 3 && d.trainItemCount == 4)
        #expect(d.userIds.count == 4 && d.itemIds.count == 7)  // u7; i9, i5, i8
        #expect(d.heldOutSequences[3] == [d.itemIds.index(of: "i9")!, 1, 2, 3, 0])
    }

    @Test("retrieval masks training items; next_item also validation; ranking masks nothing")
    func warmTasks() throws {
        let d = try Self.data()
        let retrieval = try TaskSetup(task: .retrieval, data: d)
        #expect(retrieval.queries.users == [0, 1, 2])  // u7 is cold: skipped with a note
        #expect(Array(retrieval.queries.excluded.row(0)) == [0, 1, 2])
        #expect(retrieval.notes.contains { $0.contains("cold_user") })
        let next = try TaskSetup(task: .nextItem, data: d)
        #expect(Array(next.queries.excluded.row(0)) == [0, 1, 2, 3])
        #expect(Array(next.profiles.row(1)) == [0, 1, 3])
        #expect(!next.notes.contains { $0.contains("leave-one-out") }, "one held-out item per queried user")
        // A split with two test rows for u1: both relevant, and the report says it is not leave-one-out.
        let twice = try EvaluationData(
            train: table("item_id,user_id,timestamp\ni1,u1,1\ni2,u2,1\n"), validation: nil,
            test: table("item_id,user_id,timestamp\ni2,u1,2\ni3,u1,3\ni1,u2,2\n"))
        let several = try TaskSetup(task: .nextItem, data: twice)
        #expect(Array(several.queries.relevant.row(0)).count == 2)
        #expect(several.notes.contains { $0.hasPrefix("next_item: 1 of 2 test users have more than one held-out") })
        let ranking = try TaskSetup(task: .ranking, data: d)
        #expect(ranking.queries.excluded.nonZeroCount == 0)
        // u2's test item i3 is not in its training row; u1's i5 is new.
        #expect(Array(ranking.queries.relevant.row(1)) == [2])
    }

    @Test("cold users: first interactions are the profile, the rest relevant")
    func coldUser() throws {
        let d = try Self.data()
        let setup = try TaskSetup(task: .coldUser, data: d, coldHistory: 2)
        #expect(setup.queries.users == [3])
        // u7 in time order: i9 (1), i2 (3), i3 (5), i4 (7), i1 (9)
        #expect(Array(setup.profiles.row(3)).sorted() == [1, Int32(d.itemIds.index(of: "i9")!)].sorted())
        #expect(Array(setup.queries.relevant.row(0)) == [0, 2, 3])
        #expect(throws: EvalError.self) { try TaskSetup(task: .coldUser, data: d, coldHistory: 5) }
    }

    @Test("cold items: only items absent from training are candidates")
    func coldItem() throws {
        let d = try Self.data()
        let setup = try TaskSetup(task: .coldItem, data: d)
        let cold = (4..<7).map { Int32($0) }
        #expect(setup.queries.candidates == cold)
        #expect(setup.queries.count == 2)  // u1 (i5), u3 (i8)
        // Popularity gives every cold item 0: pessimistic ties put the relevant one last of the 3.
        let outcome = try RankingEvaluator.evaluate(
            scorer: PopularityScorer(train: d.train), queries: setup.queries, options: EvaluationOptions(ks: [2, 3]))
        #expect(outcome.summary(.ndcg, kIndex: 0).mean == 0)
        #expect(abs(outcome.summary(.ndcg, kIndex: 1).mean - 0.5) < 1e-12)  // 1 / log2(3 + 1)
    }

    @Test("baselines end to end: item kNN beats random on a planted pattern")
    func endToEnd() throws {
        // Users 0..<40 like items 0..<10, users 40..<80 like 10..<20; each holds one out.
        var trainText = "item_id,user_id,timestamp\n", testText = "item_id,user_id,timestamp\n"
        var random = TestRandom(5)
        for u in 0..<80 {
            let base = u < 40 ? 0 : 10
            let held = base + random.int(10)
            for i in base..<base + 10 where i != held && random.int(3) > 0 { trainText += "i\(i),u\(u),\(i)\n" }
            trainText += "i\(20 + u % 7),u\(u),99\n"
            testText += "i\(held),u\(u),100\n"
        }
        let d = try EvaluationData(train: try table(trainText), validation: nil, test: try table(testText))
        let setup = try TaskSetup(task: .retrieval, data: d)
        let options = EvaluationOptions(ks: [5])
        let knn = try RankingEvaluator.evaluate(
            scorer: try ItemKNNScorer(train: d.train, profiles: setup.profiles, k: 10, shrinkage: 0),
            queries: setup.queries,
            options: options)
        let rnd = try RankingEvaluator.evaluate(
            scorer: RandomScorer(itemCount: d.itemCount, seed: 1), queries: setup.queries, options: options)
        #expect(knn.summary(.hitRate, kIndex: 0).mean > 0.9)
        #expect(rnd.summary(.hitRate, kIndex: 0).mean < 0.6)
        let columns = Evaluation.columns(
            outcome: knn, queries: setup.queries, data: d, beyondAccuracy: true,
            similarity: InteractionCosine(train: d.train))
        #expect(columns.map(\.name).contains("serendipity@5"))
    }
}
