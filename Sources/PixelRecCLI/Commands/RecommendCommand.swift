import Foundation
import PixelArguments
import PixelCluster
import PixelConfig
import PixelCore
import PixelData
import PixelEncoders
import PixelEval
import PixelModels
import PixelSession

/// `pixelrec recommend`: batch recommendation lists.
enum RecommendCommand: Subcommand {
    static let command = Command(
        name: "recommend",
        abstract: "Generate top-k recommendation lists, optionally diversity-aware.",
        discussion: """
            Scores users in blocks against every item of the model's catalog (one matrix product per block, \
            on every available core), leaves out seen items (training and validation interactions; recommendation.filter_seen) \
            and excluded items, keeps each user's best max_candidates with a partial top-k, and with \
            --use-diversity re-ranks them by maximal marginal relevance: pick argmax λ·rel − (1−λ)·max cos(item, \
            picked) with λ = 1 − diversity_weight, cosines over L2-normalised vision ⊕ text content features \
            (the model's item vectors when there are none). rel = (1−ν)·s̃ + ν·ñ: s̃ the user's candidate \
            scores min-max normalised to [0, 1], ñ = −log2(pop/N) / log2 N the normalised novelty, ν = \
            novelty_weight. Unknown users need --history. Output: JSON (lists with scores and titles, per-user \
            novelty and intra-list diversity, batch coverage, settings, timing) or CSV (user_id,rank,item_id,score), \
            by the file's extension. Printed scores pass through the checkpoint's model.final_activation \
            (sigmoid: σ(s); monotone, so the ranking is the model score's; none: the raw score).
            """,
        arguments: CommonOptions.all + [
            .option("users", short: "u", valueName: "id", multiple: true, repeating: true, help: "User ids."),
            .option("user-file", kind: .path, valueName: "path", help: "File with one user id per line."),
            .option(
                "sample-users", kind: .integer(1...Int.max), valueName: "n",
                help: "Recommend for n sampled users (seeded)."),
            .option(
                "top-k", short: "k", kind: .integer(1...Int.max), valueName: "k",
                help: "List length (overrides recommendation.top_k)."),
            .option(
                "output", short: "o", kind: .path, valueName: "recs.json|recs.csv",
                help: "Output file (format from its extension)."),
            .flag("use-diversity", help: "Re-rank with maximal marginal relevance over content embeddings."),
            .option(
                "diversity-weight", kind: .number, valueName: "w",
                help: "Overrides recommendation.diversity_weight (λ = 1 − w)."),
            .option("novelty-weight", kind: .number, valueName: "w", help: "Overrides recommendation.novelty_weight."),
            .option(
                "novelty-filter", kind: .number, valueName: "percent",
                help: "Exclude the top percent most popular items."),
            .option("allow-list", kind: .path, valueName: "path", help: "Only recommend items listed in this file."),
            .option("deny-list", kind: .path, valueName: "path", help: "Never recommend items listed in this file."),
            .option(
                "max-candidates", kind: .integer(1...Int.max), valueName: "n",
                help: "Overrides recommendation.max_candidates."),
            .flag("include-seen", help: "Allow items the user has already interacted with."),
            .flag(
                "include-new-items",
                help: "Also rank items of the item table the model was not trained on, from their content alone "
                    + "(recommendation.include_new_items)."),
            .option(
                "history", valueName: "user:item,item", repeating: true,
                help: "History of a user unknown to the model (treated as a cold user)."),
            .option("checkpoint", kind: .path, valueName: "path", help: "Model checkpoint (default: the best one)."),
            .option("embeddings-cache", kind: .path, valueName: "path", help: "Cache of item representations."),
            .option(
                "evaluate", kind: .path, valueName: "test.csv",
                help: "Score the lists against these held-out interactions."),
            .option("seed", kind: .integer(nil), help: "Random seed for --sample-users (default training.seed)."),
        ],
        examples: [
            "pixelrec recommend --config C --sample-users 100 --top-k 10 --use-diversity --output recs.json",
            "pixelrec recommend --config C --users 42 7 --history newbie:12,50,77 --deny-list deny.txt -o recs.csv",
        ]
    )

