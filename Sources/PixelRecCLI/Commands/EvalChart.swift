import Foundation
import PixelEval
import PixelImage

/// `eval --compare … --chart out.png`: the compared results as a bar chart, one panel per metric (in the
/// table's order), one bar per result file with its 95% confidence interval as a whisker.
enum EvalChart {
    static func chart(_ reports: [EvaluationReport], paths: [String]) -> BarChart {
        var metricNames: [String] = []
        for report in reports {
            for entry in report.metrics where !metricNames.contains(entry.name) { metricNames.append(entry.name) }
        }
        let panels = metricNames.map { name in
            BarChart.Panel(
                title: name,
                bars: reports.map { report in
                    let summary = report.metric(name)
                    return BarChart.Bar(value: summary?.mean, low: summary?.ciLow, high: summary?.ciHigh)
                })
        }
        return BarChart(
            title: title(reports), series: seriesNames(reports, paths: paths), panels: panels, yLabel: "mean",
            xLabel: "recommender")
    }

    /// Each result's recommender; the file name (without `.json`) where two results share one.
    static func seriesNames(_ reports: [EvaluationReport], paths: [String]) -> [String] {
        let recommenders = reports.map(\.recommender)
        return zip(recommenders, paths).map { recommender, path in
            guard recommenders.filter({ $0 == recommender }).count > 1 else { return recommender }
            let file = URL(fileURLWithPath: path).lastPathComponent
            return file.hasSuffix(".json") ? String(file.dropLast(5)) : file
        }
    }

    /// What was compared: the task and protocol when the results share them, and what the whiskers are.
    static func title(_ reports: [EvaluationReport]) -> String {
        let tasks = Set(reports.map(\.task)), protocols = Set(reports.map(\.evaluationProtocol))
        var parts = [tasks.count == 1 ? "task \(tasks.first ?? "")" : "different tasks"]
        parts.append(protocols.count == 1 ? "\(protocols.first ?? "") ranking" : "full and sampled: not comparable")
        let users = Set(reports.map(\.split.evaluatedUsers))
        if users.count == 1, let count = users.first { parts.append("\(count) users") }
        parts.append("whiskers: 95% ci")
        return parts.joined(separator: ", ")
    }
}
