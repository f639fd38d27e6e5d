/// Iterative k-core activity filtering: drops interactions of users with fewer than `minUser` and items
/// with fewer than `minItem` interactions, repeating until no row is dropped (a fixpoint, where every
/// remaining user has ≥ `minUser` and every remaining item ≥ `minItem` interactions).
public enum KCoreFilter {
    /// What filtering did.
    public struct Report: Sendable, Equatable, Codable {
        public var minInteractionsPerUser: Int
        public var minInteractionsPerItem: Int
        public var iterations: Int
        public var rowsBefore: Int
        public var rowsAfter: Int

        enum CodingKeys: String, CodingKey {
            case iterations
            case minInteractionsPerUser = "min_interactions_per_user"
            case minInteractionsPerItem = "min_interactions_per_item"
            case rowsBefore = "rows_before"
            case rowsAfter = "rows_after"
        }
    }

    /// - Parameters:
    ///   - alive: rows to consider (all when `nil`).
    /// - Returns: the surviving-row mask and a report.
    public static func apply(
        _ table: InteractionTable, minUser: Int, minItem: Int, alive: [Bool]? = nil
    ) -> (alive: [Bool], report: Report) {
        var mask = alive ?? [Bool](repeating: true, count: table.count)
        let before = mask.reduce(0) { $0 + ($1 ? 1 : 0) }
        var iterations = 0
        if minUser > 1 || minItem > 1 {
            var userDegree = [Int32](repeating: 0, count: table.userIds.count)
            var itemDegree = [Int32](repeating: 0, count: table.itemIds.count)
            table.users.withUnsafeBufferPointer { users in
                table.items.withUnsafeBufferPointer { items in
                    mask.withUnsafeMutableBufferPointer { mask in
                        for row in 0..<mask.count where mask[row] {
                            userDegree[Int(users[row])] += 1
                            itemDegree[Int(items[row])] += 1
                        }
                        var changed = true
                        while changed {
                            changed = false
                            iterations += 1
                            for row in 0..<mask.count where mask[row] {
                                let u = Int(users[row]), i = Int(items[row])
                                if Int(userDegree[u]) < minUser || Int(itemDegree[i]) < minItem {
                                    mask[row] = false
                                    userDegree[u] -= 1
                                    itemDegree[i] -= 1
                                    changed = true
                                }
                            }
                        }
                    }
                }
            }
        }
        let after = mask.reduce(0) { $0 + ($1 ? 1 : 0) }
        return (
            mask,
            Report(
                minInteractionsPerUser: minUser, minInteractionsPerItem: minItem, iterations: iterations,
                rowsBefore: before, rowsAfter: after)
        )
    }
}
