import Foundation
import PixelModels
import Testing

/// `pixelrec train` end to end on generated data, every model variant, through the CLI in-process.
@Suite("pixelrec train (CLI)", .serialized)
struct TrainCommandTests {
    struct Variant: CustomTestStringConvertible, Sendable {
        let name: String
        let settings: [String]
        var testDescription: String { name }
    }

    static let variants: [Variant] = [
        Variant(
            name: "pretrained, id user, dot, bce, contrastive",
            settings: [
                "model.model_class=pretrained", "training.loss=bce", "model.use_contrastive=true",
                "model.user_encoder=id",
            ]),
        Variant(
            name: "pretrained, id user, dot, bpr, no contrastive",
            settings: [
                "model.model_class=pretrained", "training.loss=bpr", "model.use_contrastive=false",
                "model.user_encoder=id",
            ]),
        Variant(
            name: "enhanced, dot, sampled softmax, contrastive",
            settings: [
                "model.model_class=enhanced", "training.loss=sampled_softmax", "model.use_contrastive=true",
                "model.item_id_dropout=0.3",
            ]),
        Variant(
            name: "enhanced, pairwise, bce, no contrastive",
            settings: [
                "model.model_class=enhanced", "model.scoring=pairwise", "model.use_contrastive=false",
                "recommendation.max_candidates=20", "recommendation.top_k=10",
            ]),
    ]

