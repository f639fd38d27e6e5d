import Foundation
import Testing

@testable import PixelRecCLI

/// Generated help texts compared with golden files in `Golden/`.
///
/// After a deliberate change to a declaration, regenerate with `PIXELREC_UPDATE_GOLDEN=1 swift test
/// --filter HelpGoldenTests` and review the diff.
@Suite("Help output (golden files)")
struct HelpGoldenTests {
    static let commands: [[String]] = [
        [], ["preprocess"], ["split"], ["synth"], ["encode"], ["embed"], ["train"], ["eval"], ["recommend"], ["serve"],
        ["extract-encoders"], ["onnx"], ["onnx", "inspect"], ["onnx", "run"], ["config"], ["config", "show"],
        ["config", "check"],
    ]

    @Test("--help matches its golden file", arguments: commands)
    func helpMatchesGolden(path: [String]) throws {
        let result = runTool(path + ["--help"])
        #expect(result.status == 0)
        #expect(result.error.isEmpty)
        let name = (["pixelrec"] + path).joined(separator: "-") + ".txt"
        let sourceFile = packageRoot + "/Tests/PixelRecCLITests/Golden/" + name
        if ProcessInfo.processInfo.environment["PIXELREC_UPDATE_GOLDEN"] == "1" {
            try result.output.write(toFile: sourceFile, atomically: true, encoding: .utf8)
            return
        }
        let url = try #require(Bundle.module.url(forResource: "Golden/" + name, withExtension: nil))
        let golden = try String(contentsOf: url, encoding: .utf8)
        #expect(result.output == golden, "help of '\(name)' differs from its golden file")
    }

    @Test("`pixelrec help <command>` is the same text as `<command> --help`")
    func helpSubcommand() {
        #expect(runTool(["help", "split"]).output == runTool(["split", "--help"]).output)
    }

    @Test("the main help lists every subcommand", arguments: ["preprocess", "split", "train", "eval", "recommend"])
    func rootHelpListsCommands(name: String) {
        #expect(runTool(["--help"]).output.contains("  " + name))
    }
}
