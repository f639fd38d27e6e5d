import Foundation
import Testing

@testable import PixelData

@Suite("Splitting")
struct SplitterTests {
    static let table = makeTable(users: 60, perUser: { 3 + ($0 * 7) % 40 }, items: 80)

    func pairs(_ table: InteractionTable, _ parts: [SplitPart], _ part: SplitPart) -> Set<[Int32]> {
        Set((0..<table.count).filter { parts[$0] == part }.map { [table.users[$0], table.items[$0]] })
    }

    @Test(arguments: SplitStrategy.allCases)
    func disjointCompleteAndLeakFree(strategy: SplitStrategy) throws {
        let table = Self.table
        let (parts, report) = try Splitter.assign(table, options: SplitOptions(strategy: strategy, seed: 7))
        #expect(!parts.contains(.dropped))
        #expect(report.counts.train + report.counts.val + report.counts.test == table.count)
        #expect(report.counts.test > 0 && report.counts.val > 0)
        #expect(report.leakage.passed)
        let train = pairs(table, parts, .train)
        #expect(train.isDisjoint(with: pairs(table, parts, .test)))
        #expect(train.isDisjoint(with: pairs(table, parts, .val)))
    }

    @Test func stratifiedRatiosWithinOnePerUser() throws {
        let table = Self.table
        let options = SplitOptions(strategy: .stratified, trainRatio: 0.7, valRatio: 0.15, testRatio: 0.15, seed: 3)
        let (parts, _) = try Splitter.assign(table, options: options)
        let groups = UserGroups(table)
        for u in 0..<groups.userCount {
            let rows = groups.order[groups.offsets[u]..<groups.offsets[u + 1]]
            let n = Double(rows.count)
            for (part, ratio) in [(SplitPart.train, 0.7), (.val, 0.15), (.test, 0.15)] {
                let count = Double(rows.filter { parts[$0] == part }.count)
                // ±1 holds whenever every part's share is ≥ 1 row; below that, "each user in each part" wins.
                if n * 0.15 >= 1 {
                    #expect(abs(count - n * ratio) <= 1, "user \(u) part \(part) count \(count) of \(n)")
                }
                #expect(count >= 1, "every user with ≥ 3 interactions is in every part")
            }
        }
    }

    @Test func temporalPerUserKeepsOrder() throws {
        let table = Self.table
        let (parts, _) = try Splitter.assign(table, options: SplitOptions(strategy: .temporal))
        let groups = UserGroups(table)
        for u in 0..<groups.userCount {
            let rows = Array(groups.order[groups.offsets[u]..<groups.offsets[u + 1]])
            let ranks = rows.map { Int(parts[$0].rawValue) }
            #expect(ranks == ranks.sorted(), "train before val before test in time for user \(u)")
        }
    }

    @Test func temporalGlobalCutsByTime() throws {
        let table = Self.table
        let (parts, _) = try Splitter.assign(table, options: SplitOptions(strategy: .temporal, temporalScope: .global))
        let maxTrain = (0..<table.count).filter { parts[$0] == .train }.map { table.timestamps[$0] }.max() ?? 0
        let minTest = (0..<table.count).filter { parts[$0] == .test }.map { table.timestamps[$0] }.min() ?? 0
        #expect(maxTrain <= minTest)
    }

    @Test func leaveOneOutTakesLastByTimeThenFileOrder() throws {
        let path = temporaryFile(
            "item_id,user_id,timestamp\ni1,u1,10\ni2,u1,30\ni3,u1,30\ni4,u1,20\ni5,u2,1\ni6,u2,2\n")
        let (table, _) = try InteractionTable.load(path: path)
        let (parts, report) = try Splitter.assign(table, options: SplitOptions(strategy: .leaveOneOut))
        #expect(parts == [.train, .val, .test, .train, .train, .test])
        #expect(report.counts.test == 2 && report.counts.val == 1)
    }

    @Test(arguments: [SplitStrategy.user, .item])
    func holdOutKeepsWholeKeys(strategy: SplitStrategy) throws {
        let table = Self.table
        let (parts, report) = try Splitter.assign(table, options: SplitOptions(strategy: strategy, seed: 11))
        let keys = strategy == .user ? table.users : table.items
        var partOfKey: [Int32: SplitPart] = [:]
        for row in 0..<table.count {
            if let seen = partOfKey[keys[row]] {
                #expect(seen == parts[row])
            } else {
                partOfKey[keys[row]] = parts[row]
            }
        }
        #expect(report.leakage.testViolations == 0)
    }