    @Test(
        "trains, writes checkpoints, logs, curves and TensorBoard events; eval scores the checkpoint",
        arguments: variants)
    func trainVariant(_ variant: Variant) throws {
        let fixture = try SynthFixture()
        defer { fixture.remove() }
        let sets = variant.settings.flatMap { ["--set", $0] }
        let tensorboard = fixture.directory + "/tb"
        let run = runTool(["train", "--config", fixture.config, "-q", "--tensorboard", tensorboard] + sets)
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("trained 2 epochs"), "\(run.output)")
        let checkpoints = fixture.directory + "/checkpoints"
        for file in ["last.ckpt", "best.ckpt", "metrics.jsonl", "metrics.csv", "training_curves.png"] {
            #expect(FileManager.default.fileExists(atPath: checkpoints + "/" + file), "missing \(file)")
        }
        let jsonl = try String(contentsOfFile: checkpoints + "/metrics.jsonl", encoding: .utf8)
        #expect(jsonl.split(separator: "\n").count == 2)
        let csv = try String(contentsOfFile: checkpoints + "/metrics.csv", encoding: .utf8)
        #expect(csv.hasPrefix("epoch,steps,train_loss") && csv.contains("val_ndcg@10"))
        let events = try FileManager.default.contentsOfDirectory(atPath: tensorboard)
        #expect(events.count == 1 && events[0].hasPrefix("events.out.tfevents."))
        let last = try Checkpoint.read(from: checkpoints + "/last.ckpt")
        #expect(last.header.epoch == 2 && last.header.finished)
        #expect(last.header.history.allSatisfy { $0.trainLoss.isFinite && $0.validation["ndcg@10"] != nil })
        // The checkpoint plugs into pixelrec eval.
        let results = fixture.directory + "/results/mm.json"
        let eval = runTool(
            [
                "eval", "--config", fixture.config, "--recommender-type", "multimodal", "--task", "next_item", "--k",
                "10",
                "--output", results, "-q",
            ] + sets)
        #expect(eval.status == 0, "\(eval.error)")
        #expect(FileManager.default.fileExists(atPath: results))
        // extract-encoders writes the id maps and scalers.
        let out = fixture.directory + "/extracted"
        let extract = runTool(["extract-encoders", "--checkpoint", checkpoints + "/best.ckpt", "--output", out])
        #expect(extract.status == 0, "\(extract.error)")
        for file in ["user_ids.json", "item_ids.json", "scalers.json"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "missing \(file)")
        }
    }

    @Test(
        "the Python framework's --device cuda and --use_wandb flags: accepted with a note; wandb gets TensorBoard events and the sync command"
    )
    func frameworkFlags() throws {
        let fixture = try SynthFixture(users: 40, items: 30, interactions: 500)
        defer { fixture.remove() }
        let results = fixture.directory + "/results"
        let run = runTool([
            "train", "--config", fixture.config, "--device", "cuda", "--use_wandb", "--wandb_project", "P",
            "--wandb_entity", "E", "--set", "results_dir=" + results, "--set", "training.epochs=1", "-q",
        ])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.error.contains("warning: --device cuda: pixelrec has no GPU backend; training runs on the CPU"))
        let events = results + "/tensorboard/P"
        #expect(
            run.output.contains("wandb sync --sync-tensorboard --project P --entity E \(events)\n"), "\(run.output)")
        let files = try FileManager.default.contentsOfDirectory(atPath: events)
        #expect(files.count == 1 && files[0].hasPrefix("events.out.tfevents."))
        // A project name must stay one folder under results_dir/tensorboard.
        let bad = runTool(["train", "--config", fixture.config, "--use-wandb", "--wandb-project", "../x", "-q"])
        #expect(bad.status == 1 && bad.error == "error: --wandb-project: '../x' is not a folder name\n", "\(bad.error)")
        let lone = runTool([
            "train", "--config", fixture.config, "--wandb-project", "P", "-q", "--set", "training.epochs=1",
        ])
        #expect(lone.status == 0 && lone.error.contains("have no effect without --use-wandb"), "\(lone.error)")
    }

    /// The Python framework's cold-start workflow: split by user (or item) → train → eval on the cold task.
    @Test(
        "train on a user or an item split validates on the cold task (auto), for ID and sequence users",
        arguments: [("user", "cold_user", "id"), ("user", "cold_user", "hybrid"), ("item", "cold_item", "hybrid")])
    func coldSplits(_ strategy: String, _ task: String, _ encoder: String) throws {
        let fixture = try SynthFixture(users: 60, items: 40, interactions: 1200)
        defer { fixture.remove() }
        let split = fixture.directory + "/split-" + strategy
        let made = runTool([
            "split", "--config", fixture.config, "--interactions", fixture.directory + "/raw/interactions.csv",
            "--strategy", strategy, "--output", split, "-q",
        ])
        #expect(made.status == 0, "\(made.error)")
        let sets = [
            "data.train_data_path=\(split)/train.csv", "data.val_data_path=\(split)/val.csv",
            "data.test_data_path=\(split)/test.csv", "model.user_encoder=\(encoder)", "training.epochs=1",
        ].flatMap { ["--set", $0] }
        let run = runTool(["train", "--config", fixture.config] + sets)
        #expect(run.status == 0, "\(run.error)")
        #expect(
            run.error.contains("validation: \(task) (no validation \(strategy) has training interactions"),
            "\(run.error)")
        let last = try Checkpoint.read(from: fixture.directory + "/checkpoints/last.ckpt")
        let ndcg = last.header.history.first?.validation["ndcg@10"]
        #expect(ndcg.map { $0 >= 0 && $0 <= 1 } == true)
        let eval = runTool(
            ["eval", "--config", fixture.config, "-r", "multimodal", "--task", task, "--k", "10", "-q"] + sets)
        #expect(eval.status == 0, "\(eval.error)")
        // An explicit task: retrieval needs trained users, so on a user split it is refused with one line; on an
        // item split the cold validation items are ranked by their content among the whole catalog.
        let explicit = runTool(
            ["train", "--config", fixture.config, "-q", "--set", "training.validation_task=retrieval"] + sets)
        if strategy == "user" {
            #expect(
                explicit.status == 1 && explicit.error.hasPrefix("error: ")
                    && explicit.error.split(separator: "\n").count == 1, "\(explicit.error)")
        } else {
            #expect(explicit.status == 0 && !explicit.error.contains("validation: cold"), "\(explicit.error)")
        }
    }

    @Test("bad input gives a one-line error naming the problem")
    func badInputs() throws {
        let fixture = try SynthFixture(users: 40, items: 30, interactions: 500)
        defer { fixture.remove() }
        let heads = runTool(["train", "--config", fixture.config, "-q", "--set", "model.num_attention_heads=3"])
        #expect(heads.status == 1 && heads.error.contains("model.num_attention_heads"), "\(heads.error)")
        let corrupt = fixture.directory + "/bad.ckpt"
        try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: corrupt))
        let resume = runTool(["train", "--config", fixture.config, "-q", "--resume", corrupt])
        #expect(
            resume.status == 1 && resume.error.contains("bad.ckpt") && resume.error.split(separator: "\n").count == 1,
            "\(resume.error)")
        let extract = runTool([
            "extract-encoders", "--checkpoint", fixture.directory + "/none.ckpt", "--output", fixture.directory + "/x",
        ])
        #expect(extract.status == 1 && extract.error.contains("none.ckpt"), "\(extract.error)")
    }
}
