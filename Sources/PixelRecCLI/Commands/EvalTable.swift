import Foundation
import PixelEval

/// Readable tables of evaluation results for standard output.
enum EvalTable {
    /// One result: a header, then one row per metric family with a column per cut-off
    /// (`mean ±half-width` of the 95% interval).
    static func single(_ report: EvaluationReport) -> String {
        var text =
            "\(report.recommender) (\(report.scorer)) · task \(report.task) · \(report.evaluationProtocol) ranking"
        if report.evaluationProtocol == "sampled" { text += " (\(report.negatives) negatives per positive)" }
        text += " · \(report.split.evaluatedUsers) users · \(report.split.items) items\n"
        var families: [String] = []
        for entry in report.metrics {
            let family = String(entry.name.split(separator: "@").first ?? "")
            if !families.contains(family) { families.append(family) }
        }
        let header = ["metric"] + report.ks.map { "@\($0)" }
        var rows: [[String]] = []
        for family in families {
            var row = [family]
            for k in report.ks {
                guard let summary = report.metric("\(family)@\(k)") else {
                    row.append("")
                    continue
                }
                var cell = String(format: "%.4f", summary.mean)
                if let high = summary.ciHigh { cell += String(format: " ±%.4f", high - summary.mean) }
                row.append(cell)
            }
            rows.append(row)
        }
        text += layout([header] + rows)
        if let source = report.similaritySource { text += "ild and serendipity use cosine over \(source)\n" }
        for note in report.notes { text += "note: \(note)\n" }
        return text
    }

    /// Several results side by side: one row per metric (in the first file's order, then any others),
    /// one column per file.
    static func comparison(_ reports: [EvaluationReport], names: [String]) -> String {
        var metricNames: [String] = []
        for report in reports {
            for entry in report.metrics where !metricNames.contains(entry.name) { metricNames.append(entry.name) }
        }
        var text = ""
        for (index, report) in reports.enumerated() {
            text +=
                "[\(index + 1)] \(names[index]): \(report.recommender) · \(report.task) · \(report.evaluationProtocol)"
            if report.evaluationProtocol == "sampled" { text += " (\(report.negatives) negatives)" }
            text += " · \(report.split.evaluatedUsers) users\n"
        }
        let protocols = Set(reports.map(\.evaluationProtocol))
        if protocols.count > 1 { text += "warning: full and sampled results are not comparable\n" }
        let header = ["metric"] + reports.indices.map { "[\($0 + 1)]" }
        var rows: [[String]] = []
        for name in metricNames {
            rows.append([name] + reports.map { $0.metric(name).map { String(format: "%.4f", $0.mean) } ?? "–" })
        }
        text += layout([header] + rows)
        return text
    }

    /// Left-aligned first column, right-aligned others, two spaces apart.
    static func layout(_ rows: [[String]]) -> String {
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (c, cell) in row.enumerated() { widths[c] = max(widths[c], cell.count) } }
        var text = ""
        for row in rows {
            var line = ""
            for (c, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                line += c == 0 ? cell + pad : "  " + pad + cell
            }
            text += line + "\n"
        }
        return text
    }
}
