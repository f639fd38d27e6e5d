import Foundation

/// Axis ticks and their labels, shared by the charts.
public enum ChartAxis {
    /// Ticks covering `lo ... hi`: multiples of a step of 1, 2 or 5 × 10^k giving about `count` intervals
    /// (at least 1 when `integer`).
    /// - Returns: the tick values (ascending, at most 50, within the range) and the step.
    public static func ticks(_ lo: Double, _ hi: Double, count: Int = 4, integer: Bool = false) -> (
        values: [Double], step: Double
    ) {
        let span = max(hi - lo, integer ? 1 : 1e-12)
        let raw = span / Double(max(count, 1))
        let magnitude = pow(10, floor(log10(raw)))
        var step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        if integer { step = max(1, step.rounded()) }
        let first = ceil(lo / step - 1e-9) * step
        var values: [Double] = []
        var v = first
        while v <= hi + step * 1e-9 && values.count < 50 {
            values.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return (values, step)
    }

    /// A tick label with as many decimals as `step` needs (scientific notation below 1e-4 and from 1e5).
    public static func label(_ v: Double, step: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e5 || a < 1e-4 { return String(format: "%.1e", v) }
        let decimals = max(0, min(6, Int(-floor(log10(step) + 1e-9))))
        return String(format: "%.\(decimals)f", v)
    }
}
