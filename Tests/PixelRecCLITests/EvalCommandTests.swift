import Foundation
import Testing

@testable import PixelRecCLI

@Suite("pixelrec eval")
struct EvalCommandTests {
    /// A tiny split: 6 users, items i1…i6, one test item each.
    static func split() throws -> (train: String, test: String, dir: String) {
        let dir = try temporaryDirectory()
        var train = "item_id,user_id,timestamp\n", test = "item_id,user_id,timestamp\n"
        for u in 1...6 {
            for i in 1...3 where (u + i) % 4 != 0 { train += "i\(i),u\(u),\(i)\n" }
            test += "i\(4 + u % 3),u\(u),10\n"
        }
        try train.write(toFile: dir + "/train.csv", atomically: true, encoding: .utf8)
        try test.write(toFile: dir + "/test.csv", atomically: true, encoding: .utf8)
        return (dir + "/train.csv", dir + "/test.csv", dir)
    }

    @Test("the seed invocation writes JSON (protocol, tie rule, metrics with CIs) and prints a table")
    func seedInvocation() throws {
        let (train, test, dir) = try Self.split()
        let output = dir + "/results/x.json"
        let result = runTool([
            "eval", "--test_data", test, "--train_data", train, "--eval_task", "retrieval", "--recommender_type",
            "popularity", "--output", output, "--k", "1", "3", "-q",
        ])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("ndcg") && result.output.contains("@3"))
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output))) as? [String: Any])
        #expect(json["protocol"] as? String == "full")
        #expect((json["tie_rule"] as? String)?.contains("pessimistic") == true)
        #expect(json["k"] as? [Int] == [1, 3])
        let metrics = try #require(json["metrics"] as? [[String: Any]])
        #expect(metrics.contains { $0["name"] as? String == "ndcg@3" })
        #expect(json["timing"] != nil && json["split"] != nil && json["config"] != nil)
        // No temporary files left beside the output.
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/results")
        #expect(files == ["x.json"])
    }

    @Test("--compare prints earlier results side by side; sampled runs are labelled")
    func compare() throws {
        let (train, test, dir) = try Self.split()
        for (name, extra) in [("a", [String]()), ("b", ["--negatives", "2"])] {
            let r = runTool(
                ["eval", "--train-data", train, "--test-data", test, "-r", "random", "-o", dir + "/\(name).json", "-q"]
                    + extra)
            #expect(r.status == 0, "\(r.error)")
            if name == "b" { #expect(r.output.contains("sampled")) }
        }
        let result = runTool(["eval", "--compare", dir + "/a.json", dir + "/b.json"])
        #expect(result.status == 0)
        #expect(result.output.contains("[1]") && result.output.contains("[2]") && result.output.contains("hit_rate@10"))
        #expect(result.output.contains("not comparable"))
    }

    @Test("the multimodal model without a trained checkpoint: one clear line naming it, exit 1")
    func multimodalUnavailable() throws {
        let (train, test, dir) = try Self.split()
        let result = runTool([
            "eval", "--train-data", train, "--test-data", test, "-r", "multimodal", "-o", dir + "/m.json",
        ])
        #expect(result.status == 1)
        #expect(result.errorLines.count == 1 && result.error.contains("no checkpoint at"), "\(result.error)")
    }

    @Test("bad inputs: a missing file and a broken result file name the path")
    func badInput() throws {
        let (train, _, dir) = try Self.split()
        let missing = runTool(["eval", "--train-data", train, "--test-data", dir + "/nope.csv", "-r", "popularity"])
        #expect(missing.status == 1 && missing.error.contains("nope.csv") && missing.errorLines.count == 1)
        try "{\"format\": 1}".write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
        let bad = runTool(["eval", "--compare", dir + "/bad.json"])
        #expect(bad.status == 1 && bad.error.contains("bad.json") && bad.errorLines.count == 1)
    }

    @Test("--save-per-user writes one row per evaluated user")
    func perUser() throws {
        let (train, test, dir) = try Self.split()
        let r = runTool([
            "eval", "--train-data", train, "--test-data", test, "-r", "item_knn", "--k", "2", "--save-per-user",
            "-o", dir + "/p.json", "-q",
        ])
        #expect(r.status == 0, "\(r.error)")
        let csv = try String(contentsOfFile: dir + "/p.per_user.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n")
        #expect(lines.first?.hasPrefix("user_id,precision@2") == true)
        #expect(lines.count == 7)
    }
}
