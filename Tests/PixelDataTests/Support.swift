import Foundation

@testable import PixelData

/// A fresh temporary directory for one test.
func temporaryDirectory(_ name: String = #function) -> String {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let path = NSTemporaryDirectory() + "pixeldata-\(safe)-\(UInt32.random(in: 0 ... .max))"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes `text` to a temporary file and returns its path.
func temporaryFile(_ text: String, name: String = "data.csv") -> String {
    let path = temporaryDirectory() + "/" + name
    _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    return path
}

func temporaryFile(bytes: [UInt8], name: String) -> String {
    let path = temporaryDirectory() + "/" + name
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}

/// `../shared` relative to the package root, or `PIXELREC_SHARED`; `nil` when absent.
func sharedDirectory() -> String? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let path =
        ProcessInfo.processInfo.environment["PIXELREC_SHARED"]
        ?? root.appendingPathComponent("../shared").standardized.path
    return FileManager.default.fileExists(atPath: path + "/data/ml100k-pixel/interactions.csv") ? path : nil
}

func ml100kDirectory() -> String? { sharedDirectory().map { $0 + "/data/ml100k-pixel" } }

/// Parses CSV text into string rows (header included).
func parse(_ text: String) throws -> [[String]] {
    var rows: [[String]] = []
    try CSVReader(data: Data(text.utf8), path: "t.csv").forEachRecord { rows.append($0.strings) }
    return rows
}

/// A small synthetic interaction table: `users` users with `perUser` interactions each over `items` items.
func makeTable(users: Int, perUser: (Int) -> Int, items: Int, seed: UInt64 = 1) -> InteractionTable {
    var rng = SeededGenerator(seed: seed)
    var text = "item_id,user_id,timestamp,rating\n"
    for u in 0..<users {
        var used = Set<Int>()
        for k in 0..<min(perUser(u), items) {
            var item = rng.below(items)
            while used.contains(item) { item = rng.below(items) }
            used.insert(item)
            text += "i\(item),u\(u),\(1000 + k * 10 + rng.below(5)),\(1 + rng.below(5))\n"
        }
    }
    let path = temporaryFile(text)
    return (try? InteractionTable.load(path: path).0) ?? InteractionTable()
}
