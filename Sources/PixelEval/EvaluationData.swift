import PixelConfig
import PixelData

/// Train, validation and test interactions on one shared index space, as the evaluator needs them.
///
/// Users and items are indexed by the training id maps, extended (in order) with users and items first
/// seen in validation, then test; so index `u < trainUserCount` is a user the model was trained on.
/// Repeated (user, item) pairs count once.
public struct EvaluationData: Sendable {
    public let userIds: IdMap
    public let itemIds: IdMap
    /// `users × items`
    public let train: SparseMatrix
    public let validation: SparseMatrix
    public let test: SparseMatrix
    /// Users and items of the training table (a prefix of the index space).
    public let trainUserCount: Int
    public let trainItemCount: Int
    /// Training rows (interactions, repeats included), for novelty's `N`.
    public let trainInteractions: Int
    /// Validation and test rows of each user in time order (timestamp, then file row), as item indices:
    /// what `cold_user` takes a user's first interactions from.
    public let heldOutSequences: [Int32: [Int32]]
    /// The training table and the validation table in the evaluation's id spaces: what
    /// ``histories(task:coldHistory:users:)`` orders on demand (only sequence models read histories).
    let historyTables: (train: InteractionTable, validation: InteractionTable?)

    /// - Parameters:
    ///   - validation: optional; an empty table when absent.
    public init(train: InteractionTable, validation: InteractionTable?, test: InteractionTable) throws {
        var users = train.userIds, items = train.itemIds
        let validation = try validation.map { try $0.remapped(userIds: users, itemIds: items, unknown: .add) }
        if let validation {
            users = validation.userIds
            items = validation.itemIds
        }
        let test = try test.remapped(userIds: users, itemIds: items, unknown: .add)
        users = test.userIds
        items = test.itemIds
        let userCount = users.count, itemCount = items.count
        self.userIds = users
        self.itemIds = items
        self.train = SparseMatrix(rowCount: userCount, columnCount: itemCount, rows: train.users, columns: train.items)
        self.validation =
            validation.map {
                SparseMatrix(rowCount: userCount, columnCount: itemCount, rows: $0.users, columns: $0.items)
            }
            ?? SparseMatrix(rowCount: userCount, columnCount: itemCount)
        self.test = SparseMatrix(rowCount: userCount, columnCount: itemCount, rows: test.users, columns: test.items)
        trainUserCount = train.userIds.count
        trainItemCount = train.itemIds.count
        trainInteractions = train.count
        // Cold users' time-ordered held-out interactions.
        var sequences: [Int32: [(Int64, Int, Int32)]] = [:]
        var order = 0
        for table in [validation, test].compactMap({ $0 }) {
            for row in 0..<table.count where Int(table.users[row]) >= trainUserCount {
                sequences[table.users[row], default: []].append((table.timestamps[row], order, table.items[row]))
                order += 1
            }
        }
        heldOutSequences = sequences.mapValues { rows in rows.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2) }
        historyTables = (train, validation)
    }

    /// Per user of `users`, what a sequence model reads for `task`, oldest first — only interactions
    /// before the held-out ones, repeats kept as they happened: the training items (`retrieval`,
    /// `ranking`, `beyond_accuracy`, `cold_item`, and warm users of `cold_user`); the training then
    /// validation items (`next_item`); a cold user's first `coldHistory` held-out interactions
    /// (`cold_user`, as ``TaskSetup`` takes them).
    /// Orders the interactions once per call: O(interactions · log) time.
    public func histories(task: EvaluationTask, coldHistory: Int, users: Range<Int>) -> [ArraySlice<Int32>] {
        let trainTimelines = UserSequences(userCount: userCount, tables: [historyTables.train])
        let nextItemTimelines =
            task == .nextItem
            ? UserSequences(
                userCount: userCount, tables: [historyTables.train] + [historyTables.validation].compactMap { $0 })
            : trainTimelines
        return users.map { u in
            guard u < userCount else { return [] }
            switch task {
            case .nextItem: return nextItemTimelines.sequence(u)
            case .coldUser where u >= trainUserCount:
                return ArraySlice((heldOutSequences[Int32(u)] ?? []).prefix(max(0, coldHistory)))
            default: return trainTimelines.sequence(u)
            }
        }
    }

    public var userCount: Int { userIds.count }
    public var itemCount: Int { itemIds.count }
}
