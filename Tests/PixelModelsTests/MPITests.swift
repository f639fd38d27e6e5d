import Foundation
import Testing

@testable import PixelModels

/// `mpirun -n 2 pixelrec …` against one process, as subprocesses of the built binary on tiny generated
/// data. Skipped (with the reason) where `mpirun` or the binary is absent: `make test` installs Open MPI.
@Suite("MPI ranks (mpirun -n 2)", .serialized, .enabled(if: MPIRun.available, "\(MPIRun.skipReason)"))
struct MPITests {
    /// A workspace with a split of generated data and a config (batches of 256: two shards each).
    static func workspace() throws -> String {
        let root = try temporaryDirectory()
        let config = """
            model:
              vision_model: builtin
              language_model: builtin
              embedding_dim: 16
              num_attention_heads: 2
              max_seq_len: 8
            training:
              epochs: 2
              batch_size: 256
              threads: 1
              seed: 7
            data:
              item_info_path: \(root)/raw/item_info.csv
              interactions_path: \(root)/raw/interactions.csv
              image_folder: \(root)/raw/images
              processed_item_info_path: \(root)/processed/item_info.csv
              processed_interactions_path: \(root)/processed/interactions.csv
              processed_image_destination_folder: \(root)/processed/images
              feature_store_path: \(root)/processed/features
              split_data_path: \(root)/split
              train_data_path: \(root)/split/train.csv
              val_data_path: \(root)/split/val.csv
              test_data_path: \(root)/split/test.csv
              offline_image_validation:
                min_width: 16
                min_height: 16
              splitting:
                strategy: stratified
                min_interactions_per_user: 3
            checkpoint_dir: \(root)/models
            results_dir: \(root)/results

            """
        try config.write(toFile: root + "/config.yaml", atomically: true, encoding: .utf8)
        for arguments in [
            [
                "synth", "--users", "200", "--items", "80", "--interactions", "3000", "--image-size", "24", "--seed",
                "3", "--out", root + "/raw",
            ],
            ["preprocess", "--config", root + "/config.yaml"], ["split", "--config", root + "/config.yaml"],
        ] {
            let result = runTool(arguments + ["-q"])
            #expect(result.status == 0, "\(arguments[0]): \(result.error)")
        }
        return root
    }

    /// Model tensors and optimizer state of two checkpoints, equal bit for bit.
    static func sameBits(_ a: String, _ b: String) throws -> Bool {
        let x = try Checkpoint.read(from: a), y = try Checkpoint.read(from: b)
        guard x.tensors.keys.sorted() == y.tensors.keys.sorted(), x.optimizerState.keys == y.optimizerState.keys
        else { return false }
        for (name, t) in x.tensors where t.scalars.map(\.bitPattern) != y.tensors[name]!.scalars.map(\.bitPattern) {
            return false
        }
        for (name, v) in x.optimizerState where v.map(\.bitPattern) != y.optimizerState[name]!.map(\.bitPattern) {
            return false
        }
        return x.header.history.map(\.trainLoss) == y.header.history.map(\.trainLoss)
    }

    @Test(
        "train: 2 ranks × 1 thread take the steps of --threads 2, bit for bit",
        arguments: ["hybrid", "id"])
    func trainEqualsThreads(encoder: String) throws {
        let root = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        func train(_ ranks: Int, threads: Int, _ directory: String) throws -> MPIRun.Result {
            let arguments = [
                "train", "--config", root + "/config.yaml", "--threads", String(threads), "--set",
                "model.user_encoder=\(encoder)", "--set", "checkpoint_dir=\(root)/\(directory)", "-q",
            ]
            return try ranks == 1 ? MPIRun.binary(arguments) : MPIRun.mpirun(ranks, arguments)
        }
        let threads2 = try train(1, threads: 2, "threads2")
        let threads1 = try train(1, threads: 1, "threads1")
        let ranks2 = try train(2, threads: 1, "ranks2")
        #expect(threads2.status == 0 && threads1.status == 0, "\(threads2.error) \(threads1.error)")
        #expect(ranks2.status == 0, "\(ranks2.error)")
        #expect(try Self.sameBits(root + "/threads2/last.ckpt", root + "/ranks2/last.ckpt"))
        // The comparison can fail: one thread (one shard per step) takes other steps.
        #expect(try !Self.sameBits(root + "/threads1/last.ckpt", root + "/ranks2/last.ckpt"))
        // Rank 0 alone wrote the logs: one line per epoch.
        let log = try String(contentsOfFile: root + "/ranks2/metrics.jsonl", encoding: .utf8)
        #expect(log.split(separator: "\n").count == 2)
    }

