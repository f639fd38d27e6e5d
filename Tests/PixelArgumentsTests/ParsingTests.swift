import PixelArguments
import Testing

@Suite("Parsing: spellings, clusters, values, subcommands")
struct ParsingTests {
    @Test("--name value and --name=value")
    func longOptionSpellings() throws {
        let a = try SampleTree.run(["split", "--input", "a.csv", "out"])
        let b = try SampleTree.run(["split", "--input=a.csv", "out"])
        #expect(a.string("input") == "a.csv")
        #expect(b.string("input") == "a.csv")
        #expect(a.commandPath == ["pixelrec", "split"])
        #expect(a.string("output") == "out")
    }

    @Test("short options: -k 10, -k10, -k=10")
    func shortOptionSpellings() throws {
        for words in [["-k", "10"], ["-k10"], ["-k=10"]] {
            let invocation = try SampleTree.run(["recommend"] + words + ["m"])
            #expect(invocation.int("top-k") == 10, "\(words)")
            #expect(invocation.isSet("top-k"))
        }
    }

    @Test("clusters of short flags, and a cluster ending in an option")
    func shortClusters() throws {
        let flags = try SampleTree.run(["recommend", "-dx", "m"])
        #expect(flags.flag("use-diversity"))
        #expect(flags.flag("exclude-seen"))

        let spaced = try SampleTree.run(["recommend", "-dk", "7", "m"])
        #expect(spaced.flag("use-diversity"))
        #expect(spaced.int("top-k") == 7)

        let attached = try SampleTree.run(["recommend", "-xdk25", "m"])
        #expect(attached.flag("exclude-seen") && attached.flag("use-diversity"))
        #expect(attached.int("top-k") == 25)

        // Root flags are inherited, so they cluster with the subcommand's own.
        let mixed = try SampleTree.run(["recommend", "-vd", "m"])
        #expect(mixed.flag("verbose") && mixed.flag("use-diversity"))
    }

    @Test("flags are false unless given; giving one twice is the same as once")
    func flags() throws {
        let none = try SampleTree.run(["recommend", "m"])
        #expect(!none.flag("use-diversity"))
        #expect(!none.isSet("use-diversity"))
        let twice = try SampleTree.run(["recommend", "-d", "--use-diversity", "m"])
        #expect(twice.flag("use-diversity"))
        #expect(twice.isSet("use-diversity"))
    }

    @Test(
        "snake_case spellings of kebab names and aliases",
        arguments: [
            (["recommend", "--use_diversity", "m"], "use-diversity"),
            (["recommend", "--exclude_seen", "m"], "exclude-seen"),
            (["split", "-i", "a", "--randomize", "o"], "shuffle"),
            (["split", "-i", "a", "--shuffle", "o"], "shuffle"),
            (["train", "-c", "c.yaml", "--dry_run"], "dry-run"),
        ])
    func snakeCase(words: [String], flag: String) throws {
        #expect(try SampleTree.run(words).flag(flag))
    }

    @Test("snake_case option spelling takes a value")
    func snakeCaseOption() throws {
        let invocation = try SampleTree.run(["recommend", "--sample_users=500", "--top_k", "3", "m"])
        #expect(invocation.int("sample-users") == 500)
        #expect(invocation.int("top-k") == 3)
    }

    @Test(
        "negative numbers are values of numeric options and positionals",
        arguments: [
            "-0.5", "-1e-3", "-.5", "-2", "-1E+2",
        ])
    func negativeNumbers(value: String) throws {
        let invocation = try SampleTree.run(["train", "-c", "c.yaml", "--lr", value])
        #expect(invocation.double("lr") == Double(value))
        let attached = try SampleTree.run(["train", "-c", "c.yaml", "--lr=\(value)"])
        #expect(attached.double("lr") == Double(value))
    }

    @Test("numbers: 1e-3, .5, 3, +2 are accepted")
    func numberSpellings() throws {
        for (text, value) in [("1e-3", 0.001), (".5", 0.5), ("3", 3.0), ("+2", 2.0), ("2.5E1", 25.0)] {
            #expect(try SampleTree.run(["train", "-c", "c", "--lr", text]).double("lr") == value)
        }
    }

    @Test("'-' alone is a value (standard input)")
    func dashAlone() throws {
        let invocation = try SampleTree.run(["split", "-i", "-", "-"])
        #expect(invocation.string("input") == "-")
        #expect(invocation.string("output") == "-")
    }

    @Test("'--' ends options: later words are positionals even when they start with '-'")
    func terminator() throws {
        let invocation = try SampleTree.run(["recommend", "--", "-d", "--top-k", "-"])
        #expect(invocation.string("model") == "-d")
        #expect(invocation.strings("extra") == ["--top-k", "-"])
        #expect(!invocation.flag("use-diversity"))
        #expect(invocation.int("top-k") == 10)
    }

