import Foundation
import PixelCore

/// What to do with rows that repeat an earlier row's (user, item, timestamp).
public enum DuplicatePolicy: String, Sendable, CaseIterable {
    /// Keep every row.
    case keep
    /// Keep the first occurrence, drop later ones (counted in the load report).
    case drop
    /// Fail with `DataError.duplicateRow` naming both lines.
    case error
}

/// How to read an interactions CSV. Column lookup is by header name, in any order.
public struct InteractionLoadOptions: Sendable, Equatable {
    /// Header name of the item column. Default `item_id`.
    public var itemColumn = "item_id"
    /// Header name of the user column. Default `user_id`.
    public var userColumn = "user_id"
    /// Header name of the timestamp column (integers; `123.0` and decimals are accepted and truncated).
    /// Default `timestamp`.
    public var timestampColumn = "timestamp"
    /// Repeated (user, item, timestamp) rows. Default `.drop`.
    public var duplicates = DuplicatePolicy.drop
    /// Field separator. Default `,`.
    public var delimiter: UInt8 = UInt8(ascii: ",")

    public init(
        itemColumn: String = "item_id", userColumn: String = "user_id", timestampColumn: String = "timestamp",
        duplicates: DuplicatePolicy = .drop
    ) {
        self.itemColumn = itemColumn
        self.userColumn = userColumn
        self.timestampColumn = timestampColumn
        self.duplicates = duplicates
    }
}

/// What loading found.
public struct LoadReport: Sendable, Equatable {
    /// Data rows read (header excluded).
    public init() {}

    public var rowsRead = 0
    /// Rows dropped as duplicates (`DuplicatePolicy.drop`).
    public var duplicatesDropped = 0
    /// Rows kept.
    public var rows = 0
    public var users = 0
    public var items = 0
    /// Wall time in seconds.
    public var seconds = 0.0
}

/// Interactions in columnar form with dense ids.
///
/// Row `r` says user `userIds.key(users[r])` interacted with item `itemIds.key(items[r])` at
/// `timestamps[r]`; extra columns (ratings, …) keep their original text in `extras`.
/// Rows are in file order.
public struct InteractionTable: Sendable {
    /// Dense user index per row, `0 ..< userIds.count`.
    public var users: [Int32]
    /// Dense item index per row, `0 ..< itemIds.count`.
    public var items: [Int32]
    /// Timestamp per row.
    public var timestamps: [Int64]
    /// 1-based source line per row (for error messages); empty for derived tables.
    public var lines: [Int32]
    /// Other columns, verbatim.
    public var extras: [ColumnarStrings]
    public var userIds: IdMap
    public var itemIds: IdMap
    /// Header names of the three key columns (`item`, `user`, `timestamp`) as written back.
    public var columnNames: (item: String, user: String, timestamp: String)
    /// The source file (for messages).
    public var path: String

    /// The number of rows.
    public var count: Int { users.count }

    /// An empty table with the given id maps.
    public init(userIds: IdMap = IdMap(), itemIds: IdMap = IdMap(), path: String = "<memory>") {
        users = []
        items = []
        timestamps = []
        lines = []
        extras = []
        self.userIds = userIds
        self.itemIds = itemIds
        columnNames = ("item_id", "user_id", "timestamp")
        self.path = path
    }

    /// Loads an interactions CSV.
    /// - Throws: `DataError` for an empty file, a missing column, a wrong field count, a bad timestamp,
    ///   malformed CSV, or (with `.error`) a duplicate row — each naming file, line and column.
    /// - Parameter progress: advanced by rows read (every 65 536).
    public static func load(
        path: String, options: InteractionLoadOptions = .init(), progress: PixelCore.Progress? = nil
    ) throws -> (InteractionTable, LoadReport) {
        let reader = try CSVReader(path: path, delimiter: options.delimiter)
        return try load(reader: reader, options: options, progress: progress)
    }

