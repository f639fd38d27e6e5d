import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The whole pipeline, run as subprocesses in a fresh workspace per run, for ``KeyCoverageTests``.
///
/// The raw data is generated once: 60 users, 40 items with 24 px JPEGs, plus what some keys need to show an
/// effect — HTML and non-NFKC text in one description (text cleaning), one truncated JPEG whose header is
/// intact (`check_corrupted`), one 18 px image (`min_width`/`min_height`), one `.jpeg` (`allowed_extensions`) and
/// a second image folder with two images swapped (`image_folder`).
final class KeyCoveragePipeline: Sendable {
    let binary: String
    let template: String
    private let baselines = BaselineCache()

    /// What a user sees of a run.
    struct Observation: Sendable {
        var outcome: Outcome
        /// Everything the commands printed (progress included), for ``KeyCoverageTests/Check/message(_:)``.
        var messages: String
    }

    /// The results of a run, without timings or echoed settings.
    struct Outcome: Sendable, Equatable {
        /// The first stage that failed and its first `error:` line.
        var failure: String?
        /// Every file the run wrote (path relative to the workspace) with a digest of its bytes, or of its result
        /// part for reports.
        var files: [String: UInt64] = [:]

        func differences(from other: Outcome) -> [String] {
            var found: [String] = []
            if failure != other.failure { found.append("failure: \(failure ?? "none") → \(other.failure ?? "none")") }
            for path in Set(files.keys).union(other.files.keys).sorted() where files[path] != other.files[path] {
                found.append(path)
            }
            return found
        }
    }

    /// The stages and their arguments; relative paths resolve in the workspace.
    static let stages: [[String]] = [
        ["preprocess"], ["split"], ["encode"], ["train"], ["eval"], ["recommend", "--sample-users", "1000"],
    ]

    static let config = """
        model:
          vision_model: builtin
          language_model: builtin
          embedding_dim: 16
          num_attention_heads: 2
          max_seq_len: 8
        training:
          epochs: 2
          batch_size: 64
          threads: 1
          seed: 7
        data:
          item_info_path: raw/item_info.csv
          interactions_path: raw/interactions.csv
          image_folder: raw/images
          processed_item_info_path: processed/item_info.csv
          processed_interactions_path: processed/interactions.csv
          feature_store_path: processed/features
          split_data_path: splits/s
          train_data_path: splits/s/train.csv
          val_data_path: splits/s/val.csv
          test_data_path: splits/s/test.csv
          offline_image_validation:
            min_width: 16
            min_height: 16
          splitting:
            min_interactions_per_user: 3
            min_interactions_per_item: 1
        checkpoint_dir: ckpt
        results_dir: results

        """

    private init(binary: String, template: String) {
        self.binary = binary
        self.template = template
    }

    private static let instance = Once<KeyCoveragePipeline>()

    static func shared(binary: String) async throws -> KeyCoveragePipeline {
        try await instance.value {
            let template = try temporaryDirectory()
            let synth = runTool([
                "synth", "--users", "60", "--items", "40", "--interactions", "1200", "--image-size", "24", "--seed",
                "3", "--out", template + "/raw", "-q",
            ])
            guard synth.status == 0 else { throw PipelineError(message: "synth failed: \(synth.error)") }
            let small = runTool([
                "synth", "--users", "60", "--items", "40", "--interactions", "1200", "--image-size", "18", "--seed",
                "3", "--out", template + "/small", "-q",
            ])
            guard small.status == 0 else { throw PipelineError(message: "synth failed: \(small.error)") }
            try Self.plantCases(in: template + "/raw", small: template + "/small/images")
            return KeyCoveragePipeline(binary: binary, template: template)
        }
    }

