import PixelArguments
import Testing

/// One bad command line and the exact one-line message it must produce.
struct BadInput: CustomTestStringConvertible, Sendable {
    let words: [String]
    let message: String
    var testDescription: String { words.joined(separator: " ") }

    init(_ words: [String], _ message: String) {
        self.words = words
        self.message = message
    }
}

@Suite("Errors: every bad input gives one exact line and exit code 2")
struct ErrorTests {
    static let strategies = "stratified, temporal, leave_one_out, user, item"

    static let unknownOptions: [BadInput] = [
        BadInput(
            ["recommend", "--sampel-users", "5", "m"],
            "unknown option '--sampel-users' for 'pixelrec recommend' (did you mean '--sample-users'?); see 'pixelrec recommend --help'"
        ),
        BadInput(
            ["recommend", "--frobnicate", "m"],
            "unknown option '--frobnicate' for 'pixelrec recommend'; see 'pixelrec recommend --help'"),
        BadInput(
            ["recommend", "--Top-K", "3", "m"],
            "unknown option '--Top-K' for 'pixelrec recommend' (did you mean '--top-k'?); see 'pixelrec recommend --help'"
        ),
        BadInput(
            ["recommend", "--exclude_Seen", "m"],
            "unknown option '--exclude_Seen' for 'pixelrec recommend' (did you mean '--exclude-seen'?); see 'pixelrec recommend --help'"
        ),
        BadInput(
            ["recommend", "--sample", "5", "m"],
            "unknown option '--sample' for 'pixelrec recommend' (did you mean '--sample-users'?); see 'pixelrec recommend --help'"
        ),
        BadInput(
            ["recommend", "---top-k", "3", "m"],
            "unknown option '---top-k' for 'pixelrec recommend' (did you mean '--top-k'?); see 'pixelrec recommend --help'"
        ),
        BadInput(
            ["recommend", "--tëmperature", "1", "m"],
            "unknown option '--tëmperature' for 'pixelrec recommend' (did you mean '--temperature'?); see 'pixelrec recommend --help'"
        ),
        BadInput(
            ["recommend", "--verbsoe", "m"],
            "unknown option '--verbsoe' for 'pixelrec recommend' (did you mean '--verbose'?); see 'pixelrec recommend --help'"
        ),
        BadInput(
            ["recommend", "--hlep"],
            "unknown option '--hlep' for 'pixelrec recommend' (did you mean '--help'?); see 'pixelrec recommend --help'"
        ),
        BadInput(["--=x"], "unknown option '--=x' for 'pixelrec'; see 'pixelrec --help'"),
        BadInput(
            ["recommend", "-z", "m"], "unknown option '-z' for 'pixelrec recommend'; see 'pixelrec recommend --help'"),
        BadInput(
            ["recommend", "-dz", "m"], "unknown option '-z' for 'pixelrec recommend'; see 'pixelrec recommend --help'"),
        BadInput(
            ["recommend", "-K", "3", "m"],
            "unknown option '-K' for 'pixelrec recommend' (did you mean '-k'?); see 'pixelrec recommend --help'"),
        BadInput(
            ["recommend", "-é", "m"], "unknown option '-é' for 'pixelrec recommend'; see 'pixelrec recommend --help'"),
        BadInput(
            ["recommend", "-vdé", "m"], "unknown option '-é' for 'pixelrec recommend'; see 'pixelrec recommend --help'"),
        BadInput(
            ["recommend", "-sample-users", "5", "m"],
            "unknown option '-sample-users' for 'pixelrec recommend' (did you mean '--sample-users'?); see 'pixelrec recommend --help'"
        ),
        BadInput(
            ["train", "-c", "c", "--version"],
            "unknown option '--version' for 'pixelrec train'; see 'pixelrec train --help'"),
        BadInput(
            ["--use-diversity", "recommend", "m"],
            "unknown option '--use-diversity' for 'pixelrec'; see 'pixelrec --help'"),
        BadInput(
            ["--verison"],
            "unknown option '--verison' for 'pixelrec' (did you mean '--version'?); see 'pixelrec --help'"),
    ]

