import Foundation
import PixelConfig
import PixelCore
import PixelData
import PixelEval
import PixelSession

/// `--evaluate test.csv`: the lists scored against each listed user's held-out items with the
/// `docs/METRICS.md` definitions (users without held-out items are not averaged).
struct RecommendEvaluation: Encodable {
    let path: String
    let users: Int
    let metrics: [String: Double]

    init(
        path: String, lists: RecommendationLists, inputs: RecommendInputs, catalog: IdMap, context: CommandContext
    ) throws {
        let test = try context.loadInteractions(path).0
        context.warnUnknownItems(test, catalog: catalog, consequence: "count as relevant items no list can contain")
        var heldOut: [Int32: [Int32]] = [:]
        let userMap = test.userIds.keys.map { inputs.userIds.index(of: $0) ?? -1 }
        let itemMap = test.itemIds.keys.map { catalog.index(of: $0) ?? -1 }
        for r in 0..<test.count {
            let user = userMap[Int(test.users[r])]
            guard user >= 0 else { continue }
            heldOut[user, default: []].append(itemMap[Int(test.items[r])])
        }
        let relevant = inputs.requested.map { heldOut[$0] ?? [] }
        var metrics: [String: Double] = [:]
        var users = 0
        for k in Set([10, lists.k]).sorted() {
            let (values, count) = RecommendationQuality.accuracy(lists: lists, relevant: relevant, k: k)
            metrics.merge(values) { a, _ in a }
            users = count
        }
        self.path = path
        self.users = users
        self.metrics = metrics
    }
}

/// What `pixelrec recommend` writes: JSON or CSV, and the short summary printed on standard output.
struct RecommendReport {
    struct Item: Encodable {
        let itemId: String
        let score: Double
        let rank: Int
        let title: String?
        enum CodingKeys: String, CodingKey { case itemId = "item_id", score, rank, title }
    }

    struct UserList: Encodable {
        let userId: String
        let cold: Bool
        let novelty: Double?
        let intraListDiversity: Double?
        let items: [Item]
        enum CodingKeys: String, CodingKey {
            case userId = "user_id", cold, novelty, intraListDiversity = "intra_list_diversity", items
        }
    }

    struct Document: Encodable {
        let command = "recommend"
        let config: [String: String]
        let model: [String: String]
        let diversity: [String: String]
        let summary: [String: Double]
        let evaluation: RecommendEvaluation?
        let timing: [String: Double]
        let notes: [String]
    }

    let settings: RecommendSettings
    /// Everything but the lists (those are written user by user, so memory stays `users × k` indices).
    let document: Document
    let lists: RecommendationLists
    let inputs: RecommendInputs
    let catalog: IdMap
    let titles: [String?]
    let quality: RecommendationQuality
    /// The checkpoint's `model.final_activation`, applied to every printed score.
    let activation: FinalActivation

    init(
        settings: RecommendSettings, config: PixelRecConfig, checkpointPath: String, scorer: String,
        activation: FinalActivation, vectorSource: String,
        similaritySource: String, inputs: RecommendInputs, catalog: IdMap, titles: [String?],
        lists: RecommendationLists,
        quality: RecommendationQuality, evaluation: RecommendEvaluation?, excluded: Int, timing: [String: Double]
    ) {
        self.settings = settings
        self.lists = lists
        self.inputs = inputs
        self.catalog = catalog
        self.titles = titles
        self.quality = quality
        self.activation = activation
        var summary: [String: Double] = [
            "users": Double(lists.userCount), "catalog_items": Double(catalog.count),
            "excluded_items": Double(excluded),
            "coverage": quality.coverage,
        ]
        summary["mean_novelty"] = RecommendationQuality.mean(quality.novelty)
        summary["mean_intra_list_diversity"] = RecommendationQuality.mean(quality.intraListDiversity)
        let r = settings
        document = Document(
            config: [
                "recommendation.top_k": String(r.topK), "recommendation.use_diversity": String(r.useDiversity),
                "recommendation.diversity_weight": String(r.diversityWeight),
                "recommendation.novelty_weight": String(r.noveltyWeight),
                "recommendation.novelty_filter_percent": String(r.noveltyFilter),
                "recommendation.max_candidates": String(r.maxCandidates),
                "recommendation.filter_seen": String(r.filterSeen), "allow_list": r.allowList ?? "",
                "deny_list": r.denyList ?? "", "seed": String(r.seed),
                "data.train_data_path": config.data.trainDataPath,
            ],
            model: ["checkpoint": checkpointPath, "scorer": scorer, "item_vectors": vectorSource],
            diversity: r.useDiversity
                ? [
                    "method": "MMR: argmax λ·rel − (1−λ)·max cos(item, picked)", "lambda": String(r.lambda),
                    "relevance": "(1−ν)·min-max normalised score over the user's candidates + ν·(−log2(pop/N))/log2 N",
                    "novelty_weight": String(r.noveltyWeight), "candidates": String(r.maxCandidates),
                    "embeddings": similaritySource,
                ]
                : ["method": "none (plain top-k by model score)"],
            summary: summary, evaluation: evaluation, timing: timing,
            notes: [
                "ties rank the lower item index first",
                "novelty = mean −log2(pop/N) over the list (pop = training interactions, 1 when none; N = training interactions)",
                "intra_list_diversity = mean (1 − cosine) over pairs, cosines over \(similaritySource)",
                "coverage = distinct recommended items / catalog items",
                activation == .sigmoid
                    ? "score = σ(model score) (model.final_activation: sigmoid; monotone, so the order is the model score's)"
                    : "score = the model score (model.final_activation: none)",
            ])
    }

