import Foundation
import PixelConfig
import PixelData
import PixelEval
import PixelModels
import PixelSession
import Testing

@testable import PixelRecCLI

/// Sequence-encoder models (`model.user_encoder: sequence | hybrid`) trained through the CLI on generated
/// data: a leave-one-out split (sequence, hybrid and ID models) and a user split (a sequence model whose
/// held-out users are cold), shared by the tests.
final class SequenceFixture: Sendable {
    let directory: String
    let config: String
    /// `train` runs: sequence, hybrid, id (leave-one-out) and sequence on the user split.
    let trainRuns: [String: RunResult]
    /// Per user, the training rows' items in time order (timestamp, then file row), and the validation item.
    let trainTimeline: [String: [String]]
    let validationItem: [String: String]
    let items: [String]

    static let shared = Result { try SequenceFixture() }

    var split: String { directory + "/split" }
    var userSplit: String { directory + "/usersplit" }
    func checkpoint(_ name: String) -> String { directory + "/ckpt-\(name)/best.ckpt" }

    init() throws {
        directory = try temporaryDirectory()
        let synth = runTool([
            "synth", "--users", "50", "--items", "40", "--interactions", "800", "--image-size", "16", "--seed", "5",
            "--out", directory + "/raw", "-q",
        ])
        guard synth.status == 0 else { throw FixtureFailure(synth.error) }
        config = directory + "/config.yaml"
        try """
        model:
          vision_model: builtin
          language_model: builtin
          embedding_dim: 8
          fusion_hidden_dims: [16]
          num_attention_heads: 2
          user_encoder: sequence
          max_seq_len: 6
          seq_blocks: 1
          seq_heads: 2
          seq_dropout: 0.1
        training:
          epochs: 2
          batch_size: 64
          threads: 1
          seed: 7
          loss: sampled_softmax
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
        checkpoint_dir: \(directory)/ckpt-sequence
        results_dir: \(directory)/results

        """.write(toFile: config, atomically: true, encoding: .utf8)
        for (output, strategy) in [(directory + "/split", "leave_one_out"), (directory + "/usersplit", "user")] {
            let split = runTool(["split", "--config", config, "--strategy", strategy, "--output", output, "-q"])
            guard split.status == 0 else { throw FixtureFailure(split.error) }
        }
        var runs: [String: RunResult] = [:]
        for (name, sets) in [
            ("sequence", [String]()), ("hybrid", ["model.user_encoder=hybrid"]), ("id", ["model.user_encoder=id"]),
            (
                "cold",
                [
                    "data.train_data_path=\(directory)/usersplit/train.csv",
                    "data.val_data_path=\(directory)/usersplit/none.csv",
                ]
            ),
        ] {
            let run = runTool(
                ["train", "--config", config, "--set", "checkpoint_dir=\(directory)/ckpt-\(name)"]
                    + sets.flatMap { ["--set", $0] })
            guard run.status == 0 else { throw FixtureFailure("train \(name): " + run.error) }
            runs[name] = run
        }
        trainRuns = runs
        var timeline: [String: [(Int64, Int, String)]] = [:]
        var validation: [String: String] = [:]
        var items = Set<String>()
        for file in ["train.csv", "val.csv"] {
            for (row, cells) in try Self.rows(directory + "/split/" + file).enumerated() {
                if file == "train.csv" {
                    timeline[cells.user, default: []].append((cells.time, row, cells.item))
                    items.insert(cells.item)
                } else {
                    validation[cells.user] = cells.item
                }
            }
        }
        trainTimeline = timeline.mapValues { $0.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2) }
        validationItem = validation
        self.items = items.sorted()
    }

    /// The (user, item, timestamp) rows of an interactions CSV, in file order.
    static func rows(_ path: String) throws -> [(user: String, item: String, time: Int64)] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",").map(String.init)
        let (u, i, t) = (
            header.firstIndex(of: "user_id")!, header.firstIndex(of: "item_id")!, header.firstIndex(of: "timestamp")!
        )
        return lines.dropFirst().map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return (cells[u], cells[i], Int64(Double(cells[t]) ?? 0))
        }
    }

    func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
    }

    /// The JSON header of a checkpoint file (magic, UInt64 LE length, JSON).
    func checkpointHeader(_ path: String) throws -> [String: Any] {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let length = bytes[8..<16].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        return try JSONSerialization.jsonObject(with: bytes[16..<(16 + length)]) as? [String: Any] ?? [:]
    }

    /// `users[]` of a recommend JSON output: user id → [(item, score)].
    func lists(_ path: String) throws -> [String: [(item: String, score: Double)]] {
        var result: [String: [(item: String, score: Double)]] = [:]
        for user in try json(path)["users"] as? [[String: Any]] ?? [] {
            result[user["user_id"] as? String ?? ""] = (user["items"] as? [[String: Any]] ?? []).map {
                ($0["item_id"] as? String ?? "", $0["score"] as? Double ?? .nan)
            }
        }
        return result
    }

    /// Evaluation data and the task's setup for a split folder (as `pixelrec eval` builds them).
    func evaluation(_ folder: String, task: EvaluationTask, coldHistory: Int = 5) throws -> (EvaluationData, TaskSetup)
    {
        func load(_ name: String) throws -> InteractionTable {
            try InteractionTable.load(path: folder + "/" + name, options: InteractionLoadOptions()).0
        }
        let data = try EvaluationData(train: load("train.csv"), validation: load("val.csv"), test: load("test.csv"))
        return (data, try TaskSetup(task: task, data: data, coldHistory: coldHistory))
    }

    /// The user vectors `pixelrec eval` scores with: its multimodal scorer's.
    func registeredUserVectors(_ data: EvaluationData, _ setup: TaskSetup, checkpoint: String) throws -> [Float] {
        let scorer = try EvalCommand.multimodalScorer(
            data: data, setup: setup, config: try ConfigLoader.load(path: config).config, checkpoint: checkpoint)
        return try #require(scorer as? FactorizedScorer).userVectors
    }

    /// User vectors of `histories` (item indices of `data.itemIds`) under the checkpoint's model.
    func userVectors(_ data: EvaluationData, histories: [ArraySlice<Int32>], checkpoint path: String) throws
        -> [Float]
    {
        let checkpoint = try Checkpoint.read(from: path)
        let loaded = try ConfigLoader.load(path: config).config
        let content = try ModelInputs.content(
            loaded, table: try ModelInputs.itemTable(loaded), itemIds: data.itemIds,
            scalers: checkpoint.header.scalers)
        let scorer = try MultimodalScoring.scorer(
            checkpoint: checkpoint, path: path, userIds: data.userIds, itemIds: data.itemIds,
            profiles: SparseMatrix(rowCount: data.userCount, columnCount: data.itemCount), content: content,
            maxCandidates: 20, histories: histories)
        return try #require(scorer as? FactorizedScorer).userVectors
    }
}