    static let unknownSubcommands: [BadInput] = [
        BadInput(["splt"], "unknown subcommand 'splt' for 'pixelrec' (did you mean 'split'?); see 'pixelrec --help'"),
        BadInput(["Train"], "unknown subcommand 'Train' for 'pixelrec' (did you mean 'train'?); see 'pixelrec --help'"),
        BadInput(["xyz"], "unknown subcommand 'xyz' for 'pixelrec'; see 'pixelrec --help'"),
        BadInput(["-"], "unknown subcommand '-' for 'pixelrec'; see 'pixelrec --help'"),
        BadInput(
            ["onnx", "inspekt", "m"],
            "unknown subcommand 'inspekt' for 'pixelrec onnx' (did you mean 'inspect'?); see 'pixelrec onnx --help'"),
        BadInput(
            ["help", "splitt"],
            "unknown subcommand 'splitt' for 'pixelrec' (did you mean 'split'?); see 'pixelrec --help'"),
        BadInput(
            ["help", "onnx", "runn"],
            "unknown subcommand 'runn' for 'pixelrec onnx' (did you mean 'run'?); see 'pixelrec onnx --help'"),
        BadInput(
            ["help", "split", "more"], "unknown subcommand 'more' for 'pixelrec split'; see 'pixelrec split --help'"),
    ]

    static let missingValues: [BadInput] = [
        BadInput(["split", "-i"], "option '--input' expects a value (<path>)"),
        BadInput(["split", "--input", "--seed", "3", "o"], "option '--input' expects a value (<path>)"),
        BadInput(["split", "-i", "--", "o"], "option '--input' expects a value (<path>)"),
        BadInput(["recommend", "--users", "-d", "m"], "option '--users' expects a value (<users>)"),
        BadInput(["train", "-c", "c", "--set"], "option '--set' expects a value (<key=value>)"),
        BadInput(["onnx", "run", "--input"], "option '--input' expects a value (<name=file>)"),
        BadInput(["-j"], "option '--threads' expects a value (<threads>)"),
        BadInput(["recommend", "-dk"], "option '--top-k' expects a value (<top-k>)"),
        BadInput(["recommend", "-k", "-d", "m"], "option '--top-k' expects a value (<top-k>)"),
    ]

    static let invalidValues: [BadInput] = [
        BadInput(["split", "-i", "a", "--seed", "ten", "o"], "option '--seed' expects an integer, got 'ten'"),
        BadInput(["split", "-i", "a", "--seed", "1.0", "o"], "option '--seed' expects an integer, got '1.0'"),
        BadInput(
            ["split", "-i", "a", "--seed", "99999999999999999999", "o"],
            "option '--seed' expects an integer, got '99999999999999999999'"),
        BadInput(["recommend", "-k", "0", "m"], "option '--top-k' expects an integer in 1...1000, got '0'"),
        BadInput(["recommend", "-k", "1001", "m"], "option '--top-k' expects an integer in 1...1000, got '1001'"),
        BadInput(["recommend", "-k", "-1", "m"], "option '--top-k' expects an integer in 1...1000, got '-1'"),
        BadInput(["recommend", "-k1.5", "m"], "option '--top-k' expects an integer in 1...1000, got '1.5'"),
        BadInput(["recommend", "--top-k=", "m"], "option '--top-k' expects an integer in 1...1000, got ''"),
        BadInput(["train", "-epochs", "3"], "option '--epochs' expects an integer in 1...100000, got 'pochs'"),
        BadInput(["recommend", "--temperature", "abc", "m"], "option '--temperature' expects a number, got 'abc'"),
        BadInput(["recommend", "--temperature", "nan", "m"], "option '--temperature' expects a number, got 'nan'"),
        BadInput(["recommend", "--temperature", "inf", "m"], "option '--temperature' expects a number, got 'inf'"),
        BadInput(["recommend", "--temperature=-inf", "m"], "option '--temperature' expects a number, got '-inf'"),
        BadInput(["recommend", "--temperature", "0x10", "m"], "option '--temperature' expects a number, got '0x10'"),
        BadInput(["recommend", "--temperature", "1e999", "m"], "option '--temperature' expects a number, got '1e999'"),
        BadInput(["recommend", "--temperature", " 1", "m"], "option '--temperature' expects a number, got ' 1'"),
        BadInput(["recommend", "--temperature", "٣", "m"], "option '--temperature' expects a number, got '٣'"),
        BadInput(
            ["split", "-i", "a", "-s", "random", "o"], "option '--strategy': 'random' is not one of \(strategies)"),
        BadInput(
            ["split", "-i", "a", "-s", "temporl", "o"],
            "option '--strategy': 'temporl' is not one of \(strategies) (did you mean 'temporal'?)"),
        BadInput(
            ["split", "-i", "a", "--strategy=Temporal", "o"],
            "option '--strategy': 'Temporal' is not one of \(strategies) (did you mean 'temporal'?)"),
        BadInput(
            ["split", "-i", "a", "-s", "leave-one-out", "o"],
            "option '--strategy': 'leave-one-out' is not one of \(strategies) (did you mean 'leave_one_out'?)"),
        BadInput(["split", "-i", "a", "-s", "", "o"], "option '--strategy': '' is not one of \(strategies)"),
        BadInput(
            ["train", "-c", "c", "--set", "epochs"],
            "option '--set' expects key=value (e.g. training.epochs=3), got 'epochs'"),
        BadInput(
            ["train", "-c", "c", "--set", "=3"], "option '--set' expects key=value (e.g. training.epochs=3), got '=3'"),
        BadInput(
            ["train", "-c", "c", "--set", "a..b=1"],
            "option '--set' expects key=value (e.g. training.epochs=3), got 'a..b=1'"),
        BadInput(
            ["train", "-c", "c", "--set", "a.=1"],
            "option '--set' expects key=value (e.g. training.epochs=3), got 'a.=1'"),
        BadInput(
            ["train", "-c", "c", "--set", "a b=1"],
            "option '--set' expects key=value (e.g. training.epochs=3), got 'a b=1'"),
        BadInput(["split", "--input=", "o"], "option '--input' expects a path, got ''"),
        BadInput(["split", "-i", "a", ""], "argument '<output>' expects a path, got ''"),
        BadInput(
            ["recommend", "--ratios", "m"],
            "unknown option '--ratios' for 'pixelrec recommend'; see 'pixelrec recommend --help'"),
        BadInput(["split", "-i", "a", "--ratios", "0.8", "x", "o"], "option '--ratios' expects a number, got 'x'"),
    ]

