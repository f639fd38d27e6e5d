import Foundation
import PixelEncoders
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

    /// Feature stores for items i1…i6: every text vector equal, image vectors one-hot — so two distinct
    /// items have content cosine (1 + 0) / 2 = .5 (the text and image blocks are each unit length).
    static func writeStores(_ dir: String) throws -> String {
        let folder = dir + "/features"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let ids = (1...6).map { "i\($0)" }
        let text = (0..<6).flatMap { _ in [Float(3), 4] }
        let image = (0..<6).flatMap { i in (0..<6).map { Float($0 == i ? 2 : 0) } }
        try FeatureStore.write(
            identity: EncoderIdentity(name: "builtin", modality: .text, dimension: 2, modelHash: "t"), ids: ids, rows: text,
            missing: [Bool](repeating: false, count: 6), to: folder + "/text.pxfs")
        try FeatureStore.write(
            identity: EncoderIdentity(name: "builtin", modality: .image, dimension: 6, modelHash: "v"), ids: ids,
            rows: image, missing: [Bool](repeating: false, count: 6), to: folder + "/image.pxfs")
        return folder
    }

    static func means(_ path: String) throws -> (metrics: [String: Double], json: [String: Any]) {
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var metrics: [String: Double] = [:]
        for entry in try #require(json["metrics"] as? [[String: Any]]) {
            let summary = entry["summary"] as? [String: Any] ?? entry
            if let name = entry["name"] as? String, let mean = summary["mean"] as? Double { metrics[name] = mean }
        }
        return (metrics, json)
    }

    @Test("beyond_accuracy: ILD and serendipity use content embeddings when the feature stores exist")
    func contentSimilarity() throws {
        let (train, test, dir) = try Self.split()
        let folder = try Self.writeStores(dir)
        let output = dir + "/b.json"
        let r = runTool([
            "eval", "--train-data", train, "--test-data", test, "-r", "popularity", "-t", "beyond_accuracy", "--k", "3",
            "--set", "data.feature_store_path=\(folder)", "-o", output, "-q",
        ])
        #expect(r.status == 0, "\(r.error)")
        let (metrics, json) = try Self.means(output)
        #expect((json["similarity_source"] as? String)?.hasPrefix("content embeddings") == true, "\(json)")
        // Every pair of distinct items has cosine .5: ILD = .5; a relevant item's mean cosine to the user's
        // (distinct) training items is .5, so serendipity@3 = .5 · precision@3.
        #expect(abs((metrics["ild@3"] ?? -1) - 0.5) < 1e-6, "\(metrics)")
        let precision = try #require(metrics["precision@3"])
        #expect(precision > 0)
        #expect(abs((metrics["serendipity@3"] ?? -1) - 0.5 * precision) < 1e-6, "\(metrics)")
        // Without stores: the interaction-column stand-in, named as such.
        let plain = runTool([
            "eval", "--train-data", train, "--test-data", test, "-r", "popularity", "-t", "beyond_accuracy", "--k", "3",
            "--set", "data.feature_store_path=\(dir)/none", "-o", dir + "/c.json", "-q",
        ])
        #expect(plain.status == 0, "\(plain.error)")
        let (_, plainJSON) = try Self.means(dir + "/c.json")
        #expect((plainJSON["similarity_source"] as? String)?.hasPrefix("training-interaction") == true)
    }

    @Test("content_knn evaluates from the feature stores; without them one line names data.feature_store_path")
    func contentKNN() throws {
        let (train, test, dir) = try Self.split()
        let folder = try Self.writeStores(dir)
        let r = runTool([
            "eval", "--train-data", train, "--test-data", test, "-r", "content_knn", "--k", "3",
            "--set", "data.feature_store_path=\(folder)", "--set", "evaluation.knn_neighbors=2", "-o", dir + "/k.json", "-q",
        ])
        #expect(r.status == 0, "\(r.error)")
        let (metrics, json) = try Self.means(dir + "/k.json")
        #expect(json["scorer"] as? String == "content_knn(k=2, d=8)")
        // All unseen items tie (cosine .5 to every history item), so pessimistic ties give 0.
        #expect(metrics["ndcg@3"] == 0, "\(metrics)")
        let missing = runTool([
            "eval", "--train-data", train, "--test-data", test, "-r", "content_knn",
            "--set", "data.feature_store_path=\(dir)/none", "-o", dir + "/m.json",
        ])
        #expect(missing.status == 1 && missing.errorLines.count == 1, "\(missing.error)")
        #expect(missing.error.contains("data.feature_store_path"))
    }
}
