import PixelArguments
import Testing

@Suite("Declarations: the checker finds mistakes in a command tree")
struct DeclarationTests {
    @Test("the sample tree is sound")
    func sampleTreeIsSound() {
        #expect(SampleTree.parser.declarationProblems == [])
    }

    static let cases: [(arguments: [Argument], problem: String)] = [
        ([.flag("Verbose", help: "")], "'tool': 'Verbose' of '--Verbose' is not a kebab-case name"),
        ([.flag("dry_run", help: "")], "'tool': 'dry_run' of '--dry_run' is not a kebab-case name"),
        ([.flag("x", help: "", aliases: ["a--b"])], "'tool': 'a--b' of '--x' is not a kebab-case name"),
        ([.flag("help", help: "")], "'tool': '--help' is reserved"),
        ([.option("version", help: "")], "'tool': '--version' is reserved"),
        ([.flag("a", short: "h", help: "")], "'tool': '-h' is reserved for help"),
        ([.flag("a", short: "1", help: "")], "'tool': short name '-1' of '--a' is not a letter"),
        ([.flag("a", help: ""), .option("a", help: "")], "'tool': '--a' of '--a' clashes with '--a'"),
        ([.flag("a", help: "", aliases: ["b"]), .flag("b", help: "")], "'tool': '--b' of '--b' clashes with '--a'"),
        (
            [.flag("a", short: "a", help: ""), .flag("b", short: "a", help: "")],
            "'tool': '-a' of '--b' clashes with '--a'"
        ),
        ([.option("a", kind: .choice([]), help: "")], "'tool': choices of '--a' are empty or repeated"),
        ([.option("a", kind: .choice(["x", "x"]), help: "")], "'tool': choices of '--a' are empty or repeated"),
        ([.option("a", kind: .integer(3...3), help: "")], "'tool': range of '--a' holds a single value"),
        (
            [.option("a", kind: .integer(1...9), default: "10", help: "")],
            "'tool': default '10' of '--a' is not an integer in 1...9"
        ),
        ([.option("a", kind: .number, default: "fast", help: "")], "'tool': default 'fast' of '--a' is not a number"),
        ([.option("a", kind: .choice(["x"]), default: "y", help: "")], "'tool': default 'y' of '--a' is not one of x"),
        ([.option("a", default: "1", required: true, help: "")], "'tool': '--a' is required and has a default"),
        ([.positional("a", help: ""), .positional("a", help: "")], "'tool': positional '<a>' declared twice"),
        (
            [.positional("a", variadic: true, help: ""), .positional("b", optional: true, help: "")],
            "'tool': variadic '<a>' is not the last positional"
        ),
        (
            [.positional("a", optional: true, help: ""), .positional("b", help: "")],
            "'tool': required '<b>' follows an optional positional"
        ),
    ]

    @Test("each mistake is reported once, naming command and argument", arguments: cases)
    func mistakes(arguments: [Argument], problem: String) {
        let parser = ArgumentParser(root: Command(name: "tool", abstract: "t", arguments: arguments))
        #expect(parser.declarationProblems == [problem])
    }

    @Test("mistakes in subcommands name the command path")
    func subcommandMistakes() {
        let root = Command(
            name: "tool", abstract: "t",
            arguments: [.flag("verbose", short: "v", help: "")],
            subcommands: [
                Command(name: "run", abstract: "r", arguments: [.flag("verbose", help: "")]),
                Command(name: "go", abstract: "g", arguments: [.flag("loud", short: "v", help: "")]),
                Command(name: "help", abstract: "h"),
                Command(name: "Bad", abstract: "b"),
                Command(name: "go", abstract: "again", version: "1"),
                Command(
                    name: "mixed", abstract: "m", arguments: [.positional("p", help: "")],
                    subcommands: [Command(name: "leaf", abstract: "l")]),
            ])
        #expect(
            ArgumentParser(root: root).declarationProblems == [
                "'tool': subcommand 'go' declared twice",
                "'tool run': '--verbose' of '--verbose' clashes with inherited '--verbose'",
                "'tool go': '-v' of '--loud' clashes with inherited '--verbose'",
                "'tool help': 'help' is reserved for the help pseudo-subcommand",
                "'tool Bad': command name 'Bad' is not kebab case",
                "'tool go': only the root command's version is used",
                "'tool mixed': has both subcommands and positionals (a positional would hide misspelled subcommands)",
            ])
    }
}

@Suite("Suggestions: edit distance and closeness")
struct SuggestionTests {
    // Reference distances: optimal string alignment, checked by hand
    // (kitten→sitting: k→s, e→i, +g; ca→abc needs 3 under OSA, 2 under unrestricted Damerau).
    @Test(
        "distance",
        arguments: [
            ("", "", 0), ("", "abc", 3), ("abc", "", 3), ("kitten", "sitting", 3), ("sampel", "sample", 1),
            ("ca", "abc", 3), ("flaw", "lawn", 2), ("abc", "abc", 0), ("Abc", "abc", 1), ("été", "ete", 2),
            ("👩‍💻x", "x👩‍💻", 1),
        ])
    func distance(a: String, b: String, expected: Int) {
        #expect(Suggestion.distance(a, b) == expected)
        #expect(Suggestion.distance(b, a) == expected)
    }

    @Test(
        "closest",
        arguments: [
            ("temporl", ["stratified", "temporal"], "temporal"),
            ("TEMPORAL", ["stratified", "temporal"], "temporal"),
            ("leave-one-out", ["leave_one_out"], "leave_one_out"),
            ("sam", ["sample-users", "seed"], "sample-users"),
            ("se", ["sample-users", "seed"], nil),
            ("xyz", ["split", "train"], nil),
            ("", ["a"], nil),
            ("b", ["a"], nil),
            ("trian", ["train", "rain"], "train"),
            ("rn", ["run", "rm"], "run"),  // a tie goes to the first candidate
        ] as [(String, [String], String?)])
    func closest(typed: String, candidates: [String], expected: String?) {
        #expect(Suggestion.closest(to: typed, among: candidates) == expected)
    }
}
