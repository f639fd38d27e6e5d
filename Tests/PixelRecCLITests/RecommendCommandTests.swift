import Foundation
import Testing

@testable import PixelRecCLI

/// A trained model on generated data (synth → split → train, through the CLI), shared by the tests.
final class RecommendFixture: Sendable {
    let directory: String
    let config: String
    /// user → items of split/train.csv and split/val.csv (what filter_seen removes).
    let seen: [String: Set<String>]
    let items: [String]
    let users: [String]
    /// Training interactions per item (split/train.csv).
    let trainCounts: [String: Int]

    static let shared = Result { try RecommendFixture() }

    init() throws {
        directory = try temporaryDirectory()
        let synth = runTool([
            "synth", "--users", "60", "--items", "40", "--interactions", "1200", "--image-size", "24", "--seed", "3",
            "--out", directory + "/raw", "-q",
        ])
        guard synth.status == 0 else { throw FixtureFailure(synth.error) }
        config = directory + "/config.yaml"
        try """
        model:
          vision_model: builtin
          language_model: builtin
          embedding_dim: 16
          fusion_hidden_dims: [32]
          num_attention_heads: 2
        training:
          epochs: 1
          batch_size: 128
          threads: 1
          seed: 7
        data:
          item_info_path: \(directory)/raw/item_info.csv
          interactions_path: \(directory)/raw/interactions.csv
          image_folder: \(directory)/raw/images
          processed_item_info_path: \(directory)/processed/item_info.csv
          feature_store_path: \(directory)/features
          split_data_path: \(directory)/split
          train_data_path: \(directory)/split/train.csv
          val_data_path: \(directory)/split/val.csv
          test_data_path: \(directory)/split/test.csv
          splitting:
            strategy: leave_one_out
        recommendation:
          top_k: 5
          max_candidates: 20
        checkpoint_dir: \(directory)/checkpoints
        results_dir: \(directory)/results

        """.write(toFile: config, atomically: true, encoding: .utf8)
        let split = runTool(["split", "--config", config, "--output", directory + "/split", "-q"])
        guard split.status == 0 else { throw FixtureFailure(split.error) }
        let train = runTool(["train", "--config", config, "-q"])
        guard train.status == 0 else { throw FixtureFailure(train.error) }
        var seen: [String: Set<String>] = [:]
        var items = Set<String>()
        var counts: [String: Int] = [:]
        for file in ["train.csv", "val.csv"] {
            let rows = try String(contentsOfFile: directory + "/split/" + file, encoding: .utf8).split(separator: "\n")
            let header = rows[0].split(separator: ",").map(String.init)
            let (u, i) = (header.firstIndex(of: "user_id")!, header.firstIndex(of: "item_id")!)
            for row in rows.dropFirst() {
                let cells = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                seen[cells[u], default: []].insert(cells[i])
                if file == "train.csv" {
                    items.insert(cells[i])
                    counts[cells[i], default: 0] += 1
                }
            }
        }
        self.seen = seen
        self.items = items.sorted()
        self.users = seen.keys.sorted()
        self.trainCounts = counts
    }

    func recommend(_ arguments: [String]) -> RunResult {
        runTool(["recommend", "--config", config] + arguments)
    }

    /// `users[].items[].item_id` of a JSON output, per user id.
    func lists(_ path: String) throws -> [(user: String, items: [String], cold: Bool)] {
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        let users = json?["users"] as? [[String: Any]] ?? []
        return users.map { user in
            let items = (user["items"] as? [[String: Any]] ?? []).compactMap { $0["item_id"] as? String }
            return (user["user_id"] as? String ?? "", items, user["cold"] as? Bool ?? false)
        }
    }

    func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
    }
}

struct FixtureFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

@Suite("pixelrec recommend (CLI, trained on generated data)", .serialized)
struct RecommendCommandTests {
    var fixture: RecommendFixture { get throws { try RecommendFixture.shared.get() } }