    @Test("train: a run checkpointed on 2 ranks resumes in one process as if never stopped")
    func resumeWithOtherRankCount() throws {
        let root = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let config = ["--config", root + "/config.yaml", "-q"]
        let whole = try MPIRun.binary(["train", "--threads", "2", "--set", "checkpoint_dir=\(root)/whole"] + config)
        let first = try MPIRun.mpirun(
            2, ["train", "--threads", "1", "--epochs", "1", "--set", "checkpoint_dir=\(root)/parts"] + config)
        let second = try MPIRun.binary(
            ["train", "--threads", "2", "--resume", root + "/parts/last.ckpt", "--set", "checkpoint_dir=\(root)/parts"]
                + config)
        #expect(whole.status == 0 && first.status == 0 && second.status == 0, "\(first.error) \(second.error)")
        #expect(try Self.sameBits(root + "/whole/last.ckpt", root + "/parts/last.ckpt"))
    }

    @Test("eval: 2 ranks (users split) write the metrics and per-user rows of one process")
    func evalEqualsOneProcess() throws {
        let root = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let trained = runTool(["train", "--config", root + "/config.yaml", "--epochs", "1", "-q"])
        #expect(trained.status == 0, "\(trained.error)")
        for (recommender, negatives) in [("multimodal", "0"), ("popularity", "0"), ("multimodal", "20")] {
            func eval(_ ranks: Int, _ name: String) throws -> [String: Any] {
                let arguments = [
                    "eval", "--config", root + "/config.yaml", "-r", recommender, "--negatives", negatives, "--k", "5",
                    "10", "--save-per-user", "-o", "\(root)/\(name).json", "-q",
                ]
                let result = try ranks == 1 ? MPIRun.binary(arguments) : MPIRun.mpirun(ranks, arguments)
                #expect(result.status == 0, "\(recommender): \(result.error)")
                let data = try Data(contentsOf: URL(fileURLWithPath: "\(root)/\(name).json"))
                var report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
                report["timing"] = nil
                return report
            }
            let one = try eval(1, "one-\(recommender)-\(negatives)"),
                two = try eval(2, "two-\(recommender)-\(negatives)")
            #expect(NSDictionary(dictionary: one).isEqual(to: two), "\(recommender), \(negatives) negatives")
            let perUser = try ["one", "two"].map {
                try String(contentsOfFile: "\(root)/\($0)-\(recommender)-\(negatives).per_user.csv", encoding: .utf8)
            }
            #expect(perUser[0] == perUser[1] && perUser[0].split(separator: "\n").count > 150)
        }
    }

    @Test("recommend: 2 ranks (users split) write the lists of one process; rank 0 writes the item-vector cache")
    func recommendEqualsOneProcess() throws {
        let root = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let trained = runTool(["train", "--config", root + "/config.yaml", "--epochs", "1", "-q"])
        #expect(trained.status == 0, "\(trained.error)")
        func recommend(_ ranks: Int, _ name: String) throws -> [String: Any] {
            let arguments = [
                "recommend", "--config", root + "/config.yaml", "--sample-users", "190", "--use-diversity",
                "--embeddings-cache", "\(root)/\(name).cache", "-o", "\(root)/\(name).json", "-q",
            ]
            let result = try ranks == 1 ? MPIRun.binary(arguments) : MPIRun.mpirun(ranks, arguments)
            #expect(result.status == 0, "\(result.error)")
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(root)/\(name).json"))
            var report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            report["timing"] = nil
            var model = report["model"] as? [String: Any]
            #expect((model?["item_vectors"] as? String)?.contains("cache written") == true)
            model?["item_vectors"] = nil  // names the cache file
            report["model"] = model
            return report
        }
        let one = try recommend(1, "one"), two = try recommend(2, "two")
        let same = NSDictionary(dictionary: one).isEqual(to: two)
        #expect(same, "the 2-rank lists differ from one process's")
        #expect((two["users"] as? [Any])?.count == 190)
        #expect(FileManager.default.fileExists(atPath: root + "/two.cache"))
    }

    @Test("train: a failing rank ends the job with one error line from rank 0; the last checkpoint stays whole")
    func failingRank() throws {
        let root = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Rank 1 fails at its 3rd gradient exchange: the first step of epoch 2 (2 steps per epoch).
        let result = try MPIRun.mpirun(
            2,
            [
                "train", "--config", root + "/config.yaml", "--threads", "1", "--set", "model.user_encoder=id",
                "--set", "training.max_steps_per_epoch=2", "--set", "checkpoint_dir=\(root)/models", "-q",
            ], environment: ["PIXELREC_MPI_FAIL": "1:shard gradients:3"])
        #expect(result.status != 0)
        let errors = result.error.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(
            errors == ["error: rank 1: failure injected at 'shard gradients' (PIXELREC_MPI_FAIL)"], "\(result.error)")
        let checkpoint = try Checkpoint.read(from: root + "/models/last.ckpt")
        #expect(checkpoint.header.epoch == 1)
        let left = try FileManager.default.contentsOfDirectory(atPath: root + "/models")
        #expect(Set(left).isSubset(of: ["last.ckpt", "best.ckpt", "metrics.jsonl", "metrics.csv"]), "\(left)")
    }

