/// The item-info table (PixelRec columns or any others), held as string columns keyed by header name.
///
/// Small enough (≤ a few hundred thousand rows) to keep as `[[String]]` columns.
public struct ItemTable: Sendable, Equatable {
    /// Header names in file order.
    public var header: [String]
    /// `columns[c][r]` is column `header[c]` of row `r`.
    public var columns: [[String]]
    /// 1-based source line of each row (empty for derived tables).
    public var lines: [Int]
    public var path: String
    /// The id column name (`item_id`).
    public var idColumn: String

    /// The number of rows.
    public var count: Int { columns.first?.count ?? 0 }

    /// Loads an item-info CSV; `idColumn` must be present and ids must be unique.
    /// - Throws: `DataError` (empty file, missing column, wrong field count, malformed CSV, duplicate id).
    public static func load(path: String, idColumn: String = "item_id") throws -> ItemTable {
        let reader = try CSVReader(path: path)
        return try load(reader: reader, idColumn: idColumn)
    }

    public static func load(reader: CSVReader, idColumn: String = "item_id") throws -> ItemTable {
        let (header, rows, lines) = try reader.readAll()
        guard let idIndex = header.firstIndex(of: idColumn) else {
            throw DataError.missingColumn(path: reader.path, column: idColumn, available: header)
        }
        var columns = [[String]](repeating: [], count: header.count)
        for c in 0..<header.count { columns[c].reserveCapacity(rows.count) }
        var seen: [String: Int] = [:]
        for (r, row) in rows.enumerated() {
            if let first = seen[row[idIndex]] {
                throw DataError.duplicateRow(path: reader.path, line: lines[r], firstLine: first)
            }
            seen[row[idIndex]] = lines[r]
            for c in 0..<header.count { columns[c].append(row[c]) }
        }
        return ItemTable(header: header, columns: columns, lines: lines, path: reader.path, idColumn: idColumn)
    }

    public init(
        header: [String], columns: [[String]], lines: [Int] = [], path: String = "<memory>",
        idColumn: String = "item_id"
    ) {
        self.header = header
        self.columns = columns
        self.lines = lines
        self.path = path
        self.idColumn = idColumn
    }

    /// The column named `name`.
    /// - Throws: `DataError.missingColumn`.
    public func column(_ name: String) throws -> [String] {
        guard let index = header.firstIndex(of: name) else {
            throw DataError.missingColumn(path: path, column: name, available: header)
        }
        return columns[index]
    }

    /// The cells of column `name` at `rows` as numbers, NaN for an empty cell or one that is not a
    /// decimal or scientific number (spaces and tabs around a number are ignored; `nan`/`inf` are not
    /// numbers), parsed straight from the cell bytes as ``NumericFeatures`` does.
    /// - Throws: `DataError.missingColumn`.
    public func numbers(_ name: String, rows: [Int]) throws -> [Double] {
        let cells = try column(name)
        return rows.map { row in
            var cell = cells[row]
            return cell.withUTF8 { ByteParsing.double($0) } ?? .nan
        }
    }

    /// The item ids in row order.
    public var ids: [String] { (try? column(idColumn)) ?? [] }

    /// The dense id map of the items, index = row.
    /// - Throws: `DataError.badFormat` when an id repeats (tables from `load` never have repeats).
    public func idMap() throws -> IdMap { try IdMap(keys: ids) }

    /// The rows at `rows`.
    public func subset(rows: [Int]) -> ItemTable {
        ItemTable(
            header: header, columns: columns.map { column in rows.map { column[$0] } },
            lines: lines.isEmpty ? [] : rows.map { lines[$0] }, path: path, idColumn: idColumn)
    }

    /// Writes the table as CSV, atomically.
    public func write(to path: String) throws {
        var writer = CSVWriter()
        writer.writeRow(header)
        for r in 0..<count { writer.writeRow(columns.map { $0[r] }) }
        try writer.write(to: path)
    }
}
