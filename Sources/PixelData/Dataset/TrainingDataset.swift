import Foundation
import PixelCore

/// Positives of a training split plus sampled negatives, served as deterministic shuffled mini-batches.
///
/// Each epoch holds every positive `(u, i, 1)` and, per positive, `negativeRatio` rows `(u, j, 0)` with
/// `j` drawn uniformly or by popularity and never a known positive of `u` (rejection against the user's
/// sorted positive list). Epoch `e` is a pure function of `(seed, e)`.
public struct TrainingDataset: Sendable {
    public let options: DatasetOptions
    public let userCount: Int
    public let itemCount: Int
    /// Positive pairs.
    public let users: [Int32]
    public let items: [Int32]
    /// Per user, sorted distinct positive items (CSR: `positives[offsets[u] ..< offsets[u + 1]]`).
    let offsets: [Int]
    let positives: [Int32]
    let popularity: AliasTable?

    /// - Parameters:
    ///   - train: the training interactions (indices into its id maps).
    ///   - known: further interactions whose pairs must never be sampled as negatives (e.g. validation),
    ///     indexed with the same id maps.
    /// - Throws: `DataError.invalidOption` for bad options, or when a user has interacted with every item
    ///   (no negative exists).
    public init(train: InteractionTable, known: [InteractionTable] = [], options: DatasetOptions = .init()) throws {
        try options.validate()
        self.options = options
        userCount = train.userIds.count
        itemCount = train.itemIds.count
        users = train.users
        items = train.items
        var counts = [Int](repeating: 0, count: userCount + 1)
        let tables = [train] + known
        for table in tables {
            let userCount = self.userCount, itemCount = self.itemCount
            guard table.users.allSatisfy({ Int($0) < userCount }), table.items.allSatisfy({ Int($0) < itemCount })
            else {
                throw DataError.invalidOption(
                    name: "known", reason: "\(table.path) must use the training id maps (see InteractionTable.remapped)"
                )
            }
            for u in table.users { counts[Int(u) + 1] += 1 }
        }
        for u in 0..<userCount { counts[u + 1] += counts[u] }
        var cursor = counts
        var all = [Int32](repeating: 0, count: counts[userCount])
        for table in tables {
            for row in 0..<table.count {
                let u = Int(table.users[row])
                all[cursor[u]] = table.items[row]
                cursor[u] += 1
            }
        }
        // Sort and deduplicate each user's list.
        var offsets = [Int](repeating: 0, count: userCount + 1)
        var positives: [Int32] = []
        positives.reserveCapacity(all.count)
        for u in 0..<userCount {
            var list = Array(all[counts[u]..<counts[u + 1]])
            list.sort()
            var previous: Int32 = -1
            for item in list where item != previous {
                positives.append(item)
                previous = item
            }
            offsets[u + 1] = positives.count
            if options.negativeRatio > 0 && offsets[u + 1] - offsets[u] >= itemCount {
                throw DataError.invalidOption(
                    name: "negative_sampling_ratio",
                    reason:
                        "user '\(train.userIds.key(Int32(u)))' has interacted with all \(itemCount) items: no negatives to sample"
                )
            }
        }
        self.offsets = offsets
        self.positives = positives
        if options.sampling == .popularity {
            var itemCounts = [Double](repeating: 0, count: itemCount)
            for item in train.items { itemCounts[Int(item)] += 1 }
            let weights = itemCounts.map { pow($0, options.popularityExponent) }
            popularity = weights.contains { $0 > 0 } ? AliasTable(weights: weights) : nil
        } else {
            popularity = nil
        }
    }

    /// Rows per epoch: `positives · (1 + negativeRatio)`.
    public var rowsPerEpoch: Int { users.count * (1 + options.negativeRatio) }

    /// Batches per epoch.
    public var batchesPerEpoch: Int {
        options.dropLast ? rowsPerEpoch / options.batchSize : (rowsPerEpoch + options.batchSize - 1) / options.batchSize
    }

    /// Whether `item` is a known positive of `user`.
    @inline(__always)
    public func isPositive(user: Int32, item: Int32) -> Bool {
        var low = offsets[Int(user)], high = offsets[Int(user) + 1]
        while low < high {
            let mid = (low + high) / 2
            if positives[mid] < item { low = mid + 1 } else { high = mid }
        }
        return low < offsets[Int(user) + 1] && positives[low] == item
    }

    /// A negative item for `user`.
    @inline(__always)
    func negative(for user: Int32, _ rng: inout SeededGenerator) -> Int32 {
        let known = offsets[Int(user) + 1] - offsets[Int(user)]
        var attempts = 0
        while true {
            let candidate: Int32
            if let popularity, attempts < 64 {
                candidate = Int32(popularity.sample(&rng))
            } else {
                candidate = Int32(rng.below(itemCount))
            }
            if !isPositive(user: user, item: candidate) { return candidate }
            attempts += 1
            // A user with nearly every item: walk from a random start to the next free item.
            if attempts > 256 && known < itemCount {
                var item = Int32(rng.below(itemCount))
                while isPositive(user: user, item: item) { item = (item + 1) % Int32(itemCount) }
                return item
            }
        }
    }

    /// All rows of epoch `epoch` (positives with their negatives), shuffled when configured.
    public func epochRows(_ epoch: Int) -> Batch {
        var rng = SeededGenerator(seed: options.seed, stream: UInt64(epoch) &+ 17)
        let ratio = options.negativeRatio
        var batch = Batch(users: [], items: [], labels: [])
        batch.users.reserveCapacity(rowsPerEpoch)
        batch.items.reserveCapacity(rowsPerEpoch)
        batch.labels.reserveCapacity(rowsPerEpoch)
        for row in 0..<users.count {
            let u = users[row]
            batch.users.append(u)
            batch.items.append(items[row])
            batch.labels.append(1)
            for _ in 0..<ratio {
                batch.users.append(u)
                batch.items.append(negative(for: u, &rng))
                batch.labels.append(0)
            }
        }
        if options.shuffle {
            for k in stride(from: batch.count - 1, to: 0, by: -1) {
                let j = rng.below(k + 1)
                batch.users.swapAt(k, j)
                batch.items.swapAt(k, j)
                batch.labels.swapAt(k, j)
            }
        }
        return batch
    }

    /// Calls `body` with each mini-batch of epoch `epoch`, in order.
    public func forEachBatch(epoch: Int, _ body: (Batch) throws -> Void) rethrows {
        let rows = epochRows(epoch)
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + options.batchSize)
            if options.dropLast && end - start < options.batchSize { break }
            try body(
                Batch(
                    users: Array(rows.users[start..<end]), items: Array(rows.items[start..<end]),
                    labels: Array(rows.labels[start..<end])))
            start = end
        }
    }
}
