import PixelArguments

/// `pixelrec split`: filter and split interactions into train/validation/test.
enum SplitCommand: Subcommand {
    static let command = Command(
        name: "split",
        abstract: "Filter interactions (k-core) and split them into train, validation and test sets.",
        discussion: """
            Writes <output>/{train,val,test}.csv and split_info.json (counts, strategy, seed, filters and \
            a leakage check). leave_one_out is PixelRec's protocol: each user's last interaction is the test \
            item and the second-last the validation item (ties broken by timestamp, then file order).
            """,
        arguments: CommonOptions.all + [
            .option(
                "strategy", short: "s",
                kind: .choice(["stratified", "temporal", "leave_one_out", "user", "item"]),
                help: "How to split (overrides data.splitting.strategy)."),
            .option(
                "ratios", kind: .number, valueName: "r", multiple: true,
                help: "Train, validation and test ratios, e.g. --ratios 0.8 0.1 0.1."),
            .option(
                "min-interactions-per-user", kind: .integer(0 ... Int.max), valueName: "n",
                help: "Drop users with fewer interactions, repeated with the item filter until stable."),
            .option(
                "min-interactions-per-item", kind: .integer(0 ... Int.max), valueName: "n",
                help: "Drop items with fewer interactions, repeated with the user filter until stable."),
            .option(
                "sample-n", kind: .integer(1 ... Int.max), valueName: "n",
                help: "Sample this many users before splitting (seeded)."),
            .option(
                "temporal-scope", kind: .choice(["per_user", "global"]),
                help: "For --strategy temporal: split each user's timeline or the global one."),
            .option("seed", kind: .integer(nil), help: "Random seed (overrides data.splitting.random_state)."),
            .option(
                "interactions", kind: .path, valueName: "csv",
                help: "Interactions CSV (default: the processed interactions)."),
            .option("name", valueName: "name", help: "Split name: output goes to <splits dir>/<name>."),
            .option("output", short: "o", kind: .path, valueName: "dir", help: "Output folder (overrides --name)."),
        ],
        examples: [
            "pixelrec split --strategy leave_one_out --name loo",
            "pixelrec split --config configs/default_config.yaml --strategy stratified --ratios 0.6 0.2 0.2",
        ]
    )

    static func run(_ context: CommandContext) throws {
        _ = try context.loadConfig()
        throw context.notYetImplemented(issue: 6, "splitting")
    }
}
