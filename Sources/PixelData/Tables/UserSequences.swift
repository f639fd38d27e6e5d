/// Each user's interactions in time order, in compressed rows: user `u`'s items are
/// `items[offsets[u] ..< offsets[u + 1]]`, oldest first.
///
/// Order: timestamp, then table (earlier tables of ``init(userCount:tables:)`` first), then file row —
/// the order the splits use, so a leave-one-out split's validation and test items come last.
/// Repeated (user, item) interactions are kept (a sequence model reads them as they happened).
public struct UserSequences: Sendable, Equatable {
    public let offsets: [Int]
    public let items: [Int32]

    /// - Parameters:
    ///   - userCount: rows of the result; every table's user indices must be below it.
    ///   - tables: interaction tables on one shared index space (e.g. train, then validation and test
    ///     remapped onto the train id maps).
    public init(userCount: Int, tables: [InteractionTable]) {
        var counts = [Int](repeating: 0, count: userCount + 1)
        for table in tables { for u in table.users { counts[Int(u) + 1] += 1 } }
        for u in 0..<userCount { counts[u + 1] += counts[u] }
        offsets = counts
        // Scatter (timestamp, table, row, item) per user, then sort each user's slice.
        var keys = [(Int64, Int, Int, Int32)](repeating: (0, 0, 0, 0), count: counts[userCount])
        var fill = counts
        for (t, table) in tables.enumerated() {
            for r in 0..<table.count {
                let u = Int(table.users[r])
                keys[fill[u]] = (table.timestamps[r], t, r, table.items[r])
                fill[u] += 1
            }
        }
        var items = [Int32](repeating: 0, count: keys.count)
        for u in 0..<userCount {
            let range = counts[u]..<counts[u + 1]
            let sorted = keys[range].sorted { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
            for (k, key) in sorted.enumerated() { items[range.lowerBound + k] = key.3 }
        }
        self.items = items
    }

    /// The number of users (rows).
    public var userCount: Int { offsets.count - 1 }

    /// User `u`'s items, oldest first.
    public func sequence(_ u: Int) -> ArraySlice<Int32> { items[offsets[u]..<offsets[u + 1]] }

    /// Training windows of at most `length + 1` consecutive items (inputs = all but the last, targets =
    /// all but the first), as `(user, start, end)` ranges into ``items``.
    ///
    /// `all`: non-overlapping targets covering every item but each user's first, windows taken back from
    /// the newest (consecutive windows share one item: the last input of one is the first of the next);
    /// `onlyNewest`: the newest window of each user. Users with fewer than two items give none.
    public func windows(length: Int, onlyNewest: Bool) -> [(user: Int32, start: Int, end: Int)] {
        precondition(length >= 1, "UserSequences.windows: length must be ≥ 1")
        var out: [(user: Int32, start: Int, end: Int)] = []
        for u in 0..<userCount {
            let first = offsets[u]
            var end = offsets[u + 1]
            while end - first >= 2 {
                let start = max(first, end - length - 1)
                out.append((Int32(u), start, end))
                if onlyNewest || start == first { break }
                end = start + 1
            }
        }
        return out
    }
}
