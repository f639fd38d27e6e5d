/// Item numeric features as a dense matrix, normalized with saved scalers.
///
/// `values[i * columns.count + c]` is feature `columns[c]` of item index `i` (of `itemIds`), scaled by
/// its `Scaler`; missing cells are 0 (the mean in standardized units).
public struct NumericFeatures: Sendable, Equatable {
    public let columns: [String]
    /// Row-major `[itemIds.count × columns.count]`.
    public let values: [Float]
    /// Items of the id map without a row in the item table (their features are 0).
    public let itemsWithoutInfo: Int

    /// - Parameters:
    ///   - items: the (preprocessed) item table.
    ///   - itemIds: the dense item indices the model uses.
    ///   - scalers: one per column, from `scalers.json`.
    ///   - requireAllItems: when true, an item of `itemIds` missing from `items` is an error.
    /// - Throws: `DataError.missingColumn`, or `DataError.invalidValue` for a non-numeric cell or a missing item.
    public init(items: ItemTable, itemIds: IdMap, scalers: ScalerSet, requireAllItems: Bool = false) throws {
        columns = scalers.scalers.map(\.column)
        let width = columns.count
        var values = [Float](repeating: 0, count: itemIds.count * width)
        var rowOf = [Int](repeating: -1, count: itemIds.count)
        let ids = try items.column(items.idColumn)
        for (row, id) in ids.enumerated() {
            if let index = itemIds.index(of: id) { rowOf[Int(index)] = row }
        }
        if requireAllItems, let missing = rowOf.firstIndex(of: -1) {
            throw DataError.invalidValue(
                path: items.path, line: 0, column: 0, name: items.idColumn, value: itemIds.key(Int32(missing)),
                expected: "present (item has no row)")
        }
        for (c, scaler) in scalers.scalers.enumerated() {
            guard let columnIndex = items.header.firstIndex(of: scaler.column) else {
                throw DataError.missingColumn(path: items.path, column: scaler.column, available: items.header)
            }
            for i in 0..<itemIds.count where rowOf[i] >= 0 {
                let row = rowOf[i]
                var cell = items.columns[columnIndex][row]
                let value: Double? = cell.withUTF8 {
                    ByteParsing.trimmed($0).isEmpty ? Double.nan : ByteParsing.double($0)
                }
                guard let value else {
                    throw DataError.invalidValue(
                        path: items.path, line: items.lines.isEmpty ? 0 : items.lines[row], column: columnIndex + 1,
                        name: scaler.column,
                        value: cell, expected: "a number")
                }
                values[i * width + c] = scaler.transform(value)
            }
        }
        self.values = values
        itemsWithoutInfo = rowOf.filter { $0 < 0 }.count
    }
}
