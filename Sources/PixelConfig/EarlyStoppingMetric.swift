/// An accuracy metric of `docs/METRICS.md` (PixelEval computes them): one of an evaluation's columns,
/// and with a cut-off a measure that can select the best epoch. `allCases` is the order of every metric
/// table and of PixelEval's per-user metric rows.
public enum RankingMetric: String, Sendable, CaseIterable, SettingEnum {
    case precision
    case recall
    case ndcg
    case map
    case mrr
    case hitRate = "hit_rate"

    /// The order messages and the configuration's comments list the metrics in.
    static let listed: [RankingMetric] = [.hitRate, .precision, .recall, .ndcg, .mrr, .map]
}

/// `training.early_stopping_metric`: `val_loss` (lower is better) or `<metric>@<k>` such as `ndcg@10`
/// (higher is better), computed on the validation split.
public enum EarlyStoppingMetric: Sendable, Equatable, CustomStringConvertible {
    case validationLoss
    case ranking(RankingMetric, k: Int)

    /// Reads `val_loss` or `<metric>@<k>` (metric names are case-insensitive; `hit`, `hitrate` and
    /// `hr` mean `hit_rate`); `nil` for anything else or `k < 1`.
    public init?(_ text: String) {
        let lowered = text.lowercased()
        if lowered == "val_loss" || lowered == "loss" {
            self = .validationLoss
            return
        }
        let parts = lowered.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[1]), k >= 1 else { return nil }
        let name = String(parts[0])
        let aliases: [String: RankingMetric] = ["hit": .hitRate, "hitrate": .hitRate, "hr": .hitRate]
        guard let metric = RankingMetric(rawValue: name) ?? aliases[name] else { return nil }
        self = .ranking(metric, k: k)
    }

    /// `val_loss` or `ndcg@10`.
    public var description: String {
        switch self {
        case .validationLoss: return "val_loss"
        case let .ranking(metric, k): return "\(metric.rawValue)@\(k)"
        }
    }

    /// Whether a larger value is better (ranking metrics) or worse (the loss).
    public var higherIsBetter: Bool { self != .validationLoss }
}

extension EarlyStoppingMetric: ConfigValue {
    static var expectation: String {
        "val_loss or <metric>@<k> with metric one of "
            + RankingMetric.listed.map(\.rawValue).joined(separator: ", ")
    }
    static var pluralExpectation: String { "metrics" }

    static func decode(_ node: YAMLNode, key: String, site: DecodeSite) throws(ConfigError) -> EarlyStoppingMetric {
        guard case let .scalar(text, _) = node.kind, let metric = EarlyStoppingMetric(text) else {
            throw .typeMismatch(site.location(of: node), key: key, expected: expectation, found: node.summary)
        }
        return metric
    }

    var yamlText: String { description }
}