    static func run(_ context: CommandContext) throws {
        let config = try context.loadConfig()
        var settings = try RecommendSettings(context.invocation, config: config)
        let console = context.console
        let clock = EvalCommand.Clock()
        // Warnings always print; --quiet hides progress and notes only.
        func warn(_ text: String) { console.warning(text) }
        func note(_ text: String) { if !context.quiet { console.note(text) } }

        // Model, catalog and item content.
        let invocation = context.invocation
        let checkpointPath = invocation.string("checkpoint") ?? config.checkpointDir + "/best.ckpt"
        var paths = context.paths()
        paths.input(checkpointPath, context.source("checkpoint", else: "checkpoint_dir"))
        paths.input(config.data.trainDataPath, "data.train_data_path")
        paths.input(config.data.valDataPath, "data.val_data_path")
        ModelInputs.declareItemInputs(config, into: &paths)
        paths.input(invocation.string("user-file"), "--user-file")
        paths.input(settings.allowList, "--allow-list")
        paths.input(settings.denyList, "--deny-list")
        paths.input(settings.evaluate, "--evaluate")
        paths.output(settings.output, invocation.isSet("output") ? "--output" : "results_dir")
        paths.output(invocation.string("embeddings-cache"), "--embeddings-cache")
        try paths.check()

        guard FileManager.default.fileExists(atPath: checkpointPath) else {
            throw PixelError.io(
                path: checkpointPath, reason: "no checkpoint (run pixelrec train, or pass --checkpoint)")
        }
        let named = invocation.strings("users")
        let sample = invocation.int("sample-users")
        guard !named.isEmpty || invocation.isSet("user-file") || sample != nil || invocation.isSet("history") else {
            throw UsageError("give the users to recommend for: --users, --user-file, --sample-users or --history")
        }
        // MPI: rank 0 loads first (it writes the embeddings cache), the other ranks then read it.
        let session = try ClusterRun.rootFirst("item vectors") {
            try ModelSession(
                config: config,
                options: ModelSession.Options(
                    checkpoint: checkpointPath, includeNewItems: settings.includeNewItems,
                    embeddingsCache: invocation.string("embeddings-cache")),
                log: context.sessionLog)
        }
        let users = try session.trainedUsers()
        let catalog = session.catalog
        // MMR never has more candidates than the catalog has items.
        settings.maxCandidates = max(settings.topK, min(settings.maxCandidates, catalog.count))

        // Users, histories, seen items, exclusions.
        let histories = try RecommendInputs.histories(invocation.strings("history"), catalog: catalog)
        let file = try invocation.string("user-file").map { try ItemIdList(contentsOf: $0) }
        let inputs = try RecommendInputs.resolve(
            trainedUsers: session.model.trainedUsers, catalogCount: catalog.count, histories: histories, named: named,
            file: file, sample: sample, seed: settings.seed, sequenceModel: session.isSequenceModel, warn: warn)
        let seen = try session.seen(for: inputs)
        let popularity = users.popularity
        let excluded = RecommendInputs.excludedItems(
            allow: try settings.allowList.map { try ItemIdList(contentsOf: $0) },
            deny: try settings.denyList.map { try ItemIdList(contentsOf: $0) }, noveltyFilter: settings.noveltyFilter,
            popularity: popularity, catalog: catalog, warn: warn)
        if excluded.count == catalog.count {
            warn("every item is excluded (allow/deny lists, novelty filter): the lists are empty")
        }
        let loadSeconds = clock.lap()

        // Scorer and similarity embeddings (the item vectors came with the session, cached per checkpoint).
        let scorer = try session.scorer(for: inputs, histories: histories, seen: seen)
        let embeddings = session.similarityEmbeddings
        let modelSeconds = clock.lap()

        // Lists.
        let diversity =
            settings.useDiversity
            ? DiversitySettings(
                diversityWeight: settings.diversityWeight, noveltyWeight: settings.noveltyWeight,
                candidates: settings.maxCandidates, embeddings: embeddings,
                normalizedNovelty: popularity.normalizedNovelty)
            : nil
        let request = RecommendationRequest(
            users: inputs.requested, topK: settings.topK, seen: settings.filterSeen ? seen : nil, excluded: excluded,
            diversity: diversity, workers: settings.workers)
        let progress =
            !context.quiet && inputs.requested.count >= 1000
            ? Progress("recommend", total: inputs.requested.count, unit: "users") : nil
        let lists = try DistributedRecommendation.recommend(scorer: scorer, request: request, progress: progress)
        progress?.finish()
        let rankSeconds = clock.lap()
        let quality = RecommendationQuality(lists: lists, popularity: popularity, similarity: embeddings)
        let evaluation = try settings.evaluate.map { path in
            try RecommendEvaluation(path: path, lists: lists, inputs: inputs, catalog: catalog, context: context)
        }

        let report = RecommendReport(
            settings: settings, config: config, checkpointPath: checkpointPath, scorer: scorer.description,
            activation: session.model.hyperparameters.finalActivation, vectorSource: session.vectorSource,
            similaritySource: embeddings.source, inputs: inputs, catalog: catalog,
            titles: session.titles, lists: lists, quality: quality,
            evaluation: evaluation, excluded: excluded.count,
            timing: [
                "load": loadSeconds, "model": modelSeconds, "recommend": rankSeconds, "total": clock.total,
                "users_per_second": Double(lists.userCount) / max(lists.seconds, 1e-9),
            ])
        guard Cluster.world.isRoot else { return }  // MPI: rank 0 writes
        try report.write(to: settings.output)
        console.block(report.summary(showUsers: 3))
        note("wrote \(settings.output)")
    }
}