/// Row `u` of a row-major matrix of width `d`.
private func row(_ matrix: [Float], _ u: Int, _ d: Int) -> ArraySlice<Float> { matrix[(u * d)..<((u + 1) * d)] }

@Suite("sequence user encoders (CLI, trained on generated data)", .serialized)
struct SequenceCommandTests {
    var fixture: SequenceFixture { get throws { try SequenceFixture.shared.get() } }

    @Test("train: the log and checkpoint name the user encoder; --resume continues a sequence and a hybrid run")
    func trainAndResume() throws {
        let f = try fixture
        for name in ["sequence", "hybrid"] {
            let run = try #require(f.trainRuns[name])
            #expect(run.error.contains("users \(name)(max_seq_len 6, 1 block, 2 heads)"), "\(run.error)")
            #expect(run.output.contains("trained 2 epochs"), "\(run.output)")
            let header = try f.checkpointHeader(f.checkpoint(name))
            let hyper = try #require(header["hyperparameters"] as? [String: Any])
            let sequence = try #require(hyper["sequence"] as? [String: Any])
            #expect(sequence["userEncoder"] as? String == name)
            #expect(sequence["maxLength"] as? Int == 6 && sequence["heads"] as? Int == 2)
            // Resumed into another folder (the fixture's checkpoints stay as they are): one more epoch.
            let resumed = runTool([
                "train", "--config", f.config, "--set", "model.user_encoder=\(name)", "--set",
                "checkpoint_dir=\(f.directory)/resumed-\(name)", "--resume", f.directory + "/ckpt-\(name)/last.ckpt",
                "--epochs", "3", "-q",
            ])
            #expect(resumed.status == 0, "\(resumed.error)")
            #expect(resumed.output.contains("trained 3 epochs"), "\(resumed.output)")
            let after = try f.checkpointHeader(f.directory + "/resumed-\(name)/last.ckpt")
            #expect(after["epoch"] as? Int == 3)
        }
        #expect(try #require(f.trainRuns["id"]).error.contains("users id,"))
        // A checkpoint of another user encoder does not resume.
        let other = runTool([
            "train", "--config", f.config, "--set", "model.user_encoder=hybrid", "--set",
            "checkpoint_dir=\(f.directory)/resumed-wrong", "--resume", f.directory + "/ckpt-sequence/last.ckpt",
            "--epochs", "3", "-q",
        ])
        #expect(other.status == 1 && other.errorLines.count == 1, "\(other.error)")
        #expect(other.error.contains("its model settings differ from the configuration's"), "\(other.error)")
    }

