import Foundation
import PixelCore

/// Splits an `InteractionTable` into train/validation/test (see `SplitStrategy`) after optional sampling
/// and k-core filtering, checks for leakage, and writes `{train,val,test}.csv` plus `split_info.json`.
///
/// Order of operations: sample (`sampleN`) → k-core to fixpoint → split → leakage check.
public enum Splitter {
    /// Assigns every row a part.
    /// - Returns: `assignment[row]` (`SplitPart.rawValue`) and the report (without write timings).
    /// - Throws: `DataError.invalidOption` for bad options.
    public static func assign(
        _ table: InteractionTable, options: SplitOptions, progress: PixelCore.Progress? = nil
    ) throws -> (assignment: [SplitPart], report: SplitReport) {
        try options.validate()
        guard table.count > 0 else {
            throw DataError.badFormat(path: table.path, reason: "no interactions (only a header); nothing to split")
        }
        let clock = Date()
        var rng = SeededGenerator(seed: options.seed)
        var alive = [Bool](repeating: true, count: table.count)
        if let n = options.sampleN { alive = sample(table, n: n, mode: options.sampleMode, rng: &rng) }
        let sampledRows = alive.reduce(0) { $0 + ($1 ? 1 : 0) }
        let (mask, filterReport) = KCoreFilter.apply(
            table, minUser: options.minInteractionsPerUser, minItem: options.minInteractionsPerItem, alive: alive)
        alive = mask
        if filterReport.rowsAfter == 0 {
            let before = filterReport.rowsBefore
            throw DataError.badFormat(
                path: table.path,
                reason:
                    "k-core filter (users ≥ \(options.minInteractionsPerUser), items ≥ \(options.minInteractionsPerItem)) "
                    + "removed all \(before) interaction\(before == 1 ? "" : "s")\(options.sampleN != nil ? " of the sample" : ""); "
                    + "nothing to split (lower min_interactions_per_user / min_interactions_per_item)")
        }
        let filterSeconds = Date().timeIntervalSince(clock)
        let splitClock = Date()
        var parts = [SplitPart](repeating: .dropped, count: table.count)
        var holdout: SplitReport.Holdout? = nil
        switch options.strategy {
        case .leaveOneOut:
            let groups = UserGroups(table, alive: alive)
            for u in 0..<groups.userCount {
                let start = groups.offsets[u], end = groups.offsets[u + 1]
                for k in start..<end { parts[groups.order[k]] = .train }
                if end - start >= 2 { parts[groups.order[end - 1]] = .test }
                if end - start >= 3 { parts[groups.order[end - 2]] = .val }
            }
        case .stratified, .temporal:
            if options.strategy == .temporal && options.temporalScope == .global {
                globalTemporal(table, alive, options, &parts)
                break
            }
            let groups = UserGroups(table, alive: alive)
            var scratch: [Int] = []
            for u in 0..<groups.userCount {
                let start = groups.offsets[u], end = groups.offsets[u + 1]
                let n = end - start
                guard n > 0 else { continue }
                scratch.removeAll(keepingCapacity: true)
                scratch.append(contentsOf: groups.order[start..<end])
                if options.strategy == .stratified { scratch.shuffle(using: &rng) }
                let (nVal, nTest) = perUserCounts(n, options)
                for (k, row) in scratch.enumerated() {
                    parts[row] = k >= n - nTest ? .test : (k >= n - nTest - nVal ? .val : .train)
                }
            }
        case .user, .item:
            let byUser = options.strategy == .user
            let keys = byUser ? table.users : table.items
            let keyCount = byUser ? table.userIds.count : table.itemIds.count
            var rowCount = [Int](repeating: 0, count: keyCount)
            for row in 0..<table.count where alive[row] { rowCount[Int(keys[row])] += 1 }
            let minimum = max(1, options.holdoutMinInteractions)
            var chosen = (0..<keyCount).filter { rowCount[$0] >= minimum }
            holdout = .init(minInteractions: minimum, eligible: chosen.count, present: rowCount.filter { $0 > 0 }.count)
            chosen.shuffle(using: &rng)
            let n = chosen.count
            let nTest = Int((Double(n) * options.testRatio).rounded())
            let nVal = min(n - nTest, Int((Double(n) * options.valRatio).rounded()))
            var partOf = [SplitPart](repeating: .train, count: keyCount)
            for (k, key) in chosen.enumerated() { partOf[key] = k < nTest ? .test : (k < nTest + nVal ? .val : .train) }
            for row in 0..<table.count where alive[row] { parts[row] = partOf[Int(keys[row])] }
        }
        var report = SplitReport(
            input: table.path, strategy: options.strategy.rawValue,
            temporalScope: options.strategy == .temporal ? options.temporalScope.rawValue : nil, seed: options.seed,
            ratios: options.strategy == .leaveOneOut
                ? [:] : ["train": options.trainRatio, "val": options.valRatio, "test": options.testRatio],
            sample: options.sampleN.map { n in
                SplitReport.Sample(
                    n: n, mode: options.sampleMode.rawValue,
                    population: options.sampleMode == .users ? table.userIds.count : table.count,
                    rows: sampledRows)
            },
            holdout: holdout, filters: filterReport,
            leakage: options.validateNoLeakage
                ? leakage(table, parts, strategy: options.strategy)
                : SplitReport.Leakage(
                    check: "skipped (data.splitting.validate_no_leakage: false)", testViolations: 0, valViolations: 0,
                    passed: true, skipped: true))
        fillCounts(table, parts, &report)
        if report.counts.train == 0 {
            throw DataError.badFormat(
                path: table.path,
                reason: "the \(options.strategy.rawValue) split put no interaction in train "
                    + "(\(report.counts.val) validation, \(report.counts.test) test); nothing written")
        }
        report.seconds = ["filter": filterSeconds, "split": Date().timeIntervalSince(splitClock)]
        return (parts, report)
    }

