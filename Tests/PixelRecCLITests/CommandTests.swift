import Foundation
import PixelArguments
import PixelConfig
import Testing

@testable import PixelRecCLI

@Suite("Commands")
struct CommandTests {
    @Test("config show prints YAML that loads back to the same effective config")
    func configShowRoundTrips() throws {
        let result = runTool(["config", "show", "--set", "training.epochs=7", "--set", "model.embedding_dim=32"])
        #expect(result.status == 0, "\(result.error)")
        let reloaded = try ConfigLoader.load(yaml: result.output, sourceName: "shown.yaml").config
        #expect(reloaded.training.epochs == 7)
        #expect(reloaded.model.embeddingDim == 32)
        let expected = try ConfigLoader.load(
            path: nil, overrides: ["training.epochs=7", "model.embedding_dim=32"]
        ).config
        #expect(reloaded == expected)
    }

    @Test(
        "config check accepts every shipped config",
        arguments: [
            "default_config.yaml", "enhanced_config.yaml", "dino_config.yaml", "large_scale_config.yaml",
            "demo_config.yaml",
            "ml100k_config.yaml", "ml100k_real_encoders.yaml", "ml100k_cold_items.yaml", "ml100k_sequence.yaml",
        ])
    func shippedConfigsCheck(name: String) {
        let result = runTool(["config", "check", "--config", packageRoot + "/configs/" + name])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.hasSuffix(name + ": ok\n"))
    }

    @Test("snake_case spellings of the Python framework's options are accepted")
    func snakeCaseAliases() {
        let kebab = runTool(["split", "--min-interactions-per-user", "x"])
        let snake = runTool(["split", "--min_interactions_per_user", "x"])
        #expect(kebab.status == 2 && snake.status == 2)
        #expect(snake.error == kebab.error)
    }

    @Test("--version names the linked C libraries")
    func version() {
        let result = runTool(["--version"])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("pixelrec \(PixelRecTool.version)\n"))
        for library in ["OpenBLAS", "libyaml", "libpng", "LAPACK", "TurboJPEG"] {
            #expect(result.output.contains(library))
        }
    }

    @Test("a group without a subcommand is a usage error")
    func groupNeedsSubcommand() {
        let result = runTool(["onnx"])
        #expect(result.status == 2)
        #expect(result.errorLines.count == 1)
    }
}

/// Runs the built executable, to check what the in-process tests cannot: real streams and exit codes.
@Suite("Executable")
struct ExecutableTests {
    static var binary: String? {
        let candidates = [".build/debug/pixelrec", ".build/release/pixelrec"].map { packageRoot + "/" + $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func run(_ arguments: [String]) throws -> RunResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.binary, "build pixelrec first"))
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return RunResult(
            status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
            error: String(decoding: errorData, as: UTF8.self))
    }

    @Test("help goes to stdout with exit 0; usage errors to stderr with exit 2")
    func streamsAndCodes() throws {
        let help = try run(["--help"])
        #expect(help.status == 0 && help.output.contains("USAGE") && help.error.isEmpty)
        let bad = try run(["split", "--nope"])
        #expect(bad.status == 2 && bad.output.isEmpty && bad.errorLines.count == 1)
    }

    @Test("recommend without a trained checkpoint: one line naming the missing file, exit 1")
    func recommendWithoutCheckpoint() throws {
        let directory = try temporaryDirectory()
        let result = try run(["recommend", "--set", "checkpoint_dir=\(directory)/none", "--users", "u1"])
        #expect(result.status == 1)
        #expect(
            result.error
                == "error: \(directory)/none/best.ckpt: no checkpoint (run pixelrec train, or pass --checkpoint)\n")
    }
}

@Suite("Command tree")
struct CommandTreeTests {
    @Test("the declarations have no conflicting names, defaults or shapes")
    func declarationsAreConsistent() {
        #expect(PixelArguments.ArgumentParser(root: PixelRecTool.root).declarationProblems == [])
    }
}
