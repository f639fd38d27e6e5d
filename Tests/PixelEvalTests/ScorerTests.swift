import Foundation
import Testing

@testable import PixelEval

@Suite("Scorers vs brute-force dense computations")
struct ScorerTests {
    static func randomMatrix(users: Int, items: Int, density: Double, seed: UInt64) -> SparseMatrix {
        var random = TestRandom(seed)
        var rows: [[Int]] = []
        for _ in 0..<users { rows.append((0..<items).filter { _ in Double(random.unit()) < density }) }
        return sparse(rows, columns: items)
    }

    static func dense(_ m: SparseMatrix) -> [[Double]] {
        var d = [[Double]](repeating: [Double](repeating: 0, count: m.columnCount), count: m.rowCount)
        for r in 0..<m.rowCount { for c in m.row(r) { d[r][Int(c)] = 1 } }
        return d
    }

    /// Top-k of `sims` (excluding `own`, zeros dropped), ties by lower index.
    static func topK(_ sims: [Double], k: Int, own: Int) -> [(Int, Double)] {
        Array(
            sims.indices.filter { $0 != own && sims[$0] > 0 }
                .sorted { sims[$0] > sims[$1] || (sims[$0] == sims[$1] && $0 < $1) }
                .prefix(k).map { ($0, sims[$0]) })
    }

    static func scores(_ scorer: any Scorer, users: Int) -> [Float] {
        var out = [Float](repeating: .nan, count: users * scorer.itemCount)
        let ids = (0..<users).map { Int32($0) }
        ids.withUnsafeBufferPointer { u in out.withUnsafeMutableBufferPointer { scorer.score(users: u, into: $0) } }
        return out
    }