    /// The text-cleaning, corrupt-image and new-item cases (see the type's comment).
    private static func plantCases(in raw: String, small: String) throws {
        let itemsPath = raw + "/item_info.csv"
        var lines = try String(contentsOfFile: itemsPath, encoding: .utf8).split(separator: "\n").map(String.init)
        let fields = lines[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        lines[2] =
            fields.dropLast().joined(separator: ",") + ",<p><b>Story</b> rhythmic &amp; ﬁrst ＲＵＢＹ ruby</p>"
        try (lines.joined(separator: "\n") + "\n").write(toFile: itemsPath, atomically: true, encoding: .utf8)
        let manager = FileManager.default
        try manager.copyItem(atPath: raw + "/images", toPath: raw + "/other_images")
        for (a, b) in [("i1", "i2"), ("i2", "i1")] {
            try manager.removeItem(atPath: raw + "/other_images/\(a).jpg")
            try manager.copyItem(atPath: raw + "/images/\(b).jpg", toPath: raw + "/other_images/\(a).jpg")
        }
        try manager.removeItem(atPath: raw + "/images/i7.jpg")
        try manager.copyItem(atPath: small + "/i7.jpg", toPath: raw + "/images/i7.jpg")
        try manager.moveItem(atPath: raw + "/images/i8.jpg", toPath: raw + "/images/i8.jpeg")
        guard let jpeg = manager.contents(atPath: raw + "/images/i5.jpg") else {
            throw PipelineError(message: "synth wrote no images/i5.jpg")
        }
        try jpeg.prefix(jpeg.count * 9 / 10).write(to: URL(fileURLWithPath: raw + "/images/i5.jpg"))
    }

    /// The baseline for a context, run once per distinct context.
    func baseline(_ context: [String]) async throws -> Observation {
        try await baselines.value(for: context) { try self.run(context) }
    }

    /// The serve probe without settings, run once.
    func baselineServe() async throws -> Observation {
        try await baselines.value(for: ["<serve>"]) { try self.serve([]) }
    }

    /// A TCP port free on loopback just now (bound to port 0, read, released).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The warning `config check` prints for one setting, if any.
    func warning(for setting: String) throws -> String? {
        let workspace = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        try Self.config.write(toFile: workspace + "/c.yaml", atomically: true, encoding: .utf8)
        let (_, output) = try execute(["config", "check", "--config", "c.yaml", "--set", setting], in: workspace)
        return output.split(separator: "\n").first { $0.hasPrefix("warning:") }.map(String.init)
    }

    /// Runs every stage with `settings` as `--set` overrides in a fresh copy of the raw data.
    func run(_ settings: [String]) throws -> Observation {
        let workspace = try freshWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        var outcome = Outcome()
        let (failure, messages) = try runStages(Self.stages, settings: settings, in: workspace)
        outcome.failure = failure
        outcome.files = Self.digests(in: workspace)
        return Observation(outcome: outcome, messages: messages)
    }

    /// A new temporary folder holding a copy of the raw data and the config as `c.yaml`.
    func freshWorkspace() throws -> String {
        let workspace = try temporaryDirectory()
        try FileManager.default.copyItem(atPath: template + "/raw", toPath: workspace + "/raw")
        try Self.config.write(toFile: workspace + "/c.yaml", atomically: true, encoding: .utf8)
        return workspace
    }

    /// Runs `stages` in order with `settings` as `--set` overrides, up to the first that fails: that stage and
    /// its first `error:` line (workspace path normalised), and everything the stages printed.
    func runStages(_ stages: [[String]], settings: [String], in workspace: String) throws -> (String?, String) {
        var messages = ""
        for stage in stages {
            let arguments = stage + ["--config", "c.yaml"] + settings.flatMap { ["--set", $0] }
            let (status, output) = try execute(arguments, in: workspace)
            messages += output
            if status != 0 {
                let error = output.split(separator: "\n").first { $0.hasPrefix("error:") } ?? "exit \(status)"
                return ("\(stage[0]): " + error.replacingOccurrences(of: workspace, with: "$WORKSPACE"), messages)
            }
        }
        return (nil, messages)
    }

    /// Appends a line to the file named by `PIXELREC_KEYCOV_LOG`, if set (what each key changed, for review).
    static func log(_ line: String) {
        guard let path = ProcessInfo.processInfo.environment["PIXELREC_KEYCOV_LOG"], !path.isEmpty,
            let handle = FileHandle(forWritingAtPath: path)
                ?? {
                    _ = FileManager.default.createFile(atPath: path, contents: nil)
                    return FileHandle(forWritingAtPath: path)
                }()
        else { return }
        handle.seekToEndOfFile()
        handle.write(Data((line + "\n").utf8))
        try? handle.close()
    }

    func execute(_ arguments: [String], in directory: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Digests of what the run wrote. Reports that echo settings count only by their result part; checkpoints
    /// (which carry the settings) count through the scores and metrics they produce.
    private static func digests(in workspace: String) -> [String: UInt64] {
        let manager = FileManager.default
        var files: [String: UInt64] = [:]
        guard let walker = manager.enumerator(atPath: workspace) else { return files }
        while let path = walker.nextObject() as? String {
            let full = workspace + "/" + path
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            if path == "c.yaml" || path.hasPrefix("raw/") { continue }
            let name = (path as NSString).lastPathComponent
            guard let data = manager.contents(atPath: full) else { continue }
            switch name {
            case _ where name.hasSuffix(".ckpt"), "training_curves.png", "split_info.json", "preprocess_report.json":
                files[path] = 0  // where it lands counts; its bytes echo settings or timings
            case "metrics.csv":
                files[path] = fnv1a(
                    Data(withoutColumns(["seconds", "steps_per_second"], String(decoding: data, as: UTF8.self)).utf8))
            case _ where name.hasSuffix(".json"):
                files[path] = fnv1a(resultPart(of: data, in: workspace))
            case _ where name.hasSuffix(".jsonl"):
                let lines = data.split(separator: UInt8(ascii: "\n")).map { resultPart(of: Data($0), in: workspace) }
                files[path] = fnv1a(Data(lines.joined(separator: [UInt8(ascii: "\n")])))
            default:
                files[path] = fnv1a(data)
            }
        }
        return files
    }

    /// A JSON report without its `config`, `timing`, `model` and `scorer` parts (settings and speed) and with
    /// the workspace's absolute path replaced; other JSON (id maps, scalers) whole.
    private static func resultPart(of data: Data, in workspace: String) -> Data {
        guard var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return data }
        for key in ["config", "timing", "model", "scorer", "version", "seconds", "stepsPerSecond"] { object[key] = nil }
        let canonical = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? data
        return Data(
            String(decoding: canonical, as: UTF8.self).replacingOccurrences(
                of: workspace.replacingOccurrences(of: "/", with: "\\/"), with: "$WORKSPACE"
            ).replacingOccurrences(of: workspace, with: "$WORKSPACE").utf8)
    }

    private static func withoutColumns(_ dropped: Set<String>, _ csv: String) -> String {
        let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        guard let header = rows.first else { return csv }
        let kept = header.indices.filter { !dropped.contains(String(header[$0])) }
        return rows.map { row in kept.map { $0 < row.count ? String(row[$0]) : "" }.joined(separator: ",") }
            .joined(separator: "\n")
    }

    static func fnv1a(_ data: Data) -> UInt64 {
        data.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}

struct PipelineError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A value computed once, on first use, by whichever caller comes first.
actor Once<Value: Sendable> {
    private var task: Task<Value, Error>?

    func value(_ make: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if let task { return try await task.value }
        let task = Task { try await make() }
        self.task = task
        return try await task.value
    }
}

/// Baselines by context, each computed once.
actor BaselineCache {
    private var tasks: [[String]: Task<KeyCoveragePipeline.Observation, Error>] = [:]

    func value(
        for context: [String], _ make: @escaping @Sendable () throws -> KeyCoveragePipeline.Observation
    ) async throws -> KeyCoveragePipeline.Observation {
        if let task = tasks[context] { return try await task.value }
        let task = Task { try make() }
        tasks[context] = task
        return try await task.value
    }
}