    static func globalTemporal(
        _ table: InteractionTable, _ alive: [Bool], _ options: SplitOptions, _ parts: inout [SplitPart]
    ) {
        var rows = (0..<table.count).filter { alive[$0] }
        rows.sort { (a: Int, b: Int) -> Bool in
            let ta: Int64 = table.timestamps[a], tb: Int64 = table.timestamps[b]
            return ta != tb ? ta < tb : a < b
        }
        let n = rows.count
        let nTrain = Int((Double(n) * options.trainRatio).rounded())
        let nVal = min(n - nTrain, Int((Double(n) * options.valRatio).rounded()))
        for (k, row) in rows.enumerated() { parts[row] = k < nTrain ? .train : (k < nTrain + nVal ? .val : .test) }
    }

    /// Validation and test sizes for a user with `n` interactions: each `round(n · ratio)`, raised to 1
    /// (when the ratio is positive and `n ≥ 3`) so every such user appears in every part, keeping ≥ 1 train row.
    static func perUserCounts(_ n: Int, _ options: SplitOptions) -> (val: Int, test: Int) {
        var nVal = Int((Double(n) * options.valRatio).rounded())
        var nTest = Int((Double(n) * options.testRatio).rounded())
        if n >= 3 {
            if options.valRatio > 0 { nVal = max(1, nVal) }
            if options.testRatio > 0 { nTest = max(1, nTest) }
        } else {
            return (0, 0)
        }
        while nVal + nTest > n - (options.trainRatio > 0 ? 1 : 0) && (nVal > 0 || nTest > 0) {
            if nVal >= nTest { nVal -= 1 } else { nTest -= 1 }
        }
        return (nVal, nTest)
    }

    static func sample(_ table: InteractionTable, n: Int, mode: SampleMode, rng: inout SeededGenerator) -> [Bool] {
        switch mode {
        case .interactions:
            guard n < table.count else { return [Bool](repeating: true, count: table.count) }
            var rows = Array(0..<table.count)
            for k in 0..<n { rows.swapAt(k, k + rng.below(rows.count - k)) }
            var alive = [Bool](repeating: false, count: table.count)
            for k in 0..<n { alive[rows[k]] = true }
            return alive
        case .users:
            let userCount = table.userIds.count
            guard n < userCount else { return [Bool](repeating: true, count: table.count) }
            var users = Array(0..<userCount)
            for k in 0..<n { users.swapAt(k, k + rng.below(userCount - k)) }
            var keep = [Bool](repeating: false, count: userCount)
            for k in 0..<n { keep[users[k]] = true }
            return table.users.map { keep[Int($0)] }
        }
    }