    @Test("multiple: several values after one option, until the next option or '--'")
    func multipleValues() throws {
        let a = try SampleTree.run(["recommend", "--users", "u1", "u2", "u3", "-d", "m"])
        #expect(a.strings("users") == ["u1", "u2", "u3"])
        #expect(a.string("users") == "u3")
        #expect(a.string("model") == "m")

        let b = try SampleTree.run(["recommend", "--users", "u1", "u2", "--", "m", "x"])
        #expect(b.strings("users") == ["u1", "u2"])
        #expect(b.string("model") == "m")
        #expect(b.strings("extra") == ["x"])

        // With '=' only the attached value belongs to the option.
        let c = try SampleTree.run(["recommend", "--users=u1", "m"])
        #expect(c.strings("users") == ["u1"])
        #expect(c.string("model") == "m")

        let ratios = try SampleTree.run(["split", "-i", "a", "--ratios", "0.8", "0.1", "0.1", "--seed", "1", "o"])
        #expect(ratios.strings("ratios") == ["0.8", "0.1", "0.1"])
    }

    @Test("a multiple option's values stop at a subcommand name of the current command")
    func multipleStopsAtSubcommand() throws {
        let root = Command(
            name: "tool", abstract: "t",
            arguments: [.option("tags", multiple: true, help: "Tags.")],
            subcommands: [Command(name: "go", abstract: "Go.")])
        let parser = ArgumentParser(root: root)
        guard case let .run(invocation) = try parser.parse(["--tags", "a", "b", "go"]) else {
            Issue.record("expected run")
            return
        }
        #expect(invocation.commandPath == ["tool", "go"])
        #expect(invocation.strings("tags") == ["a", "b"])
        // The first value is always the option's, even when it names a subcommand.
        guard case let .run(first) = try parser.parse(["--tags", "go", "go"]) else {
            Issue.record("expected run")
            return
        }
        #expect(first.strings("tags") == ["go"])
    }

    @Test("repeating: values accumulate across occurrences")
    func repeating() throws {
        let invocation = try SampleTree.run([
            "train", "-c", "c.yaml", "--set", "training.epochs=3", "--set=model.dim=64", "--set", "a=",
        ])
        #expect(invocation.strings("set") == ["training.epochs=3", "model.dim=64", "a="])
        let pairs = invocation.keyValues("set")
        #expect(pairs.map(\.key) == ["training.epochs", "model.dim", "a"])
        #expect(pairs.map(\.value) == ["3", "64", ""])
        #expect(invocation.string("set") == "a=")
    }

    @Test("defaults: returned by string/int/double, not counted by isSet")
    func defaults() throws {
        let invocation = try SampleTree.run(["split", "-i", "a.csv", "out"])
        #expect(invocation.string("strategy") == "stratified")
        #expect(invocation.strings("strategy") == ["stratified"])
        #expect(invocation.int("seed") == 42)
        #expect(!invocation.isSet("seed"))
        #expect(invocation.isSet("input"))
        #expect(invocation.string("ratios") == nil)
        #expect(invocation.strings("ratios") == [])
        #expect(invocation.strings("set") == [])
        let train = try SampleTree.run(["train", "-c", "c"])
        #expect(train.double("lr") == 0.001)
        #expect(train.int("epochs") == nil)
    }

    @Test("choices: exact values accepted")
    func choices() throws {
        for strategy in SampleTree.strategies {
            let invocation = try SampleTree.run(["split", "-i", "a", "-s", strategy, "o"])
            #expect(invocation.string("strategy") == strategy)
        }
    }

    @Test("integer ranges: bounds are inclusive")
    func integerRangeBounds() throws {
        #expect(try SampleTree.run(["recommend", "-k", "1", "m"]).int("top-k") == 1)
        #expect(try SampleTree.run(["recommend", "-k", "1000", "m"]).int("top-k") == 1000)
        #expect(try SampleTree.run(["--threads", "256", "onnx", "inspect", "m"]).int("threads") == 256)
    }

    @Test("--name= gives an empty value to a string option")
    func emptyAttachedValue() throws {
        let root = Command(name: "t", abstract: "t", arguments: [.option("name", help: "Name.")])
        guard case let .run(invocation) = try ArgumentParser(root: root).parse(["--name="]) else {
            Issue.record("expected run")
            return
        }
        #expect(invocation.string("name") == "")
        #expect(invocation.isSet("name"))
    }

    @Test("a value that looks like an option needs '=' (or '--' for positionals)")
    func optionLikeValue() throws {
        let invocation = try SampleTree.run(["recommend", "--users=--all", "--", "--model-dir"])
        #expect(invocation.strings("users") == ["--all"])
        #expect(invocation.string("model") == "--model-dir")
    }

    @Test("unicode values and positionals pass through unchanged")
    func unicode() throws {
        let invocation = try SampleTree.run(["split", "--input=données/été.csv", "-s", "user", "выход/😀"])
        #expect(invocation.string("input") == "données/été.csv")
        #expect(invocation.string("output") == "выход/😀")
        let users = try SampleTree.run(["recommend", "--users", "ユーザー", "👩‍💻", "-d", "m"])
        #expect(users.strings("users") == ["ユーザー", "👩‍💻"])
    }