    /// Loads from an open reader (tests and fuzzing pass in-memory bytes).
    public static func load(
        reader: CSVReader, options: InteractionLoadOptions = .init(), progress: PixelCore.Progress? = nil
    ) throws -> (InteractionTable, LoadReport) {
        let started = Date()
        let path = reader.path
        var table = InteractionTable(path: path)
        // Rough row estimate from the size: ~24 bytes per row.
        let estimate = max(16, reader.byteCount / 24)
        table.userIds = IdMap(capacity: min(4096, estimate))
        table.itemIds = IdMap(capacity: min(4096, estimate))
        table.users.reserveCapacity(estimate)
        table.items.reserveCapacity(estimate)
        table.timestamps.reserveCapacity(estimate)
        table.lines.reserveCapacity(estimate)
        var header: [String] = []
        var itemColumn = 0, userColumn = 0, timeColumn = 0
        var extraColumns: [Int] = []
        var itemBatch = KeyBatch(), userBatch = KeyBatch()
        try reader.forEachRecord { record in
            if record.index == 0 {
                header = record.strings
                func find(_ name: String) throws -> Int {
                    guard let index = header.firstIndex(of: name) else {
                        throw DataError.missingColumn(path: path, column: name, available: header)
                    }
                    return index
                }
                itemColumn = try find(options.itemColumn)
                userColumn = try find(options.userColumn)
                timeColumn = try find(options.timestampColumn)
                extraColumns = (0..<header.count).filter { $0 != itemColumn && $0 != userColumn && $0 != timeColumn }
                table.extras = extraColumns.map { ColumnarStrings(name: header[$0], capacity: estimate) }
                table.columnNames = (options.itemColumn, options.userColumn, options.timestampColumn)
                return
            }
            guard record.count == header.count else {
                throw DataError.malformed(
                    path: path, line: record.line, column: min(record.count, header.count) + 1,
                    reason: "expected \(header.count) fields, found \(record.count)")
            }
            guard let time = record.withField(timeColumn, ByteParsing.int64) else {
                throw DataError.invalidValue(
                    path: path, line: record.line, column: timeColumn + 1, name: header[timeColumn],
                    value: record.string(timeColumn), expected: "a numeric timestamp")
            }
            let itemEmpty = record.withField(itemColumn) { field -> Bool in
                itemBatch.append(field)
                return field.isEmpty
            }
            let userEmpty = record.withField(userColumn) { field -> Bool in
                userBatch.append(field)
                return field.isEmpty
            }
            if itemEmpty {
                throw DataError.invalidValue(
                    path: path, line: record.line, column: itemColumn + 1, name: header[itemColumn], value: "",
                    expected: "an id (empty)")
            }
            if userEmpty {
                throw DataError.invalidValue(
                    path: path, line: record.line, column: userColumn + 1, name: header[userColumn], value: "",
                    expected: "an id (empty)")
            }
            if itemBatch.count == KeyBatch.size {
                itemBatch.flush(into: &table.itemIds, indices: &table.items)
                userBatch.flush(into: &table.userIds, indices: &table.users)
            }
            table.timestamps.append(time)
            table.lines.append(Int32(truncatingIfNeeded: record.line))
            if record.index & 0xFFFF == 0 { progress?.advance(by: 0x10000) }
            for (k, column) in extraColumns.enumerated() {
                record.withField(column) { table.extras[k].append($0) }
            }
        }
        itemBatch.flush(into: &table.itemIds, indices: &table.items)
        userBatch.flush(into: &table.userIds, indices: &table.users)
        guard !header.isEmpty else { throw DataError.emptyFile(path: path) }
        var report = LoadReport()
        progress?.advance(by: table.count & 0xFFFF)  // the rows after the last whole 65 536
        report.rowsRead = table.count
        if options.duplicates != .keep {
            let duplicates = table.duplicateRows()
            if let first = duplicates.first, options.duplicates == .error {
                throw DataError.duplicateRow(
                    path: path, line: Int(table.lines[first.duplicate]), firstLine: Int(table.lines[first.original]))
            }
            if !duplicates.isEmpty {
                var keep = [Bool](repeating: true, count: table.count)
                for pair in duplicates { keep[pair.duplicate] = false }
                table = table.subset(rows: (0..<table.count).filter { keep[$0] })
                report.duplicatesDropped = duplicates.count
            }
        }
        report.rows = table.count
        report.users = table.userIds.count
        report.items = table.itemIds.count
        report.seconds = Date().timeIntervalSince(started)
        return (table, report)
    }

    /// Rows whose (user, item, timestamp) equals an earlier row's, each with the earliest such row,
    /// in ascending order of the duplicate.
    public func duplicateRows() -> [(duplicate: Int, original: Int)] {
        let groups = UserGroups(self)
        var result: [(duplicate: Int, original: Int)] = []
        groups.order.withUnsafeBufferPointer { order in
            for user in 0..<groups.userCount {
                let start = groups.offsets[user], end = groups.offsets[user + 1]
                var runStart = start
                // Rows are sorted by (timestamp, file row): duplicates sit in the same timestamp run.
                while runStart < end {
                    var runEnd = runStart + 1
                    while runEnd < end && timestamps[order[runEnd]] == timestamps[order[runStart]] { runEnd += 1 }
                    if runEnd - runStart > 1 {
                        for a in runStart + 1..<runEnd {
                            for b in runStart..<a where items[order[b]] == items[order[a]] {
                                result.append((order[a], order[b]))
                                break
                            }
                        }
                    }
                    runStart = runEnd
                }
            }
        }
        // An earlier duplicate's original is itself kept; sort for stable reporting.
        result.sort { $0.duplicate < $1.duplicate }
        return result
    }

    /// The rows at `rows` (in that order) with the same id maps.
    public func subset(rows: [Int]) -> InteractionTable {
        var result = InteractionTable(userIds: userIds, itemIds: itemIds, path: path)
        result.columnNames = columnNames
        result.users = rows.map { users[$0] }
        result.items = rows.map { items[$0] }
        result.timestamps = rows.map { timestamps[$0] }
        result.lines = lines.isEmpty ? [] : rows.map { lines[$0] }
        result.extras = extras.map { $0.subset(rows) }
        return result
    }