    /// Counts leaks: for row-level strategies, test/validation rows whose (user, item) pair is also in
    /// train (and, for a global temporal split, rows older than the newest train row); for user/item
    /// hold-out, test/validation rows whose user/item has any train row.
    static func leakage(_ table: InteractionTable, _ parts: [SplitPart], strategy: SplitStrategy) -> SplitReport.Leakage
    {
        var testViolations = 0, valViolations = 0
        let check: String
        switch strategy {
        case .user, .item:
            let byUser = strategy == .user
            let keys = byUser ? table.users : table.items
            var inTrain = [Bool](repeating: false, count: byUser ? table.userIds.count : table.itemIds.count)
            for row in 0..<table.count where parts[row] == .train { inTrain[Int(keys[row])] = true }
            for row in 0..<table.count where inTrain[Int(keys[row])] {
                if parts[row] == .test { testViolations += 1 } else if parts[row] == .val { valViolations += 1 }
            }
            check =
                byUser
                ? "test/val users that also have train interactions"
                : "test/val items that also have train interactions"
        default:
            let alive = parts.map { $0 != .dropped }
            let groups = UserGroups(table, alive: alive)
            var trainItems: [Int32] = []
            for u in 0..<groups.userCount {
                let start = groups.offsets[u], end = groups.offsets[u + 1]
                trainItems.removeAll(keepingCapacity: true)
                for k in start..<end where parts[groups.order[k]] == .train {
                    trainItems.append(table.items[groups.order[k]])
                }
                trainItems.sort()
                for k in start..<end {
                    let row = groups.order[k]
                    guard parts[row] == .test || parts[row] == .val else { continue }
                    if binarySearch(trainItems, table.items[row]) {
                        if parts[row] == .test { testViolations += 1 } else { valViolations += 1 }
                    }
                }
            }
            check = "test/val (user, item) pairs also present in train"
        }
        return .init(
            check: check, testViolations: testViolations, valViolations: valViolations,
            passed: testViolations == 0 && valViolations == 0)
    }

    static func binarySearch(_ sorted: [Int32], _ value: Int32) -> Bool {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low < sorted.count && sorted[low] == value
    }

    static func fillCounts(_ table: InteractionTable, _ parts: [SplitPart], _ report: inout SplitReport) {
        var userSeen = [UInt8](repeating: 0, count: table.userIds.count)
        var itemSeen = [UInt8](repeating: 0, count: table.itemIds.count)
        for row in 0..<table.count {
            let part = parts[row]
            guard part != .dropped else { continue }
            let bit: UInt8 = 1 << part.rawValue
            userSeen[Int(table.users[row])] |= bit
            itemSeen[Int(table.items[row])] |= bit
            switch part {
            case .train: report.counts.train += 1
            case .val: report.counts.val += 1
            case .test: report.counts.test += 1
            case .dropped: break
            }
        }
        for flags in userSeen {
            if flags & 1 != 0 { report.users.train += 1 }
            if flags & 2 != 0 { report.users.val += 1 }
            if flags & 4 != 0 { report.users.test += 1 }
        }
        for flags in itemSeen {
            if flags & 1 != 0 { report.items.train += 1 }
            if flags & 2 != 0 { report.items.val += 1 }
            if flags & 4 != 0 { report.items.test += 1 }
        }
    }

    /// Splits and writes `<directory>/{train,val,test}.csv` and `<directory>/split_info.json` as one set
    /// (``AtomicFileSet``: a reader sees the previous split or this one, never a mix; rows keep file order
    /// and the original columns).
    /// - Returns: the report that was written.
    @discardableResult
    public static func run(
        _ table: InteractionTable, options: SplitOptions, outputDirectory: String, progress: PixelCore.Progress? = nil
    ) throws -> SplitReport {
        var (parts, report) = try assign(table, options: options, progress: progress)
        let clock = Date()
        var rowsByPart: [[Int]] = [[], [], []]
        for row in 0..<table.count where parts[row] != .dropped { rowsByPart[Int(parts[row].rawValue)].append(row) }
        parts = []
        let files: Set<String> = ["train.csv", "val.csv", "test.csv", "split_info.json"]
        try AtomicFileSet.write(directory: outputDirectory, owning: files) { staging in
            for part in [SplitPart.train, .val, .test] {
                try table.write(to: staging + "/" + part.fileStem + ".csv", rows: rowsByPart[Int(part.rawValue)])
            }
            report.seconds["write"] = Date().timeIntervalSince(clock)
            try writeJSON(report, to: staging + "/split_info.json")
        }
        progress?.finish("train \(report.counts.train), val \(report.counts.val), test \(report.counts.test)")
        return report
    }
}

/// Encodes `value` as pretty, key-sorted JSON and writes it atomically.
func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let data = try encoder.encode(value)
    try AtomicFile.write(data + Data("\n".utf8), to: path)
}