    @Test("train: rank 1 killed mid-run ends the job with a non-zero exit; the checkpoint stays whole and resumes")
    func killedRank() throws {
        let root = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let mpirun = Process()
        mpirun.executableURL = URL(fileURLWithPath: try #require(MPIRun.mpirunPath))
        mpirun.arguments =
            ["--allow-run-as-root", "--oversubscribe", "-n", "2", try #require(MPIRun.pixelrec)] + [
                "train", "--config", root + "/config.yaml", "--threads", "1", "--epochs", "200", "--set",
                "model.user_encoder=id", "--set", "training.max_steps_per_epoch=2", "-q",
            ]
        mpirun.standardOutput = FileHandle.nullDevice
        mpirun.standardError = FileHandle.nullDevice
        try mpirun.run()
        // Wait for the first checkpoint, then kill rank 1 (the child of mpirun with OMPI_COMM_WORLD_RANK=1).
        let checkpoint = root + "/models/last.ckpt"
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpoint) && Date() < deadline && mpirun.isRunning {
            usleep(100_000)
        }
        try #require(mpirun.isRunning, "the run ended before its first checkpoint")
        let rank1 = try #require(MPIRun.child(of: mpirun.processIdentifier, rank: 1))
        kill(rank1, SIGKILL)
        mpirun.waitUntilExit()
        #expect(mpirun.terminationStatus != 0)
        let header = try Checkpoint.read(from: checkpoint).header
        #expect(header.epoch >= 1 && header.epoch < 200)
        let resumed = try MPIRun.binary([
            "train", "--config", root + "/config.yaml", "--threads", "2", "--epochs", String(header.epoch + 1),
            "--set", "model.user_encoder=id", "--set", "training.max_steps_per_epoch=2", "--resume", checkpoint, "-q",
        ])
        #expect(resumed.status == 0, "\(resumed.error)")
        #expect(try Checkpoint.read(from: checkpoint).header.epoch == header.epoch + 1)
    }
}

/// Runs the built `pixelrec`, alone or under `mpirun`.
enum MPIRun {
    struct Result {
        var status: Int32
        var output: String
        var error: String
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static var pixelrec: String? {
        [".build/debug/pixelrec", ".build/release/pixelrec"].map { packageRoot + "/" + $0 }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var mpirunPath: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return (path.split(separator: ":").map { $0 + "/mpirun" } + ["/usr/bin/mpirun"])
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The child of `parent` (mpirun launches the ranks of its own node itself) whose environment says it
    /// is MPI rank `rank`.
    static func child(of parent: Int32, rank: Int) -> Int32? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries {
            guard let pid = Int32(entry), pid != parent,
                let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")"),
                stat[close...].split(separator: " ").dropFirst(2).first == Substring(String(parent)),
                let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ")
            else { continue }
            let variables = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if variables.contains("OMPI_COMM_WORLD_RANK=\(rank)"),
                variables.contains(where: { $0.hasPrefix("OMPI_MCA_orte_hnp_uri=") || $0.hasPrefix("PMIX_RANK=") })
            {
                return pid
            }
        }
        return nil
    }

    static var available: Bool { mpirunPath != nil && pixelrec != nil }

    static var skipReason: String {
        if mpirunPath == nil { return "mpirun not found: install openmpi-bin libopenmpi-dev (make test does)" }
        return "build pixelrec first (swift build)"
    }

    static func binary(_ arguments: [String]) throws -> Result {
        try run(try #require(pixelrec), arguments, environment: [:])
    }

    static func mpirun(_ ranks: Int, _ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let forwarded = environment.keys.sorted().flatMap { ["-x", $0] }
        return try run(
            try #require(mpirunPath),
            ["--allow-run-as-root", "--oversubscribe", "-n", String(ranks)] + forwarded + [try #require(pixelrec)]
                + arguments, environment: environment)
    }

    /// Runs to the end; standard output and error go through files (no pipe can fill up and block).
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> Result {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outPath = directory + "/out", errPath = directory + "/err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, output: try String(contentsOfFile: outPath, encoding: .utf8),
            error: try String(contentsOfFile: errPath, encoding: .utf8))
    }
}