    @Test("options of ancestors are accepted before and after the subcommand")
    func inheritedOptions() throws {
        let before = try SampleTree.run(["-v", "--threads", "4", "onnx", "inspect", "m.onnx"])
        let after = try SampleTree.run(["onnx", "inspect", "m.onnx", "-v", "-j4"])
        for invocation in [before, after] {
            #expect(invocation.commandPath == ["pixelrec", "onnx", "inspect"])
            #expect(invocation.flag("verbose"))
            #expect(invocation.int("threads") == 4)
            #expect(invocation.string("model") == "m.onnx")
            #expect(!invocation.flag("quiet"))
        }
    }

    @Test("subcommands nest; snake spelling of a subcommand name is accepted")
    func nestedSubcommands() throws {
        let invocation = try SampleTree.run(["onnx", "run", "--input", "x=a.npy", "--input", "y=b.npy", "m.onnx"])
        #expect(invocation.commandPath == ["pixelrec", "onnx", "run"])
        #expect(invocation.keyValues("input").map(\.value) == ["a.npy", "b.npy"])
        let root = Command(
            name: "t", abstract: "t", subcommands: [Command(name: "show-config", abstract: "Show.")])
        guard case let .run(snake) = try ArgumentParser(root: root).parse(["show_config"]) else {
            Issue.record("expected run")
            return
        }
        #expect(snake.commandPath == ["t", "show-config"])
    }

    @Test("options may come before or after positionals")
    func interleaving() throws {
        let invocation = try SampleTree.run(["split", "out", "-i", "a.csv", "--seed", "-3"])
        #expect(invocation.string("output") == "out")
        #expect(invocation.int("seed") == -3)
    }

    @Test("a command without subcommands runs with no arguments")
    func leafWithoutArguments() throws {
        let root = Command(name: "t", abstract: "t")
        guard case let .run(invocation) = try ArgumentParser(root: root).parse([]) else {
            Issue.record("expected run")
            return
        }
        #expect(invocation.commandPath == ["t"])
    }

    @Test("accessors on undeclared names and on the wrong role return nothing")
    func undeclaredNames() throws {
        let invocation = try SampleTree.run(["recommend", "-d", "m"])
        #expect(!invocation.flag("nope"))
        #expect(invocation.string("nope") == nil)
        #expect(invocation.strings("nope") == [])
        #expect(!invocation.isSet("nope"))
        #expect(invocation.string("use-diversity") == nil)
        #expect(!invocation.flag("model"))
        #expect(invocation.int("model") == nil)
        #expect(invocation.double("model") == nil)
    }

    static let tagged = ArgumentParser(
        root: Command(
            name: "tool", abstract: "t",
            arguments: [
                .option("tags", multiple: true, repeating: true, help: "Tags."),
                .option("name", help: "Name."),
                .option("ids", kind: .integer(nil), required: true, multiple: true, help: "Ids."),
                .positional("files", variadic: true, help: "Files."),
            ]))

    static func runTagged(_ words: [String]) throws -> Invocation {
        guard case let .run(invocation) = try tagged.parse(words) else { throw SampleTree.Unexpected.outcome(words) }
        return invocation
    }

    @Test("multiple and repeating together: lists accumulate across occurrences")
    func multipleAndRepeating() throws {
        let invocation = try Self.runTagged(["--tags", "a", "b", "--ids", "1", "-2", "--tags=c", "--", "f"])
        #expect(invocation.strings("tags") == ["a", "b", "c"])
        #expect(invocation.strings("ids") == ["1", "-2"])
        #expect(invocation.int("ids") == -2)
        #expect(invocation.strings("files") == ["f"])
        #expect(invocation.isSet("files"))
    }

    @Test("a string option takes a negative number as its value")
    func stringOptionNegativeNumber() throws {
        #expect(try Self.runTagged(["f", "--name", "-5", "--ids", "1"]).string("name") == "-5")
    }

    @Test("a required multiple option and a required variadic positional must be given")
    func requiredLists() {
        #expect(throws: ParserError.missingRequired(.option("--ids"), command: ["tool"])) {
            try Self.tagged.parse(["f"])
        }
        #expect(throws: ParserError.missingRequired(.positional("files"), command: ["tool"])) {
            try Self.tagged.parse(["--ids", "3"])
        }
    }

    @Test("only the first '--' is special")
    func secondTerminator() throws {
        let invocation = try SampleTree.run(["recommend", "--", "--", "x"])
        #expect(invocation.string("model") == "--")
        #expect(invocation.strings("extra") == ["x"])
    }

    @Test("parsing is deterministic and the parser is reusable")
    func reusable() throws {
        let words = ["-v", "split", "-i", "a", "--set", "k=v", "o"]
        let first = try SampleTree.run(words)
        let second = try SampleTree.run(words)
        #expect(first.strings("set") == second.strings("set"))
        #expect(first.commandPath == second.commandPath)
    }
}
