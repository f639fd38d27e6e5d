import Foundation
import PixelData

@testable import PixelEval

/// A scorer over a precomputed `[users, items]` score matrix.
struct TableScorer: Scorer {
    let table: [Float]
    let itemCount: Int
    var description: String { "table" }

    func score(users: UnsafeBufferPointer<Int32>, into scores: UnsafeMutableBufferPointer<Float>) {
        for (r, u) in users.enumerated() {
            for i in 0..<itemCount { scores[r * itemCount + i] = table[Int(u) * itemCount + i] }
        }
    }
}

/// A sparse matrix from per-row item lists.
func sparse(_ rows: [[Int]], columns: Int) -> SparseMatrix {
    var r: [Int32] = [], c: [Int32] = []
    for (row, items) in rows.enumerated() {
        for item in items {
            r.append(Int32(row))
            c.append(Int32(item))
        }
    }
    return SparseMatrix(rowCount: rows.count, columnCount: columns, rows: r, columns: c)
}

/// Writes `text` to a fresh temporary file and returns its path.
func temporaryFile(_ name: String, _ text: String) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pixeleval-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Loads an interactions table from CSV text.
func table(_ text: String) throws -> InteractionTable {
    try InteractionTable.load(path: try temporaryFile("t.csv", text)).0
}

/// Deterministic pseudo-random numbers for test data.
struct TestRandom {
    var generator: SeededGenerator
    init(_ seed: UInt64) { generator = SeededGenerator(seed: seed) }
    mutating func int(_ bound: Int) -> Int { generator.below(bound) }
    mutating func unit() -> Float { Float(generator.unit()) }
}