    @Test("config show / check take the sequence keys; bad values are one-line errors naming key and place")
    func configKeys() throws {
        let f = try fixture
        let show = runTool([
            "config", "show", "--set", "model.user_encoder=hybrid", "--set", "model.item_tower=content", "--set",
            "model.max_seq_len=20", "--set", "model.seq_blocks=3", "--set", "model.seq_heads=4", "--set",
            "model.seq_dropout=0.2", "--set", "training.sequence_windows=last", "--set",
            "training.full_softmax_max_items=0", "--set", "training.sampled_negatives=7",
        ])
        #expect(show.status == 0, "\(show.error)")
        let shown = try ConfigLoader.load(yaml: show.output, sourceName: "shown.yaml").config
        #expect(shown.model.userEncoder == .hybrid && shown.model.itemTower == .content)
        #expect(shown.model.maxSeqLen == 20 && shown.model.seqBlocks == 3 && shown.model.seqHeads == 4)
        #expect(shown.model.seqDropout == 0.2)
        #expect(shown.training.sequenceWindows == .last && shown.training.fullSoftmaxMaxItems == 0)
        #expect(shown.training.sampledNegatives == 7)
        // Its trailing comments list every default that departs from the framework's, with both values.
        for d in PixelRecConfig.departures {
            let line =
                "#   \(d.key): pixelrec \(PixelRecConfig().yamlValue(forKeyPath: d.key)!), framework \(d.framework) — "
            #expect(show.output.contains(line), "\(d.key)")
        }
        #expect(show.output.contains("#   model.user_encoder: pixelrec hybrid, framework id — "))
        let accepted = runTool(["config", "check", "--config", f.config])
        #expect(accepted.status == 0 && accepted.output == "\(f.config): ok\n", "\(accepted.error)")

        let dir = try temporaryDirectory()
        func check(_ yaml: String) throws -> RunResult {
            let path = dir + "/c.yaml"
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            return runTool(["config", "check", "--config", path])
        }
        let path = dir + "/c.yaml"
        let heads = try check("model:\n  embedding_dim: 16\n  user_encoder: sequence\n  seq_heads: 3\n")
        #expect(heads.status == 1)
        #expect(
            heads.error
                == "error: \(path):4:14: model.seq_heads: must divide model.embedding_dim (16) when model.user_encoder is sequence or hybrid, got 3\n"
        )
        // The ID encoder has no sequence encoder: its seq_heads are not used.
        #expect(try check("model:\n  user_encoder: id\n  embedding_dim: 16\n  seq_heads: 3\n").status == 0)
        // The default user encoder (hybrid) has one.
        #expect(try check("model:\n  embedding_dim: 16\n  seq_heads: 3\n").status == 1)
        let encoder = try check("model:\n  user_encoder: foo\n")
        #expect(encoder.status == 1)
        #expect(encoder.error == "error: \(path):2:17: model.user_encoder: 'foo' is not one of id, sequence, hybrid\n")
        let tower = try check("model:\n  item_tower: ids\n")
        #expect(tower.status == 1 && tower.errorLines.count == 1)
        #expect(tower.error.contains("model.item_tower: 'ids' is not one of id_content, id, content"), "\(tower.error)")
        let windows = try check("training:\n  sequence_windows: every\n")
        #expect(windows.status == 1 && windows.errorLines.count == 1)
        #expect(
            windows.error.contains("training.sequence_windows: 'every' is not one of all, last"), "\(windows.error)")
        for (yaml, key) in [
            ("model:\n  max_seq_len: 0\n", "model.max_seq_len"), ("model:\n  seq_blocks: 0\n", "model.seq_blocks"),
            ("model:\n  seq_dropout: 1.0\n", "model.seq_dropout"),
            ("training:\n  sampled_negatives: 0\n", "training.sampled_negatives"),
            ("training:\n  full_softmax_max_items: -1\n", "training.full_softmax_max_items"),
        ] {
            let bad = try check(yaml)
            #expect(bad.status == 1 && bad.errorLines.count == 1, "\(yaml): \(bad.error)")
            #expect(bad.error.hasPrefix("error: \(path):2:") && bad.error.contains(key), "\(bad.error)")
        }
        // The same rule through --set, where there is no file place.
        let set = runTool(["config", "check", "--set", "model.user_encoder=hybrid", "--set", "model.seq_heads=5"])
        #expect(set.status == 1 && set.errorLines.count == 1 && set.error.contains("model.seq_heads: must divide"))
    }

    @Test("eval next_item and retrieval: next_item's histories end with the validation item, retrieval's do not")
    func nextItem() throws {
        let f = try fixture
        let checkpoint = f.checkpoint("sequence")
        var ndcg: [String: Double] = [:]
        for task in ["next_item", "retrieval"] {
            let output = f.directory + "/results/seq-\(task).json"
            let run = runTool([
                "eval", "--config", f.config, "-r", "multimodal", "--task", task, "--k", "5", "--output", output,
                "-q",
            ])
            #expect(run.status == 0, "\(run.error)")
            let (metrics, json) = try EvalCommandTests.means(output)
            #expect((json["scorer"] as? String)?.contains("users sequence(6)") == true, "\(json["scorer"] ?? "")")
            ndcg[task] = metrics["ndcg@5"]
        }
        #expect(ndcg["next_item"] != nil && ndcg["next_item"] != ndcg["retrieval"])

        // The user vectors `eval` scores with are the model's over the histories built here from the CSV files:
        // the training items in time order, then (next_item) the validation item.
        let d = 8
        var vectors: [EvaluationTask: [Float]] = [:]
        for task in [EvaluationTask.nextItem, .retrieval] {
            let (data, setup) = try f.evaluation(f.split, task: task)
            let registered = try f.registeredUserVectors(data, setup, checkpoint: checkpoint)
            let histories = (0..<data.userCount).map { u -> ArraySlice<Int32> in
                let user = data.userIds.key(Int32(u))
                var items = f.trainTimeline[user] ?? []
                if task == .nextItem, let validation = f.validationItem[user] { items.append(validation) }
                return ArraySlice(items.map { data.itemIds.index(of: $0)! })
            }
            let ordered = data.histories(task: task, coldHistory: 5, users: 0..<data.userCount)
            var checked = 0
            for u in setup.queries.users.map({ Int($0) }) {
                #expect(ordered[u] == histories[u], "user \(data.userIds.key(Int32(u)))")
                if task == .nextItem, let validation = f.validationItem[data.userIds.key(Int32(u))] {
                    #expect(ordered[u].last == data.itemIds.index(of: validation))
                    checked += 1
                }
            }
            if task == .nextItem { #expect(checked > 20) }
            let expected = try f.userVectors(data, histories: histories, checkpoint: checkpoint)
            #expect(registered == expected)
            vectors[task] = registered
        }
        let next = try #require(vectors[.nextItem]), retrieval = try #require(vectors[.retrieval])
        let (data, setup) = try f.evaluation(f.split, task: .nextItem)
        let withValidation = setup.queries.users.map { Int($0) }.filter {
            f.validationItem[data.userIds.key(Int32($0))] != nil
        }
        #expect(!withValidation.isEmpty)
        for u in withValidation { #expect(row(next, u, d) != row(retrieval, u, d)) }
    }

    @Test("eval cold_user: users absent from training are read from their first held-out items, in time order")
    func coldUser() throws {
        let f = try fixture
        let checkpoint = f.checkpoint("cold")
        let output = f.directory + "/results/cold.json"
        let run = runTool([
            "eval", "--config", f.config, "-r", "multimodal", "--task", "cold_user", "--cold-history", "3",
            "--train-data", f.userSplit + "/train.csv", "--val-data", f.userSplit + "/val.csv", "--test-data",
            f.userSplit + "/test.csv", "--checkpoint", checkpoint, "--k", "5", "--output", output, "-q",
        ])
        #expect(run.status == 0, "\(run.error)")
        let (metrics, json) = try EvalCommandTests.means(output)
        let evaluated = try #require((json["split"] as? [String: Any])?["evaluated_users"] as? Int)
        #expect(evaluated > 0 && metrics["ndcg@5"] != nil)
        let scorer = try #require(json["scorer"] as? String)
        #expect(scorer.contains("users sequence(6)") && !scorer.contains("cold users 0,"), "\(scorer)")

        let (data, setup) = try f.evaluation(f.userSplit, task: .coldUser, coldHistory: 3)
        let users = setup.queries.users.map { Int($0) }
        #expect(users.count == evaluated && users.allSatisfy { $0 >= data.trainUserCount })
        // The history of each cold user: its first 3 held-out interactions in time order (from the files).
        var heldOut: [String: [(Int64, Int, String)]] = [:]
        var order = 0
        for file in ["val.csv", "test.csv"] {
            for cells in try SequenceFixture.rows(f.userSplit + "/" + file) {
                heldOut[cells.user, default: []].append((cells.time, order, cells.item))
                order += 1
            }
        }
        let ordered = data.histories(task: .coldUser, coldHistory: 3, users: 0..<data.userCount)
        var histories = [ArraySlice<Int32>](repeating: [], count: data.userCount)
        for u in users {
            let rows = try #require(heldOut[data.userIds.key(Int32(u))]).sorted { ($0.0, $0.1) < ($1.0, $1.1) }
            histories[u] = ArraySlice(rows.prefix(3).map { data.itemIds.index(of: $0.2)! })
            #expect(ordered[u] == histories[u], "user \(data.userIds.key(Int32(u)))")
        }
        let d = 8
        let registered = try f.registeredUserVectors(data, setup, checkpoint: checkpoint)
        let expected = try f.userVectors(data, histories: histories, checkpoint: checkpoint)
        for u in users { #expect(row(registered, u, d) == row(expected, u, d)) }
        // Order matters: the same items newest-first give other user vectors.
        let reversed = try f.userVectors(
            data, histories: histories.map { ArraySlice($0.reversed()) }, checkpoint: checkpoint)
        for u in users where Set(histories[u]).count > 1 { #expect(row(reversed, u, d) != row(expected, u, d)) }
    }

    @Test("repeated items: a history never reads the held-out interaction that repeats an earlier item")
    func repeatedItems() throws {
        let f = try fixture
        let d = 8
        // next_item and retrieval: the first user's test item becomes its first training item again.
        let dir = try temporaryDirectory()
        for file in ["train.csv", "val.csv"] {
            try FileManager.default.copyItem(atPath: f.split + "/" + file, toPath: dir + "/" + file)
        }
        let user = try #require(f.trainTimeline.keys.sorted().first)
        let repeated = try #require(f.trainTimeline[user]?.first)
        var test = "item_id,user_id,timestamp\n"
        for cells in try SequenceFixture.rows(f.split + "/test.csv") {
            test += "\(cells.user == user ? repeated : cells.item),\(cells.user),\(cells.time)\n"
        }
        try test.write(toFile: dir + "/test.csv", atomically: true, encoding: .utf8)
        for task in [EvaluationTask.nextItem, .retrieval] {
            let (data, setup) = try f.evaluation(dir, task: task)
            let u = Int(try #require(data.userIds.index(of: user)))
            var items = f.trainTimeline[user] ?? []
            if task == .nextItem, let validation = f.validationItem[user] { items.append(validation) }
            let expected = ArraySlice(items.map { data.itemIds.index(of: $0)! })
            #expect(data.histories(task: task, coldHistory: 5, users: 0..<data.userCount)[u] == expected)
            var histories = [ArraySlice<Int32>](repeating: [], count: data.userCount)
            histories[u] = expected
            let registered = try f.registeredUserVectors(data, setup, checkpoint: f.checkpoint("sequence"))
            let vectors = try f.userVectors(data, histories: histories, checkpoint: f.checkpoint("sequence"))
            #expect(row(registered, u, d) == row(vectors, u, d), "\(task): the test interaction was read")
        }
        // cold_user: a cold user repeats its first held-out item after its first 3.
        let coldDir = try temporaryDirectory()
        for file in ["train.csv", "val.csv", "test.csv"] {
            try FileManager.default.copyItem(atPath: f.userSplit + "/" + file, toPath: coldDir + "/" + file)
        }
        let (before, setup) = try f.evaluation(coldDir, task: .coldUser, coldHistory: 3)
        let cold = Int(try #require(setup.queries.users.first))
        let sequence = try #require(before.heldOutSequences[Int32(cold)])
        let coldUser = before.userIds.key(Int32(cold))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: coldDir + "/test.csv"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\(before.itemIds.key(sequence[0])),\(coldUser),999999999999\n".utf8))
        try handle.close()
        let (data, coldSetup) = try f.evaluation(coldDir, task: .coldUser, coldHistory: 3)
        let u = Int(try #require(data.userIds.index(of: coldUser)))
        let expected = ArraySlice(sequence.prefix(3).map { data.itemIds.index(of: before.itemIds.key($0))! })
        #expect(data.histories(task: .coldUser, coldHistory: 3, users: 0..<data.userCount)[u] == expected)
        var histories = [ArraySlice<Int32>](repeating: [], count: data.userCount)
        histories[u] = expected
        let registered = try f.registeredUserVectors(data, coldSetup, checkpoint: f.checkpoint("cold"))
        let vectors = try f.userVectors(data, histories: histories, checkpoint: f.checkpoint("cold"))
        #expect(row(registered, u, d) == row(vectors, u, d), "cold_user: a later held-out interaction was read")
    }

    @Test("recommend --history: a cold user's list follows the history's order; a trained user's items are its newest")
    func recommendHistory() throws {
        let f = try fixture
        let picks = [f.items[0], f.items[7], f.items[13]]
        var cold: [[(item: String, score: Double)]] = []
        for (name, history) in [("forward", picks), ("reversed", picks.reversed())] {
            let output = f.directory + "/out/cold-\(name).json"
            let run = runTool([
                "recommend", "--config", f.config, "--history", "newuser:" + history.joined(separator: ","),
                "--output", output, "-q",
            ])
            #expect(run.status == 0, "\(run.error)")
            let list = try #require(try f.lists(output)["newuser"])
            #expect(list.count == 5 && Set(list.map(\.item)).isDisjoint(with: picks))
            cold.append(list)
        }
        #expect(cold[0].map(\.score) != cold[1].map(\.score), "order of the history changed nothing")

        // A trained user: its model history, then the given items as its newest.
        let user = try #require(f.trainTimeline.keys.sorted().first)
        let plainOut = f.directory + "/out/trained-plain.json"
        let plain = runTool(["recommend", "--config", f.config, "--users", user, "--output", plainOut, "-q"])
        #expect(plain.status == 0 && plain.error.isEmpty, "\(plain.error)")
        let extra = f.items.filter { !(f.trainTimeline[user] ?? []).contains($0) && f.validationItem[user] != $0 }
        let given = Array(extra.prefix(2))
        let withOut = f.directory + "/out/trained-history.json"
        let with = runTool([
            "recommend", "--config", f.config, "--users", user, "--history", user + ":" + given.joined(separator: ","),
            "--output", withOut, "-q",
        ])
        #expect(with.status == 0, "\(with.error)")
        #expect(
            with.error
                == "warning: --history: '\(user)' is a training user; the sequence encoder reads the given items as its newest interactions and they count as seen\n"
        )
        let plainList = try #require(try f.lists(plainOut)[user])
        let withList = try #require(try f.lists(withOut)[user])
        #expect(plainList.count == 5 && withList.count == 5 && Set(withList.map(\.item)).isDisjoint(with: given))
        #expect(plainList.map(\.score) != withList.map(\.score))

        // The histories recommend scores with: training and validation items in time order, then the given ones.
        let checkpoint = try Checkpoint.read(from: f.checkpoint("sequence"))
        let (trained, catalog) = try checkpoint.idMaps()
        let histories = try RecommendInputs.histories([user + ":" + given.joined(separator: ",")], catalog: catalog)
        let inputs = try RecommendInputs.resolve(
            trainedUsers: trained, catalogCount: catalog.count, histories: histories, named: [user], file: nil,
            sample: nil, seed: 1, sequenceModel: true, warn: { _ in })
        func load(_ name: String) throws -> InteractionTable {
            try InteractionTable.load(path: f.split + "/" + name, options: InteractionLoadOptions()).0
        }
        let ordered = try RecommendInputs.orderedHistories(
            train: load("train.csv"), validation: load("val.csv"), inputs: inputs, catalog: catalog, given: histories)
        let expected = (f.trainTimeline[user] ?? []) + [f.validationItem[user]].compactMap { $0 } + given
        #expect(ordered[Int(try #require(inputs.userIds.index(of: user)))].map { catalog.key($0) } == expected)

        // An ID model keeps its vector: the given items only count as seen.
        let idRun = runTool([
            "recommend", "--config", f.config, "--checkpoint", f.checkpoint("id"), "--history",
            user + ":" + given[0], "-q", "--output", f.directory + "/out/id-history.json",
        ])
        #expect(idRun.status == 0)
        #expect(
            idRun.error
                == "warning: --history: '\(user)' is a training user; its model vector is used and the given items count as seen\n"
        )
    }

    @Test("a checkpoint without the sequence and item-tower fields (user_encoder: id) loads, evaluates and resumes")
    func oldCheckpoint() throws {
        let f = try fixture
        let header = try f.checkpointHeader(f.checkpoint("id"))
        let hyper = try #require(header["hyperparameters"] as? [String: Any])
        #expect(hyper["sequence"] == nil && hyper["itemTower"] == nil && hyper["embeddingDim"] as? Int == 8)
        let checkpoint = try Checkpoint.read(from: f.checkpoint("id"))
        #expect(checkpoint.header.hyperparameters.userEncoder == .id)
        #expect(checkpoint.header.hyperparameters.sequence == nil)
        let output = f.directory + "/results/id.json"
        let eval = runTool([
            "eval", "--config", f.config, "-r", "multimodal", "--task", "next_item", "--checkpoint",
            f.checkpoint("id"), "--k", "5", "--output", output, "-q",
        ])
        #expect(eval.status == 0, "\(eval.error)")
        let (metrics, json) = try EvalCommandTests.means(output)
        let scorer = try #require(json["scorer"] as? String)
        #expect(
            metrics["ndcg@5"] != nil && scorer.hasPrefix("multimodal(pretrained, dot, d=8, cold users 0"), "\(scorer)")
        let resumed = runTool([
            "train", "--config", f.config, "--set", "model.user_encoder=id", "--set",
            "checkpoint_dir=\(f.directory)/resumed-id", "--resume", f.directory + "/ckpt-id/last.ckpt", "--epochs", "3",
            "-q",
        ])
        #expect(resumed.status == 0, "\(resumed.error)")
        #expect(resumed.output.contains("trained 3 epochs"), "\(resumed.output)")
        let recommend = runTool([
            "recommend", "--config", f.config, "--checkpoint", f.checkpoint("id"), "--sample-users", "3", "-q",
            "--output", f.directory + "/out/id.json",
        ])
        #expect(recommend.status == 0, "\(recommend.error)")
    }
}