    @Test("item kNN equals dense shrunk cosine with top-k neighbours", arguments: [(5, 0.0), (10, 3.0), (100, 10.0)])
    func itemKNN(k: Int, shrinkage: Double) throws {
        let train = Self.randomMatrix(users: 40, items: 30, density: 0.2, seed: 11)
        let x = Self.dense(train)
        var counts = [Double](repeating: 0, count: 30)
        for row in x { for i in 0..<30 { counts[i] += row[i] } }
        var neighbours: [[(Int, Double)]] = []
        for i in 0..<30 {
            var sims = [Double](repeating: 0, count: 30)
            for j in 0..<30 {
                var common = 0.0
                for u in 0..<40 { common += x[u][i] * x[u][j] }
                sims[j] = common / ((counts[i] * counts[j]).squareRoot() + shrinkage)
            }
            neighbours.append(Self.topK(sims, k: k, own: i))
        }
        let scorer = try ItemKNNScorer(train: train, profiles: train, k: k, shrinkage: Float(shrinkage), workers: 2)
        let ours = Self.scores(scorer, users: 40)
        for u in 0..<40 {
            var expected = [Double](repeating: 0, count: 30)
            for i in 0..<30 where x[u][i] == 1 { for (j, s) in neighbours[i] { expected[j] += s } }
            for j in 0..<30 { #expect(abs(Double(ours[u * 30 + j]) - expected[j]) < 1e-5, "user \(u) item \(j)") }
        }
    }

    @Test("user kNN equals dense shrunk cosine with top-k neighbours, self excluded", arguments: [(3, 0.0), (20, 5.0)])
    func userKNN(k: Int, shrinkage: Double) throws {
        let train = Self.randomMatrix(users: 35, items: 25, density: 0.25, seed: 12)
        let x = Self.dense(train)
        let norms = x.map { $0.reduce(0, +).squareRoot() }
        let scorer = try UserKNNScorer(train: train, profiles: train, k: k, shrinkage: Float(shrinkage))
        let ours = Self.scores(scorer, users: 35)
        for u in 0..<35 {
            var sims = [Double](repeating: 0, count: 35)
            for v in 0..<35 {
                var common = 0.0
                for i in 0..<25 { common += x[u][i] * x[v][i] }
                sims[v] = common / (norms[u] * norms[v] + shrinkage)
            }
            var expected = [Double](repeating: 0, count: 25)
            for (v, s) in Self.topK(sims, k: k, own: u) { for j in 0..<25 { expected[j] += s * x[v][j] } }
            for j in 0..<25 { #expect(abs(Double(ours[u * 25 + j]) - expected[j]) < 1e-5, "user \(u) item \(j)") }
        }
    }

    @Test(
        "factorized scores are U · Vᵀ for consecutive and scattered users, whole rows and tiles",
        arguments: FactorizedScorer.Kernel.allCases)
    func factorized(kernel: FactorizedScorer.Kernel) throws {
        var random = TestRandom(3)
        let d = 7, users = 19, items = 77
        let u = (0..<users * d).map { _ in random.unit() - 0.5 }
        let v = (0..<items * d).map { _ in random.unit() - 0.5 }
        let scorer = try FactorizedScorer(userVectors: u, itemVectors: v, dimension: d, kernel: kernel)
        for ids: [Int32] in [[2, 3, 4], [8, 0, 5, 5], (0..<19).map { Int32($0) }] {
            var out = [Float](repeating: 0, count: ids.count * items)
            ids.withUnsafeBufferPointer { ids in
                out.withUnsafeMutableBufferPointer { scorer.score(users: ids, into: $0) }
            }
            for (r, user) in ids.enumerated() {
                for i in 0..<items {
                    var dot: Float = 0
                    for c in 0..<d { dot += u[Int(user) * d + c] * v[i * d + c] }
                    #expect(abs(out[r * items + i] - dot) < 1e-5)
                }
            }
            // A tile that starts and ends inside 32-item panels.
            let tile = 5..<70
            var part = [Float](repeating: .nan, count: ids.count * tile.count)
            ids.withUnsafeBufferPointer { ids in
                part.withUnsafeMutableBufferPointer { scorer.score(users: ids, items: tile, into: $0) }
            }
            for r in 0..<ids.count {
                for i in tile { #expect(abs(part[r * tile.count + i - 5] - out[r * items + i]) < 1e-5) }
            }
        }
        #expect(throws: EvalError.self) {
            try FactorizedScorer(userVectors: [1, 2, 3], itemVectors: [1, 2], dimension: 2)
        }
    }

    @Test("popularity and random scorers")
    func simple() {
        let train = sparse([[0, 1], [1], [1, 2]], columns: 4)
        #expect(Self.scores(PopularityScorer(train: train), users: 2) == [1, 3, 1, 0, 1, 3, 1, 0])
        let random = RandomScorer(itemCount: 50, seed: 9)
        let a = Self.scores(random, users: 3)
        // Row 2 alone equals row 2 of the block: independent of blocking.
        var single = [Float](repeating: 0, count: 50)
        [Int32(2)].withUnsafeBufferPointer { u in
            single.withUnsafeMutableBufferPointer { random.score(users: u, into: $0) }
        }
        #expect(Array(a[100..<150]) == single)
        #expect(a.allSatisfy { $0 >= 0 && $0 < 1 })
    }

    @Test("sparse matrix: repeats collapse, transpose, union, difference")
    func sparseMatrix() {
        let m = SparseMatrix(rowCount: 3, columnCount: 4, rows: [0, 0, 2, 0, 2], columns: [3, 1, 0, 3, 2])
        #expect(Array(m.row(0)) == [1, 3] && m.rowLength(1) == 0 && Array(m.row(2)) == [0, 2])
        let t = m.transposed()
        #expect(Array(t.row(3)) == [0] && Array(t.row(1)) == [0] && Array(t.row(0)) == [2])
        let other = sparse([[0, 1], [2], []], columns: 4)
        #expect(Array(m.union(other).row(0)) == [0, 1, 3])
        #expect(Array(m.subtracting(other).row(0)) == [3])
        #expect(m.contains(2, 2) && !m.contains(2, 1))
    }
}
