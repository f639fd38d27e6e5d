import Foundation
import PixelConfig
import PixelCore
import PixelData
import PixelSession

extension CommandContext {
    /// Where a path came from, for messages: `--<option>` when given on the command line, else `key`
    /// (the configuration key it defaults to).
    func source(_ option: String, else key: String) -> String {
        invocation.isSet(option) ? "--" + option : key
    }

    /// A ``CommandPaths`` with the `--config` file already an input.
    func paths() -> CommandPaths {
        var paths = CommandPaths()
        paths.input(invocation.string("config"), "--config")
        return paths
    }

    /// Loads an interactions CSV, warning (always, `--quiet` or not) when exact duplicate rows were dropped:
    /// `warning: <path>: read N rows, dropped D exact duplicates`.
    func loadInteractions(_ path: String, progress: PixelCore.Progress? = nil) throws -> (InteractionTable, LoadReport)
    {
        let (table, report) = try InteractionTable.load(
            path: path, options: InteractionLoadOptions(), progress: progress)
        if report.duplicatesDropped > 0 { console.warning("\(path): \(report.summary)") }
        return (table, report)
    }

    /// How a ``ModelSession`` reports while loading: notes unless `--quiet`, warnings always, and the
    /// interaction files' dropped duplicates as ``loadInteractions(_:progress:)`` does.
    var sessionLog: ModelSession.Log {
        let console = console, quiet = quiet
        return ModelSession.Log(
            note: { if !quiet { console.note($0) } }, warn: { console.warning($0) },
            loaded: { path, report in
                if report.duplicatesDropped > 0 { console.warning("\(path): \(report.summary)") }
            })
    }

    /// Warns (with the first row's file:line and the counts) when `table` names items outside `catalog`.
    /// - Parameter consequence: what happens to such rows, e.g. `added as items without training interactions`.
    func warnUnknownItems(_ table: InteractionTable, catalog: IdMap, consequence: String) {
        var unknownItems = Set<Int32>()
        var rows = 0
        var first: Int?
        let known = table.itemIds.keys.map { catalog.index(of: $0) != nil }
        for row in 0..<table.count where !known[Int(table.items[row])] {
            unknownItems.insert(table.items[row])
            rows += 1
            if first == nil { first = row }
        }
        guard let first else { return }
        let line = table.lines.isEmpty ? 0 : Int(table.lines[first])
        let location = line > 0 ? "\(table.path):\(line)" : table.path
        console.warning(
            "\(location): item '\(table.itemIds.key(table.items[first]))' is not in the catalog; "
                + "\(rows) row\(rows == 1 ? "" : "s") with \(unknownItems.count) such item\(unknownItems.count == 1 ? "" : "s") "
                + consequence)
    }
}

extension LoadReport {
    /// `read N rows, dropped D exact duplicates` (the second part only when some were dropped).
    var summary: String {
        "read \(rowsRead) row\(rowsRead == 1 ? "" : "s")"
            + (duplicatesDropped > 0
                ? ", dropped \(duplicatesDropped) exact duplicate\(duplicatesDropped == 1 ? "" : "s")" : "")
    }
}