    static let missingRequired: [BadInput] = [
        BadInput(
            ["split", "out"], "missing required option '--input' for 'pixelrec split'; see 'pixelrec split --help'"),
        BadInput(
            ["split", "-i", "a"],
            "missing required argument '<output>' for 'pixelrec split'; see 'pixelrec split --help'"),
        BadInput(
            ["onnx", "inspect"],
            "missing required argument '<model>' for 'pixelrec onnx inspect'; see 'pixelrec onnx inspect --help'"),
        BadInput(
            ["recommend", "-k", "3"],
            "missing required argument '<model>' for 'pixelrec recommend'; see 'pixelrec recommend --help'"),
        BadInput(["train"], "missing required option '--config' for 'pixelrec train'; see 'pixelrec train --help'"),
    ]

    static let unexpectedArguments: [BadInput] = [
        BadInput(
            ["split", "-i", "a", "o", "extra"],
            "unexpected argument 'extra' for 'pixelrec split'; see 'pixelrec split --help'"),
        BadInput(
            ["onnx", "inspect", "a", "b"],
            "unexpected argument 'b' for 'pixelrec onnx inspect'; see 'pixelrec onnx inspect --help'"),
        BadInput(
            ["train", "-c", "c", "stray"],
            "unexpected argument 'stray' for 'pixelrec train'; see 'pixelrec train --help'"),
        BadInput(
            ["train", "-c", "c", "--", "-n"],
            "unexpected argument '-n' for 'pixelrec train'; see 'pixelrec train --help'"),
    ]

    static let duplicates: [BadInput] = [
        BadInput(
            ["split", "-i", "a", "--input", "b", "o"],
            "option '--input' given more than once for 'pixelrec split' (it takes one value)"),
        BadInput(
            ["split", "-i", "a", "--seed=1", "--seed", "1", "o"],
            "option '--seed' given more than once for 'pixelrec split' (it takes one value)"),
        BadInput(
            ["recommend", "--users", "a", "--users", "b", "m"],
            "option '--users' given more than once for 'pixelrec recommend' (it takes one value)"),
        BadInput(
            ["-j", "2", "train", "-c", "c", "--threads", "3"],
            "option '--threads' given more than once for 'pixelrec train' (it takes one value)"),
        BadInput(
            ["recommend", "--top_k", "2", "-k3", "m"],
            "option '--top-k' given more than once for 'pixelrec recommend' (it takes one value)"),
    ]

    static let flagValues: [BadInput] = [
        BadInput(
            ["recommend", "--use-diversity=yes", "m"],
            "option '--use-diversity' is a flag and takes no value, got 'yes'"),
        BadInput(
            ["recommend", "--use_diversity=", "m"], "option '--use-diversity' is a flag and takes no value, got ''"),
        BadInput(["recommend", "-d=1", "m"], "option '--use-diversity' is a flag and takes no value, got '1'"),
        BadInput(["--help=x"], "option '--help' is a flag and takes no value, got 'x'"),
        BadInput(["-h=x"], "option '--help' is a flag and takes no value, got 'x'"),
        BadInput(["--version=1"], "option '--version' is a flag and takes no value, got '1'"),
    ]

