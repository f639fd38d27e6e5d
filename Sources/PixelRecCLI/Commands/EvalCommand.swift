import PixelArguments

/// `pixelrec eval`: evaluate a model or a baseline.
enum EvalCommand: Subcommand {
    static let command = Command(
        name: "eval",
        abstract: "Evaluate the multimodal model or a baseline with full-ranking metrics.",
        discussion: """
            Full ranking (every catalog item scored) is the default; sampled evaluation happens only with \
            --negatives and is labelled in every output. Tied scores rank the relevant item last.
            """,
        arguments: CommonOptions.all + [
            .option(
                "task", short: "t",
                kind: .choice(["retrieval", "ranking", "next_item", "cold_user", "cold_item", "beyond_accuracy"]),
                help: "Evaluation task.", aliases: ["eval-task"]),
            .option(
                "recommender-type", short: "r",
                kind: .choice(["multimodal", "random", "popularity", "item_knn", "user_knn"]),
                help: "What to evaluate."),
            .option("train-data", kind: .path, valueName: "csv", help: "Training interactions."),
            .option("test-data", kind: .path, valueName: "csv", help: "Test interactions."),
            .option("checkpoint", kind: .path, valueName: "path", help: "Model checkpoint (default: the best one)."),
            .option("k", kind: .integer(1 ... Int.max), valueName: "k", multiple: true, help: "Cut-offs, e.g. --k 5 10 20 50."),
            .option(
                "negatives", kind: .integer(0 ... Int.max), valueName: "n",
                help: "Sampled evaluation with n negatives per positive (0: full ranking)."),
            .flag("save-per-user", help: "Also save each user's metrics."),
            .option("output", short: "o", kind: .path, valueName: "file.json", help: "Write the results as JSON."),
            .option(
                "compare", kind: .path, valueName: "result.json", multiple: true,
                help: "Print earlier results side by side instead of evaluating."),
        ],
        examples: [
            "pixelrec eval --config C --test_data T --train_data R --eval_task retrieval --recommender_type multimodal --output results/x.json",
            "pixelrec eval --compare results/a.json results/b.json",
        ]
    )

    static func run(_ context: CommandContext) throws {
        _ = try context.loadConfig()
        throw context.notYetImplemented(issue: 8, "evaluation")
    }
}
