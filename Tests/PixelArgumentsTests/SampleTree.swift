import PixelArguments

/// A command tree shaped like pixelrec's, exercising every kind of declaration.
enum SampleTree {
    static let strategies = ["stratified", "temporal", "leave_one_out", "user", "item"]

    static let split = Command(
        name: "split",
        abstract: "Split an interaction table into train, validation and test sets.",
        discussion: """
            Rows are assigned per user so that every user with enough interactions appears in each set. \
            The temporal strategy keeps each user's latest interactions for testing.

            Splits are reproducible: the same input, strategy and seed give the same files.
            """,
        arguments: [
            .option(
                "input", short: "i", kind: .path, valueName: "path", required: true,
                help: "Interactions CSV with user, item and timestamp columns."),
            .option(
                "strategy", short: "s", kind: .choice(strategies), default: "stratified",
                help: "How interactions are divided between the sets."),
            .option(
                "ratios", kind: .number, multiple: true,
                help: "Fractions for train, validation and test; they must sum to 1."),
            .option("seed", kind: .integer(nil), default: "42", help: "Seed of every random choice."),
            .option("set", kind: .keyValue, repeating: true, help: "Override a configuration key."),
            .flag("shuffle", help: "Shuffle rows before splitting.", aliases: ["randomize"]),
            .positional("output", kind: .path, help: "Directory that receives train.csv, valid.csv and test.csv."),
        ],
        examples: [
            "pixelrec split -i data/interactions.csv --strategy temporal out/",
            "pixelrec split --input data.csv --ratios 0.8 0.1 0.1 --seed 7 out/",
        ])

    static let recommend = Command(
        name: "recommend",
        abstract: "Recommend items for users with a trained model.",
        arguments: [
            .option("top-k", short: "k", kind: .integer(1...1000), default: "10", help: "Items per user."),
            .option("sample-users", kind: .integer(1...1_000_000), help: "Recommend for a random sample of users."),
            .option("users", multiple: true, help: "Users to recommend for (default: all users)."),
            .option("temperature", kind: .number, default: "1.0", help: "Softmax temperature of the scores."),
            .flag("use-diversity", short: "d", help: "Re-rank for diversity (maximal marginal relevance)."),
            .flag("exclude-seen", short: "x", help: "Leave out items the user has interacted with."),
            .positional("model", kind: .path, help: "Trained model directory."),
            .positional("extra", optional: true, variadic: true, help: "Further model directories to ensemble."),
        ])

    static let onnx = Command(
        name: "onnx",
        abstract: "Inspect and run ONNX models.",
        subcommands: [
            Command(
                name: "inspect", abstract: "Print an ONNX model's graph.",
                arguments: [.positional("model", kind: .path, help: "The .onnx file.")]),
            Command(
                name: "run", abstract: "Run an ONNX model on tensors read from files.",
                arguments: [
                    .option(
                        "input", kind: .keyValue, valueName: "name=file", repeating: true,
                        help: "Bind a graph input to a .npy file."),
                    .positional("model", kind: .path, help: "The .onnx file."),
                ]),
        ])

    static let train = Command(
        name: "train",
        abstract: "Train a model described by a configuration file.",
        arguments: [
            .option("config", short: "c", kind: .path, required: true, help: "YAML configuration."),
            .option("epochs", short: "e", kind: .integer(1...100_000), help: "Override training.epochs."),
            .option("lr", kind: .number, default: "1e-3", help: "Learning rate."),
            .option(
                "set", kind: .keyValue, repeating: true,
                help: "Override a configuration key, e.g. training.batch_size=256."),
            .flag("dry-run", short: "n", help: "Check the configuration and data, then stop."),
        ])

    static let root = Command(
        name: "pixelrec",
        abstract: "A multimodal recommender system in one native tool.",
        discussion: "Preprocess, split, train, evaluate and recommend without Python at run time.",
        arguments: [
            .flag("verbose", short: "v", help: "Print progress and timings."),
            .flag("quiet", short: "q", help: "Print errors only."),
            .option("threads", short: "j", kind: .integer(1...256), help: "Worker threads (default: all cores)."),
        ],
        subcommands: [split, train, recommend, onnx],
        version: "pixelrec 0.1.0",
        examples: ["pixelrec help split", "pixelrec train -c configs/vbpr.yaml --set training.epochs=3"])

    static let parser = ArgumentParser(root: root)

    /// Parses and expects a command to run.
    static func run(_ arguments: [String]) throws -> Invocation {
        guard case let .run(invocation) = try parser.parse(arguments) else {
            throw Unexpected.outcome(arguments)
        }
        return invocation
    }

    enum Unexpected: Error { case outcome([String]) }
}
