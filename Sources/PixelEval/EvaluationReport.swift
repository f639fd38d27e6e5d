/// The JSON written by `pixelrec eval --output` (and read back by `--compare`).
public struct EvaluationReport: Codable, Sendable {
    /// One metric's result, in report order.
    public struct Entry: Codable, Sendable, Equatable {
        /// `ndcg@10`, `coverage@20`, …
        public var name: String
        public var summary: MetricSummary

        public init(name: String, summary: MetricSummary) {
            self.name = name
            self.summary = summary
        }
    }

    /// What was evaluated on.
    public struct Split: Codable, Sendable, Equatable {
        public var train: String
        public var validation: String?
        public var test: String
        public var users: Int
        public var items: Int
        public var trainInteractions: Int
        public var evaluatedUsers: Int

        enum CodingKeys: String, CodingKey {
            case train, validation, test, users, items
            case trainInteractions = "train_interactions"
            case evaluatedUsers = "evaluated_users"
        }

        public init(
            train: String, validation: String?, test: String, users: Int, items: Int, trainInteractions: Int,
            evaluatedUsers: Int
        ) {
            self.train = train
            self.validation = validation
            self.test = test
            self.users = users
            self.items = items
            self.trainInteractions = trainInteractions
            self.evaluatedUsers = evaluatedUsers
        }
    }

    public var format = "pixelrec-eval"
    public var version = 1
    /// `popularity`, `item_knn`, `multimodal`, …
    public var recommender: String
    /// The scorer's own description with its parameters.
    public var scorer: String
    public var task: String
    /// `"full"` (every candidate item ranked) or `"sampled"`.
    public var evaluationProtocol: String
    /// Sampled negatives per relevant item (0 for full ranking).
    public var negatives: Int
    public var tieRule: String
    public var ks: [Int]
    public var metrics: [Entry]
    public var split: Split
    /// Effective settings (`evaluation.*` and anything else that shaped the numbers).
    public var config: [String: String]
    /// Seconds per stage (`load`, `fit`, `rank`, `metrics`, `total`) and `users_per_second`.
    public var timing: [String: Double]
    /// What intra-list diversity and serendipity measured similarity with (beyond_accuracy only).
    public var similaritySource: String?
    public var notes: [String]

    enum CodingKeys: String, CodingKey {
        case format, version, recommender, scorer, task
        case evaluationProtocol = "protocol"
        case negatives
        case tieRule = "tie_rule"
        case ks = "k"
        case metrics, split, config, timing
        case similaritySource = "similarity_source"
        case notes
    }

    public init(
        recommender: String, scorer: String, task: String, evaluationProtocol: String, negatives: Int, ks: [Int],
        metrics: [Entry], split: Split, config: [String: String], timing: [String: Double], similaritySource: String?,
        notes: [String]
    ) {
        self.recommender = recommender
        self.scorer = scorer
        self.task = task
        self.evaluationProtocol = evaluationProtocol
        self.negatives = negatives
        self.tieRule = RankingEvaluator.tieRule
        self.ks = ks
        self.metrics = metrics
        self.split = split
        self.config = config
        self.timing = timing
        self.similaritySource = similaritySource
        self.notes = notes
    }

    /// The summary named `name`, if present.
    public func metric(_ name: String) -> MetricSummary? { metrics.first { $0.name == name }?.summary }
}