    @Test("end to end: sampled users get k unseen items each, JSON with settings, measures and timing")
    func endToEnd() throws {
        let f = try fixture
        let output = f.directory + "/out/plain.json"
        let run = f.recommend(["--sample-users", "20", "--seed", "1", "--output", output])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("recommended 20 users × 5 items"), "\(run.output)")
        let lists = try f.lists(output)
        #expect(lists.count == 20)
        for list in lists {
            #expect(list.items.count == 5 && Set(list.items).count == 5)
            #expect(
                list.items.allSatisfy { !(f.seen[list.user]?.contains($0) ?? false) },
                "user \(list.user) got a seen item")
        }
        let json = try f.json(output)
        for key in ["config", "model", "diversity", "summary", "timing", "users", "notes"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        let summary = try #require(json["summary"] as? [String: Double])
        #expect((summary["coverage"] ?? 0) > 0 && summary["mean_novelty"] != nil)
    }

    @Test("--include-seen may list seen items; filtered runs never do")
    func includeSeen() throws {
        let f = try fixture
        let output = f.directory + "/out/seen.json"
        // Every user, long lists: with seen items allowed some list holds one.
        let run = f.recommend(["--sample-users", "60", "--top-k", "30", "--include-seen", "--output", output, "-q"])
        #expect(run.status == 0, "\(run.error)")
        let lists = try f.lists(output)
        #expect(lists.contains { list in list.items.contains { f.seen[list.user]?.contains($0) ?? false } })
    }

    @Test("the same seed gives the same output; another seed other users")
    func deterministic() throws {
        let f = try fixture
        var outputs: [String] = []
        for (name, seed) in [("a", "5"), ("b", "5"), ("c", "6")] {
            let output = f.directory + "/out/seed-\(name).csv"
            let run = f.recommend(["--sample-users", "8", "--seed", seed, "--use-diversity", "--output", output, "-q"])
            #expect(run.status == 0, "\(run.error)")
            outputs.append(try String(contentsOfFile: output, encoding: .utf8))
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0] != outputs[2])
    }

    @Test("unknown users: one exact line naming the user (and file:line for --user-file)")
    func unknownUser() throws {
        let f = try fixture
        let run = f.recommend(["--users", "nobody"])
        #expect(run.status == 1)
        #expect(
            run.error
                == "error: --users: unknown user 'nobody' (not a training user of the model; give its history with --history nobody:item1,item2)\n"
        )
        let file = f.directory + "/users.txt"
        try "\(f.users[0])\n\nghost\n".write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = f.recommend(["--user-file", file])
        #expect(fromFile.status == 1)
        #expect(
            fromFile.error
                == "error: \(file):3: unknown user 'ghost' (not a training user of the model; give its history with --history ghost:item1,item2)\n"
        )
    }

    @Test("a cold user from --history gets a list without its history items")
    func coldUser() throws {
        let f = try fixture
        let history = Array(f.items.prefix(3))
        let output = f.directory + "/out/cold.json"
        let run = f.recommend(["--history", "newcomer:" + history.joined(separator: ","), "--output", output, "-q"])
        #expect(run.status == 0, "\(run.error)")
        let lists = try f.lists(output)
        #expect(lists.count == 1 && lists[0].user == "newcomer" && lists[0].cold)
        #expect(lists[0].items.count == 5 && Set(lists[0].items).isDisjoint(with: history))
        let badItem = f.recommend(["--history", "newcomer:not-an-item"])
        #expect(
            badItem.status == 1 && badItem.errorLines.count == 1 && badItem.error.contains("unknown item 'not-an-item'")
        )
    }

    @Test("deny list honoured; allow list honoured; unknown ids reported with file:line")
    func allowAndDeny() throws {
        let f = try fixture
        let plainOut = f.directory + "/out/ad-plain.json"
        #expect(f.recommend(["--sample-users", "10", "--seed", "2", "--output", plainOut, "-q"]).status == 0)
        let plain = try f.lists(plainOut)
        // Deny every item the plain run recommended to the first user.
        let denied = plain[0].items
        let deny = f.directory + "/deny.txt"
        try (denied + ["no-such-item"]).joined(separator: "\n").write(toFile: deny, atomically: true, encoding: .utf8)
        let denyOut = f.directory + "/out/ad-deny.json"
        let run = f.recommend(["--sample-users", "10", "--seed", "2", "--deny-list", deny, "--output", denyOut])
        #expect(run.status == 0, "\(run.error)")
        #expect(
            run.error.contains("\(deny):\(denied.count + 1): 'no-such-item' is not an item of the model's catalog"),
            "\(run.error)")
        for list in try f.lists(denyOut) { #expect(Set(list.items).isDisjoint(with: denied)) }
        let allowed = Array(f.items.suffix(12))
        let allow = f.directory + "/allow.txt"
        try allowed.joined(separator: "\n").write(toFile: allow, atomically: true, encoding: .utf8)
        let allowOut = f.directory + "/out/ad-allow.json"
        #expect(
            f.recommend(["--sample-users", "10", "--seed", "2", "--allow-list", allow, "--output", allowOut, "-q"])
                .status == 0)
        for list in try f.lists(allowOut) {
            #expect(Set(list.items).isSubset(of: Set(allowed)))
            #expect(!list.items.isEmpty)
        }
    }

    @Test("diversity on: MMR settings and embeddings in the JSON; ILD not lower than the plain lists'")
    func diversity() throws {
        let f = try fixture
        var ild: [Double] = []
        for (name, extra) in [
            ("plain", [String]()), ("mmr", ["--use-diversity", "--diversity-weight", "0.8", "--novelty-weight", "0"]),
        ] {
            let output = f.directory + "/out/div-\(name).json"
            let run = f.recommend(["--sample-users", "30", "--seed", "4", "--output", output, "-q"] + extra)
            #expect(run.status == 0, "\(run.error)")
            let json = try f.json(output)
            let summary = try #require(json["summary"] as? [String: Double])
            ild.append(try #require(summary["mean_intra_list_diversity"]))
            if name == "mmr" {
                let diversity = try #require(json["diversity"] as? [String: String])
                #expect(diversity["lambda"].flatMap(Double.init).map { abs($0 - 0.2) < 1e-9 } == true)
                #expect(diversity["embeddings"]?.contains("vision ⊕ text") == true)
                let users = try #require(json["users"] as? [[String: Any]])
                #expect(users.allSatisfy { $0["novelty"] is Double && $0["intra_list_diversity"] is Double })
            }
        }
        #expect(ild[1] >= ild[0], "ILD plain \(ild[0]) vs MMR \(ild[1])")
    }

    /// `model.final_activation` is applied to the printed scores; the same weights trained with `sigmoid`
    /// (the fixture's model has the default, `none`: raw scores) must print σ of the raw scores (computed
    /// here), in the same order.
    @Test("printed scores pass through model.final_activation (sigmoid = σ of the raw scores, same order)")
    func finalActivation() throws {
        let f = try fixture
        let squashed = f.directory + "/checkpoints-sigmoid"
        defer { try? FileManager.default.removeItem(atPath: squashed) }
        let trained = runTool([
            "train", "--config", f.config, "-q", "--set", "model.final_activation=sigmoid", "--set",
            "checkpoint_dir=\(squashed)",
        ])
        #expect(trained.status == 0, "\(trained.error)")
        func scores(_ sets: [String], _ name: String) throws -> [(String, Double)] {
            let output = f.directory + "/out/\(name).csv"
            let run = f.recommend(["--users", f.users[0], "--top-k", "5", "--output", output, "-q"] + sets)
            #expect(run.status == 0, "\(run.error)")
            return try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").dropFirst().map {
                let fields = $0.split(separator: ",")
                return (String(fields[2]), Double(fields[3]) ?? .nan)
            }
        }
        let sigmoid = try scores(["--set", "checkpoint_dir=\(squashed)"], "sigmoid"), none = try scores([], "none")
        #expect(sigmoid.count == 5 && sigmoid.map(\.0) == none.map(\.0))
        for ((_, s), (_, r)) in zip(sigmoid, none) {
            // Scores print with 6 significant digits: compare within 1e-5 relative.
            #expect(abs(s - 1 / (1 + exp(-r))) <= 1e-5 * max(1, abs(s)), "σ(\(r)) vs \(s)")
            #expect(s > 0 && s <= 1)
        }
        #expect(none.map(\.1) != sigmoid.map(\.1))
    }

    @Test("CSV output: header, k rows per user with ranks 1…k")
    func csvOutput() throws {
        let f = try fixture
        let output = f.directory + "/out/recs.csv"
        let run = f.recommend(["--users", f.users[0], f.users[1], "--top-k", "4", "--output", output, "-q"])
        #expect(run.status == 0, "\(run.error)")
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "user_id,rank,item_id,score")
        #expect(lines.count == 1 + 8)
        #expect(lines.dropFirst().map { $0.split(separator: ",")[1] } == ["1", "2", "3", "4", "1", "2", "3", "4"])
        #expect(lines[1].hasPrefix(f.users[0] + ",1,"))
        let bad = f.recommend(["--users", f.users[0], "--output", f.directory + "/out/recs.txt"])
        #expect(bad.status == 2 && bad.errorLines.count == 1 && bad.error.contains(".json or .csv"))
    }

    @Test("embeddings cache: written once, reused, rewritten for another checkpoint")
    func embeddingsCache() throws {
        let f = try fixture
        let cache = f.directory + "/cache/items.pxiv"
        var outputs: [String] = []
        func source(_ output: String) throws -> String {
            ((try f.json(output))["model"] as? [String: String])?["item_vectors"] ?? ""
        }
        for name in ["first", "second"] {
            let output = f.directory + "/out/cache-\(name).csv"
            let run = f.recommend(["--sample-users", "10", "--embeddings-cache", cache, "--output", output, "-q"])
            #expect(run.status == 0, "\(run.error)")
            outputs.append(try String(contentsOfFile: output, encoding: .utf8))
        }
        #expect(outputs[0] == outputs[1])
        let json1 = f.directory + "/out/cache-third.json"
        #expect(
            f.recommend(["--sample-users", "10", "--embeddings-cache", cache, "--output", json1, "-q"]).status == 0)
        #expect(try source(json1).hasPrefix("reused from cache"))
        // The header carries the checkpoint's payload checksum.
        let header = try [UInt8](Data(contentsOf: URL(fileURLWithPath: cache)).prefix(16))
        #expect(Array(header[0..<8]) == Array("PXITEMV2".utf8))
        // Another checkpoint (another seed) invalidates it.
        let other = f.directory + "/checkpoints2"
        let train = runTool([
            "train", "--config", f.config, "-q", "--set", "training.seed=8", "--set", "checkpoint_dir=\(other)",
        ])
        #expect(train.status == 0, "\(train.error)")
        let json2 = f.directory + "/out/cache-other.json"
        let run = f.recommend([
            "--sample-users", "10", "--embeddings-cache", cache, "--checkpoint", other + "/best.ckpt", "--output",
            json2, "-q",
        ])
        #expect(run.status == 0, "\(run.error)")
        let staleSource = try source(json2)
        #expect(staleSource.contains("stale (written for another checkpoint)"), "\(staleSource)")
        let newHeader = try [UInt8](Data(contentsOf: URL(fileURLWithPath: cache)).prefix(16))
        #expect(newHeader[8..<16] != header[8..<16])
        let json3 = f.directory + "/out/cache-other-again.json"
        #expect(
            f.recommend([
                "--sample-users", "10", "--embeddings-cache", cache, "--checkpoint", other + "/best.ckpt", "--output",
                json3, "-q",
            ])
            .status == 0)
        #expect(try source(json3).hasPrefix("reused from cache"))
    }

    @Test("--evaluate scores the lists against held-out items")
    func evaluate() throws {
        let f = try fixture
        let output = f.directory + "/out/eval.json"
        let run = f.recommend([
            "--sample-users", "60", "--top-k", "10", "--evaluate", f.directory + "/split/test.csv", "--output", output,
        ])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("ndcg@10"))
        let evaluation = try #require(try f.json(output)["evaluation"] as? [String: Any])
        let metrics = try #require(evaluation["metrics"] as? [String: Double])
        let ndcg = try #require(metrics["ndcg@10"])
        #expect(ndcg >= 0 && ndcg <= 1 && (evaluation["users"] as? Int ?? 0) > 0)
        // Independent check: `pixelrec eval --task next_item` masks the same items (training + validation)
        // and ranks the same catalog here (every test item occurs in training), so every user's NDCG@10
        // and their mean agree.
        let evalOutput = f.directory + "/out/eval-next-item.json"
        let eval = runTool([
            "eval", "--config", f.config, "--recommender-type", "multimodal", "--task", "next_item", "--k", "10",
            "--output", evalOutput, "-q",
        ])
        #expect(eval.status == 0, "\(eval.error)")
        let metricsList = try #require(try f.json(evalOutput)["metrics"] as? [[String: Any]])
        let reference = try #require(
            metricsList.first { $0["name"] as? String == "ndcg@10" }.flatMap {
                ($0["summary"] as? [String: Any])?["mean"] as? Double
            })
        #expect(abs(reference - ndcg) < 1e-9, "eval \(reference) vs recommend \(ndcg)")
    }
    @Test("--novelty-filter 25 leaves out the most popular quarter of the catalog")
    func noveltyFilter() throws {
        let f = try fixture
        let output = f.directory + "/out/novelty.json"
        let run = f.recommend(["--sample-users", "60", "--novelty-filter", "25", "--output", output, "-q"])
        #expect(run.status == 0, "\(run.error)")
        // The ⌊40 · 0.25⌋ = 10 items with most training interactions (ties: the catalog's lower index,
        // so only items strictly above the 10th count are certainly out).
        let counts = f.items.map { f.trainCounts[$0] ?? 0 }.sorted(by: >)
        let certainlyOut = Set(f.items.filter { (f.trainCounts[$0] ?? 0) > counts[10] })
        #expect(!certainlyOut.isEmpty)
        let lists = try f.lists(output)
        #expect(lists.allSatisfy { Set($0.items).isDisjoint(with: certainlyOut) })
        let excluded = try #require((try f.json(output))["summary"] as? [String: Double])["excluded_items"]
        #expect(excluded == Double(f.items.count / 4))
    }

    @Test("--include-new-items ranks items the model was not trained on (from content); without it they never appear")
    func newItems() throws {
        let f = try fixture
        // A model trained without three of the catalog's items (all their training rows dropped).
        let dropped = Array(f.items.prefix(3))
        let rows = try String(contentsOfFile: f.directory + "/split/train.csv", encoding: .utf8).split(separator: "\n")
        let itemColumn = try #require(rows[0].split(separator: ",").firstIndex(of: "item_id"))
        let kept = rows.filter { row in
            let cells = row.split(separator: ",", omittingEmptySubsequences: false)
            return !dropped.contains(String(cells[itemColumn]))
        }
        let trainPath = f.directory + "/split-new/train.csv"
        try FileManager.default.createDirectory(
            atPath: f.directory + "/split-new", withIntermediateDirectories: true)
        try (kept.joined(separator: "\n") + "\n").write(toFile: trainPath, atomically: true, encoding: .utf8)
        let settings = [
            "--set", "data.train_data_path=\(trainPath)", "--set", "checkpoint_dir=\(f.directory)/checkpoints-new",
        ]
        let train = runTool(["train", "--config", f.config, "-q"] + settings)
        #expect(train.status == 0, "\(train.error)")
        // Lists as long as the catalog, seen items allowed: every ranked item is listed.
        let base = ["--sample-users", "5", "--seed", "1", "--top-k", "40", "--include-seen", "-q"] + settings
        let without = f.directory + "/out/new-off.json", with = f.directory + "/out/new-on.json"
        let off = f.recommend(base + ["--output", without])
        #expect(off.status == 0, "\(off.error)")
        let on = f.recommend(base + ["--include-new-items", "--output", with])
        #expect(on.status == 0, "\(on.error)")
        for list in try f.lists(without) {
            #expect(list.items.count == 37 && Set(list.items).isDisjoint(with: dropped), "\(list)")
        }
        for list in try f.lists(with) {
            #expect(list.items.count == 40 && Set(dropped).isSubset(of: list.items), "\(list)")
        }
        // The same through the config key.
        let key = f.recommend(base + ["--set", "recommendation.include_new_items=true", "--output", with])
        #expect(key.status == 0, "\(key.error)")
        #expect(try f.lists(with).allSatisfy { Set(dropped).isSubset(of: $0.items) })
    }
}
