import Foundation
import PixelConfig
import PixelData

@testable import PixelModels

/// A fresh temporary folder.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "pixelmodels-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The built `pixelrec` executable (`swift build` makes it with the tests).
let pixelrecBinary: String? = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    return [".build/debug/pixelrec", ".build/release/pixelrec"].map { root + "/" + $0 }
        .first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// Runs the built `pixelrec` executable with `arguments`, capturing its output. The command-line fixtures of
/// this library's tests (synth, split, train, the hostile-file runs) go through the real executable, so the
/// model library's tests do not link the command-line layer.
func runTool(_ arguments: [String]) -> (status: Int32, output: String, error: String) {
    guard let binary = pixelrecBinary else { return (127, "", "error: pixelrec is not built (swift build)\n") }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    let output = Pipe(), error = Pipe()
    process.standardOutput = output
    process.standardError = error
    do { try process.run() } catch { return (127, "", "error: \(binary): \(error)\n") }
    // Standard error is read on another thread so that neither pipe fills while the other is drained.
    let errorData = LockedData()
    let reader = Thread { errorData.set(error.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errorData.done { usleep(1000) }
    return (
        process.terminationStatus, String(decoding: outputData, as: UTF8.self),
        String(decoding: errorData.value, as: UTF8.self)
    )
}

/// Bytes handed from a reader thread.
final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var finished = false
    func set(_ value: Data) {
        lock.lock()
        data = value
        finished = true
        lock.unlock()
    }
    var done: Bool {
        lock.lock()
        defer { lock.unlock() }
        return finished
    }
    var value: Data {
        lock.lock()
        defer { lock.unlock() }
        return data
    }
}

/// A small synthetic data set with a leave-one-out split and a config file, made with the CLI.
struct SynthFixture {
    let directory: String
    let config: String

    init(users: Int = 80, items: Int = 50, interactions: Int = 1600) throws {
        directory = try temporaryDirectory()
        let synth = runTool([
            "synth", "--users", "\(users)", "--items", "\(items)", "--interactions", "\(interactions)", "--image-size",
            "24",
            "--seed", "3", "--out", directory + "/raw", "-q",
        ])
        guard synth.status == 0 else { throw FixtureError(message: synth.error) }
        config = directory + "/config.yaml"
        let yaml = """
            model:
              vision_model: builtin
              language_model: builtin
              embedding_dim: 16
              fusion_hidden_dims: [32]
              num_attention_heads: 2
              dropout_rate: 0.1
            training:
              epochs: 2
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
            checkpoint_dir: \(directory)/checkpoints
            results_dir: \(directory)/results

            """
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        let split = runTool([
            "split", "--config", config, "--interactions", directory + "/raw/interactions.csv", "--output",
            directory + "/split", "-q",
        ])
        guard split.status == 0 else { throw FixtureError(message: split.error) }
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

struct FixtureError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// In-memory training inputs: a random interaction table and random content (no encoders), for fast
/// loop-level tests.
func memoryInputs(config: PixelRecConfig, users: Int = 40, items: Int = 30, perUser: Int = 8, seed: UInt64 = 1) throws
    -> Trainer.Inputs
{
    var rng = SeededGenerator(seed: seed)
    var train = "item_id,user_id,timestamp\n", validation = "item_id,user_id,timestamp\n"
    for u in 0..<users {
        // Users prefer items of their own "taste" block so that there is something to learn.
        let block = u % 3
        var chosen = Set<Int>()
        while chosen.count < perUser + 1 {
            let i = (block * items / 3 + Int(rng.next() % UInt64(items / 3 + 2))) % items
            chosen.insert(i)
        }
        for (k, i) in chosen.sorted().enumerated() {
            if k == perUser { validation += "i\(i),u\(u),\(k)\n" } else { train += "i\(i),u\(u),\(k)\n" }
        }
    }
    let trainTable = try InteractionTable.load(reader: CSVReader(data: Data(train.utf8), path: "train.csv")).0
    let validationTable = try InteractionTable.load(reader: CSVReader(data: Data(validation.utf8), path: "val.csv")).0
    let catalog = try Trainer.catalog(train: trainTable, validation: validationTable)
    return try Trainer.Inputs(
        config: config, train: trainTable, validation: validationTable, content: memoryContent(catalog, seed: seed),
        scalers: ScalerSet(scalers: []))
}

/// Deterministic random content of the items `ids` (vision 12, text 10, numeric 2 wide), rows in their order.
func memoryContent(_ ids: IdMap, seed: UInt64) throws -> ItemContent {
    var g = SeededGenerator(seed: seed &+ 99)
    func row(_ key: String, _ width: Int) -> [Float] {
        let i = Int(key.dropFirst()) ?? 0
        return (0..<width).map { j in Float((i * 7 + j * 3) % 11) / 11 + Float(g.next() % 100) / 1000 }
    }
    let keys = ids.keys
    return try ItemContent(
        count: keys.count, vision: keys.flatMap { row($0, 12) }, visionWidth: 12, text: keys.flatMap { row($0, 10) },
        textWidth: 10, numeric: keys.flatMap { row($0, 2) }, numericWidth: 2)
}

/// `memoryInputs(config:)`, its content, and a freshly initialised model for that content's widths
/// (vision 12, text 10, numeric 2) — the setup of step-level tests.
func memoryModel(config: PixelRecConfig, seed: UInt64) throws
    -> (inputs: Trainer.Inputs, content: ItemContent, h: ModelHyperparameters, model: PretrainedMultimodalRecommender)
{
    let inputs = try memoryInputs(config: config)
    let content = try memoryContent(inputs.train.itemIds, seed: 1)
    let h = try ModelHyperparameters(
        model: config.model, seed: seed, userCount: inputs.train.userIds.count, itemCount: inputs.train.itemIds.count,
        visionWidth: 12, textWidth: 10, numericWidth: 2)
    return (inputs, content, h, PretrainedMultimodalRecommender.make(h))
}

/// A small, fast configuration for loop-level tests.
func smallConfig(epochs: Int = 4) -> PixelRecConfig {
    var config = PixelRecConfig.framework
    config.model.embeddingDim = 16
    config.model.fusionHiddenDims = [32]
    config.model.numAttentionHeads = 2
    config.model.dropoutRate = 0.2
    config.model.attentionDropout = 0.1
    config.model.itemIdDropout = 0.2
    config.training.epochs = epochs
    config.training.batchSize = 32
    config.training.seed = 11
    config.training.patience = 0
    return config
}