    @Test(arguments: [SplitStrategy.user, .item])
    func holdOutOnlyEligibleKeys(strategy: SplitStrategy) throws {
        let table = Self.table
        let keys = strategy == .user ? table.users : table.items
        var degree: [Int32: Int] = [:]
        for row in 0..<table.count { degree[keys[row], default: 0] += 1 }
        let minimum = degree.values.sorted()[degree.count / 2]  // about half the keys are eligible
        let eligible = degree.values.filter { $0 >= minimum }.count
        #expect(eligible > 20 && eligible < degree.count, "the fixture must have keys on both sides of the minimum")
        let options = SplitOptions(
            strategy: strategy, trainRatio: 0.9, valRatio: 0, testRatio: 0.1, holdoutMinInteractions: minimum, seed: 5)
        let (parts, report) = try Splitter.assign(table, options: options)
        var heldOut = Set<Int32>()
        for row in 0..<table.count where parts[row] != .train {
            #expect(parts[row] == .test)
            #expect(degree[keys[row]]! >= minimum, "key \(keys[row]) with \(degree[keys[row]]!) rows held out")
            heldOut.insert(keys[row])
        }
        #expect(heldOut.count == Int((Double(eligible) * 0.1).rounded()))
        #expect(
            report.holdout == SplitReport.Holdout(minInteractions: minimum, eligible: eligible, present: degree.count))
        #expect(throws: DataError.self) {
            try Splitter.assign(table, options: SplitOptions(strategy: strategy, holdoutMinInteractions: -1))
        }
    }

    @Test func kCoreReachesFixpoint() {
        let table = makeTable(users: 200, perUser: { 1 + $0 % 12 }, items: 150, seed: 5)
        let (alive, report) = KCoreFilter.apply(table, minUser: 5, minItem: 4)
        var userDegree: [Int32: Int] = [:], itemDegree: [Int32: Int] = [:]
        for row in 0..<table.count where alive[row] {
            userDegree[table.users[row], default: 0] += 1
            itemDegree[table.items[row], default: 0] += 1
        }
        #expect(report.rowsAfter > 0 && report.rowsAfter < report.rowsBefore)
        #expect(userDegree.values.allSatisfy { $0 >= 5 })
        #expect(itemDegree.values.allSatisfy { $0 >= 4 })
        #expect(report.iterations >= 2)
        let (again, second) = KCoreFilter.apply(table, minUser: 5, minItem: 4, alive: alive)
        #expect(again == alive && second.rowsAfter == report.rowsAfter)
    }

    @Test(arguments: [SplitStrategy.stratified, .user, .item])
    func deterministicBySeed(strategy: SplitStrategy) throws {
        let table = Self.table
        let a = try Splitter.assign(table, options: SplitOptions(strategy: strategy, seed: 99)).assignment
        let b = try Splitter.assign(table, options: SplitOptions(strategy: strategy, seed: 99)).assignment
        let c = try Splitter.assign(table, options: SplitOptions(strategy: strategy, seed: 100)).assignment
        #expect(a == b)
        #expect(a != c)
    }

    @Test func sampleUsersBeforeSplitting() throws {
        let table = Self.table
        let (parts, report) = try Splitter.assign(table, options: SplitOptions(sampleN: 10, seed: 4))
        let users = Set((0..<table.count).filter { parts[$0] != .dropped }.map { table.users[$0] })
        #expect(users.count == 10)
        #expect(report.users.train == 10)
    }

    @Test func badRatiosAreRejected() {
        #expect(throws: DataError.invalidOption(name: "ratios", reason: "train+val+test = 1.1, must be 1")) {
            try Splitter.assign(
                Self.table, options: SplitOptions(strategy: .stratified, trainRatio: 0.9, valRatio: 0.1, testRatio: 0.1)
            )
        }
    }

    @Test func writesFilesAndInfo() throws {
        let directory = temporaryDirectory()
        let report = try Splitter.run(
            Self.table, options: SplitOptions(strategy: .stratified), outputDirectory: directory)
        for stem in ["train", "val", "test"] {
            let (part, _) = try InteractionTable.load(path: directory + "/\(stem).csv")
            #expect(
                part.count
                    == (stem == "train" ? report.counts.train : stem == "val" ? report.counts.val : report.counts.test))
        }
        let info = try JSONDecoder().decode(
            SplitReport.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/split_info.json")))
        #expect(info == report)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "no temporary files left behind")
    }

    @Test func ml100kLeaveOneOutGives943And943() throws {
        guard let directory = ml100kDirectory() else {
            print("skipping: ../shared/data/ml100k-pixel not found (set PIXELREC_SHARED)")
            return
        }
        let (table, _) = try InteractionTable.load(path: directory + "/interactions.csv")
        let out = temporaryDirectory()
        let report = try Splitter.run(table, options: SplitOptions(strategy: .leaveOneOut), outputDirectory: out)
        #expect(report.counts.test == 943 && report.counts.val == 943 && report.counts.train == 100_000 - 1886)
        #expect(report.leakage.passed)
        let (test, _) = try InteractionTable.load(path: out + "/test.csv")
        #expect(test.count == 943)
    }
}
