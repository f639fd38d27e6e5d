import PixelArguments
import Testing

@Suite("Outcomes: help at every level, help pseudo-subcommand, version")
struct OutcomeTests {
    static func helpText(_ words: [String]) throws -> String {
        guard case let .help(text) = try SampleTree.parser.parse(words) else {
            throw SampleTree.Unexpected.outcome(words)
        }
        return text
    }

    @Test("--version at the root prints the declared version")
    func version() throws {
        guard case let .version(text) = try SampleTree.parser.parse(["--version"]) else {
            Issue.record("expected version")
            return
        }
        #expect(text == "pixelrec 0.1.0")
        guard case .version = try SampleTree.parser.parse(["-v", "--version"]) else {
            Issue.record("expected version after a flag")
            return
        }
    }

    @Test("root help: -h, --help, help", arguments: [["-h"], ["--help"], ["help"], ["-vh"], ["-j", "2", "--help"]])
    func rootHelp(words: [String]) throws {
        #expect(try Self.helpText(words) == SampleTree.parser.help(for: []))
    }

    @Test(
        "subcommand help: all spellings agree",
        arguments: [
            (["split", "-h"], ["split"]),
            (["split", "--help"], ["split"]),
            (["help", "split"], ["split"]),
            (["split", "-i", "a", "--help"], ["split"]),
            (["onnx", "--help"], ["onnx"]),
            (["help", "onnx"], ["onnx"]),
            (["onnx", "help"], ["onnx"]),
            (["onnx", "help", "run"], ["onnx", "run"]),
            (["help", "onnx", "run"], ["onnx", "run"]),
            (["onnx", "run", "-h"], ["onnx", "run"]),
            (["help", "onnx", "run", "--ignored"], ["onnx", "run"]),
            (["recommend", "-dh"], ["recommend"]),
            (["onnx", "inspect", "--help", "--bogus"], ["onnx", "inspect"]),
        ])
    func subcommandHelp(words: [String], path: [String]) throws {
        let text = try Self.helpText(words)
        #expect(text == SampleTree.parser.help(for: path))
        #expect(text == SampleTree.parser.help(for: ["pixelrec"] + path))
        #expect(text.contains("USAGE: pixelrec \(path.joined(separator: " "))"))
    }

    @Test(
        "--help wins over an error found earlier on the line",
        arguments: [
            (["split", "--seed", "ten", "--help"], ["split"]),
            (["recommend", "--bogus", "-h"], ["recommend"]),
            (["splt", "--help"], []),
            (["onnx", "--help", "inspect"], ["onnx"]),
            (["train", "--help"], ["train"]),
        ])
    func helpWinsOverErrors(words: [String], path: [String]) throws {
        #expect(try Self.helpText(words) == SampleTree.parser.help(for: path))
    }

    @Test("after '--', --help and -h are positional values")
    func helpAfterTerminator() throws {
        let invocation = try SampleTree.run(["recommend", "--", "--help", "-h"])
        #expect(invocation.string("model") == "--help")
        #expect(invocation.strings("extra") == ["-h"])
    }

    @Test("help(for:) describes the deepest command found")
    func helpForUnknownPath() {
        let parser = SampleTree.parser
        #expect(parser.help(for: ["onnx", "nope"]) == parser.help(for: ["onnx"]))
        #expect(parser.help(for: ["nope"]) == parser.help(for: []))
    }

    @Test("a real subcommand named help takes precedence over the pseudo-subcommand")
    func realHelpSubcommand() throws {
        let root = Command(name: "t", abstract: "t", subcommands: [Command(name: "help", abstract: "Own help.")])
        guard case let .run(invocation) = try ArgumentParser(root: root).parse(["help"]) else {
            Issue.record("expected run")
            return
        }
        #expect(invocation.commandPath == ["t", "help"])
    }
}
