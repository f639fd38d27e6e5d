import Foundation
import PixelConfig
import PixelCore
import PixelData
import PixelEncoders
import PixelEval

/// What `pixelrec recommend` recommends for and from: the user space (the model's training users, then
/// cold users given with `--history`), the users asked for, what each has seen, item popularity and the
/// excluded items.
public struct RecommendInputs: Sendable {
    /// Scorer rows: the model's training users in their order, then the cold users.
    public var userIds: IdMap
    /// The model's training users (a prefix of `userIds`).
    public var trainedUserCount: Int
    /// Cold users' histories as `userIds × catalog` rows (empty rows for trained users).
    public var coldProfiles: SparseMatrix
    /// Rows of `userIds` to recommend for, in output order.
    public var requested: [Int32]
    /// Extra seen items of training users given with `--history`.
    public var trainedHistory: [Int32: [Int32]] = [:]

    /// Parses `--history user:item,item` values against the catalog.
    /// - Returns: per user, in the order given, its history as catalog indices.
    /// - Throws: `PixelError.invalidValue` naming the malformed value or the unknown item.
    public static func histories(_ values: [String], catalog: IdMap) throws -> [(user: String, items: [Int32])] {
        var result: [(String, [Int32])] = []
        for value in values {
            guard let colon = value.lastIndex(of: ":"), colon != value.startIndex else {
                throw PixelError.invalidValue(setting: "--history", reason: "'\(value)' is not user:item,item")
            }
            let user = String(value[..<colon])
            let names = value[value.index(after: colon)...].split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
            guard !names.isEmpty else {
                throw PixelError.invalidValue(setting: "--history", reason: "'\(value)' names no items")
            }
            var items: [Int32] = []
            for name in names {
                guard let index = catalog.index(of: name) else {
                    throw PixelError.invalidValue(
                        setting: "--history",
                        reason: "unknown item '\(name)' in the history of '\(user)' (not in the model's catalog)")
                }
                items.append(index)
            }
            if let existing = result.firstIndex(where: { $0.0 == user }) {
                result[existing].1 += items
            } else {
                result.append((user, items))
            }
        }
        return result
    }

    /// Resolves the users asked for. Unknown users without a history are errors naming the user (and,
    /// from `--user-file`, the file and line).
    /// - Parameters:
    ///   - named: `--users` values.
    ///   - file: `--user-file`, if given.
    ///   - sample: `--sample-users n`: `n` distinct training users drawn with `seed`, in index order.
    ///   - sequenceModel: the model reads histories (`user_encoder: sequence | hybrid`): a training user's
    ///     `--history` items become its newest interactions, so they change its vector.
    public static func resolve(
        trainedUsers: IdMap, catalogCount: Int, histories: [(user: String, items: [Int32])], named: [String],
        file: ItemIdList?, sample: Int?, seed: UInt64, sequenceModel: Bool = false, warn: (String) -> Void
    ) throws -> RecommendInputs {
        var userIds = trainedUsers
        var coldRows: [Int32] = [], coldColumns: [Int32] = []
        var seenHistory: [Int32: [Int32]] = [:]
        for (user, items) in histories {
            if let trained = trainedUsers.index(of: user) {
                // An ID model keeps a training user's trained vector and the history only adds seen items; a
                // sequence model also reads them after the user's own history (``orderedHistories``).
                seenHistory[trained, default: []] += items
                warn(
                    "--history: '\(user)' is a training user; "
                        + (sequenceModel
                            ? "the sequence encoder reads the given items as its newest interactions and they count as seen"
                            : "its model vector is used and the given items count as seen"))
                continue
            }
            let row = userIds.insert(user)
            for item in items {
                coldRows.append(row)
                coldColumns.append(item)
            }
        }
        var requested: [Int32] = []
        var listed = Set<Int32>()
        func add(_ row: Int32) {
            if listed.insert(row).inserted { requested.append(row) }
        }
        func unknown(_ user: String) -> String {
            "unknown user '\(user)' (not a training user of the model; give its history with --history \(user):item1,item2)"
        }
        for user in named {
            guard let row = userIds.index(of: user) else {
                throw PixelError.invalidValue(setting: "--users", reason: unknown(user))
            }
            add(row)
        }
        if let file {
            for (user, line) in file.entries {
                guard let row = userIds.index(of: user) else {
                    throw PixelError.invalidInput(path: file.path, line: line, column: 0, reason: unknown(user))
                }
                add(row)
            }
        }
        if let sample {
            let population = trainedUsers.count
            if sample > population {
                warn("--sample-users \(sample): the model has \(population) training users; using all")
            }
            for row in sampleUsers(population: population, count: min(sample, population), seed: seed) { add(row) }
        }
        // Cold users given a history are recommended for even when not listed.
        for (user, _) in histories {
            if let row = userIds.index(of: user), Int(row) >= trainedUsers.count { add(row) }
        }
        let profiles = SparseMatrix(
            rowCount: userIds.count, columnCount: catalogCount, rows: coldRows, columns: coldColumns)
        var inputs = RecommendInputs(
            userIds: userIds, trainedUserCount: trainedUsers.count, coldProfiles: profiles, requested: requested)
        inputs.trainedHistory = seenHistory
        return inputs
    }

    /// `count` distinct rows of `0 ..< population` (partial Fisher–Yates with `seed`), ascending.
    public static func sampleUsers(population: Int, count: Int, seed: UInt64) -> [Int32] {
        var generator = SeededGenerator(seed: seed)
        var pool = (0..<Int32(population)).map { $0 }
        for i in 0..<count {
            let j = i + generator.below(population - i)
            pool.swapAt(i, j)
        }
        return pool.prefix(count).sorted()
    }

