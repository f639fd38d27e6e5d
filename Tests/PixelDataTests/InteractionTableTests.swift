import Foundation
import Testing

@testable import PixelData

@Suite("Interaction and item tables")
struct InteractionTableTests {
    @Test func headerDrivenColumnsAndDenseIds() throws {
        let path = temporaryFile("user_id,rating,timestamp,item_id\nu1,5,100,i9\nu2,3,50.0,i9\nu1,4,200,i7\n")
        let (table, report) = try InteractionTable.load(path: path)
        #expect(table.users == [0, 1, 0])
        #expect(table.items == [0, 0, 1])
        #expect(table.timestamps == [100, 50, 200])
        #expect(table.userIds.keys == ["u1", "u2"] && table.itemIds.keys == ["i9", "i7"])
        #expect(table.extras.map(\.name) == ["rating"])
        #expect(try table.numericColumn("rating") == [5, 3, 4])
        #expect(report.rows == 3 && report.users == 2 && report.items == 2)
    }

    @Test func missingColumnIsNamed() {
        let path = temporaryFile("item_id,user,timestamp\ni1,u1,1\n")
        #expect(
            throws: DataError.missingColumn(path: path, column: "user_id", available: ["item_id", "user", "timestamp"])
        ) {
            try InteractionTable.load(path: path)
        }
    }

    @Test func nonNumericTimestampNamesRowAndColumn() {
        let path = temporaryFile("item_id,user_id,timestamp\ni1,u1,1\ni2,u1,yesterday\n")
        #expect(
            throws: DataError.invalidValue(
                path: path, line: 3, column: 3, name: "timestamp", value: "yesterday", expected: "a numeric timestamp")
        ) {
            try InteractionTable.load(path: path)
        }
    }

    @Test func wrongFieldCount() {
        let path = temporaryFile("item_id,user_id,timestamp\ni1,u1,1\ni2,u1\n")
        #expect(throws: DataError.malformed(path: path, line: 3, column: 3, reason: "expected 3 fields, found 2")) {
            try InteractionTable.load(path: path)
        }
    }

    @Test func headerOnlyAndEmptyFiles() throws {
        let empty = temporaryFile("")
        #expect(throws: DataError.emptyFile(path: empty)) { try InteractionTable.load(path: empty) }
        let blank = temporaryFile("\n\n")
        #expect(throws: DataError.emptyFile(path: blank)) { try InteractionTable.load(path: blank) }
        let (table, _) = try InteractionTable.load(path: temporaryFile("item_id,user_id,timestamp\n"))
        #expect(table.count == 0)
    }

    @Test(arguments: DuplicatePolicy.allCases)
    func duplicates(policy: DuplicatePolicy) throws {
        let path = temporaryFile("item_id,user_id,timestamp\ni1,u1,5\ni2,u1,5\ni1,u1,5\ni1,u1,6\ni1,u1,5\n")
        var options = InteractionLoadOptions()
        options.duplicates = policy
        switch policy {
        case .error:
            #expect(throws: DataError.duplicateRow(path: path, line: 4, firstLine: 2)) {
                try InteractionTable.load(path: path, options: options)
            }
        case .keep:
            #expect(try InteractionTable.load(path: path, options: options).0.count == 5)
        case .drop:
            let (table, report) = try InteractionTable.load(path: path, options: options)
            #expect(report.duplicatesDropped == 2 && table.count == 3)
            #expect(table.timestamps == [5, 5, 6] && table.items == [0, 1, 0])
        }
    }

    @Test func writeRoundTrip() throws {
        let path = temporaryFile("item_id,user_id,timestamp,note\ni1,u1,5,\"a,b\"\ni2,u2,6,x\n")
        let (table, _) = try InteractionTable.load(path: path)
        let out = temporaryDirectory() + "/out.csv"
        try table.write(to: out, rows: [1, 0])
        #expect(
            try String(contentsOfFile: out, encoding: .utf8)
                == "item_id,user_id,timestamp,note\ni2,u2,6,x\ni1,u1,5,\"a,b\"\n")
    }

    @Test func itemTableRejectsDuplicateIds() throws {
        let path = temporaryFile("item_id,title\ni1,A\ni2,\"B, the\"\ni1,C\n")
        #expect(throws: DataError.duplicateRow(path: path, line: 4, firstLine: 2)) { try ItemTable.load(path: path) }
        let good = try ItemTable.load(path: temporaryFile("item_id,title\ni1,A\ni2,\"B, the\"\n"))
        #expect(try good.column("title") == ["A", "B, the"])
    }

    @Test func ml100kLoads() throws {
        guard let directory = ml100kDirectory() else {
            print("skipping: ../shared/data/ml100k-pixel not found (set PIXELREC_SHARED)")
            return
        }
        let (table, report) = try InteractionTable.load(path: directory + "/interactions.csv")
        #expect(report.rows == 100_000 && report.users == 943 && report.items == 1682 && report.duplicatesDropped == 0)
        #expect(table.userIds.key(table.users[0]) == "u1" && table.itemIds.key(table.items[0]) == "i168")
        let items = try ItemTable.load(path: directory + "/item_info.csv")
        #expect(items.count == 1682)
    }
}