    static let missingSubcommands: [BadInput] = [
        BadInput([], "'pixelrec' needs a subcommand (split, train, recommend, onnx); see 'pixelrec --help'"),
        BadInput(
            ["-v", "-j", "3"], "'pixelrec' needs a subcommand (split, train, recommend, onnx); see 'pixelrec --help'"),
        BadInput(["onnx"], "'pixelrec onnx' needs a subcommand (inspect, run); see 'pixelrec onnx --help'"),
        BadInput(["onnx", "-v"], "'pixelrec onnx' needs a subcommand (inspect, run); see 'pixelrec onnx --help'"),
        BadInput(
            ["onnx", "--", "run"], "'pixelrec onnx' needs a subcommand (inspect, run); see 'pixelrec onnx --help'"),
    ]

    static func expectFailure(_ input: BadInput, parser: ArgumentParser = SampleTree.parser) {
        do {
            let outcome = try parser.parse(input.words)
            Issue.record("expected an error, got \(outcome)")
        } catch {
            #expect(error.description == input.message)
            #expect(error.exitCode == 2)
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("unknown options", arguments: unknownOptions)
    func unknownOption(_ input: BadInput) { Self.expectFailure(input) }

    @Test("unknown subcommands", arguments: unknownSubcommands)
    func unknownSubcommand(_ input: BadInput) { Self.expectFailure(input) }

    @Test("missing values", arguments: missingValues)
    func missingValue(_ input: BadInput) { Self.expectFailure(input) }

    @Test("invalid values: type, range, choice, key=value, empty path", arguments: invalidValues)
    func invalidValue(_ input: BadInput) { Self.expectFailure(input) }

    @Test("missing required options and positionals", arguments: missingRequired)
    func missingRequiredArgument(_ input: BadInput) { Self.expectFailure(input) }

    @Test("unexpected positionals", arguments: unexpectedArguments)
    func unexpectedArgument(_ input: BadInput) { Self.expectFailure(input) }

    @Test("non-repeating options given twice", arguments: duplicates)
    func duplicateOption(_ input: BadInput) { Self.expectFailure(input) }

    @Test("flags given a value", arguments: flagValues)
    func flagWithValue(_ input: BadInput) { Self.expectFailure(input) }

    @Test("groups invoked without a subcommand", arguments: missingSubcommands)
    func missingSubcommand(_ input: BadInput) { Self.expectFailure(input) }

    @Test("--version is unknown when the root declares no version")
    func versionWithoutDeclaration() {
        let parser = ArgumentParser(root: Command(name: "tool", abstract: "A tool."))
        Self.expectFailure(
            BadInput(["--version"], "unknown option '--version' for 'tool'; see 'tool --help'"), parser: parser)
    }

    @Test("positional kinds are checked")
    func positionalKinds() {
        let parser = ArgumentParser(
            root: Command(
                name: "tool", abstract: "A tool.",
                arguments: [
                    .positional("count", kind: .integer(0...9), help: "Count."),
                    .positional("mode", kind: .choice(["fast", "slow"]), optional: true, help: "Mode."),
                ]))
        Self.expectFailure(BadInput(["x"], "argument '<count>' expects an integer in 0...9, got 'x'"), parser: parser)
        Self.expectFailure(BadInput(["10"], "argument '<count>' expects an integer in 0...9, got '10'"), parser: parser)
        Self.expectFailure(
            BadInput(["3", "fats"], "argument '<mode>': 'fats' is not one of fast, slow (did you mean 'fast'?)"),
            parser: parser)
        Self.expectFailure(
            BadInput(["-3"], "argument '<count>' expects an integer in 0...9, got '-3'"), parser: parser)
    }

    @Test("errors carry their data")
    func errorData() throws {
        #expect(
            throws: ParserError.unknownOption(
                "--sampel-users", command: ["pixelrec", "recommend"], suggestion: "--sample-users")
        ) {
            try SampleTree.parser.parse(["recommend", "--sampel-users", "3"])
        }
        #expect(
            throws: ParserError.invalidValue(
                .option("--top-k"), value: "0", kind: .integer(1...1000), suggestion: nil)
        ) {
            try SampleTree.parser.parse(["recommend", "-k0", "m"])
        }
        #expect(throws: ParserError.missingSubcommand(command: ["pixelrec", "onnx"], available: ["inspect", "run"])) {
            try SampleTree.parser.parse(["onnx"])
        }
    }
}