    /// Seen items and training popularity from the interaction files (rows of users or items outside
    /// the model are skipped): seen = training (+ validation, when given) interactions plus histories.
    public static func seenAndPopularity(
        train: InteractionTable, validation: InteractionTable?, inputs: RecommendInputs, catalog: IdMap
    ) -> (seen: SparseMatrix, popularity: ItemPopularity) {
        var rows: [Int32] = [], columns: [Int32] = []
        var counts = [Int](repeating: 0, count: catalog.count)
        for (index, table) in [train, validation].enumerated() {
            guard let table else { continue }
            let userMap = table.userIds.keys.map { inputs.userIds.index(of: $0) ?? -1 }
            let itemMap = table.itemIds.keys.map { catalog.index(of: $0) ?? -1 }
            for r in 0..<table.count {
                let item = itemMap[Int(table.items[r])]
                guard item >= 0 else { continue }
                if index == 0 { counts[Int(item)] += 1 }
                let user = userMap[Int(table.users[r])]
                guard user >= 0 else { continue }
                rows.append(user)
                columns.append(item)
            }
        }
        let profiles = inputs.coldProfiles
        for u in 0..<profiles.rowCount {
            for item in profiles.row(u) {
                rows.append(Int32(u))
                columns.append(item)
            }
        }
        for (user, items) in inputs.trainedHistory {
            for item in items {
                rows.append(user)
                columns.append(item)
            }
        }
        let seen = SparseMatrix(
            rowCount: inputs.userIds.count, columnCount: catalog.count, rows: rows, columns: columns)
        return (seen, ItemPopularity(counts: counts, totalInteractions: train.count))
    }

    /// Items never recommended: outside the allow list, on the deny list, or among the most popular
    /// `noveltyFilter` percent. Ids not in the catalog are reported through `warn` with file and line (the
    /// first five, then a count) and each through `unknown`.
    public static func excludedItems(
        allow: ItemIdList?, deny: ItemIdList?, noveltyFilter: Double, popularity: ItemPopularity, catalog: IdMap,
        warn: (String) -> Void, unknown: (String) -> Void = { _ in }
    ) -> [Int32] {
        var excluded = [Bool](repeating: false, count: catalog.count)
        func indices(_ list: ItemIdList) -> [Int32] {
            var found: [Int32] = []
            var missing: [String] = []
            for (id, line) in list.entries {
                if let index = catalog.index(of: id) {
                    found.append(index)
                } else {
                    unknown(id)
                    missing.append("\(list.path):\(line): '\(id)'")
                }
            }
            for entry in missing.prefix(5) { warn("\(entry) is not an item of the model's catalog; ignored") }
            if missing.count > 5 { warn("\(list.path): \(missing.count - 5) more unknown item ids ignored") }
            return found
        }
        if let allow {
            var allowed = [Bool](repeating: false, count: catalog.count)
            for i in indices(allow) { allowed[Int(i)] = true }
            for i in 0..<catalog.count where !allowed[i] { excluded[i] = true }
        }
        if let deny { for i in indices(deny) { excluded[Int(i)] = true } }
        for i in popularity.mostPopular(percent: noveltyFilter) { excluded[Int(i)] = true }
        return excluded.indices.filter { excluded[$0] }.map { Int32($0) }
    }
}

extension RecommendInputs {
    /// Sequence models: per row of ``userIds``, its history as catalog indices, oldest first — a
    /// training user's training and validation interactions in time order (timestamp, then training
    /// before validation, then file row), then the items `--history` gave it; a cold user's `--history`
    /// items in the order given.
    public static func orderedHistories(
        train: InteractionTable, validation: InteractionTable?, inputs: RecommendInputs, catalog: IdMap,
        given: [(user: String, items: [Int32])]
    ) throws -> [ArraySlice<Int32>] {
        let tables = try [train, validation].compactMap { $0 }.map {
            try $0.remapped(userIds: inputs.userIds, itemIds: catalog, unknown: .drop)
        }
        let timelines = UserSequences(userCount: inputs.userIds.count, tables: tables)
        var histories = (0..<inputs.userIds.count).map { Array(timelines.sequence($0)) }
        for (user, items) in given {
            guard let row = inputs.userIds.index(of: user) else { continue }
            histories[Int(row)] += items
        }
        return histories.map { ArraySlice($0) }
    }

    /// Appends to `catalog` the items of `table` it lacks that have an image or a text feature in the
    /// configured stores (`recommend --include-new-items`); returns how many were added. Items without
    /// any feature are left out: the model would score them all alike from a zero content row.
    public static func addNewItems(to catalog: inout IdMap, table: ItemTable, config: PixelRecConfig) throws -> Int {
        let fresh = try table.column(table.idColumn).filter { catalog.index(of: $0) == nil }
        guard !fresh.isEmpty else { return 0 }
        let image = try FeatureStore(contentsOf: ItemFeatures.storePath(config, .image))
        let text = try FeatureStore(contentsOf: ItemFeatures.storePath(config, .text))
        let hasImage = image.matrix(for: fresh).present, hasText = text.matrix(for: fresh).present
        var added = 0
        for (k, key) in fresh.enumerated() where hasImage[k] || hasText[k] {
            _ = catalog.insert(key)
            added += 1
        }
        return added
    }
}
