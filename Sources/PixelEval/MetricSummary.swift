import Foundation

/// A metric's mean over users with a 95% confidence interval.
///
/// The interval is the normal approximation `mean ± 1.96 · s / √n` with the sample standard deviation
/// `s` (n − 1 denominator); for catalog-level metrics (coverage, Gini) there is one value and no interval.
public struct MetricSummary: Codable, Sendable, Equatable {
    public var mean: Double
    public var ciLow: Double?
    public var ciHigh: Double?
    public var std: Double?
    /// Users averaged over (1 for catalog-level metrics).
    public var count: Int

    enum CodingKeys: String, CodingKey {
        case mean
        case ciLow = "ci95_low"
        case ciHigh = "ci95_high"
        case std
        case count = "n"
    }

    public init(mean: Double, ciLow: Double? = nil, ciHigh: Double? = nil, std: Double? = nil, count: Int) {
        self.mean = mean
        self.ciLow = ciLow
        self.ciHigh = ciHigh
        self.std = std
        self.count = count
    }

    /// The summary of `values` (Welford's running mean and variance, stable for many users).
    public init<S: Sequence>(values: S) where S.Element == Double {
        var n = 0
        var mean = 0.0, m2 = 0.0
        for value in values {
            n += 1
            let delta = value - mean
            mean += delta / Double(n)
            m2 += delta * (value - mean)
        }
        if n < 2 {
            self.init(mean: mean, count: n)
            return
        }
        let std = (m2 / Double(n - 1)).squareRoot()
        let half = 1.959963984540054 * std / Double(n).squareRoot()
        self.init(mean: mean, ciLow: mean - half, ciHigh: mean + half, std: std, count: n)
    }

    /// A single catalog-level value.
    public init(value: Double) { self.init(mean: value, count: 1) }
}
