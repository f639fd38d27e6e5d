// rank-items CHECKPOINT FEATURES ITEM_INFO INTERACTIONS USER [K]: the top K items for USER from a pixelrec
// checkpoint, its feature stores (FEATURES/{image,text}.pxfs), the item table and the interaction files
// (comma-separated, e.g. train.csv,val.csv: the user's history for sequence models; seen items are left out).
// The same list as `pixelrec recommend --users USER --top-k K` without diversity.
import Foundation
import PixelData
import PixelEncoders
import PixelEval
import PixelModels

let arguments = CommandLine.arguments
guard arguments.count >= 6 else {
    FileHandle.standardError.write(Data("usage: rank-items CHECKPOINT FEATURES ITEM_INFO INTERACTIONS USER [K]\n".utf8))
    exit(2)
}
let checkpoint = try Checkpoint.read(from: arguments[1])
let (users, items) = try checkpoint.idMaps()
let image = try FeatureStore(contentsOf: arguments[2] + "/image.pxfs")
let text = try FeatureStore(contentsOf: arguments[2] + "/text.pxfs")
let (vision, words) = (image.matrix(for: items.keys), text.matrix(for: items.keys))
let numeric = try NumericFeatures(
    items: ItemTable.load(path: arguments[3]), itemIds: items, scalers: checkpoint.header.scalers)
let content = try ItemContent(
    count: items.count, vision: vision.rows, visionWidth: image.dimension, text: words.rows,
    textWidth: text.dimension, numeric: numeric.values, numericWidth: numeric.columns.count)
// The user's history: every row of the interaction files (comma-separated: train, validation) in time order.
var rows: [(time: Int64, item: Int32)] = []
for path in arguments[4].split(separator: ",") {
    let table = try InteractionTable.load(path: String(path)).0
    for r in table.users.indices where table.userIds.key(table.users[r]) == arguments[5] {
        if let item = items.index(of: table.itemIds.key(table.items[r])) { rows.append((table.timestamps[r], item)) }
    }
}
guard let user = users.index(of: arguments[5]) else { fatalError("\(arguments[5]) is not a user of the checkpoint") }
let history = rows.enumerated().sorted { ($0.1.time, $0.0) < ($1.1.time, $1.0) }.map(\.1.item)
var histories = [ArraySlice<Int32>](repeating: [], count: users.count)
histories[Int(user)] = ArraySlice(history)
let scorer = try MultimodalScoring.scorer(
    checkpoint: checkpoint, path: arguments[1], userIds: users, itemIds: items,
    profiles: SparseMatrix(rowCount: users.count, columnCount: items.count), content: content, maxCandidates: 100,
    histories: histories)
var scores = [Float](repeating: 0, count: items.count)
[user].withUnsafeBufferPointer { u in scores.withUnsafeMutableBufferPointer { scorer.score(users: u, into: $0) } }
let seen = Set(history)
let k = arguments.count > 6 ? Int(arguments[6]) ?? 10 : 10
let top = (0..<Int32(items.count)).filter { !seen.contains($0) }.sorted { scores[Int($0)] > scores[Int($1)] }.prefix(k)
for (rank, item) in top.enumerated() { print("\(rank + 1)\t\(items.key(item))\t\(scores[Int(item)])") }
