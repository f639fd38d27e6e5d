import PixelArguments

/// `pixelrec recommend`: batch recommendation lists.
enum RecommendCommand: Subcommand {
    static let command = Command(
        name: "recommend",
        abstract: "Generate top-k recommendation lists, optionally diversity-aware.",
        arguments: CommonOptions.all + [
            .option("users", short: "u", valueName: "id", multiple: true, repeating: true, help: "User ids."),
            .option("user-file", kind: .path, valueName: "path", help: "File with one user id per line."),
            .option("sample-users", kind: .integer(1 ... Int.max), valueName: "n", help: "Recommend for n sampled users (seeded)."),
            .option("top-k", short: "k", kind: .integer(1 ... Int.max), valueName: "k", help: "List length (overrides recommendation.top_k)."),
            .option("output", short: "o", kind: .path, valueName: "recs.json|recs.csv", help: "Output file (format from its extension)."),
            .flag("use-diversity", help: "Re-rank with maximal marginal relevance over content embeddings."),
            .option("diversity-weight", kind: .number, valueName: "w", help: "Overrides recommendation.diversity_weight."),
            .option("novelty-weight", kind: .number, valueName: "w", help: "Overrides recommendation.novelty_weight."),
            .option("novelty-filter", kind: .number, valueName: "percent", help: "Exclude the top percent most popular items."),
            .option("allow-list", kind: .path, valueName: "path", help: "Only recommend items listed in this file."),
            .option("deny-list", kind: .path, valueName: "path", help: "Never recommend items listed in this file."),
            .option("max-candidates", kind: .integer(1 ... Int.max), valueName: "n", help: "Overrides recommendation.max_candidates."),
            .flag("include-seen", help: "Allow items the user has already interacted with."),
            .option(
                "history", valueName: "user:item,item", repeating: true,
                help: "History of a user unknown to the model (treated as a cold user)."),
            .option("checkpoint", kind: .path, valueName: "path", help: "Model checkpoint (default: the best one)."),
            .option("embeddings-cache", kind: .path, valueName: "path", help: "Cache of item representations."),
            .option("seed", kind: .integer(nil), help: "Random seed for --sample-users."),
        ],
        examples: ["pixelrec recommend --config C --sample-users 100 --top-k 10 --use-diversity --output recs.json"]
    )

    static func run(_ context: CommandContext) throws {
        _ = try context.loadConfig()
        throw context.notYetImplemented(issue: 9, "recommendation")
    }
}
