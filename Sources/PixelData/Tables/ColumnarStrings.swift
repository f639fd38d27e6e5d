/// A column of strings stored as one byte arena plus offsets (no `String` per cell).
public struct ColumnarStrings: Sendable, Equatable {
    public let name: String
    var bytes: [UInt8] = []
    var offsets: [Int] = [0]

    public init(name: String, capacity: Int = 0) {
        self.name = name
        offsets.reserveCapacity(capacity + 1)
    }

    /// The number of cells.
    public var count: Int { offsets.count - 1 }

    @inline(__always)
    mutating func append(_ cell: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: cell)
        offsets.append(bytes.count)
    }

    /// Calls `body` with the bytes of cell `row`.
    @inline(__always)
    public func withCell<R>(_ row: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let start = offsets[row], end = offsets[row + 1]
        return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }

    /// Cell `row` as a string.
    public subscript(row: Int) -> String { withCell(row) { String(decoding: $0, as: UTF8.self) } }

    /// The cells at `rows`, in that order.
    public func subset(_ rows: [Int]) -> ColumnarStrings {
        var result = ColumnarStrings(name: name, capacity: rows.count)
        bytes.withUnsafeBufferPointer { buffer in
            for row in rows { result.append(UnsafeBufferPointer(rebasing: buffer[offsets[row]..<offsets[row + 1]])) }
        }
        return result
    }
}
