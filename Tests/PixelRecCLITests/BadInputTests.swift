import Foundation
import Testing

@testable import PixelRecCLI

/// Every kind of bad input is one line on standard error naming where the problem is, with the right
/// exit code (2: usage error, 1: runtime error), and nothing on standard output.
@Suite("Bad input")
struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var arguments: [String]
        /// YAML written to a temporary `bad.yaml`; `$CONFIG` in arguments is replaced by its path.
        var yaml: String?
        var status: Int32
        /// Fragments the single error line must contain.
        var mentions: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "unknown option", arguments: ["split", "--strategie", "temporal"], status: 2,
            mentions: ["--strategie", "did you mean '--strategy'"]),
        Case(name: "missing value", arguments: ["split", "--strategy"], status: 2, mentions: ["--strategy"]),
        Case(name: "wrong type", arguments: ["train", "--epochs", "ten"], status: 2, mentions: ["--epochs", "ten"]),
        Case(
            name: "unknown enum value", arguments: ["split", "--strategy", "random"], status: 2,
            mentions: ["random", "leave_one_out", "stratified"]),
        Case(
            name: "integer below its minimum", arguments: ["split", "--sample-n", "0"], status: 2,
            mentions: ["--sample-n", "≥ 1", "'0'"]),
        Case(name: "unknown subcommand", arguments: ["trian"], status: 2, mentions: ["trian", "train"]),
        Case(name: "missing required option", arguments: ["synth"], status: 2, mentions: ["--out"]),
        Case(
            name: "misspelt YAML key", arguments: ["config", "check", "--config", "$CONFIG"],
            yaml: "traning:\n  epochs: 3\n", status: 1, mentions: ["bad.yaml:1:1", "traning", "training"]),
        Case(
            name: "wrong YAML type", arguments: ["config", "check", "--config", "$CONFIG"],
            yaml: "training:\n  learning_rate: fast\n", status: 1,
            mentions: ["bad.yaml:2:", "training.learning_rate", "fast"]),
        Case(
            name: "unknown YAML enum value", arguments: ["config", "check", "--config", "$CONFIG"],
            yaml: "model:\n  vision_model: dinov3\n", status: 1,
            mentions: ["bad.yaml:2:", "model.vision_model", "dinov3", "clip"]),
        Case(
            name: "YAML syntax error", arguments: ["config", "check", "--config", "$CONFIG"],
            yaml: "training:\n  epochs: [1, 2\n", status: 1, mentions: ["bad.yaml:"]),
        Case(
            name: "missing config file", arguments: ["config", "check", "--config", "/nonexistent/x.yaml"],
            status: 1, mentions: ["/nonexistent/x.yaml"]),
        Case(
            name: "bad --set override", arguments: ["config", "check", "--set", "training.epochs=ten"],
            status: 1, mentions: ["training.epochs", "ten"]),
        Case(
            name: "--set of an unknown key", arguments: ["config", "show", "--set", "training.epoch=3"],
            status: 1, mentions: ["training.epoch", "epochs"]),
    ]

    @Test("one-line error with location and the right exit code", arguments: cases)
    func badInput(_ testCase: Case) throws {
        var arguments = testCase.arguments
        if let yaml = testCase.yaml {
            let path = try writeTemporaryFile("bad.yaml", yaml)
            arguments = arguments.map { $0 == "$CONFIG" ? path : $0 }
        }
        let result = runTool(arguments)
        #expect(result.status == testCase.status)
        #expect(result.output.isEmpty)
        #expect(result.errorLines.count == 1, "expected one line, got: \(result.error)")
        let line = String(result.errorLines.first ?? "")
        #expect(line.hasPrefix("error: "))
        for fragment in testCase.mentions {
            #expect(line.contains(fragment), "'\(line)' does not mention '\(fragment)'")
        }
    }
}
