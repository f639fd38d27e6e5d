/// Rows grouped by user (CSR layout), each user's rows sorted by (timestamp, file row).
///
/// `order[offsets[u] ..< offsets[u + 1]]` are user `u`'s rows, oldest first; equal timestamps keep
/// file order, which is the tie-break leave-one-out and temporal splits need.
public struct UserGroups: Sendable {
    public let userCount: Int
    /// `userCount + 1` offsets into `order`.
    public let offsets: [Int]
    /// Row indices grouped by user.
    public let order: [Int]

    /// Groups all rows of `table` (or only rows where `alive[row]`).
    public init(_ table: InteractionTable, alive: [Bool]? = nil) {
        let userCount = table.userIds.count
        var counts = [Int](repeating: 0, count: userCount + 1)
        for row in 0..<table.count where alive?[row] ?? true { counts[Int(table.users[row]) + 1] += 1 }
        for u in 0..<userCount { counts[u + 1] += counts[u] }
        let offsets = counts
        var cursor = counts
        var order = [Int](repeating: 0, count: offsets[userCount])
        for row in 0..<table.count where alive?[row] ?? true {
            let u = Int(table.users[row])
            order[cursor[u]] = row
            cursor[u] += 1
        }
        table.timestamps.withUnsafeBufferPointer { time in
            order.withUnsafeMutableBufferPointer { order in
                for u in 0..<userCount {
                    let start = offsets[u], end = offsets[u + 1]
                    guard end - start > 1 else { continue }
                    // Already in file order; sort only when timestamps are out of order.
                    var sorted = true
                    for k in start + 1..<end where time[order[k]] < time[order[k - 1]] {
                        sorted = false
                        break
                    }
                    if sorted { continue }
                    var slice = UnsafeMutableBufferPointer(rebasing: order[start..<end])
                    slice.sort { (a: Int, b: Int) -> Bool in
                        let ta: Int64 = time[a], tb: Int64 = time[b]
                        if ta != tb { return ta < tb }
                        return a < b
                    }
                }
            }
        }
        self.userCount = userCount
        self.offsets = offsets
        self.order = order
    }

    /// The number of rows of user `u`.
    @inline(__always) public func count(of u: Int) -> Int { offsets[u + 1] - offsets[u] }
}