    /// The extra column `name` parsed as numbers (empty cells become NaN).
    /// - Throws: `DataError.missingColumn`, or `DataError.invalidValue` naming the first bad cell.
    public func numericColumn(_ name: String) throws -> [Float] {
        guard let column = extras.first(where: { $0.name == name }) else {
            throw DataError.missingColumn(
                path: path, column: name,
                available: [columnNames.item, columnNames.user, columnNames.timestamp] + extras.map(\.name))
        }
        var result = [Float](repeating: .nan, count: count)
        for row in 0..<count {
            let value = column.withCell(row) { cell -> Double?? in
                ByteParsing.trimmed(cell).isEmpty ? .some(nil) : ByteParsing.double(cell).map { .some($0) } ?? nil
            }
            guard let value else {
                throw DataError.invalidValue(
                    path: path, line: lines.isEmpty ? 0 : Int(lines[row]), column: 0, name: name, value: column[row],
                    expected: "a number")
            }
            if let value { result[row] = Float(value) }
        }
        return result
    }

    /// Writes the rows (all, or `rows` in that order) as CSV with the original header names, atomically.
    public func write(to path: String, rows: [Int]? = nil) throws {
        var writer = CSVWriter(reserve: (rows?.count ?? count) * 28)
        writer.writeRow([columnNames.item, columnNames.user, columnNames.timestamp] + extras.map(\.name))
        func emit(_ row: Int) {
            itemIds.withKey(items[row]) { writer.appendField($0) }
            writer.separator()
            userIds.withKey(users[row]) { writer.appendField($0) }
            writer.separator()
            writer.appendInteger(timestamps[row])
            for column in extras {
                writer.separator()
                column.withCell(row) { writer.appendField($0) }
            }
            writer.endRow()
        }
        if let rows { for row in rows { emit(row) } } else { for row in 0..<count { emit(row) } }
        try writer.write(to: path)
    }
}

/// Keys collected from consecutive rows and inserted into an `IdMap` together (see `IdMap.insertBatch`).
struct KeyBatch {
    static let size = 256
    var bytes: [UInt8] = []
    var ends: [Int] = []
    var count: Int { ends.count }

    init() {
        bytes.reserveCapacity(Self.size * 16)
        ends.reserveCapacity(Self.size)
    }

    @inline(__always)
    mutating func append(_ key: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: key)
        ends.append(bytes.count)
    }

    mutating func flush(into map: inout IdMap, indices: inout [Int32]) {
        guard !ends.isEmpty else { return }
        bytes.withUnsafeBufferPointer { keys in
            ends.withUnsafeBufferPointer { ends in map.insertBatch(keys: keys, ends: ends, into: &indices) }
        }
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }
}

/// What `InteractionTable.remapped` does with an id absent from the target map.
public enum UnknownIdPolicy: String, Sendable, CaseIterable {
    /// Fail naming the file, line and id.
    case error
    /// Drop the row.
    case drop
    /// Give the id the next free index (the maps grow).
    case add
}

extension InteractionTable {
    /// The table re-indexed to `userIds` / `itemIds` (e.g. validation and test splits onto the training
    /// or preprocess maps, so that indices agree).
    /// - Throws: `DataError.invalidValue` naming the row's line and id, with `.error`.
    public func remapped(userIds: IdMap, itemIds: IdMap, unknown: UnknownIdPolicy = .error) throws -> InteractionTable {
        var targetUsers = userIds, targetItems = itemIds
        var userIndex = [Int32](repeating: -1, count: self.userIds.count)
        var itemIndex = [Int32](repeating: -1, count: self.itemIds.count)
        for u in 0..<self.userIds.count {
            let key = self.userIds.key(Int32(u))
            userIndex[u] = unknown == .add ? targetUsers.insert(key) : (targetUsers.index(of: key) ?? -1)
        }
        for i in 0..<self.itemIds.count {
            let key = self.itemIds.key(Int32(i))
            itemIndex[i] = unknown == .add ? targetItems.insert(key) : (targetItems.index(of: key) ?? -1)
        }
        var keep: [Int] = []
        keep.reserveCapacity(count)
        for row in 0..<count {
            let u = userIndex[Int(users[row])], i = itemIndex[Int(items[row])]
            if u >= 0 && i >= 0 {
                keep.append(row)
                continue
            }
            if unknown == .error {
                let line = lines.isEmpty ? 0 : Int(lines[row])
                if u < 0 {
                    throw DataError.invalidValue(
                        path: path, line: line, column: 0, name: columnNames.user, value: self.userIds.key(users[row]),
                        expected: "a known user id")
                }
                throw DataError.invalidValue(
                    path: path, line: line, column: 0, name: columnNames.item, value: self.itemIds.key(items[row]),
                    expected: "a known item id")
            }
        }
        var result = subset(rows: keep)
        result.users = keep.map { userIndex[Int(users[$0])] }
        result.items = keep.map { itemIndex[Int(items[$0])] }
        result.userIds = targetUsers
        result.itemIds = targetItems
        return result
    }
}
