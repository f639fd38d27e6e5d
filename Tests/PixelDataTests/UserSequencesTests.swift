import Testing

@testable import PixelData

/// A table on a shared index space from `(user, item, timestamp)` rows, in file order.
private func table(_ rows: [(Int32, Int32, Int64)]) -> InteractionTable {
    var t = InteractionTable()
    t.users = rows.map(\.0)
    t.items = rows.map(\.1)
    t.timestamps = rows.map(\.2)
    return t
}

@Suite("User sequences: time order and training windows")
struct UserSequencesTests {
    @Test("order is (timestamp, table, file row); ties keep table then row order; repeats are kept")
    func ordering() {
        let train = table([
            (0, 5, 3), (0, 1, 1), (1, 3, 2), (0, 2, 1), (0, 9, 9), (1, 3, 2), (0, 6, 1),
        ])
        let later = table([(0, 7, 1), (0, 8, 0), (1, 4, 2), (1, 0, 1)])
        let s = UserSequences(userCount: 3, tables: [train, later])
        #expect(s.userCount == 3)
        // u0: ts 0 (later), then ts 1: train rows 1, 3, 6, later row 0; ts 3; ts 9.
        #expect(Array(s.sequence(0)) == [8, 1, 2, 6, 7, 5, 9])
        // u1: ts 1 (later), ts 2: train rows 2 and 5 (the repeated item twice), later row 2.
        #expect(Array(s.sequence(1)) == [0, 3, 3, 4])
        #expect(s.sequence(2).isEmpty)
        #expect(s.offsets == [0, 7, 11, 11] && s.items.count == 11)
        // Table order matters only within a tie: swapping the tables moves `later`'s ts-1 row first.
        let swapped = UserSequences(userCount: 3, tables: [later, train])
        #expect(Array(swapped.sequence(0)) == [8, 7, 1, 2, 6, 5, 9])
        #expect(Array(swapped.sequence(1)) == [0, 4, 3, 3])
    }

    @Test("large timestamps and negative ones sort numerically")
    func timestampRange() {
        let s = UserSequences(
            userCount: 1, tables: [table([(0, 1, 1_700_000_000_000), (0, 2, -5), (0, 3, 0), (0, 4, Int64.max)])])
        #expect(Array(s.sequence(0)) == [2, 3, 1, 4])
    }

    /// Users with 0…12 items (item values are positions, so coverage is checked by position).
    static func sequences() -> UserSequences {
        var rows: [(Int32, Int32, Int64)] = []
        for u in 0..<13 { for k in 0..<u { rows.append((Int32(u), Int32(rows.count), Int64(k))) } }
        return UserSequences(userCount: 13, tables: [table(rows)])
    }

    @Test(
        "all windows: every item but each user's first is a target exactly once", arguments: [1, 2, 3, 5, 11, 12, 20])
    func allWindows(length: Int) {
        let s = Self.sequences()
        let windows = s.windows(length: length, onlyNewest: false)
        var targets = [Int](repeating: 0, count: s.items.count)
        for w in windows {
            let u = Int(w.user)
            #expect(w.start >= s.offsets[u] && w.end <= s.offsets[u + 1], "window inside its user")
            #expect(w.end - w.start >= 2 && w.end - w.start <= length + 1, "window size \(w.end - w.start)")
            for k in (w.start + 1)..<w.end { targets[k] += 1 }
        }
        for u in 0..<s.userCount {
            let range = s.offsets[u]..<s.offsets[u + 1]
            let expected = range.map { $0 == range.lowerBound ? 0 : 1 }
            #expect(Array(targets[range]) == expected, "user \(u) (\(range.count) items), length \(length)")
            let mine = windows.filter { $0.user == Int32(u) }
            // Users with fewer than two items give none; the others ⌈(n − 1) / length⌉, newest first.
            #expect(mine.count == (range.count < 2 ? 0 : (range.count - 1 + length - 1) / length), "user \(u)")
            if let newest = mine.first { #expect(newest.end == range.upperBound) }
            // Consecutive windows share one item (the last input of the older is the first of the newer).
            for (newer, older) in zip(mine, mine.dropFirst()) { #expect(older.end == newer.start + 1) }
        }
    }

    @Test("newest window only: one per user with ≥ 2 items, ending at the newest item", arguments: [1, 3, 12, 20])
    func newestWindow(length: Int) {
        let s = Self.sequences()
        let windows = s.windows(length: length, onlyNewest: true)
        #expect(windows.map(\.user) == (2..<13).map { Int32($0) })
        for w in windows {
            let u = Int(w.user)
            #expect(w.end == s.offsets[u + 1])
            #expect(w.start == max(s.offsets[u], w.end - length - 1))
        }
    }
}
