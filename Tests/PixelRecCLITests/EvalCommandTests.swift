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
        // Besides the error, only the warning that test.csv names items outside the training catalog.
        let errors = result.errorLines.filter { !$0.hasPrefix("warning: \(test):") }
        #expect(errors.count == 1 && result.error.contains("no checkpoint at"), "\(result.error)")
    }

    @Test("--set overrides reach the multimodal model's configuration (checkpoint_dir here)")
    func multimodalSeesOverrides() throws {
        let (train, test, dir) = try Self.split()
        try "checkpoint_dir: \(dir)/from-file\n".write(toFile: dir + "/c.yaml", atomically: true, encoding: .utf8)
        let result = runTool([
            "eval", "--config", dir + "/c.yaml", "--set", "checkpoint_dir=\(dir)/from-set", "--train-data", train,
            "--test-data", test, "-r", "multimodal", "-o", dir + "/m.json",
        ])
        #expect(result.status == 1)
        #expect(result.error.contains("\(dir)/from-set/best.ckpt"), "\(result.error)")
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

    /// Writes `text.pxfs` and `image.pxfs` for items i1…i6 (row `i` of each matrix is item `i + 1`).
    static func writeStores(_ dir: String, text: [Float], textWidth: Int, image: [Float], imageWidth: Int) throws
        -> String
    {
        let folder = dir + "/features"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let ids = (1...6).map { "i\($0)" }
        let missing = [Bool](repeating: false, count: 6)
        try FeatureStore.write(
            identity: EncoderIdentity(name: "builtin", modality: .text, dimension: textWidth, modelHash: "t"), ids: ids,
            rows: text, missing: missing, to: folder + "/text.pxfs")
        try FeatureStore.write(
            identity: EncoderIdentity(name: "builtin", modality: .image, dimension: imageWidth, modelHash: "v"),
            ids: ids,
            rows: image, missing: missing, to: folder + "/image.pxfs")
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
        // Every text vector equal, image vectors one-hot: two distinct items have content cosine
        // (1 + 0) / 2 = .5 (the text and image blocks are each unit length).
        var text: [Float] = [], image: [Float] = []
        for i in 0..<6 {
            text += [3, 4]
            for c in 0..<6 { image.append(c == i ? 2 : 0) }
        }
        let folder = try Self.writeStores(dir, text: text, textWidth: 2, image: image, imageWidth: 6)
        let output = dir + "/b.json"
        let r = runTool([
            "eval", "--train-data", train, "--test-data", test, "-r", "popularity", "-t", "beyond_accuracy", "--k", "3",
            "--set", "data.feature_store_path=\(folder)", "-o", output, "-q",
        ])
        #expect(r.status == 0, "\(r.error)")
        let (metrics, json) = try Self.means(output)
        #expect((json["similarity_source"] as? String)?.hasPrefix("content embeddings") == true, "\(json)")
        // Every pair of distinct items has cosine .5, so ILD = .5. Serendipity uses the recommendation lists
        // (ties by lower index): popularity lists the user's unseen train items (i1–i3) first, then i4, i5, i6.
        // Top 3 and test item per user: u1 [i3 i4 i5] i5 hit, u2 [i2 i4 i5] i6, u3 [i1 i4 i5] i4 hit,
        // u4 [i4 i5 i6] i5 hit, u5 [i3 i4 i5] i6, u6 [i2 i4 i5] i4 hit. A hit adds (1 − .5) / 3 slots, so
        // serendipity@3 = 4 · (1/6) / 6 users = 1/9.
        #expect(abs((metrics["ild@3"] ?? -1) - 0.5) < 1e-6, "\(metrics)")
        #expect(abs((metrics["serendipity@3"] ?? -1) - 1.0 / 9) < 1e-6, "\(metrics)")
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
        // Text only (images zero): i1–i3 (1, 0), i4 (1, .1), i5 (0, 1), i6 (−1, 0). Every history is a subset
        // of i1–i3, so score(j) = min(k, |P(u)|) · cos((1, 0), e_j): unseen i1–i3 first (cos 1), then i4 (.995),
        // i5 (0), i6 (−1). Test item rank per user: u1 (train i1 i2) i5 → 3, u2 (i1 i3) i6 → 4,
        // u3 (i2 i3) i4 → 2, u4 (i1 i2 i3) i5 → 2, u5 (i1 i2) i6 → 4, u6 (i1 i3) i4 → 2.
        // NDCG@3 = (1/log2(4) + 3/log2(3)) / 6.
        let text: [Float] = [1, 0, 1, 0, 1, 0, 1, 0.1, 0, 1, -1, 0]
        let folder = try Self.writeStores(
            dir, text: text, textWidth: 2, image: [Float](repeating: 0, count: 6), imageWidth: 1)
        let r = runTool([
            "eval", "--train-data", train, "--test-data", test, "-r", "content_knn", "--k", "3",
            "--set", "data.feature_store_path=\(folder)", "--set", "evaluation.knn_neighbors=2", "-o", dir + "/k.json",
            "-q",
        ])
        #expect(r.status == 0, "\(r.error)")
        let (metrics, json) = try Self.means(dir + "/k.json")
        #expect(json["scorer"] as? String == "content_knn(k=2, d=3)")
        let expected = (1 / log2(4.0) + 3 / log2(3.0)) / 6
        #expect(abs((metrics["ndcg@3"] ?? -1) - expected) < 1e-6, "\(metrics)")
        let missing = runTool([
            "eval", "--train-data", train, "--test-data", test, "-r", "content_knn",
            "--set", "data.feature_store_path=\(dir)/none", "-o", dir + "/m.json",
        ])
        #expect(
            missing.status == 1 && missing.errorLines.filter { !$0.hasPrefix("warning: \(test):") }.count == 1,
            "\(missing.error)")
        #expect(missing.error.contains("data.feature_store_path"))
    }
}