    /// A model score as printed: `σ(s) = 1 / (1 + e^(−s))` under `final_activation: sigmoid`, else `s`.
    func shown(_ score: Float) -> Double {
        let s = Double(score)
        return activation == .sigmoid ? 1 / (1 + exp(-s)) : s
    }

    /// The list of the `q`-th requested user.
    func userList(_ q: Int) -> UserList {
        let user = inputs.requested[q]
        let items = zip(lists.list(q), lists.scores(q)).enumerated().map { rank, pair in
            Item(itemId: catalog.key(pair.0), score: shown(pair.1), rank: rank + 1, title: titles[Int(pair.0)])
        }
        return UserList(
            userId: inputs.userIds.key(user), cold: Int(user) >= inputs.trainedUserCount, novelty: quality.novelty[q],
            intraListDiversity: quality.intraListDiversity[q], items: items)
    }

    /// Writes JSON or CSV (by extension), atomically, streaming the lists in chunks of users.
    func write(to path: String) throws {
        let chunk = 1024
        switch settings.format {
        case .csv:
            try AtomicFile.write(to: path) { handle in
                try handle.write(contentsOf: Data("user_id,rank,item_id,score\n".utf8))
                var start = 0
                while start < lists.userCount {
                    var text = ""
                    for q in start..<min(lists.userCount, start + chunk) {
                        let user = EvalCommand.csvField(inputs.userIds.key(inputs.requested[q]))
                        for (rank, pair) in zip(lists.list(q), lists.scores(q)).enumerated() {
                            text +=
                                user + ",\(rank + 1)," + EvalCommand.csvField(catalog.key(pair.0)) + ","
                                + String(format: "%.6g", shown(pair.1)) + "\n"
                        }
                    }
                    try handle.write(contentsOf: Data(text.utf8))
                    start += chunk
                }
            }
        default:
            // The settings object pretty-printed, then `"users"` (last in sorted key order) one compact
            // object per line.
            let pretty = JSONEncoder()
            pretty.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let compact = JSONEncoder()
            compact.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var head = try pretty.encode(document)
            // Drop the closing brace of the object (and the whitespace around it) to append "users".
            while let last = head.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: " ") { head.removeLast() }
            if head.last == UInt8(ascii: "}") { head.removeLast() }
            while let last = head.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: " ") { head.removeLast() }
            try AtomicFile.write(to: path) { handle in
                try handle.write(contentsOf: head + Data(",\n  \"users\" : [".utf8))
                var start = 0
                while start < lists.userCount {
                    var data = Data()
                    for q in start..<min(lists.userCount, start + chunk) {
                        data.append(Data((q == 0 ? "\n    " : ",\n    ").utf8))
                        data.append(try compact.encode(userList(q)))
                    }
                    try handle.write(contentsOf: data)
                    start += chunk
                }
                try handle.write(contentsOf: Data("\n  ]\n}\n".utf8))
            }
        }
    }

    /// A few lines: what was done, the batch measures, and the first users' lists.
    func summary(showUsers: Int) -> String {
        let s = document.summary
        var lines: [String] = []
        let mode =
            settings.useDiversity
            ? "MMR λ=\(format(settings.lambda)) novelty ν=\(format(settings.noveltyWeight)) over \(settings.maxCandidates) candidates"
            : "plain top-k"
        lines.append(
            "recommended \(Int(s["users"] ?? 0)) users × \(settings.topK) items (\(mode)) in \(format(document.timing["recommend"] ?? 0)) s"
        )
        var measures = "coverage \(format(s["coverage"] ?? 0))"
        if let v = s["mean_novelty"] { measures += ", mean novelty \(format(v))" }
        if let v = s["mean_intra_list_diversity"] { measures += ", mean intra-list diversity \(format(v))" }
        lines.append(measures)
        if let evaluation = document.evaluation {
            let keys = evaluation.metrics.keys.filter { $0.hasPrefix("ndcg@") || $0.hasPrefix("hit_rate@") }.sorted()
            lines.append(
                "against \(evaluation.path) (\(evaluation.users) users): "
                    + keys.map { "\($0) \(format(evaluation.metrics[$0] ?? 0))" }.joined(separator: ", "))
        }
        for user in (0..<min(showUsers, lists.userCount)).map(userList) {
            lines.append("user \(user.userId)\(user.cold ? " (cold)" : ""):")
            for item in user.items.prefix(5) {
                lines.append(
                    "  \(item.rank). \(item.itemId)\(item.title.map { " " + $0 } ?? "")  (\(format(item.score)))")
            }
            if user.items.count > 5 { lines.append("  … \(user.items.count - 5) more") }
        }
        return lines.joined(separator: "\n")
    }

    func format(_ value: Double) -> String { String(format: "%.4g", value) }
}
