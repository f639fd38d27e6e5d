/// What a split did; written as `split_info.json`.
public struct SplitReport: Sendable, Equatable, Codable {
    public struct Parts: Sendable, Equatable, Codable {
        public var train = 0
        public var val = 0
        public var test = 0
    }

    public struct Leakage: Sendable, Equatable, Codable {
        /// What was checked, in words.
        public var check: String
        /// Test rows that leak into train under that check (0 for a clean split).
        public var testViolations: Int
        /// Validation rows that leak into train.
        public var valViolations: Int
        public var passed: Bool
        /// `true` when the check was not run (`data.splitting.validate_no_leakage: false`); absent otherwise.
        public var skipped: Bool? = nil

        enum CodingKeys: String, CodingKey {
            case check, passed, skipped
            case testViolations = "test_violations"
            case valViolations = "val_violations"
        }
    }

    /// What sampling kept: `n` of the `population` users or interactions (`mode`), leaving `rows` interactions.
    public struct Sample: Sendable, Equatable, Codable {
        public var n: Int
        public var mode: String
        /// Users or interactions in the input (`n ≥ population` keeps everything: nothing was sampled).
        public var population: Int
        /// Interactions left after sampling (before k-core filtering).
        public var rows: Int
        public var sampled: Bool { n < population }
    }

    public struct Holdout: Sendable, Equatable, Codable {
        /// `holdout_min_interactions` (1 when every user/item with a row was eligible).
        public var minInteractions: Int
        public var eligible: Int
        /// Users (items) with rows after filtering.
        public var present: Int

        enum CodingKeys: String, CodingKey {
            case eligible, present
            case minInteractions = "min_interactions"
        }
    }

    public var format = "pixelrec-split"
    public var version = 1
    public var input: String
    public var strategy: String
    public var temporalScope: String?
    public var seed: UInt64
    public var ratios: [String: Double]
    public var sample: Sample?
    /// `user` / `item` hold-out: how many users (items) were eligible and the interaction minimum that
    /// made them so (`nil` for row-level strategies).
    public var holdout: Holdout?
    public var filters: KCoreFilter.Report
    /// Interactions per part.
    public var counts = Parts()
    /// Distinct users per part.
    public var users = Parts()
    /// Distinct items per part.
    public var items = Parts()
    public var leakage: Leakage
    /// Wall time per stage in seconds: `filter`, `split`, `write`.
    public var seconds: [String: Double] = [:]

    enum CodingKeys: String, CodingKey {
        case format, version, input, strategy, seed, ratios, sample, holdout, filters, counts, users, items, leakage,
            seconds
        case temporalScope = "temporal_scope"
    }
}
